"""Sessions that really end: signing out, a password change or reset, and an admin disabling the
account sign the person out on every other device, remember-me cookies included.

Each test signs the same person in on three "devices": a laptop (a session), a phone (a session
and a remember-me cookie) and a tablet that holds only the phone's remember-me cookie.
"""

from __future__ import annotations

import pytest
from flask import Flask

from forum.auth.service import load_user
from forum.auth.service import make_password_reset_token
from forum.extensions import db
from forum.models import User
from tests.conftest import FormClient
from tests.factories import DEFAULT_PASSWORD

NEW_PASSWORD = "lantern orchard pebble 42"
REMEMBER = "remember_token"


def _sign_in(client: FormClient, email: str, password: str = DEFAULT_PASSWORD,
             remember: bool = False):
    data = {"email": email, "password": password}
    if remember:
        data["remember"] = "y"
    response = client.post("/sign-in", data=data)
    assert response.status_code == 302, "sign-in failed"
    return response


def _signed_in(client: FormClient) -> bool:
    return client.get("/account/profile").status_code == 200


def _devices(app: Flask, email: str = "member@example.org") -> dict[str, FormClient]:
    laptop, phone, tablet = (app.test_client() for _ in range(3))
    _sign_in(laptop, email)
    _sign_in(phone, email, remember=True)
    tablet.set_cookie(REMEMBER, phone.get_cookie(REMEMBER).value)
    devices = {"laptop": laptop, "phone": phone, "tablet": tablet}
    assert all(_signed_in(device) for device in devices.values())
    return devices  # type: ignore[return-value]


def _only_remember_cookie(client: FormClient) -> FormClient:
    """The browser closed and opened again: the session cookie is gone, remember-me stays."""
    client.delete_cookie("session")
    return client


def test_signing_out_on_one_device_signs_out_every_other(app, world):
    devices = _devices(app)
    devices["laptop"].post("/sign-out")
    assert not _signed_in(devices["laptop"])
    assert not _signed_in(devices["phone"])
    assert not _signed_in(devices["tablet"])
    assert not _signed_in(_only_remember_cookie(devices["phone"]))


def test_changing_password_keeps_this_device_and_ends_the_others(app, world):
    devices = _devices(app)
    phone = devices["phone"]
    response = phone.post("/account/password", data={
        "current_password": DEFAULT_PASSWORD, "password": NEW_PASSWORD,
        "confirm_password": NEW_PASSWORD})
    assert response.status_code == 302
    assert "signed out on every other device" in phone.get("/account/profile").text
    assert _signed_in(phone)
    assert not _signed_in(devices["laptop"])
    assert not _signed_in(devices["tablet"]), "the old remember-me cookie still works"
    # The phone's own remember-me cookie was renewed, so it stays remembered.
    assert _signed_in(_only_remember_cookie(phone))


def test_a_wrong_current_password_ends_nothing(app, world):
    devices = _devices(app)
    devices["phone"].post("/account/password", data={
        "current_password": "not my password", "password": NEW_PASSWORD,
        "confirm_password": NEW_PASSWORD})
    assert all(_signed_in(device) for device in devices.values())


def test_resetting_password_by_email_ends_every_other_session(app, world):
    devices = _devices(app)
    with app.app_context():
        token = make_password_reset_token(db.session.get(User, world.member.id))
    elsewhere = app.test_client()
    response = elsewhere.post(f"/password/reset/{token}", data={
        "password": NEW_PASSWORD, "confirm_password": NEW_PASSWORD})
    assert response.status_code == 302
    assert _signed_in(elsewhere)
    assert not any(_signed_in(device) for device in devices.values())
    assert not _signed_in(_only_remember_cookie(devices["phone"]))


def test_disabling_an_account_ends_its_sessions_for_good(app, client, world):
    devices = _devices(app)
    client.sign_in_as(world.admin)
    assert client.post(f"/admin/users/{world.member.id}/disable").status_code == 302
    assert not any(_signed_in(device) for device in devices.values())
    # Enabled again, the account does not get its old sessions or cookies back.
    assert client.post(f"/admin/users/{world.member.id}/enable").status_code == 302
    assert not _signed_in(devices["laptop"])
    assert not _signed_in(devices["tablet"])
    assert not _signed_in(_only_remember_cookie(devices["phone"]))
    _sign_in(devices["laptop"], "member@example.org")
    assert _signed_in(devices["laptop"])


def test_sign_out_everywhere_else_keeps_this_device(app, world):
    devices = _devices(app)
    phone = devices["phone"]
    page = phone.get("/account/profile").text
    assert "Sign out everywhere else" in page
    response = phone.post("/account/sign-out-others")
    assert response.status_code == 302
    assert response.headers["Location"] == "/account/profile"
    assert "signed out on every other device" in phone.get("/account/profile").text
    assert _signed_in(phone)
    assert _signed_in(_only_remember_cookie(phone))
    assert not _signed_in(devices["laptop"])
    assert not _signed_in(devices["tablet"])


def test_sign_out_everywhere_else_needs_a_valid_form_token(app, world):
    devices = _devices(app)
    devices["phone"].post("/account/sign-out-others", csrf=False)
    assert all(_signed_in(device) for device in devices.values())


def test_other_peoples_sessions_are_untouched(app, world):
    mine = _devices(app)
    theirs = _devices(app, "moderator@example.org")
    mine["laptop"].post("/sign-out")
    assert all(_signed_in(device) for device in theirs.values())


@pytest.mark.parametrize("session_id", [
    "2", "2:", ":0", "2:1", "2:x", "x:0", "2:0:0", "-2:0", "0:0", "99999999999999999999:0", "",
])
def test_only_the_current_id_and_version_load_a_user(app, world, session_id):
    with app.app_context():
        member = db.session.get(User, world.member.id)
        member.end_sessions()
        member.end_sessions()
        db.session.commit()
        assert member.get_id() == f"{member.id}:2"
        assert load_user(member.get_id()) is not None
        assert load_user(session_id.replace("2", str(member.id), 1)) is None
