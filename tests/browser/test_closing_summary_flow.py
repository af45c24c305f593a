"""A holder whose posts wait closes their challenge in a real browser: it closes at once, the
summary waits (marked so for the holder, absent for others) until a moderator approves it from
the queue; axe-core checks the status form, the challenge and the queue on the way."""

from __future__ import annotations

import uuid

from flask import Flask
from playwright.sync_api import expect
from pytest_playwright.pytest_playwright import CreateContextCallback

from forum.extensions import db
from forum.models import LearningSet
from forum.models import User
from tests import factories
from tests.browser.accessibility import assert_no_axe_violations
from tests.browser.pages import approve_in_queue
from tests.browser.pages import signed_in_page
from tests.browser.seed import Seed


def test_a_holder_whose_posts_wait_closes_the_challenge_and_the_summary_waits(
        new_context: CreateContextCallback, live_app: Flask, seed: Seed) -> None:
    title = f"Keeping assembly members involved ({uuid.uuid4().hex[:8]})"
    summary = f"We held a report-back evening; 26 of 38 members came ({uuid.uuid4().hex[:8]})."
    with live_app.app_context():
        learning_set = db.session.query(LearningSet).filter_by(
            slug=seed.reviewed_set_slug).one()
        member = db.session.query(User).filter_by(email=seed.member_email).one()
        challenge = factories.make_challenge(learning_set, member, title=title)
        db.session.commit()
        challenge_url = f"/threads/{challenge.thread_id}"

    holder = signed_in_page(new_context, seed.member_email, seed.password)
    holder.goto(challenge_url)
    holder.get_by_role("link", name="Change the challenge’s status").click()
    expect(holder.get_by_text("and so does your closing summary")).to_be_visible()
    assert_no_axe_violations(holder)
    holder.get_by_label("Closed", exact=True).check()
    holder.get_by_label("Closing summary").fill(summary)
    holder.get_by_role("button", name="Save").click()
    expect(holder.get_by_text("Your closing summary waits for a moderator")).to_be_visible()
    header = holder.locator("dl.govuk-summary-list").first
    expect(header.get_by_text(summary)).to_be_visible()
    expect(header.get_by_text("Awaiting approval")).to_be_visible()
    assert_no_axe_violations(holder)

    moderator = signed_in_page(new_context, seed.moderator_email, seed.password)
    moderator.goto("/moderation/")
    expect(moderator.get_by_text(summary)).to_be_visible()
    expect(moderator.get_by_text("The closing summary of the challenge held by")).to_be_visible()
    assert_no_axe_violations(moderator)
    approve_in_queue(moderator, summary)

    holder.goto(challenge_url)
    header = holder.locator("dl.govuk-summary-list").first
    expect(header.get_by_text(summary)).to_be_visible()
    expect(header.get_by_text("Awaiting approval")).to_have_count(0)
