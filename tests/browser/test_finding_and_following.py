"""Finding and following a conversation in a real browser: search, quote a selected passage,
mention a colleague with the @ suggestions (told once a moderator approves), follow the thread
and see "1 new" on the set page after another reply; the same suggestions in a challenge's
reply box, its mention a link on the moderation queue; axe-core on each page on the way."""

from __future__ import annotations

import re
import uuid

from flask import Flask
from playwright.sync_api import Page
from playwright.sync_api import expect
from pytest_playwright.pytest_playwright import CreateContextCallback

from forum.extensions import db
from forum.models import LearningSet
from forum.models import Thread
from forum.models import User
from tests import factories
from tests.browser.accessibility import assert_no_axe_violations
from tests.browser.pages import approve_in_queue
from tests.browser.pages import post_with_text
from tests.browser.pages import signed_in_page
from tests.browser.seed import Seed

COLLEAGUE_EMAIL = "colleague@example.org"
COLLEAGUE_NAME = "Cai Colleague"


def _add_colleague(learning_set: LearningSet) -> None:
    """A plain member of the set to mention (made once: browser tests share the database)."""
    colleague = db.session.query(User).filter_by(email=COLLEAGUE_EMAIL).one_or_none()
    if colleague is None:
        colleague = factories.make_user(COLLEAGUE_EMAIL, display_name=COLLEAGUE_NAME)
        factories.add_member(colleague, learning_set)


def _thread_and_colleague(app: Flask, seed: Seed, word: str) -> tuple[int, str]:
    """A thread in the set where every post waits, and a plain member to mention."""
    title = f"Crèche vouchers ({word})"
    with app.app_context():
        learning_set = db.session.query(LearningSet).filter_by(
            slug=seed.reviewed_set_slug).one()
        _add_colleague(learning_set)
        facilitator = db.session.query(User).filter_by(email=seed.facilitator_email).one()
        thread = factories.make_thread(
            learning_set, facilitator, title=title,
            body=f"We gave {word} vouchers to every member. The nursery took them gladly.")
        db.session.commit()
        return thread.id, title


def _select_text(page: Page, article_text: str, passage: str) -> None:
    """Select ``passage`` inside the post's body, as a reader dragging over it would."""
    post_with_text(page, article_text).locator(".forum-post__body p").first.evaluate(
        """(paragraph, passage) => {
            const node = paragraph.firstChild;
            const start = node.textContent.indexOf(passage);
            const range = document.createRange();
            range.setStart(node, start);
            range.setEnd(node, start + passage.length);
            const selection = window.getSelection();
            selection.removeAllRanges();
            selection.addRange(range);
        }""", passage)


def test_member_finds_quotes_mentions_follows_and_sees_what_is_new(
        new_context: CreateContextCallback, live_app: Flask, seed: Seed) -> None:
    word = f"zq{uuid.uuid4().hex[:8]}"
    thread_id, title = _thread_and_colleague(live_app, seed, word)

    member = signed_in_page(new_context, seed.member_email, seed.password)

    # Search from the header; the result opens the thread.
    search = member.get_by_role("searchbox", name="Search the forum")
    search.fill(word)
    search.press("Enter")
    # The thread's title and its opening post both match.
    expect(member.get_by_role("heading", level=2, name="2 results")).to_be_visible()
    assert_no_axe_violations(member)
    member.get_by_role("link", name=title, exact=True).first.click()
    expect(member.get_by_role("heading", level=1, name=title)).to_be_visible()
    assert_no_axe_violations(member)

    # Select a passage of the opening post and quote it: only that passage is quoted.
    passage = "The nursery took them gladly."
    _select_text(member, word, passage)
    post_with_text(member, word).get_by_role("link", name=re.compile(r"^Quote")).click()
    expect(member.get_by_role("heading", level=1, name=re.compile(r"^Reply to"))).to_be_visible()
    box = member.get_by_label("Your reply")
    quoted = box.input_value()
    assert quoted.startswith(f"> {passage}\n>\n> — [Fran Facilitator](/threads/{thread_id}")
    assert "vouchers to every member" not in quoted

    # Mention a colleague: typing "@ca" suggests them; arrow down and Enter choose.
    box.press("End")
    box.press("Control+End")
    box.type("I agree. What do you think, @ca")
    option = member.get_by_role("option", name=re.compile(r"^@cai\.colleague"))
    expect(option).to_be_visible()
    expect(member.get_by_role("status").filter(has_text="1 person matches")).to_have_count(1)
    assert_no_axe_violations(member)
    box.press("ArrowDown")
    expect(option).to_have_attribute("aria-selected", "true")
    box.press("Enter")
    assert box.input_value().endswith("What do you think, @cai.colleague ")
    expect(member.get_by_role("listbox")).to_be_hidden()
    member.get_by_role("button", name="Post reply").click()
    expect(member.get_by_text("will appear to others once a moderator")).to_be_visible()

    # Follow every new post in the thread.
    member.goto(f"/threads/{thread_id}")
    member.get_by_label("Every new post").check()
    member.get_by_role("button", name=re.compile(r"^Save")).click()
    expect(member.get_by_text("You will hear about every new post in this thread.")).to_be_visible()

    # The colleague hears nothing until a moderator approves the reply.
    colleague = signed_in_page(new_context, COLLEAGUE_EMAIL, seed.password)
    colleague.goto("/notifications")
    expect(colleague.get_by_text(f"mentioned you in “{title}”")).to_have_count(0)

    moderator = signed_in_page(new_context, seed.moderator_email, seed.password)
    moderator.goto("/moderation/")
    approve_in_queue(moderator, "What do you think")

    colleague.goto("/notifications")
    expect(colleague.get_by_text(f"{seed.member_name} mentioned you in “{title}”.")).to_be_visible()
    # The mention is a link to the colleague's entry on the set's People page.
    colleague.goto(f"/threads/{thread_id}")
    mention = post_with_text(colleague, "What do you think").get_by_role(
        "link", name="@cai.colleague")
    expect(mention).to_have_attribute("href", re.compile(r"/members#member-\d+$"))
    assert_no_axe_violations(colleague)

    # The member reads the thread; the moderator replies; the set page says "1 new".
    member.goto(f"/threads/{thread_id}")
    with live_app.app_context():
        thread = db.session.get(Thread, thread_id)
        factories.make_post(thread, db.session.query(User).filter_by(
            email=seed.moderator_email).one(), parent=thread.posts[0],
            body="Another reply since.")
        db.session.commit()
    member.goto(f"/sets/{seed.reviewed_set_slug}/")
    expect(member.get_by_role("link", name=re.compile(rf"^1 new in {re.escape(title)}"))
           ).to_be_visible()
    assert_no_axe_violations(member)
    member.goto("/sets/")
    expect(member.get_by_role("link", name=re.compile(
        rf"new posts? in \d+ threads? in {seed.reviewed_set_name}"))).to_be_visible()
    assert_no_axe_violations(member)


def test_a_challenge_reply_suggests_whom_to_mention_and_tells_them_once_approved(
        new_context: CreateContextCallback, live_app: Flask, seed: Seed) -> None:
    word = f"zc{uuid.uuid4().hex[:8]}"
    title = f"Keeping the panel together ({word})"
    with live_app.app_context():
        learning_set = db.session.query(LearningSet).filter_by(
            slug=seed.reviewed_set_slug).one()
        _add_colleague(learning_set)
        facilitator = db.session.query(User).filter_by(email=seed.facilitator_email).one()
        thread_id = factories.make_challenge(learning_set, facilitator, title=title).thread_id
        db.session.commit()

    # A member asks a question on the challenge's page and mentions a colleague with "@ca".
    member = signed_in_page(new_context, seed.member_email, seed.password)
    member.goto(f"/threads/{thread_id}")
    expect(member.get_by_role("heading", level=2, name="Reply to this challenge")).to_be_visible()
    member.get_by_label("Question").check()
    box = member.get_by_label("Your reply")
    box.type("Who else could help? Perhaps @ca")
    option = member.get_by_role("option", name=re.compile(r"^@cai\.colleague"))
    expect(option).to_be_visible()
    assert_no_axe_violations(member)
    box.press("ArrowDown")
    box.press("Enter")
    assert box.input_value().endswith("Perhaps @cai.colleague ")
    expect(member.get_by_role("listbox")).to_be_hidden()
    box.type("would know.")
    member.get_by_role("button", name="Post reply").click()
    expect(member.get_by_text("will appear to others once a moderator")).to_be_visible()

    colleague = signed_in_page(new_context, COLLEAGUE_EMAIL, seed.password)
    colleague.goto("/notifications")
    expect(colleague.get_by_text(f"mentioned you in a question in “{title}”")).to_have_count(0)

    # On the queue the mention is already a link, as it will be on the thread.
    moderator = signed_in_page(new_context, seed.moderator_email, seed.password)
    moderator.goto("/moderation/")
    item = moderator.get_by_role("listitem").filter(has_text="Who else could help?")
    expect(item.get_by_role("link", name="@cai.colleague")).to_have_attribute(
        "href", re.compile(r"/members#member-\d+$"))
    approve_in_queue(moderator, "Who else could help?")

    colleague.goto("/notifications")
    expect(colleague.get_by_text(
        f"{seed.member_name} mentioned you in a question in “{title}”.")).to_be_visible()
