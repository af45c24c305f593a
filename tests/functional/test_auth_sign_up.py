"""Open sign-up: only when an admin allows it, never revealing who has an account."""

from __future__ import annotations

import re

from sqlalchemy import select

from forum.extensions import db
from forum.models import User
from forum.site_settings import OPEN_SIGNUP
from forum.site_settings import set_bool
from tests.functional.page_text import without_nonce
from tests.mailbox import sent_messages

NEW_PASSWORD = "lantern orchard pebble 42"


def _open_sign_up(app, enabled: bool = True) -> None:
    with app.app_context():
        set_bool(db.session, OPEN_SIGNUP, enabled)
        db.session.commit()


def _last_email(app):
    messages = sent_messages(app)
    assert messages, "no email was sent"
    return messages[-1]


def _link_in(message, path_prefix: str) -> str:
    text = message.get_body(preferencelist=("plain",)).get_content()
    match = re.search(rf"http://localhost({re.escape(path_prefix)}\S*)", text)
    assert match is not None, text
    return match.group(1)


def test_sign_up_is_not_found_while_closed(app, client):
    assert client.get("/sign-up").status_code == 404
    assert client.post("/sign-up", data={"email": "new@example.org"}).status_code == 404
    assert "Create an account" not in client.get("/sign-in").get_data(as_text=True)
    assert sent_messages(app) == []


def test_sign_in_page_offers_sign_up_while_open(app, client):
    _open_sign_up(app)
    assert "Create an account" in client.get("/sign-in").get_data(as_text=True)


def test_new_address_gets_a_link_that_creates_the_account(app, client):
    _open_sign_up(app)
    page = client.post("/sign-up", data={"email": "New.Person@Example.org"}).get_data(
        as_text=True)
    assert "Check your email" in page
    message = _last_email(app)
    assert message["To"] == "new.person@example.org"
    link = _link_in(message, "/sign-up/")

    page = client.get(link).get_data(as_text=True)
    assert "new.person@example.org" in page
    response = client.post(link, data={
        "display_name": "Nia Newcomer", "organisation": "Camden Council",
        "password": NEW_PASSWORD, "confirm_password": NEW_PASSWORD})
    assert response.status_code == 302
    assert "Nia Newcomer" in client.get("/account/profile").get_data(as_text=True)
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == "new.person@example.org"))
        assert user is not None and user.organisation == "Camden Council"


def test_answer_is_the_same_whether_or_not_the_address_has_an_account(app, client, world):
    _open_sign_up(app)
    known = client.post("/sign-up", data={"email": "member@example.org"}).get_data(as_text=True)
    unknown = client.post("/sign-up", data={"email": "nobody@example.org"}).get_data(
        as_text=True)
    assert without_nonce(known.replace("member@example.org", "X")) == without_nonce(
        unknown.replace("nobody@example.org", "X"))


def test_existing_account_is_emailed_a_reminder_instead_of_a_sign_up_link(app, client, world):
    _open_sign_up(app)
    client.post("/sign-up", data={"email": "member@example.org"})
    message = _last_email(app)
    text = message.get_body(preferencelist=("plain",)).get_content()
    assert "already have one" in text
    assert "/password/forgot" in text
    assert "/sign-up/" not in text


def test_sign_up_link_is_useless_once_the_account_exists(app, client):
    _open_sign_up(app)
    client.post("/sign-up", data={"email": "new@example.org"})
    link = _link_in(_last_email(app), "/sign-up/")
    data = {"display_name": "Nia", "organisation": "Camden Council",
            "password": NEW_PASSWORD, "confirm_password": NEW_PASSWORD}
    client.post(link, data=data)
    client.sign_out()
    response = client.post(link, data={**data, "display_name": "Impostor"})
    assert response.status_code == 302
    assert response.headers["Location"] == "/sign-in"
    with app.app_context():
        assert db.session.scalar(select(User.display_name).where(
            User.email == "new@example.org")) == "Nia"


def test_expired_or_forged_sign_up_link_is_refused(app, client):
    _open_sign_up(app)
    client.post("/sign-up", data={"email": "new@example.org"})
    link = _link_in(_last_email(app), "/sign-up/")
    assert client.get(link + "x").status_code == 404
    app.config["SIGN_UP_MAX_AGE"] = -1
    response = client.get(link)
    assert response.status_code == 404
    assert "Ask for a new link" in response.get_data(as_text=True)


def test_sign_up_link_stops_working_when_sign_up_closes(app, client):
    _open_sign_up(app)
    client.post("/sign-up", data={"email": "new@example.org"})
    link = _link_in(_last_email(app), "/sign-up/")
    _open_sign_up(app, enabled=False)
    assert client.get(link).status_code == 404


def test_weak_password_is_refused_keeping_name_and_organisation(app, client):
    _open_sign_up(app)
    client.post("/sign-up", data={"email": "new@example.org"})
    link = _link_in(_last_email(app), "/sign-up/")
    page = client.post(link, data={
        "display_name": "Nia Newcomer", "organisation": "Camden Council",
        "password": "camdennewcomer", "confirm_password": "camdennewcomer",
    }).get_data(as_text=True)
    assert "There is a problem" in page
    assert 'value="Nia Newcomer"' in page
    assert 'value="Camden Council"' in page
