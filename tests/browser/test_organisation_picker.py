"""Choosing an organisation with GOV.UK's accessible-autocomplete where JavaScript runs: type part
of a name, pick the suggestion, and the record is saved; axe-core on the page with the
suggestions open. Without JavaScript the field is the plain input with its <datalist>."""

from __future__ import annotations

import re
import uuid

import pytest
from flask import Flask
from playwright.sync_api import Page
from playwright.sync_api import expect
from pytest_playwright.pytest_playwright import CreateContextCallback
from sqlalchemy import select

from forum.extensions import db
from forum.models import Nation
from forum.models import Organisation
from forum.models import OrganisationKind
from forum.models import User
from forum.organisations import add_organisation
from tests import factories
from tests.browser.accessibility import assert_no_axe_violations
from tests.browser.pages import sign_in
from tests.browser.pages import signed_in_page
from tests.browser.seed import Seed


@pytest.fixture
def names(live_app: Flask) -> dict[str, str]:
    """Two records whose names share a beginning, unique to this test run."""
    tag = uuid.uuid4().hex[:6]
    made = {"wanted": f"Quillmarsh {tag} District Council",
            "other": f"Quillfield {tag} Metropolitan Borough Council"}
    with live_app.app_context():
        for name in made.values():
            add_organisation(db.session, name=name, kind=OrganisationKind.DISTRICT,
                             nation=Nation.ENGLAND, website="")
        db.session.commit()
    made["tag"] = tag
    return made


def _watch_script_errors(page: Page) -> list[str]:
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    return errors


def test_a_member_types_part_of_a_name_picks_it_and_it_is_saved(
        new_context: CreateContextCallback, seed: Seed, live_app: Flask,
        names: dict[str, str]) -> None:
    email = f"picker-{names['tag']}@example.org"
    with live_app.app_context():
        factories.make_user(email, display_name="Pip Picker", password=seed.password,
                            organisation="Somewhere not listed")
        db.session.commit()
    page = new_context().new_page()
    errors = _watch_script_errors(page)
    sign_in(page, email, seed.password)
    page.goto("/account/profile")

    field = page.get_by_role("combobox", name="Organisation")
    # The library's combobox took the plain input's place (same id and name, same purpose).
    expect(page.locator(".autocomplete__wrapper input#organisation[name='organisation']")) \
        .to_have_count(1)
    expect(page.locator("input[list='organisation-names']")).to_have_count(0)
    expect(field).to_have_attribute("autocomplete", "organization")
    expect(field).to_have_value("Somewhere not listed")
    # The GOV.UK hint still describes the enhanced field.
    assert "organisation-hint" in (field.get_attribute("aria-describedby") or "")
    field.fill("")
    field.press_sequentially(f"marsh {names['tag']}")
    suggestion = page.get_by_role("option", name=names["wanted"])
    expect(suggestion).to_be_visible()
    expect(page.get_by_role("option", name=names["other"])).to_have_count(0)
    assert_no_axe_violations(page)  # with the suggestions open
    suggestion.click()
    expect(field).to_have_value(names["wanted"])
    page.get_by_role("button", name="Save changes").click()

    expect(page.get_by_text(f"On the network’s list as {names['wanted']}")).to_be_visible()
    assert_no_axe_violations(page)
    with live_app.app_context():
        user = db.session.scalar(select(User).where(User.email == email))
        record = db.session.scalar(select(Organisation).where(
            Organisation.name == names["wanted"]))
        assert user.organisation == names["wanted"]
        assert user.organisation_id == record.id
    assert errors == []


def test_a_name_not_on_the_list_is_kept_as_typed(
        new_context: CreateContextCallback, seed: Seed, live_app: Flask,
        names: dict[str, str]) -> None:
    page = new_context().new_page()
    errors = _watch_script_errors(page)
    page.goto("/network/")
    field = page.get_by_role("combobox", name="Organisation")
    field.press_sequentially(f"Quill {names['tag']} Parish Council")
    page.get_by_label("Your role").click()  # leaving the field does not swap in a suggestion
    expect(field).to_have_value(f"Quill {names['tag']} Parish Council")
    assert errors == []


def test_an_admin_merges_by_typing_the_survivors_name(
        new_context: CreateContextCallback, seed: Seed, live_app: Flask,
        names: dict[str, str]) -> None:
    with live_app.app_context():
        duplicate = db.session.scalar(select(Organisation).where(
            Organisation.name == names["other"]))
        duplicate_id = duplicate.id
    page = new_context().new_page()
    errors = _watch_script_errors(page)
    sign_in(page, seed.admin_email, seed.password)
    page.goto(f"/admin/organisations/{duplicate_id}/merge")
    # Typed into only once the library's combobox has taken the select's place (it loads after
    # the page): keys pressed into the plain select before then are lost, as a person's would be.
    expect(page.locator(".autocomplete__wrapper input[role='combobox']")).to_have_count(1)
    field = page.get_by_role("combobox", name="Merge into")
    field.press_sequentially(f"Quillmarsh {names['tag']}")
    page.get_by_role("option", name=names["wanted"]).click()
    expect(field).to_have_value(names["wanted"])
    assert_no_axe_violations(page)
    page.get_by_role("button", name="Merge").click()
    expect(page.get_by_text(f"{names['other']} is merged into {names['wanted']}")).to_be_visible()
    with live_app.app_context():
        assert db.session.get(Organisation, duplicate_id) is None
    assert errors == []


def test_without_javascript_the_field_is_the_plain_input_with_its_list(
        new_context: CreateContextCallback, names: dict[str, str]) -> None:
    page = new_context(java_script_enabled=False).new_page()
    page.goto("/network/")
    # An input with a datalist is a combobox to assistive technology too (HTML-AAM): the
    # browser's own suggestions, from the list the server sent.
    field = page.get_by_role("combobox", name="Organisation")
    expect(field).to_have_attribute("list", "organisation-names")
    expect(field).to_have_attribute("autocomplete", "organization")
    expect(page.locator(f"#organisation-names option[value='{names['wanted']}']")).to_have_count(1)
    expect(page.locator(".autocomplete__wrapper")).to_have_count(0)


def test_an_error_on_the_enhanced_field_is_shown_and_announced(
        new_context: CreateContextCallback, seed: Seed, live_app: Flask,
        names: dict[str, str]) -> None:
    email = f"picker-error-{names['tag']}@example.org"
    with live_app.app_context():
        factories.make_user(email, display_name="Pat Picker", password=seed.password)
        db.session.commit()
    page = signed_in_page(new_context, email, seed.password)
    page.goto("/account/profile")
    page.get_by_role("combobox", name="Organisation").fill("")
    page.get_by_role("button", name="Save changes").click()
    expect(page.get_by_role("alert")).to_contain_text("organisation")
    field = page.get_by_role("combobox", name="Organisation")
    expect(field).to_have_class(re.compile(r"\bgovuk-input--error\b"))
    described = (field.get_attribute("aria-describedby") or "").split()
    assert "organisation-error" in described and "organisation-hint" in described
    # Typing keeps the error and hint described (the library drops its own instructions).
    field.press_sequentially("Quill")
    expect(field).to_have_attribute("aria-describedby", re.compile(r"organisation-error"))
    assert_no_axe_violations(page)
