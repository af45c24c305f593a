"""A facilitator curates a small guide end to end in a real browser, with axe-core on the way."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from flask import Flask
from playwright.sync_api import Page
from playwright.sync_api import expect

from forum.extensions import db
from forum.models import LearningSet
from forum.models import User
from tests import factories
from tests.browser.accessibility import assert_no_axe_violations
from tests.browser.pages import sign_in
from tests.browser.seed import Seed

THREAD = "Naming our assembly (guide journey)"
OPENING = "We called ours the Riverside People’s Panel after a long debate."
REPLY = "Test the name with residents first. Two of ours were misheard on the radio."
TRIMMED = "Test the name with residents first. …"
GUIDE = "What to call an assembly"


@pytest.fixture(scope="module")
def thread_title(live_app: Flask, seed: Seed) -> str:
    """A thread of the seeded set with an opening post and an approved reply to quote."""
    with live_app.app_context():
        learning_set = db.session.query(LearningSet).filter_by(slug=seed.set_slug).one()
        member = db.session.query(User).filter_by(email=seed.member_email).one()
        moderator = db.session.query(User).filter_by(email=seed.moderator_email).one()
        thread = factories.make_thread(learning_set, member, title=THREAD, body=OPENING)
        factories.make_post(thread, moderator, parent=thread.posts[0], body=REPLY)
        db.session.commit()
    return THREAD


def _add_section(page: Page, title: str) -> None:
    page.get_by_label("Section title").fill(title)
    page.get_by_role("button", name="Add section").click()
    expect(page.get_by_text(f"The section “{title}” was added.")).to_be_visible()


def test_facilitator_curates_previews_publishes_and_downloads_a_guide(
        page: Page, seed: Seed, thread_title: str) -> None:
    sign_in(page, seed.facilitator_email, seed.password)

    # From the set page to a new guide drawn from one thread.
    page.goto(f"/sets/{seed.set_slug}/")
    page.get_by_role("link", name="Guides", exact=True).click()
    page.get_by_role("button", name="Create a guide").click()
    expect(page.get_by_role("heading", level=1, name="Create a guide")).to_be_visible()
    assert_no_axe_violations(page)
    page.get_by_label("Title", exact=True).fill(GUIDE)
    page.get_by_label(thread_title).check()
    page.get_by_role("button", name="Create guide").click()

    # The curation page: two sections.
    expect(page.get_by_role("heading", level=1, name=GUIDE)).to_be_visible()
    expect(page.get_by_text(f"The guide “{GUIDE}” was created.")).to_be_visible()
    _add_section(page, "Choosing a name")
    _add_section(page, "Testing it")

    # Quote the opening post whole, and a trimmed part of the reply, in the first section.
    opening = page.get_by_role("article", name=re.compile("^Mo Member"))
    expect(opening).to_contain_text(OPENING)
    opening.get_by_label("Section", exact=True).select_option(label="Choosing a name")
    opening.get_by_role("button", name=re.compile("^Add to section")).click()
    expect(page.get_by_text("The whole of Mo Member’s post was added to “Choosing a name”."))\
        .to_be_visible()

    reply = page.get_by_role("article", name=re.compile("^Mia Moderator"))
    expect(reply).to_contain_text(REPLY)
    expect(reply.get_by_text("In reply to")).to_be_visible()
    reply.get_by_text("Trim it or add a note").click()
    reply.get_by_label("Trim to").fill(TRIMMED)
    reply.get_by_label("Editorial note (optional)").fill("Say it aloud on the phone, too.")
    reply.get_by_label("Section", exact=True).select_option(label="Choosing a name")
    reply.get_by_role("button", name=re.compile("^Add to section")).click()
    expect(page.get_by_text("A trimmed excerpt of Mia Moderator’s post was added")).to_be_visible()

    section = page.get_by_role("region", name="1. Choosing a name")
    excerpts = section.locator("li.guide-curate-excerpt")
    expect(excerpts).to_have_count(2)
    expect(excerpts.nth(1).get_by_text("Trimmed", exact=True)).to_be_visible()

    # Reorder: the trimmed reply first.
    excerpts.nth(1).get_by_role("button", name=re.compile("^Move up")).click()
    expect(page.get_by_text("moved up")).to_be_visible()
    expect(excerpts.nth(0)).to_contain_text(TRIMMED)
    expect(excerpts.nth(1)).to_contain_text(OPENING)
    assert_no_axe_violations(page)

    # Preview: the draft as it will be published.
    page.get_by_role("button", name="Preview and publish").click()
    expect(page.get_by_text("Draft — not published")).to_be_visible()
    expect(page.get_by_role("heading", level=1, name=GUIDE)).to_be_visible()
    expect(page.get_by_text("(trimmed)")).to_be_visible()
    assert_no_axe_violations(page)
    page.get_by_role("button", name="Publish version 1").click()

    # The published page, and one download.
    expect(page.get_by_text(f"Version 1 of “{GUIDE}” is published.")).to_be_visible()
    expect(page.get_by_text(re.compile(r"^Version 1, published \d"))).to_be_visible()
    quotes = page.locator("blockquote")
    expect(quotes.nth(0)).to_contain_text(TRIMMED)
    expect(quotes.nth(1)).to_contain_text(OPENING)
    assert_no_axe_violations(page)
    with page.expect_download() as info:
        page.get_by_role("link", name="Markdown").click()
    download = info.value
    assert download.suggested_filename == "what-to-call-an-assembly-v1.md"
    text = Path(download.path()).read_text(encoding="utf-8")
    assert "## Choosing a name" in text
    assert TRIMMED in text

    # The other curation pages pass axe too: the set's guides, settings, editing an excerpt
    # (credit radios) and the question before deleting a section.
    page.goto(f"/sets/{seed.set_slug}/guides/")
    expect(page.get_by_role("link", name=GUIDE, exact=True)).to_be_visible()
    assert_no_axe_violations(page)
    page.get_by_role("link", name=re.compile("^Curate")).click()
    page.get_by_role("link", name="Change the settings of this guide").click()
    expect(page.get_by_label("Readable without signing in")).not_to_be_checked()
    assert_no_axe_violations(page)
    page.get_by_role("link", name="Cancel").click()
    page.get_by_role("link", name=re.compile("^Edit text, note or credit")).first.click()
    expect(page.get_by_role("group", name="How the author is credited")).to_be_visible()
    assert_no_axe_violations(page)
    page.get_by_role("link", name="Cancel").click()
    page.get_by_role("link", name="Delete section “Testing it”").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Delete the section “Testing it”?")
    assert_no_axe_violations(page)
