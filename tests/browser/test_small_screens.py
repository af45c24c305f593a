"""Reflow (WCAG 1.4.10): at 320 CSS pixels wide, as on a phone or at 400% zoom, no page
scrolls sideways. A wide table scrolls inside its own region, which the keyboard can reach."""

from __future__ import annotations

import re

import pytest
from flask import Flask
from playwright.sync_api import expect
from pytest_playwright.pytest_playwright import CreateContextCallback

from forum.extensions import db
from forum.models import Post
from forum.models import User
from forum.moderation import service as moderation
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


def test_a_wide_table_scrolls_in_a_region_the_keyboard_can_reach(
        new_context: CreateContextCallback, seed: Seed) -> None:
    page = new_context(viewport={"width": 320, "height": 640}).new_page()
    sign_in(page, seed.facilitator_email, seed.password)
    page.goto(f"/sets/{seed.set_slug}/members")

    # Named by how many people the set has (other browser tests invite people into it).
    region = page.get_by_role("region", name=re.compile(r"^\d+ people$"))
    tab_to(page, region)
    assert_focus_visible(page)
    page.keyboard.press("ArrowRight")
    page.keyboard.press("End")
    expect(region).not_to_have_js_property("scrollLeft", 0)
    assert_no_axe_violations(page)
