"""Accepting an invitation from the emailed link, in every state the visitor can be in."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from forum.auth import invitations
from forum.extensions import db
from forum.models import Invitation
from forum.models import LearningSet
from forum.models import Membership
from forum.models import Role
from forum.models import User
from forum.models import utcnow
from tests import factories

INVALID_TEXT = ("This invitation link is not valid or has expired. "
                "Ask the person who invited you for a new one.")
NEW_PASSWORD = "lantern orchard pebble 42"


def _invite(app, world, email="new.person@example.org", role=Role.MEMBER) -> str:
    with app.app_context():
        learning_set = db.session.get(LearningSet, world.learning_set.id)
        inviter = db.session.get(User, world.facilitator.id)
        _, raw_token = invitations.create_invitation(
            db.session, learning_set=learning_set, email=email, role=role, invited_by=inviter)
        db.session.commit()
        return raw_token


def _membership(app, email):
    with app.app_context():
        return db.session.scalar(
            select(Membership.role).join(User, Membership.user_id == User.id)
            .where(User.email == email))


def test_new_person_creates_an_account_and_joins_the_set(app, client, world):
    token = _invite(app, world)
    page = client.get(f"/invitations/{token}").get_data(as_text=True)
    assert "Communicating assemblies" in page
    assert "new.person@example.org" in page
    assert 'name="email"' not in page  # shown, not editable
    assert "Camden Council" in page

    response = client.post(f"/invitations/{token}", data={
        "display_name": "Nia Newcomer", "organisation": "Camden Council",
        "password": NEW_PASSWORD, "confirm_password": NEW_PASSWORD})
    assert response.status_code == 302
    assert response.headers["Location"] == "/sets/comms/"
    assert _membership(app, "new.person@example.org") == Role.MEMBER
    assert "Nia Newcomer" in client.get("/account/profile").get_data(as_text=True)  # signed in
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == "new.person@example.org"))
        assert user.organisation == "Camden Council"
        assert user.check_password(NEW_PASSWORD)
        invitation = db.session.scalar(select(Invitation))
        assert invitation.accepted_by_id == user.id
        assert invitation.accepted_at is not None


def test_an_account_made_at_the_same_moment_sends_the_second_form_to_sign_in(
        app, client, world, monkeypatch):
    """The sign-up form sent twice at once: both find no account for the address before either
    saves. The second is refused by the database and sent to sign in (not a 500)."""
    from forum.auth import service

    token = _invite(app, world)
    with app.app_context():  # the first form's account, saved a moment ago
        factories.make_user("new.person@example.org", display_name="Nia Newcomer")
        db.session.commit()
    monkeypatch.setattr(service, "find_user_by_email", lambda session, email: None)  # stale
    response = client.post(f"/invitations/{token}", data={
        "display_name": "Nia Newcomer", "organisation": "Camden Council",
        "password": NEW_PASSWORD, "confirm_password": NEW_PASSWORD})
    assert response.status_code == 302
    assert response.headers["Location"] == f"/sign-in?next=/invitations/{token}"
    assert "You already have an account. Sign in" in client.get(
        response.headers["Location"]).get_data(as_text=True)
    with app.app_context():
        assert len(db.session.scalars(select(User).where(
            User.email == "new.person@example.org")).all()) == 1


def test_invitation_link_works_only_once(app, client, world):
    token = _invite(app, world)
    client.post(f"/invitations/{token}", data={
        "display_name": "Nia Newcomer", "organisation": "Camden Council",
        "password": NEW_PASSWORD, "confirm_password": NEW_PASSWORD})
    client.sign_out()
    response = client.get(f"/invitations/{token}")
    assert response.status_code == 404
    assert INVALID_TEXT in response.get_data(as_text=True)


@pytest.mark.parametrize(("fields", "message"), [
    ({"display_name": "", "organisation": "Camden Council"}, "Enter your name"),
    ({"display_name": "Nia", "organisation": ""}, "Enter your organisation"),
    ({"password": "password123", "confirm_password": "password123"}, "common"),
    ({"password": "short", "confirm_password": "short"}, "10 characters or more"),
    ({"confirm_password": "something else entirely"}, "The passwords do not match"),
    ({"display_name": "N" * 101}, "Name must be 100 characters or fewer"),
])
def test_invalid_sign_up_keeps_what_was_typed_and_explains(app, client, world, fields, message):
    token = _invite(app, world)
    data = {"display_name": "Nia Newcomer", "organisation": "Camden Council",
            "password": NEW_PASSWORD, "confirm_password": NEW_PASSWORD, **fields}
    response = client.post(f"/invitations/{token}", data=data)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "There is a problem" in page
    assert message in page
    if data["organisation"]:
        assert f'value="{data["organisation"]}"' in page
    assert _membership(app, "new.person@example.org") is None


def test_existing_account_is_asked_to_sign_in_then_joins(app, client, world):
    token = _invite(app, world, email="Outsider@Example.org", role=Role.MODERATOR)
    page = client.get(f"/invitations/{token}").get_data(as_text=True)
    assert "Sign in to join Communicating assemblies" in page
    assert f"/sign-in?next=/invitations/{token}" in page
    assert 'name="password"' not in page

    response = client.post("/sign-in", data={
        "email": "outsider@example.org", "password": factories.DEFAULT_PASSWORD,
        "next": f"/invitations/{token}"})
    assert response.headers["Location"] == f"/invitations/{token}"
    page = client.get(f"/invitations/{token}").get_data(as_text=True)
    assert "Join Communicating assemblies as moderator" in page
    response = client.post(f"/invitations/{token}")
    assert response.headers["Location"] == "/sets/comms/"
    assert _membership(app, "outsider@example.org") == Role.MODERATOR


def test_join_button_without_valid_token_does_nothing(app, client, world):
    token = _invite(app, world, email="outsider@example.org")
    client.sign_in_as(world.outsider)
    response = client.post(f"/invitations/{token}", csrf=False)
    assert response.status_code == 200
    assert _membership(app, "outsider@example.org") is None


def test_signed_in_with_another_address_is_told_to_sign_out(app, client, world):
    token = _invite(app, world, email="someone.else@example.org")
    client.sign_in_as(world.outsider)
    page = client.get(f"/invitations/{token}").get_data(as_text=True)
    assert "sent to a different email address" in page
    assert "someone.else@example.org" not in page
    assert "Sign out" in page
    client.post(f"/invitations/{token}")
    assert _membership(app, "outsider@example.org") is None
    assert _membership(app, "someone.else@example.org") is None


def test_signing_out_from_the_wrong_account_page_returns_to_the_invitation(app, client, world):
    token = _invite(app, world, email="someone.else@example.org")
    client.sign_in_as(world.outsider)
    response = client.post("/sign-out", data={"next": f"/invitations/{token}"})
    assert response.headers["Location"] == f"/invitations/{token}"


def test_invitation_with_a_higher_role_promotes_someone_who_joined_meanwhile(app, client,
                                                                            world):
    token = _invite(app, world, email="outsider@example.org", role=Role.MODERATOR)
    with app.app_context():
        factories.add_member(db.session.get(User, world.outsider.id),
                             db.session.get(LearningSet, world.learning_set.id), Role.MEMBER)
        db.session.commit()
    client.sign_in_as(world.outsider)
    client.post(f"/invitations/{token}")
    assert _membership(app, "outsider@example.org") == Role.MODERATOR


def test_joining_at_the_same_moment_twice_joins_once_without_an_error_page(
        app, client, world, monkeypatch):
    """The join button pressed twice: both presses find no membership before either saves.
    The second is refused by the database; it then finds the first's membership (and raises
    its role to the invitation's), instead of a 500."""
    token = _invite(app, world, email="outsider@example.org", role=Role.MODERATOR)
    with app.app_context():  # the first press, saved a moment ago
        factories.add_member(db.session.get(User, world.outsider.id),
                             db.session.get(LearningSet, world.learning_set.id), Role.MEMBER)
        db.session.commit()
    real, stale = invitations._membership, [None]
    monkeypatch.setattr(invitations, "_membership",
                        lambda *args: stale.pop() if stale else real(*args))
    client.sign_in_as(world.outsider)
    response = client.post(f"/invitations/{token}")
    assert response.status_code == 302 and response.headers["Location"] == "/sets/comms/"
    assert _membership(app, "outsider@example.org") == Role.MODERATOR


def _break(app, how: str) -> None:
    with app.app_context():
        invitation = db.session.scalar(select(Invitation))
        if how == "revoked":
            invitations.revoke_invitation(db.session, invitation)
        elif how == "expired":
            invitation.expires_at = utcnow() - timedelta(seconds=1)
        db.session.commit()


@pytest.mark.parametrize("how", ["revoked", "expired", "unknown"])
def test_unusable_invitation_shows_a_page_that_names_no_set(app, client, world, how):
    token = _invite(app, world)
    _break(app, how)
    url = f"/invitations/{token}" if how != "unknown" else "/invitations/not-a-real-token"
    response = client.get(url)
    page = response.get_data(as_text=True)
    assert response.status_code == 404
    assert INVALID_TEXT in page
    assert "Communicating assemblies" not in page
    assert "comms" not in page
    response = client.post(url, data={
        "display_name": "Nia", "organisation": "Camden Council",
        "password": NEW_PASSWORD, "confirm_password": NEW_PASSWORD})
    assert response.status_code == 404
    with app.app_context():
        assert db.session.scalar(select(User).where(User.email == "new.person@example.org")) is None
