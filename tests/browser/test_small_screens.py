"""Reflow (WCAG 1.4.10): at 320 CSS pixels wide, as on a phone or at 400% zoom, no page
scrolls sideways. A wide table scrolls inside its own region, which the keyboard can reach."""

from __future__ import annotations

import re

import pytest
from flask import Flask
from playwright.sync_api import expect
from pytest_playwright.pytest_playwright import CreateContextCallback

from forum.extensions import db
from forum.guides import service as guides
from forum.models import LearningSet
from forum.models import Post
from forum.models import User
from forum.moderation import service as moderation
from tests import factories
from tests.browser.accessibility import assert_no_axe_violations
from tests.browser.keyboard import assert_focus_visible
from tests.browser.keyboard import tab_to
from tests.browser.pages import sign_in
from tests.browser.seed import Seed

# The elements reaching past the right edge of the window, outermost first.
_OVERFLOW = """() => {
  const width = document.documentElement.clientWidth;
  return [...document.querySelectorAll("body *")]
    .filter(el => el.getBoundingClientRect().right > width + 1)
    .filter(el => !el.closest(".forum-table-scroll"))
    .slice(0, 5).map(el => el.tagName.toLowerCase() + (el.className ? "." + el.className : ""));
}"""

PAGES = {
    "facilitator": ["/", "/sets/", "/sets/{reviewed}/", "/threads/{reviewed_thread}",
                    "/sets/{set}/members", "/moderation/", "/sets/{reviewed}/moderation-log",
                    "/sets/{set}/guides/", "/sets/{set}/guides/new", "/sets/{set}/settings",
                    "/notifications", "/account/profile"],
    "admin": ["/admin/", "/admin/users/{member_id}", "/admin/settings", "/sets/new"],
}


@pytest.fixture
def logged_action(live_app: Flask, seed: Seed, page_ids: dict[str, object]) -> None:
    """One approval in the reviewed set's moderation log, so its table is there to measure."""
    with live_app.test_request_context():
        moderator = db.session.query(User).filter_by(email=seed.moderator_email).one()
        moderation.approve(db.session, moderator, db.session.get(Post, page_ids["pending"]))
        db.session.commit()


@pytest.mark.parametrize("who", list(PAGES))
@pytest.mark.usefixtures("logged_action")
def test_no_page_scrolls_sideways_at_320_pixels(new_context: CreateContextCallback, seed: Seed,
                                                page_ids: dict[str, object], who: str) -> None:
    page = new_context(viewport={"width": 320, "height": 640}).new_page()
    sign_in(page, getattr(seed, f"{who}_email"), seed.password)
    wide: dict[str, list[str]] = {}
    for path in PAGES[who]:
        page.goto(path.format(**page_ids))
        if page.evaluate("() => document.documentElement.scrollWidth") > 320:
            wide[path] = page.evaluate(_OVERFLOW)
    assert wide == {}, f"pages wider than 320 px, with what sticks out: {wide}"


# A section title as long as a real one gets: every "Move to" and "Section" list offers it.
LONG_SECTION = ("What councillors, officers and assembly members each need to hear from us, "
                "and when")


def test_a_list_of_long_choices_stays_inside_a_320_pixel_page(
        live_app: Flask, new_context: CreateContextCallback, seed: Seed) -> None:
    with live_app.app_context():
        facilitator = db.session.query(User).filter_by(email=seed.facilitator_email).one()
        learning_set = db.session.query(LearningSet).filter_by(slug=seed.set_slug).one()
        thread = factories.make_thread(learning_set, facilitator, title="Long section names",
                                       body="Tell members first, then the press.")
        guide = guides.create_guide(db.session, learning_set=learning_set, creator=facilitator,
                                    title="Long choices", thread_ids=[thread.id])
        section = guides.add_section(db.session, guide, title=LONG_SECTION)
        guides.add_section(db.session, guide, title=f"{LONG_SECTION}, again")
        guides.add_excerpt(db.session, section, thread.posts[0])
        db.session.commit()
        url = f"/sets/{seed.set_slug}/guides/{guide.id}/"
    page = new_context(viewport={"width": 320, "height": 640}).new_page()
    sign_in(page, seed.facilitator_email, seed.password)
    page.goto(url)
    expect(page.get_by_label("Move to section")).to_have_count(1)

    assert page.evaluate("() => document.documentElement.scrollWidth") <= 320, (
        f"the curation page scrolls sideways at 320 px: {page.evaluate(_OVERFLOW)}")
    assert_no_axe_violations(page)


def test_a_wide_table_scrolls_in_a_region_the_keyboard_can_reach(
        new_context: CreateContextCallback, seed: Seed) -> None:
    page = new_context(viewport={"width": 320, "height": 640}).new_page()
    sign_in(page, seed.facilitator_email, seed.password)
    page.goto(f"/sets/{seed.set_slug}/members")

    # The count depends on which other browser tests (sharing the live server) joined the set.
    region = page.get_by_role("region", name=re.compile(r"^\d+ people$"))
    tab_to(page, region)
    assert_focus_visible(page)
    page.keyboard.press("ArrowRight")
    page.keyboard.press("End")
    expect(region).not_to_have_js_property("scrollLeft", 0)
    assert_no_axe_violations(page)
