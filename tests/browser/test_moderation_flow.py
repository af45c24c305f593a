"""Moderation in a real browser: a member's reply waits, a moderator approves it from the queue,
the member sees it published and is notified; axe-core checks the moderation pages on the way."""

from __future__ import annotations

import re
import uuid

from playwright.sync_api import Page
from playwright.sync_api import expect
from pytest_playwright.pytest_playwright import CreateContextCallback

from tests.browser.accessibility import assert_no_axe_violations
from tests.browser.pages import approve_in_queue
from tests.browser.pages import post_with_text
from tests.browser.pages import sign_in
from tests.browser.pages import signed_in_page
from tests.browser.seed import Seed

HEADER_COUNT = re.compile(r"\((\d+)")


def _header_count(page: Page, name: str) -> int:
    """The number in a header link such as "Notifications (2 unread)"."""
    link = page.get_by_role("banner").get_by_role("link", name=re.compile(rf"^{name} \("))
    match = HEADER_COUNT.search(link.inner_text())
    assert match is not None, f"no count in the {name} link"
    return int(match.group(1))


def test_member_reply_waits_and_a_moderator_approves_it_from_the_queue(
        new_context: CreateContextCallback, seed: Seed) -> None:
    text = f"We wrote to 10,000 households chosen by lottery ({uuid.uuid4().hex[:8]})."

    # The member replies in a set where every post waits for a moderator.
    member = signed_in_page(new_context, seed.member_email, seed.password)
    unread_before = _header_count(member, "Notifications")
    member.goto(f"/sets/{seed.reviewed_set_slug}/")
    expect(member.get_by_text("Every post waits for approval")).to_be_visible()
    member.get_by_role("link", name=seed.reviewed_thread_title, exact=True).click()
    member.get_by_label("Reply to this thread").fill(text)
    member.get_by_role("button", name="Post reply").click()

    expect(member.get_by_text("Your post will appear to others once a moderator")).to_be_visible()
    reply = post_with_text(member, text)
    expect(reply.get_by_text("Awaiting approval", exact=True)).to_be_visible()
    expect(reply.get_by_role("button", name=re.compile(r"^Withdraw"))).to_be_visible()
    expect(reply.get_by_role("link", name=re.compile(r"^Edit"))).to_be_visible()
    expect(member.get_by_role("main")).to_contain_text(re.compile(r"\b0 replies\."))
    assert_no_axe_violations(member)
    thread_url = member.url.split("#")[0]

    # A moderator, in a browser of their own, opens the queue from the header.
    moderator = signed_in_page(new_context, seed.moderator_email, seed.password)
    assert _header_count(moderator, "Moderation") >= 1
    moderator.get_by_role("banner").get_by_role("link", name=re.compile(r"^Moderation")).click()
    expect(moderator.get_by_role("heading", level=1, name="Moderation queue")).to_be_visible()
    item = moderator.get_by_role("listitem").filter(has_text=text)
    expect(item).to_have_count(1)
    expect(item.get_by_text(seed.reviewed_set_name)).to_be_visible()
    expect(item.get_by_role("link", name=seed.reviewed_thread_title, exact=True)).to_be_visible()
    expect(item.get_by_text("How did you word the invitation letter?")).to_be_visible()
    author = item.locator(".govuk-summary-list__row").filter(
        has=moderator.locator("dt", has_text="Author"))
    expect(author).to_contain_text(f"{seed.member_name}, Testshire County Council")
    expect(author).to_contain_text(re.compile(r"\d+ approved posts? in this set before"))
    assert_no_axe_violations(moderator)

    # The form to return the post, sent without a reason: an error, checked by axe, then cancel.
    item.get_by_role("link", name=re.compile(r"^Return to author")).click()
    expect(moderator.get_by_role("heading", level=1,
                                 name="Return a post to its author")).to_be_visible()
    moderator.get_by_role("button", name="Return post to its author").click()
    summary = moderator.locator(".govuk-error-summary")
    expect(summary).to_be_focused()
    expect(summary.get_by_role("link", name=re.compile(r"^Enter a reason"))).to_be_visible()
    expect(moderator).to_have_title(re.compile(r"^Error: "))
    assert_no_axe_violations(moderator)
    moderator.get_by_role("link", name="Cancel").click()

    # Approve it from the queue.
    expect(moderator.get_by_role("heading", level=1, name="Moderation queue")).to_be_visible()
    approve_in_queue(moderator, text)
    expect(moderator.get_by_role("listitem").filter(has_text=text)).to_have_count(0)

    # The set's moderation log, from the set page, records it.
    moderator.goto(f"/sets/{seed.reviewed_set_slug}/")
    moderator.get_by_role("link", name="Moderation log").click()
    expect(moderator.get_by_role("heading", level=1, name="Moderation log")).to_be_visible()
    row = moderator.get_by_role("row").filter(has_text="Approved a post").filter(
        has_text=seed.moderator_name)
    expect(row.first).to_be_visible()
    assert_no_axe_violations(moderator)

    # The member reloads: the reply is published, and a notification waits in the header.
    member.goto(thread_url)
    reply = post_with_text(member, text)
    expect(reply).to_be_visible()
    expect(reply.get_by_text("Awaiting approval", exact=True)).to_have_count(0)
    expect(member.get_by_role("main")).to_contain_text(re.compile(r"\b1 reply\."))
    assert _header_count(member, "Notifications") == unread_before + 1
    member.get_by_role("banner").get_by_role("link", name=re.compile(r"^Notifications")).click()
    expect(member.get_by_role("heading", level=1, name="Notifications")).to_be_visible()
    notice = member.get_by_role("link", name=(f"{seed.moderator_name} approved your post in "
                                              f"“{seed.reviewed_thread_title}”."))
    expect(notice.first).to_be_visible()
    assert_no_axe_violations(member)
    notice.first.click()
    expect(post_with_text(member, text)).to_be_visible()


def test_moderator_approves_selected_posts_with_javascript_turned_off(
        new_context: CreateContextCallback, seed: Seed) -> None:
    tag = uuid.uuid4().hex[:8]
    keep, approve = f"Still thinking about it ({tag}).", f"Ready to publish ({tag})."
    member = signed_in_page(new_context, seed.member_email, seed.password)
    for text in (keep, approve):
        member.goto(f"/sets/{seed.reviewed_set_slug}/")
        member.get_by_role("link", name=seed.reviewed_thread_title, exact=True).click()
        member.get_by_label("Reply to this thread").fill(text)
        member.get_by_role("button", name="Post reply").click()
        expect(post_with_text(member, text)).to_be_visible()

    moderator = new_context(java_script_enabled=False).new_page()
    sign_in(moderator, seed.moderator_email, seed.password)
    moderator.goto(f"/moderation/?set={seed.reviewed_set_slug}")
    moderator.get_by_role("listitem").filter(has_text=approve).get_by_label(
        re.compile(r"^Select for approval")).check()
    moderator.get_by_role("button", name="Approve selected posts").click()

    expect(moderator.get_by_text("1 post approved.")).to_be_visible()
    expect(moderator.get_by_role("listitem").filter(has_text=approve)).to_have_count(0)
    expect(moderator.get_by_role("listitem").filter(has_text=keep)).to_have_count(1)
    expect(moderator.locator("body.govuk-frontend-supported")).to_have_count(0)
