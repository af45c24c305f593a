"""The account pages: profile, how quotes are credited, and changing the password."""

from __future__ import annotations

import pytest

from forum.extensions import db
from forum.guides.credit import credit_for
from forum.models import CreditPreference
from forum.models import User
from tests.factories import DEFAULT_PASSWORD

NEW_PASSWORD = "lantern orchard pebble 42"


def _user(app, user_id) -> User:
    with app.app_context():
        user = db.session.get(User, user_id)
        db.session.expunge(user)
        return user


@pytest.mark.parametrize("url", ["/account/profile", "/account/password"])
def test_account_pages_need_signing_in(client, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/sign-in?next=")


def test_profile_shows_details_and_credit_choice_defaulting_to_organisation(client, world):
    client.sign_in_as(world.member)
    page = client.get("/account/profile").get_data(as_text=True)
    assert "member@example.org" in page
    assert 'value="Mo Member"' in page
    assert "How you are credited if quoted in a guide" in page
    assert 'value="organisation" checked' in page
    assert "/account/password" in page


def test_profile_explains_the_anonymous_credit_in_the_words_guides_print(app, client, world):
    with app.app_context():
        printed = credit_for(None, CreditPreference.ANONYMOUS)
    client.sign_in_as(world.member)
    page = client.get("/account/profile").get_data(as_text=True)
    assert f"For example: “{printed}”." in page
    assert "A member of the learning set" not in page


def test_member_changes_name_organisation_and_credit(app, client, world):
    client.sign_in_as(world.member)
    response = client.post("/account/profile", data={
        "display_name": "Mo Member-Jones", "organisation": "Camden Council",
        "credit_preference": "anonymous"})
    assert response.status_code == 302
    assert "Your profile has been saved" in client.get("/account/profile").get_data(as_text=True)
    user = _user(app, world.member.id)
    assert user.display_name == "Mo Member-Jones"
    assert user.organisation == "Camden Council"
    assert user.credit_preference == CreditPreference.ANONYMOUS


@pytest.mark.parametrize(("fields", "message"), [
    ({"display_name": ""}, "Enter your name"),
    ({"display_name": "x" * 101}, "Name must be 100 characters or fewer"),
    ({"organisation": "o" * 151}, "Organisation must be 150 characters or fewer"),
    ({"credit_preference": "everything"}, "Not a valid choice"),
])
def test_invalid_profile_is_explained_and_keeps_input(app, client, world, fields, message):
    client.sign_in_as(world.member)
    data = {"display_name": "Typed Name", "organisation": "Typed Org",
            "credit_preference": "name_and_organisation", **fields}
    page = client.post("/account/profile", data=data).get_data(as_text=True)
    assert "There is a problem" in page
    assert message in page
    if "organisation" not in fields:
        assert 'value="Typed Org"' in page
    assert _user(app, world.member.id).display_name == "Mo Member"


def test_profile_is_not_saved_without_a_valid_form_token(app, client, world):
    client.sign_in_as(world.member)
    client.post("/account/profile", csrf=False, data={
        "display_name": "Hijacked", "organisation": "x", "credit_preference": "anonymous"})
    assert _user(app, world.member.id).display_name == "Mo Member"


def test_member_changes_password_with_the_current_one(app, client, world):
    client.sign_in_as(world.member)
    response = client.post("/account/password", data={
        "current_password": DEFAULT_PASSWORD, "password": NEW_PASSWORD,
        "confirm_password": NEW_PASSWORD})
    assert response.status_code == 302
    assert _user(app, world.member.id).check_password(NEW_PASSWORD)


@pytest.mark.parametrize(("fields", "message"), [
    ({"current_password": "not my password"}, "Your current password is not correct"),
    ({"password": "mo member", "confirm_password": "mo member"}, "10 characters or more"),
    ({"password": "testshiremember", "confirm_password": "testshiremember"}, "guess"),
    ({"confirm_password": "different passphrase 9"}, "The passwords do not match"),
])
def test_password_change_is_refused_with_a_reason(app, client, world, fields, message):
    client.sign_in_as(world.member)
    page = client.post("/account/password", data={
        "current_password": DEFAULT_PASSWORD, "password": NEW_PASSWORD,
        "confirm_password": NEW_PASSWORD, **fields}).get_data(as_text=True)
    assert "There is a problem" in page
    assert message in page
    assert _user(app, world.member.id).check_password(DEFAULT_PASSWORD)
