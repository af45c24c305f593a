"""The events pages in a real browser, with axe-core on each: an admin publishes a workshop
(first with a mistake), a member signs up, the admin moves it and then cancels it, and the
member is told on their notifications page."""

from __future__ import annotations

import re

from playwright.sync_api import expect
from pytest_playwright.pytest_playwright import CreateContextCallback

from tests.browser.accessibility import assert_no_axe_violations
from tests.browser.pages import signed_in_page
from tests.browser.seed import Seed

TITLE = "Browser workshop: telling residents"


def test_publish_sign_up_move_and_cancel_an_event(new_context: CreateContextCallback,
                                                  seed: Seed) -> None:
    admin = signed_in_page(new_context, seed.admin_email, seed.password)
    admin.goto("/events/")
    assert_no_axe_violations(admin)
    admin.get_by_role("link", name="Publish an event").click()
    expect(admin.get_by_role("heading", level=1)).to_be_visible()
    assert_no_axe_violations(admin)

    # Ends before it starts: the message sits beside the field and the text stays.
    admin.get_by_label("Title").fill(TITLE)
    admin.get_by_label("Date").fill("2031-03-12")
    admin.get_by_label("Starts at").fill("14:00")
    admin.get_by_label("Ends at").fill("10:00")
    admin.get_by_label("Place (optional)").fill("Leeds Civic Hall")
    admin.get_by_label("People can sign up").check()
    admin.get_by_role("button", name="Publish the event").click()
    summary = admin.locator(".govuk-error-summary")
    expect(summary).to_be_visible()
    expect(summary.get_by_role("link", name="The end time must be after the start time")) \
        .to_be_visible()
    expect(admin.get_by_label("Title")).to_have_value(TITLE)
    assert_no_axe_violations(admin)
    admin.get_by_label("Ends at").fill("16:00")
    admin.get_by_role("button", name="Publish the event").click()
    expect(admin.get_by_role("heading", level=1, name=TITLE)).to_be_visible()
    assert_no_axe_violations(admin)
    event_url = admin.url

    member = signed_in_page(new_context, seed.member_email, seed.password)
    member.goto(event_url)
    member.get_by_role("button", name="Sign up").click()
    expect(member.get_by_text("You have a place at this event.")).to_be_visible()
    assert_no_axe_violations(member)

    # The admin moves it an hour later; the member is told.
    admin.get_by_role("link", name=re.compile("^Change the event")).click()
    expect(admin.get_by_label("Starts at")).to_be_visible()
    assert_no_axe_violations(admin)
    admin.get_by_label("Starts at").fill("15:00")
    admin.get_by_role("button", name="Save changes").click()
    expect(admin.get_by_text("People who signed up have been told of the new time.")) \
        .to_be_visible()

    # Then cancels it, with a message.
    admin.get_by_role("link", name=re.compile("^Cancel the event")).click()
    expect(admin.get_by_role("heading", level=1, name="Cancel the event")).to_be_visible()
    assert_no_axe_violations(admin)
    admin.get_by_label("Message to the people who signed up (optional)") \
        .fill("The hall is closed that week; a new date will follow.")
    admin.get_by_role("button", name="Cancel the event and tell them").click()
    expect(admin.get_by_text("This event is cancelled.")).to_be_visible()
    assert_no_axe_violations(admin)

    member.goto("/notifications")
    expect(member.get_by_text(re.compile(f"The time of “{TITLE}” changed"))).to_be_visible()
    expect(member.get_by_text(re.compile(f"“{TITLE}” .* is cancelled"))).to_be_visible()
    expect(member.get_by_text("The hall is closed that week")).to_be_visible()
    assert_no_axe_violations(member)
    member.goto("/events/")
    expect(member.get_by_text("Cancelled", exact=True)).to_be_visible()
    assert_no_axe_violations(member)
    member.goto("/events/archive")
    assert_no_axe_violations(member)
