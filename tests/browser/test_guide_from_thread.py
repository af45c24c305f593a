"""From a thread to a downloaded PDF in six clicks or fewer, and the curation page's layout."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from flask import Flask
from playwright.sync_api import Locator
from playwright.sync_api import Page
from playwright.sync_api import expect

from forum.extensions import db
from forum.guides import service
from forum.models import LearningSet
from forum.models import Post
from forum.models import User
from forum.threads import service as thread_service
from tests import factories
from tests.browser.accessibility import assert_no_axe_violations
from tests.browser.pages import sign_in
from tests.browser.seed import Seed

THREAD = "Closing the loop with members (thread to guide)"
OPENING = "How did you tell assembly members what happened to their recommendations?"
REPLY = "We wrote to every member within a week, before the press release went out."
NESTED = "Same here, and we rang the ones who had asked for a call."
SCREENSHOTS = os.environ.get("FORUM_SCREENSHOT_DIR")


@pytest.fixture(scope="module")
def thread_id(live_app: Flask, seed: Seed) -> int:
    with live_app.app_context():
        learning_set = db.session.query(LearningSet).filter_by(slug=seed.set_slug).one()
        member = db.session.query(User).filter_by(email=seed.member_email).one()
        moderator = db.session.query(User).filter_by(email=seed.moderator_email).one()
        thread = factories.make_thread(learning_set, member, title=THREAD, body=OPENING)
        reply = factories.make_post(thread, moderator, parent=thread.posts[0], body=REPLY)
        factories.make_post(thread, member, parent=reply, body=NESTED)
        db.session.commit()
        return thread.id


def _box(locator: Locator) -> dict[str, float]:
    box = locator.bounding_box()
    assert box is not None, "the element is not shown"
    return box


def test_from_a_thread_to_a_downloaded_pdf_in_six_clicks_or_fewer(
        page: Page, seed: Seed, thread_id: int) -> None:
    sign_in(page, seed.facilitator_email, seed.password)
    page.goto(f"/threads/{thread_id}")
    clicks = 0

    page.get_by_role("button", name="Make a guide from this thread").click()
    clicks += 1
    expect(page.get_by_text(re.compile("was made from the thread: 3 approved posts"))) \
        .to_be_visible()
    excerpts = page.locator("li.guide-curate-excerpt")
    expect(excerpts).to_have_count(3)
    expect(excerpts.nth(2)).to_contain_text(NESTED)
    assert_no_axe_violations(page)

    page.get_by_role("button", name="Preview and publish").click()
    clicks += 1
    expect(page.get_by_text("(in reply to Testshire County Council)").first).to_be_visible()
    page.get_by_role("button", name=re.compile("^Publish version 1")).click()
    clicks += 1
    expect(page.get_by_text(re.compile("Version 1 of .* is published"))).to_be_visible()

    with page.expect_download() as info:
        page.get_by_role("link", name=re.compile("PDF")).click()
    clicks += 1
    download = info.value
    assert download.suggested_filename.endswith(".pdf")
    assert Path(download.path()).read_bytes().startswith(b"%PDF")
    assert clicks <= 6


def test_the_curation_page_keeps_notes_clear_of_credits_and_quotes_in_the_sites_font(
        live_app: Flask, page: Page, seed: Seed, thread_id: int) -> None:
    with live_app.app_context():
        facilitator = db.session.query(User).filter_by(email=seed.facilitator_email).one()
        thread = db.session.get(Post, db.session.query(Post.id).filter_by(
            thread_id=thread_id, body_source=REPLY).scalar()).thread
        guide = service.create_guide(db.session, learning_set=thread.learning_set,
                                     creator=facilitator, title="Layout check",
                                     thread_ids=[thread.id])
        section = service.add_section(db.session, guide, title="Telling members")
        reply = next(p for p in thread.posts if p.body_source == REPLY)
        service.add_excerpt(db.session, section, reply,
                            editorial_note_source="Several councils did the same.")
        db.session.commit()
        url = f"/sets/{seed.set_slug}/guides/{guide.id}/"
    sign_in(page, seed.facilitator_email, seed.password)
    page.set_viewport_size({"width": 1024, "height": 900})

    for address in (url, f"/sets/{seed.set_slug}/guides/{guide.id}/preview"):
        page.goto(address)
        credit = page.locator(".guide-excerpt__credit").first
        note = page.locator(".guide-note").first
        assert _box(note)["y"] >= _box(credit)["y"] + _box(credit)["height"], (
            f"the editor's note overlaps the credit line on {address}")
        quote = page.locator("blockquote.guide-excerpt__quote p").first
        body = page.locator("p.govuk-body").first
        quote_font = quote.evaluate("e => getComputedStyle(e).fontFamily")
        assert quote_font == body.evaluate("e => getComputedStyle(e).fontFamily")
        assert "sans-serif" in quote_font
        if SCREENSHOTS:
            name = "curation" if address == url else "preview"
            page.screenshot(path=str(Path(SCREENSHOTS) / f"guide-{name}.png"), full_page=True)


def test_a_facilitator_ticks_posts_and_settles_an_edit_made_after_quoting(
        live_app: Flask, page: Page, seed: Seed, thread_id: int) -> None:
    with live_app.app_context():
        facilitator = db.session.query(User).filter_by(email=seed.facilitator_email).one()
        thread = db.session.query(Post).filter_by(thread_id=thread_id).first().thread
        posts = sorted(thread.posts, key=lambda p: p.id)
        guide = service.create_guide(db.session, learning_set=thread.learning_set,
                                     creator=facilitator, title="Edits and ticks",
                                     thread_ids=[thread.id])
        section = service.add_section(db.session, guide, title="Telling members")
        service.add_excerpt(db.session, section, posts[1])
        thread_service.edit_post(db.session, posts[1].author, posts[1],
                                 body=REPLY + " EDITED LATER.")
        db.session.commit()
        url = f"/sets/{seed.set_slug}/guides/{guide.id}/"
        opening_id, nested_id = posts[0].id, posts[2].id
    sign_in(page, seed.facilitator_email, seed.password)
    page.goto(url)

    excerpt = page.locator("li.guide-curate-excerpt").first
    expect(excerpt.get_by_text("The post was edited after it was quoted.")).to_be_visible()
    expect(excerpt.get_by_role("heading", name="The post’s approved text now")).to_be_visible()
    expect(excerpt).to_contain_text("EDITED LATER.")
    assert_no_axe_violations(page)
    excerpt.get_by_role("button", name=re.compile("^Keep the quoted text")).click()
    expect(page.get_by_text(re.compile("keeps the text it quoted"))).to_be_visible()
    expect(page.locator("li.guide-curate-excerpt").first).not_to_contain_text("EDITED LATER")

    page.locator(f"#post-{nested_id}-tick").check()
    page.locator(f"#post-{opening_id}-tick").check()
    page.get_by_label("Add the ticked posts to").select_option(label="Telling members")
    page.get_by_role("button", name="Add ticked posts").click()
    expect(page.get_by_text("2 posts were added to “Telling members”")).to_be_visible()
    excerpts = page.locator("li.guide-curate-excerpt")
    expect(excerpts).to_have_count(3)
    expect(excerpts.nth(1)).to_contain_text(OPENING)
    expect(excerpts.nth(2)).to_contain_text(NESTED)
    assert_no_axe_violations(page)

    page.get_by_role("button", name="Add ticked posts").click()
    expect(page.get_by_role("link", name="Tick at least one post to add")).to_be_visible()
    assert_no_axe_violations(page)
