"""A facilitator schedules a set meeting through the real form (refused first at a clock
change), a member reads it, and the facilitator adds the notes; axe-core runs on each page."""

from __future__ import annotations

import re

from playwright.sync_api import Page
from playwright.sync_api import expect

from tests.browser.accessibility import assert_no_axe_violations
from tests.browser.pages import sign_in
from tests.browser.seed import Seed


def test_a_facilitator_schedules_a_meeting_a_member_reads_it_and_its_notes(
        page: Page, seed: Seed) -> None:
    sign_in(page, seed.facilitator_email, seed.password)
    page.goto(f"/sets/{seed.set_slug}/")
    page.get_by_role("link", name="Meetings", exact=True).click()
    expect(page.get_by_role("heading", level=1, name="Meetings")).to_be_visible()
    assert_no_axe_violations(page)
    page.get_by_role("link", name="Schedule a meeting").click()

    # 01:30 on the last Sunday of March 2031 does not exist in the UK: refused beside the field,
    # with the agenda kept.
    expect(page.get_by_role("heading", level=1, name="Schedule a meeting")).to_be_visible()
    assert_no_axe_violations(page)
    page.get_by_label("Title").fill("Set meeting 5: the press and the results")
    page.get_by_label("Date").fill("2031-03-30")
    page.get_by_label("Starts at").fill("01:30")
    page.get_by_label("Ends at").fill("03:00")
    page.get_by_label("Online link").fill("https://meet.example.org/comms")
    page.get_by_label("Agenda (optional)").fill("1. Review of **actions**")
    page.get_by_role("button", name="Schedule the meeting").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_focused()
    expect(page).to_have_title(re.compile(r"^Error: "))
    expect(page.locator("#starts-error")).to_contain_text("does not exist in the UK")
    expect(page.get_by_label("Agenda (optional)")).to_have_value("1. Review of **actions**")
    assert_no_axe_violations(page)

    page.get_by_label("Date").fill("2031-03-31")
    page.get_by_label("Starts at").fill("10:00")
    page.get_by_label("Ends at").fill("12:00")
    page.get_by_role("button", name="Schedule the meeting").click()
    expect(page.get_by_role("heading", level=1,
                            name="Set meeting 5: the press and the results")).to_be_visible()
    expect(page.get_by_text("Monday 31 March 2031, 10:00")).to_be_visible()
    expect(page.get_by_text("UK time (BST)")).to_be_visible()
    assert_no_axe_violations(page)

    page.get_by_role("link", name=re.compile("^Add notes")).click()
    expect(page.get_by_label("Notes")).to_be_visible()
    assert_no_axe_violations(page)
    page.get_by_label("Notes").fill("## What we agreed\n\nBrief each **group leader** first.")
    page.get_by_role("button", name="Save the notes").click()
    meeting_url = page.url.split("#")[0]
    page.get_by_role("button", name="Sign out").click()

    sign_in(page, seed.member_email, seed.password)
    page.goto(meeting_url)
    expect(page.get_by_role("heading", name="What we agreed")).to_be_visible()
    expect(page.get_by_role("link", name=re.compile(r"Add to your calendar"))).to_be_visible()
    expect(page.get_by_text("For facilitators")).to_have_count(0)
    assert_no_axe_violations(page)
    page.goto("/notifications")
    # This meeting's notification (other browser tests schedule meetings in the same set).
    told = page.get_by_role("link", name=re.compile("scheduled a meeting.*Set meeting 5"))
    expect(told).to_be_visible()
