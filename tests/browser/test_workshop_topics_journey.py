"""Workshop topics in a real browser, with axe-core on each page: a member proposes a topic
(first leaving out the title), sees it waiting; an admin approves it and puts it on the agenda;
another person supports it. No script is needed: every control is a plain form."""

from __future__ import annotations

import re
from datetime import datetime

from flask import Flask
from playwright.sync_api import expect
from pytest_playwright.pytest_playwright import CreateContextCallback

from forum.extensions import db
from forum.models import Event
from forum.models import EventAudience
from forum.models import EventKind
from tests.browser.accessibility import assert_no_axe_violations
from tests.browser.pages import signed_in_page
from tests.browser.seed import Seed

TITLE = "Browser workshop: keeping assemblies going"
TOPIC = "Budgets after the pilot"


def test_propose_approve_and_support_a_workshop_topic(live_app: Flask,
                                                      new_context: CreateContextCallback,
                                                      seed: Seed) -> None:
    with live_app.app_context():
        event = Event(kind=EventKind.WORKSHOP, title=TITLE, starts_at=datetime(2031, 5, 6, 9),
                      ends_at=datetime(2031, 5, 6, 14), audience=EventAudience.NETWORK,
                      sequence=0)
        db.session.add(event)
        db.session.commit()
        event_url = f"/events/{event.id}"

    member = signed_in_page(new_context, seed.member_email, seed.password)
    member.goto(event_url)
    expect(member.get_by_role("heading", level=2, name="Proposed topics")).to_be_visible()
    assert_no_axe_violations(member)
    member.get_by_label("Why discuss it? (optional)").fill("Who kept a budget line?")
    member.get_by_role("button", name="Propose the topic").click()
    summary = member.locator(".govuk-error-summary")
    expect(summary.get_by_role("link", name="Enter the topic")).to_be_visible()
    expect(member.get_by_label("Why discuss it? (optional)")).to_have_value(
        "Who kept a budget line?")
    assert_no_axe_violations(member)
    member.get_by_label("Topic", exact=True).fill(TOPIC)
    member.get_by_role("button", name="Propose the topic").click()
    expect(member.get_by_text("waits for a coordinator’s approval")).to_be_visible()
    expect(member.locator(".forum-topics").get_by_text("Waiting for approval")).to_be_visible()
    assert_no_axe_violations(member)

    admin = signed_in_page(new_context, seed.admin_email, seed.password)
    admin.goto(event_url)
    admin.get_by_role("button", name=re.compile(f"^Approve\\W+{TOPIC}")).click()
    admin.get_by_role("button", name=re.compile(f"^Put on the agenda\\W+{TOPIC}")).click()
    admin.get_by_role("button", name=re.compile(f"^Support this topic\\W+{TOPIC}")).click()
    topic = admin.locator(".forum-topics__item", has_text=TOPIC)
    expect(topic.get_by_text("On the agenda")).to_be_visible()
    expect(topic.get_by_text("Supported by 1 person")).to_be_visible()
    assert_no_axe_violations(admin)

    member.reload()
    topic = member.locator(".forum-topics__item", has_text=TOPIC)
    expect(topic.get_by_text("Waiting for approval")).to_have_count(0)
    expect(topic.get_by_text("On the agenda")).to_be_visible()
