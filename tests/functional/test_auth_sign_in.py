"""Signing in and out, remember-me, safe redirects and the sign-in rate limit."""

from __future__ import annotations

import pytest

from forum.extensions import db
from forum.models import User
from tests.factories import DEFAULT_PASSWORD

SIGN_IN_ERROR = "Enter a correct email address and password"


def _sign_in(client, email, password=DEFAULT_PASSWORD, **extra):
    return client.post("/sign-in", data={"email": email, "password": password, **extra})


def test_sign_in_page_has_email_password_and_remember_me(client):
    page = client.get("/sign-in").get_data(as_text=True)
    assert 'name="email"' in page
    assert 'type="password"' in page
    assert "Keep me signed in" in page
    assert "Forgotten your password?" in page


def test_member_signs_in_and_lands_on_the_home_page(client, world):
    response = _sign_in(client, "member@example.org")
    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    assert "Mo Member" in client.get("/account/profile").get_data(as_text=True)


def test_email_is_matched_without_regard_to_case_or_spaces(client, world):
    response = _sign_in(client, "  Member@Example.ORG ")
    assert response.status_code == 302


@pytest.mark.parametrize(("email", "password"), [
    ("member@example.org", "wrong password here"),
    ("nobody@example.org", DEFAULT_PASSWORD),
    ("nobody@example.org", "wrong password here"),
])
def test_failed_sign_in_gives_one_generic_message_and_keeps_the_email(client, world, email,
                                                                       password):
    response = _sign_in(client, email, password)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert SIGN_IN_ERROR in page
    assert "There is a problem" in page
    assert f'value="{email}"' in page
    assert password not in page
    assert "Mo Member" not in client.get("/account/profile").get_data(as_text=True)


def test_disabled_account_is_refused_with_the_same_message(app, client, world):
    with app.app_context():
        db.session.get(User, world.member.id).is_disabled = True
        db.session.commit()
    page = _sign_in(client, "member@example.org").get_data(as_text=True)
    assert SIGN_IN_ERROR in page
    assert "disabled" not in page.lower()


def test_disabled_account_is_signed_out_at_its_next_request(app, client, world):
    _sign_in(client, "member@example.org")
    with app.app_context():
        db.session.get(User, world.member.id).is_disabled = True
        db.session.commit()
    assert "Mo Member" not in client.get("/account/profile").get_data(as_text=True)


def test_empty_form_says_what_is_missing(client):
    page = client.post("/sign-in", data={"email": "", "password": ""}).get_data(as_text=True)
    assert "Enter your email address" in page
    assert "Enter your password" in page


def test_sign_in_without_csrf_token_does_not_sign_in(client, world):
    response = client.post("/sign-in", csrf=False, data={
        "email": "member@example.org", "password": DEFAULT_PASSWORD})
    assert response.status_code == 200
    assert "Mo Member" not in client.get("/account/profile").get_data(as_text=True)


def test_next_page_is_followed_after_signing_in(client, world):
    page = client.get("/sign-in?next=/sets/").get_data(as_text=True)
    assert 'value="/sets/"' in page
    response = _sign_in(client, "member@example.org", next="/sets/")
    assert response.headers["Location"] == "/sets/"


@pytest.mark.parametrize("next_url", [
    "https://evil.example/",
    "//evil.example/",
    "/\\evil.example/",
    "javascript:alert(1)",
    "sets/",
    "/\nx",
])
def test_next_pointing_off_site_is_ignored(client, world, next_url):
    response = _sign_in(client, "member@example.org", next=next_url)
    assert response.headers["Location"] == "/"


def test_page_needing_an_account_redirects_to_sign_in_with_next(client):
    response = client.get("/account/profile?tab=1")
    assert response.status_code == 302
    assert response.headers["Location"] == "/sign-in?next=/account/profile?tab%3D1"


def test_remember_me_sets_a_long_lived_cookie(client, world):
    _sign_in(client, "member@example.org", remember="y")
    cookie = client.get_cookie("remember_token")
    assert cookie is not None
    assert cookie.expires is not None


def test_without_remember_me_no_remember_cookie_is_set(client, world):
    _sign_in(client, "member@example.org")
    assert client.get_cookie("remember_token") is None


def test_remember_cookie_alone_keeps_the_member_signed_in(client, world):
    _sign_in(client, "member@example.org", remember="y")
    remember = client.get_cookie("remember_token")
    client.delete_cookie("session")
    client.set_cookie("remember_token", remember.value)
    assert "Mo Member" in client.get("/account/profile").get_data(as_text=True)


def test_sign_in_attempts_are_rate_limited(app, client, world):
    app.config["SIGN_IN_RATE_LIMIT"] = "3 per minute"
    for _ in range(3):
        assert _sign_in(client, "member@example.org", "wrong password here").status_code == 200
    response = _sign_in(client, "member@example.org")
    assert response.status_code == 429
    assert "Too many attempts" in response.get_data(as_text=True)
    assert client.get("/sign-in").status_code == 200


def test_the_rate_limit_page_says_how_long_to_wait_not_the_limit(app, client, world):
    """Not "10 per 1 minute" (the limiter's own description) as the page's only words."""
    app.config["SIGN_IN_RATE_LIMIT"] = "2 per minute"
    for _ in range(2):
        _sign_in(client, "member@example.org", "wrong password here")
    page = _sign_in(client, "member@example.org").get_data(as_text=True)
    assert ("You have tried that too many times in a short time. Wait a minute and try "
            "again.") in page
    assert "per 1 minute" not in page


def test_sign_out_needs_a_post_with_a_valid_token(client, world):
    client.sign_in_as(world.member)
    assert client.get("/sign-out").status_code == 405
    client.post("/sign-out", csrf=False)
    assert "Mo Member" in client.get("/account/profile").get_data(as_text=True)
    response = client.post("/sign-out")
    assert response.status_code == 302
    assert "Mo Member" not in client.get("/account/profile").get_data(as_text=True)
