"""A member downloads their data, then deletes their account; the guide that quoted them
credits "A participant" on its page and in a PDF downloaded afterwards (issue 17)."""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from playwright.sync_api import Page
from playwright.sync_api import expect

from forum.background import BackgroundWorker
from forum.extensions import db
from forum.guides import compile as compiler
from forum.guides import service
from forum.models import CreditPreference
from forum.models import LearningSet
from forum.models import User
from forum.people import background as people_background
from forum.people.background import MAKER_KEY
from tests import factories
from tests.browser.accessibility import assert_no_axe_violations
from tests.browser.pages import sign_in
from tests.browser.seed import Seed
from tests.guide_readers import pdf_text

NAME = "Perpetua Lindqvist-Oduya"
EMAIL = "perpetua.leaving@example.org"
QUOTE = "We printed the recommendations on a poster for every library."


@pytest.fixture(scope="module")
def guide_slug(live_app: Flask, seed: Seed) -> str:
    with live_app.app_context():
        learning_set = db.session.query(LearningSet).filter_by(slug=seed.set_slug).one()
        facilitator = db.session.query(User).filter_by(email=seed.facilitator_email).one()
        leaving = factories.make_user(EMAIL, display_name=NAME, password=seed.password,
                                      credit_preference=CreditPreference.NAME_AND_ORGANISATION)
        factories.add_member(leaving, learning_set)
        thread = factories.make_thread(learning_set, leaving, title="Posters (my data test)",
                                       body=QUOTE)
        guide = service.create_guide(db.session, learning_set=learning_set,
                                     creator=facilitator, title="Posters that worked",
                                     thread_ids=[thread.id])
        section = service.add_section(db.session, guide, title="Libraries")
        service.add_excerpt(db.session, section, thread.posts[0])
        compiler.publish(db.session, guide, by=facilitator)
        db.session.commit()
        return guide.slug


@pytest.fixture
def export_maker(live_app: Flask) -> Iterator[BackgroundWorker]:
    """The live server's background worker for data downloads (off under TESTING)."""
    maker = live_app.extensions[MAKER_KEY] = BackgroundWorker(
        live_app, people_background._make, name="forum-data-exports")
    yield maker
    maker.stop(timeout=10)
    del live_app.extensions[MAKER_KEY]


def test_a_member_downloads_their_data_then_deletes_their_account(
        page: Page, seed: Seed, guide_slug: str, export_maker: BackgroundWorker) -> None:
    sign_in(page, EMAIL, seed.password)
    page.goto("/account/profile")
    page.get_by_role("link", name="Download your data").click()
    expect(page.get_by_role("heading", name="Download your data")).to_be_visible()
    assert_no_axe_violations(page)
    page.get_by_role("button", name="Prepare my data").click()
    expect(page.get_by_role("heading", name="Your data is being prepared")).to_be_visible()
    assert_no_axe_violations(page)
    # The page's script asks until it is ready, and says so in its live region.
    status = page.get_by_role("status")
    expect(status).to_contain_text("Your data is ready.", timeout=30_000)
    status.get_by_role("link", name="Show the download").click()
    expect(page.get_by_role("heading", name="Your copy is ready")).to_be_visible()
    assert_no_axe_violations(page)
    with page.expect_download() as info:
        page.get_by_role("link", name="Download your data (ZIP").click()
    archive = zipfile.ZipFile(io.BytesIO(Path(info.value.path()).read_bytes()))
    data = json.loads(archive.read("my-data.json"))
    assert data["profile"]["email"] == EMAIL
    assert [p["text"] for p in data["posts"]] == [QUOTE]
    assert data["guide_credits"][0]["credited_as"].startswith(NAME)

    page.goto("/account/profile")
    page.get_by_role("link", name="Delete your account").click()
    expect(page.get_by_label("Your password")).to_be_visible()
    assert_no_axe_violations(page)
    page.get_by_label("Your password").fill("not my password")
    page.get_by_role("button", name="Delete my account").click()
    expect(page.get_by_role("link", name="Your password is not correct")).to_be_visible()
    page.get_by_label("Your password").fill(seed.password)
    page.get_by_role("button", name="Delete my account").click()
    expect(page.get_by_text("Your account has been deleted")).to_be_visible()
    expect(page.get_by_role("link", name="Sign in")).to_be_visible()

    sign_in(page, seed.facilitator_email, seed.password)
    page.goto(f"/guides/{guide_slug}/")
    expect(page.get_by_text("A participant").first).to_be_visible()
    expect(page.get_by_text(NAME)).to_have_count(0)
    with page.expect_download() as info:
        page.get_by_role("link", name="PDF").first.click()
    words = pdf_text(Path(info.value.path()).read_bytes())
    assert "A participant" in words and NAME not in words
