"""The Actions and Participation pages in a real browser: axe-core finds no WCAG 2.2 A/AA
violation, the charts load as images under the Content-Security-Policy, and the member's own
open actions are on their home page."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from flask import Flask
from playwright.sync_api import Page
from playwright.sync_api import expect

from forum.actions.states import uk_today
from forum.extensions import db
from forum.models import ActionKind
from forum.models import LearningSet
from forum.models import ModerationAction
from forum.models import UpdateOutcome
from forum.models import User
from forum.models import utcnow
from tests import factories
from tests.browser.accessibility import assert_no_axe_violations
from tests.browser.pages import sign_in
from tests.browser.seed import Seed


@pytest.fixture
def actions(live_app: Flask, seed: Seed) -> str:
    """A challenge of the member's with an overdue action and a done one, and an approval in
    the moderation log; returns the overdue action's text."""
    text = f"Brief the cabinet member ({uuid.uuid4().hex[:8]})"
    with live_app.app_context():
        learning_set = db.session.query(LearningSet).filter_by(slug=seed.set_slug).one()
        member = db.session.query(User).filter_by(email=seed.member_email).one()
        challenge = factories.make_challenge(learning_set, member)
        factories.make_action(challenge, uk_today() - timedelta(days=2), body=text)
        done = factories.make_action(challenge, uk_today() - timedelta(days=9),
                                     body="Call the leader's office")
        factories.make_update(done, UpdateOutcome.DONE)
        db.session.add(ModerationAction(action=ActionKind.APPROVE,
                                        learning_set_id=learning_set.id,
                                        post_id=done.post_id, created_at=utcnow()))
        db.session.commit()
    return text


def test_actions_and_participation_pages_pass_axe(page: Page, seed: Seed, actions: str) -> None:
    sign_in(page, seed.facilitator_email, seed.password)
    page.goto(f"/sets/{seed.set_slug}/")
    page.get_by_role("link", name="Actions", exact=True).click()
    expect(page.get_by_role("heading", name="Actions", level=1)).to_be_visible()
    row = page.get_by_role("row").filter(has_text=actions)
    expect(row).to_contain_text("Overdue")
    assert_no_axe_violations(page)

    page.get_by_label("State").select_option(label="Done")
    page.get_by_role("button", name="Filter").click()
    expect(page.get_by_role("link", name="Call the leader's office").first).to_be_visible()
    expect(page.get_by_text(actions)).to_have_count(0)

    page.goto(f"/sets/{seed.set_slug}/")
    page.get_by_role("link", name="Participation").click()
    expect(page.get_by_role("heading", name="Participation", level=1)).to_be_visible()
    page.wait_for_load_state("load")  # the images too
    for name in ("Bar chart of approved posts", "Line chart of the median"):
        chart = page.get_by_role("img", name=name)
        expect(chart).to_be_visible()
        # The SVG really loaded (an image blocked or broken has no natural width).
        assert chart.evaluate("img => img.complete && img.naturalWidth > 0")
    assert_no_axe_violations(page)


def test_a_members_open_actions_are_on_their_home_page(page: Page, seed: Seed,
                                                       actions: str) -> None:
    sign_in(page, seed.member_email, seed.password)
    page.goto("/")
    expect(page.get_by_role("heading", name="Your open actions")).to_be_visible()
    expect(page.get_by_role("link", name=actions)).to_be_visible()
    assert_no_axe_violations(page)
