"""One turn of the action-learning cycle in a real browser: a member brings a challenge, a
moderator asks a question, the holder commits to an action and reports on it, the Actions page
shows it done, and the facilitator's meeting page and participation page list it; axe-core runs
on the challenge, actions, meeting and participation pages."""

from __future__ import annotations

import re
from datetime import timedelta

from playwright.sync_api import Page
from playwright.sync_api import expect

from forum.actions.states import uk_today
from tests.browser.accessibility import assert_no_axe_violations
from tests.browser.pages import sign_in
from tests.browser.seed import Seed

TITLE = "How do I get councillors to champion the assembly's results?"


def _sign_out(page: Page) -> None:
    page.get_by_role("button", name="Sign out").click()


def test_a_challenge_goes_from_statement_to_questions_to_an_action_its_update_and_a_meeting(
        page: Page, seed: Seed) -> None:
    # The member brings the challenge (the set publishes posts at once).
    sign_in(page, seed.member_email, seed.password)
    page.goto(f"/sets/{seed.set_slug}/")
    page.get_by_role("button", name="Bring a challenge").click()
    expect(page.get_by_label("Your challenge, in a line")).to_be_visible()
    assert_no_axe_violations(page)
    page.get_by_label("Your challenge, in a line").fill(TITLE)
    page.get_by_label("The presenting issue").fill(
        "Cabinet noted the assembly's report, and nobody has spoken for it since.")
    page.get_by_label("What I want to achieve").fill("Two cabinet members speak for it.")
    page.get_by_role("button", name="Bring this challenge").click()
    expect(page.get_by_role("heading", level=1, name=TITLE)).to_be_visible()
    challenge_url = page.url.split("#")[0].split("?")[0]
    _sign_out(page)

    # Another member asks an open question: the form's default kind for them.
    sign_in(page, seed.moderator_email, seed.password)
    page.goto(challenge_url)
    expect(page.get_by_text("Ask an open question, not advice")).to_be_visible()
    expect(page.get_by_label("Question", exact=True)).to_be_checked()
    page.get_by_label("Your reply").fill("What would a champion say in the chamber?")
    page.get_by_role("button", name="Post reply").click()
    expect(page.get_by_text("What would a champion say in the chamber?")).to_be_visible()
    # Not theirs to move on: told who may, with the way back (not a bare "You cannot do that").
    page.goto(challenge_url.rstrip("/") + "/challenge-status")
    expect(page.get_by_text("Only the member who brought this challenge, or a facilitator of "
                            "the set, can change where it stands.")).to_be_visible()
    assert_no_axe_violations(page)
    page.get_by_role("link", name="Go back to the challenge").click()
    expect(page.get_by_role("heading", level=1, name=TITLE)).to_be_visible()
    _sign_out(page)

    # The holder commits to an action, then reports on it.
    sign_in(page, seed.member_email, seed.password)
    page.goto(challenge_url)
    expect(page.get_by_label("Reflection", exact=True)).to_be_checked()
    page.get_by_label("Action", exact=True).check()
    page.get_by_label("Your reply").fill("I will brief the cabinet member for communities.")
    due = uk_today() + timedelta(days=7)
    page.get_by_label("Due date").fill(due.isoformat())
    page.get_by_role("button", name="Post reply").click()
    # The post, and the action now offered to the update form.
    expect(page.locator("article").get_by_text(
        "I will brief the cabinet member for communities.")).to_be_visible()
    assert_no_axe_violations(page)

    page.goto(challenge_url)
    page.get_by_label("Update", exact=True).check()
    page.get_by_label("Which of your open actions").select_option(index=0)
    page.get_by_label("Done", exact=True).check()
    page.get_by_label("Your reply").fill("Briefed her: she will speak at the next cabinet.")
    page.get_by_role("button", name="Post reply").click()
    expect(page.locator("article").get_by_text(
        "Briefed her: she will speak at the next cabinet.")).to_be_visible()

    page.goto(f"/sets/{seed.set_slug}/actions")
    row = page.get_by_role("row", name=re.compile("I will brief the cabinet member"))
    expect(row).to_contain_text("Done")
    assert_no_axe_violations(page)
    _sign_out(page)

    # The facilitator schedules the next meeting; its page lists the challenge in progress.
    sign_in(page, seed.facilitator_email, seed.password)
    page.goto(f"/sets/{seed.set_slug}/meetings/new")
    page.get_by_label("Title").fill("Set meeting 6: champions")
    page.get_by_label("Date").fill((uk_today() + timedelta(days=14)).isoformat())
    page.get_by_label("Starts at").fill("10:00")
    page.get_by_label("Ends at").fill("12:00")
    page.get_by_label("Online link").fill("https://meet.example.org/comms")
    page.get_by_role("button", name="Schedule the meeting").click()
    expect(page.get_by_role("heading", level=1, name="Set meeting 6: champions")).to_be_visible()
    expect(page.get_by_role("link", name=TITLE)).to_be_visible()
    assert_no_axe_violations(page)

    page.goto(f"/sets/{seed.set_slug}/participation")
    expect(page.get_by_role("heading", level=1, name=re.compile("Participation"))).to_be_visible()
    expect(page.locator("table").get_by_text(seed.member_name).first).to_be_visible()
    assert_no_axe_violations(page)
