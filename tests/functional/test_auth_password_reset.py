"""Forgotten passwords: the same answer for every address, and single-use, expiring links."""

from __future__ import annotations

import re

import pytest

from forum.extensions import db
from forum.models import User
from tests.factories import DEFAULT_PASSWORD
from tests.functional.page_text import without_nonce
from tests.mailbox import sent_messages

NEW_PASSWORD = "lantern orchard pebble 42"


def _ask_for_reset(client, email):
    return client.post("/password/forgot", data={"email": email})


def _reset_link(app) -> str:
    messages = sent_messages(app)
    assert messages, "no email was sent"
    text = messages[-1].get_body(preferencelist=("plain",)).get_content()
    match = re.search(r"http://localhost(/password/reset/\S+)", text)
    assert match is not None
    return match.group(1)


def _outbox_count(app) -> int:
    return len(sent_messages(app))


def test_reset_email_is_sent_to_an_existing_account(app, client, world):
    _ask_for_reset(client, "Member@Example.org")
    (message,) = sent_messages(app)
    assert message["To"] == "member@example.org"
    assert "Reset your" in message["Subject"]
    assert "/password/reset/" in message.get_body(preferencelist=("html",)).get_content()


def test_answer_is_the_same_whether_or_not_the_address_has_an_account(app, client, world):
    known = _ask_for_reset(client, "member@example.org").get_data(as_text=True)
    unknown = _ask_for_reset(client, "nobody@example.org").get_data(as_text=True)
    assert without_nonce(known.replace("member@example.org", "X")) == without_nonce(
        unknown.replace("nobody@example.org", "X"))
    assert "Check your email" in known
    assert _outbox_count(app) == 1  # only the real account was emailed


def test_disabled_account_gets_no_reset_email_but_the_same_answer(app, client, world):
    with app.app_context():
        db.session.get(User, world.member.id).is_disabled = True
        db.session.commit()
    page = _ask_for_reset(client, "member@example.org").get_data(as_text=True)
    assert "Check your email" in page
    assert _outbox_count(app) == 0


def test_invalid_address_is_explained_and_kept(client):
    page = _ask_for_reset(client, "not an email").get_data(as_text=True)
    assert "Enter an email address in the correct format" in page
    assert 'value="not an email"' in page


def test_reset_link_sets_a_new_password_and_signs_in(app, client, world):
    _ask_for_reset(client, "member@example.org")
    link = _reset_link(app)
    assert "Choose a new password" in client.get(link).get_data(as_text=True)
    response = client.post(link, data={"password": NEW_PASSWORD,
                                       "confirm_password": NEW_PASSWORD})
    assert response.status_code == 302
    assert "Mo Member" in client.get("/account/profile").get_data(as_text=True)
    with app.app_context():
        user = db.session.get(User, world.member.id)
        assert user.check_password(NEW_PASSWORD)
        assert not user.check_password(DEFAULT_PASSWORD)


def test_reset_link_works_only_once(app, client, world):
    _ask_for_reset(client, "member@example.org")
    link = _reset_link(app)
    client.post(link, data={"password": NEW_PASSWORD, "confirm_password": NEW_PASSWORD})
    client.sign_out()
    response = client.get(link)
    assert response.status_code == 404
    page = response.get_data(as_text=True)
    assert "already been used" in page
    assert "/password/forgot" in page
    response = client.post(link, data={"password": "another fine passphrase 7",
                                       "confirm_password": "another fine passphrase 7"})
    assert response.status_code == 404
    with app.app_context():
        assert db.session.get(User, world.member.id).check_password(NEW_PASSWORD)


def test_older_reset_link_dies_when_the_password_changes_another_way(app, client, world):
    _ask_for_reset(client, "member@example.org")
    link = _reset_link(app)
    with app.app_context():
        db.session.get(User, world.member.id).set_password("changed elsewhere meanwhile")
        db.session.commit()
    assert client.get(link).status_code == 404


def test_expired_reset_link_is_refused_with_a_way_to_ask_again(app, client, world):
    _ask_for_reset(client, "member@example.org")
    link = _reset_link(app)
    app.config["PASSWORD_RESET_MAX_AGE"] = -1
    response = client.get(link)
    assert response.status_code == 404
    assert "Ask for a new reset link" in response.get_data(as_text=True)


@pytest.mark.parametrize("link", [
    "/password/reset/garbage",
    "/password/reset/eyJ1c2VyIjoxfQ.ZZZZ.bad",
])
def test_forged_reset_link_is_refused(client, world, link):
    assert client.get(link).status_code == 404


def test_reset_link_for_another_purpose_is_refused(app, client, world):
    from forum.auth.service import make_sign_up_token

    with app.test_request_context():
        token = make_sign_up_token("member@example.org")
    assert client.get(f"/password/reset/{token}").status_code == 404


def test_weak_new_password_is_refused_and_link_still_works(app, client, world):
    _ask_for_reset(client, "member@example.org")
    link = _reset_link(app)
    page = client.post(link, data={"password": "password123",
                                   "confirm_password": "password123"}).get_data(as_text=True)
    assert "There is a problem" in page
    assert client.get(link).status_code == 200


def test_forgot_password_requests_are_rate_limited(app, client, world):
    app.config["SIGN_IN_RATE_LIMIT"] = "2 per minute"
    _ask_for_reset(client, "member@example.org")
    _ask_for_reset(client, "member@example.org")
    assert _ask_for_reset(client, "member@example.org").status_code == 429
