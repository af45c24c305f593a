"""A member's everyday journey in a real browser, with axe-core run on every page on the way."""

from __future__ import annotations

import re

from playwright.sync_api import Page
from playwright.sync_api import expect
from pytest_playwright.pytest_playwright import CreateContextCallback

from tests.browser.accessibility import assert_no_axe_violations
from tests.browser.pages import post_with_text
from tests.browser.pages import sign_in
from tests.browser.seed import Seed


def _left_edge(page: Page, text: str) -> float:
    box = post_with_text(page, text).bounding_box()
    assert box is not None, f"the post with {text!r} is not rendered"
    return box["x"]


def test_member_signs_in_starts_a_thread_replies_in_a_tree_edits_and_signs_out(
        page: Page, seed: Seed) -> None:
    # Sign in through the real form.
    page.goto("/sign-in")
    expect(page).to_have_title(re.compile(r"^Sign in"))
    assert_no_axe_violations(page)
    page.get_by_label("Email address").fill(seed.member_email)
    page.get_by_label("Password", exact=True).fill(seed.password)
    page.get_by_role("button", name="Sign in").click()

    # The home page lists the member's set.
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()
    page.goto("/")
    assert_no_axe_violations(page)
    page.get_by_role("link", name=seed.set_name).click()

    # The set page offers to start a thread.
    expect(page.get_by_role("heading", level=1, name=seed.set_name)).to_be_visible()
    assert_no_axe_violations(page)
    page.get_by_role("button", name="Start a new thread").click()

    # The new-thread form, first sent empty: the error summary appears, takes focus and links
    # to each field.
    expect(page.get_by_role("heading", level=1, name="Start a thread")).to_be_visible()
    assert_no_axe_violations(page)
    page.get_by_role("button", name="Start thread").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_visible()
    expect(summary).to_be_focused()
    expect(page).to_have_title(re.compile(r"^Error: "))
    assert_no_axe_violations(page)
    summary.get_by_role("link", name="Enter a title").click()
    expect(page.get_by_label("Title")).to_be_focused()
    expect(summary.get_by_role("link", name="Enter your post")).to_be_visible()

    page.get_by_label("Title").fill("Paying assembly members: vouchers or cash?")
    page.get_by_label("Your post").fill("We are weighing **vouchers** against cash payments.")
    page.get_by_role("button", name="Start thread").click()

    # The thread page, with the opening post.
    expect(page.get_by_role("heading", level=1,
                            name="Paying assembly members: vouchers or cash?")).to_be_visible()
    expect(page.get_by_text("Your thread has been started.")).to_be_visible()
    expect(post_with_text(page, "against cash payments").locator("strong")).to_have_text(
        "vouchers")
    assert_no_axe_violations(page)

    # Reply to the opening post from the form under the thread.
    page.get_by_label("Reply to this thread").fill("Cash, paid by bank transfer within a week.")
    page.get_by_role("button", name="Post reply").click()
    expect(page.get_by_text("Your reply has been posted.")).to_be_visible()
    first_reply = post_with_text(page, "paid by bank transfer")
    expect(first_reply).to_be_visible()

    # Reply to that reply, from its own reply page.
    first_reply.get_by_role("link", name=re.compile(r"^Reply")).click()
    expect(page.get_by_role("heading", level=1,
                            name=f"Reply to {seed.member_name}")).to_be_visible()
    assert_no_axe_violations(page)
    page.get_by_label("Your reply").fill("Did anyone mind the tax question?")
    page.get_by_role("button", name="Post reply").click()

    nested = post_with_text(page, "Did anyone mind the tax question?")
    expect(nested).to_be_visible()
    first_reply_id = post_with_text(page, "paid by bank transfer").get_attribute("id")
    expect(nested.get_by_role("link", name=seed.member_name, exact=True)).to_have_attribute(
        "href", f"#{first_reply_id}")
    opening_x = _left_edge(page, "against cash payments")
    reply_x = _left_edge(page, "paid by bank transfer")
    nested_x = _left_edge(page, "Did anyone mind the tax question?")
    assert opening_x < reply_x < nested_x, "replies are not indented under what they answer"

    # Edit the first reply: the thread then says it was edited.
    post_with_text(page, "paid by bank transfer").get_by_role(
        "link", name=re.compile(r"^Edit")).click()
    expect(page.get_by_role("heading", level=1, name="Edit your post")).to_be_visible()
    expect(page.get_by_label("Your post")).to_have_value(
        "Cash, paid by bank transfer within a week.")
    assert_no_axe_violations(page)
    page.get_by_label("Your post").fill("Cash, paid by bank transfer within five working days.")
    page.get_by_role("button", name="Save changes").click()

    expect(page.get_by_text("Your changes have been saved.")).to_be_visible()
    edited = post_with_text(page, "within five working days")
    expect(edited.get_by_role("link", name=re.compile(r"^edited"))).to_be_visible()
    expect(page.get_by_text("within a week")).to_have_count(0)
    assert_no_axe_violations(page)

    # Sign out.
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_text("You have signed out.")).to_be_visible()
    expect(page.get_by_role("banner").get_by_role("link", name="Sign in")).to_be_visible()
    assert_no_axe_violations(page)


def test_member_can_sign_in_and_reply_with_javascript_turned_off(
        new_context: CreateContextCallback, seed: Seed) -> None:
    page = new_context(java_script_enabled=False).new_page()
    sign_in(page, seed.member_email, seed.password)
    page.goto(f"/sets/{seed.set_slug}/")
    page.get_by_role("link", name="Welcome to the set", exact=True).click()

    page.get_by_label("Reply to this thread").fill("Hello from a browser without scripts.")
    page.get_by_role("button", name="Post reply").click()

    expect(page.get_by_text("Your reply has been posted.")).to_be_visible()
    expect(post_with_text(page, "Hello from a browser without scripts.")).to_be_visible()
    # Scripts really were off: GOV.UK Frontend's inline script marks <body> when scripts run.
    expect(page.locator("body.govuk-frontend-supported")).to_have_count(0)
