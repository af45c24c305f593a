"""The members page: who is in a set, inviting, revoking, removing people and changing roles."""

from __future__ import annotations

import re
from email.message import EmailMessage

import pytest
from sqlalchemy import select

from forum.auth.invitations import create_invitation
from forum.extensions import db
from forum.models import Invitation
from forum.models import LearningSet
from forum.models import Membership
from forum.models import Role
from forum.models import User
from forum.models import Visibility
from tests import factories
from tests.conftest import ROLE_NAMES
from tests.mailbox import sent_messages

SET_NAME = "Communicating assemblies"


def _sign_in(client, world, role: str) -> None:
    user = world.user(role)
    if user is not None:
        client.sign_in_as(user)


def _membership_id(app, world, role: str) -> int:
    user = world.user(role)
    with app.app_context():
        return db.session.scalar(select(Membership.id).where(
            Membership.user_id == user.id, Membership.learning_set_id == world.learning_set.id))


def _role_of(app, membership_id: int) -> Role | None:
    with app.app_context():
        membership = db.session.get(Membership, membership_id)
        return None if membership is None else membership.role


def _outbox(app) -> list[EmailMessage]:
    return sent_messages(app)


def _invite(app, world, address: str = "guest@council.gov.uk", role: Role = Role.MEMBER):
    """An invitation made directly through the service: (invitation id, raw token)."""
    with app.test_request_context():
        learning_set = db.session.get(LearningSet, world.learning_set.id)
        invitation, raw_token = create_invitation(
            db.session, learning_set=learning_set, email=address, role=role,
            invited_by=db.session.get(User, world.facilitator.id))
        db.session.commit()
        return invitation.id, raw_token


@pytest.fixture
def second_set(app, world):
    """Another private set with its own facilitator and member: (slug, membership id, user)."""
    with app.app_context():
        facilitator = factories.make_user("other-fac@example.org", display_name="Olu Other")
        learning_set = factories.make_set("other", name="Another set", facilitator=facilitator)
        member = factories.make_user("other-member@example.org")
        membership = factories.add_member(member, learning_set)
        db.session.commit()
        return learning_set.id, membership.id


# --- seeing who is in the set ---------------------------------------------

#                                       anonymous outsider member moderator facilitator admin
MEMBERS_PAGE = dict(zip(ROLE_NAMES, [302, 404, 200, 200, 200, 200], strict=True))


@pytest.mark.parametrize("role", ROLE_NAMES)
def test_members_page_is_for_people_in_the_set(client, world, role):
    _sign_in(client, world, role)
    response = client.get("/sets/comms/members")
    assert response.status_code == MEMBERS_PAGE[role]
    body = response.get_data(as_text=True)
    if response.status_code == 200:
        for name in ("Fran Facilitator", "Mia Moderator", "Mo Member"):
            assert name in body
        assert "Testshire County Council" in body
    else:
        assert "Mo Member" not in body and SET_NAME not in body


def test_readers_of_a_network_set_who_are_not_members_cannot_see_its_members(app, client,
                                                                             world):
    with app.app_context():
        db.session.get(LearningSet, world.learning_set.id).visibility = Visibility.NETWORK
        db.session.commit()
    client.sign_in_as(world.outsider)
    response = client.get("/sets/comms/members")
    assert response.status_code == 403
    assert "Mo Member" not in response.get_data(as_text=True)


@pytest.mark.parametrize("role, manages", [
    ("member", False), ("moderator", False), ("facilitator", True), ("admin", True),
])
def test_management_tools_are_shown_only_to_facilitators_and_admins(client, world, role,
                                                                   manages):
    _sign_in(client, world, role)
    body = client.get("/sets/comms/members").get_data(as_text=True)
    assert ("Invite someone" in body) is manages
    assert ("Pending invitations" in body) is manages
    assert ("Change role" in body) is manages
    assert ("/remove" in body) is manages


# --- inviting --------------------------------------------------------------

def test_facilitator_invites_someone_and_an_email_is_sent(app, client, world):
    client.sign_in_as(world.facilitator)
    response = client.post("/sets/comms/invitations",
                           data={"email": "Guest@Council.gov.uk", "role": "moderator"})
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/sets/comms/members")
    with app.app_context():
        invitation = db.session.scalar(select(Invitation))
        assert invitation.email == "guest@council.gov.uk"
        assert invitation.role == Role.MODERATOR
    messages = _outbox(app)
    assert [m["To"] for m in messages] == ["guest@council.gov.uk"]
    page = client.get("/sets/comms/members").get_data(as_text=True)
    assert "guest@council.gov.uk" in page
    assert "Fran Facilitator" in page.split("Pending invitations")[1]


@pytest.mark.parametrize("role, status", [
    ("anonymous", 401), ("outsider", 404), ("member", 403), ("moderator", 403),
])
def test_others_cannot_invite(app, client, world, role, status):
    _sign_in(client, world, role)
    response = client.post("/sets/comms/invitations",
                           data={"email": "guest@council.gov.uk", "role": "member"})
    assert response.status_code == status
    with app.app_context():
        assert db.session.scalar(select(Invitation)) is None
    assert _outbox(app) == []


@pytest.mark.parametrize("address, message", [
    ("", "Enter the email address of the person to invite"),
    ("not-an-email", "Enter an email address in the correct format"),
    ("member@example.org", "already a member of this set"),
])
def test_invalid_invitation_is_refused_with_a_message_and_input_kept(app, client, world,
                                                                     address, message):
    client.sign_in_as(world.facilitator)
    response = client.post("/sets/comms/invitations",
                           data={"email": address, "role": "facilitator"})
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert "There is a problem" in body and message in body
    assert 'href="#email"' in body
    assert f'value="{address}"' in body
    assert 'value="facilitator" checked' in body
    assert _outbox(app) == []


def test_inviting_someone_twice_is_refused(app, client, world):
    client.sign_in_as(world.facilitator)
    client.post("/sets/comms/invitations", data={"email": "guest@council.gov.uk",
                                                 "role": "member"})
    response = client.post("/sets/comms/invitations", data={"email": "guest@council.gov.uk",
                                                             "role": "member"})
    assert "already has an invitation" in response.get_data(as_text=True)
    assert len(_outbox(app)) == 1


# --- revoking --------------------------------------------------------------

def test_revoked_invitation_disappears_and_its_link_no_longer_works(app, client, world):
    invitation_id, raw_token = _invite(app, world)
    assert client.get(f"/invitations/{raw_token}").status_code == 200
    client.sign_in_as(world.facilitator)
    response = client.post(f"/sets/comms/invitations/{invitation_id}/revoke")
    assert response.status_code == 302
    page = client.get("/sets/comms/members").get_data(as_text=True)
    assert "guest@council.gov.uk" not in page.split("Pending invitations")[1]
    with app.app_context():
        assert db.session.get(Invitation, invitation_id).revoked_at is not None
    client.sign_out()
    assert client.get(f"/invitations/{raw_token}").status_code == 404


@pytest.mark.parametrize("role, status", [("member", 403), ("moderator", 403),
                                          ("outsider", 404)])
def test_others_cannot_revoke_invitations(app, client, world, role, status):
    invitation_id, _ = _invite(app, world)
    _sign_in(client, world, role)
    response = client.post(f"/sets/comms/invitations/{invitation_id}/revoke")
    assert response.status_code == status
    with app.app_context():
        assert db.session.get(Invitation, invitation_id).revoked_at is None


def test_revoke_without_csrf_token_does_nothing(app, client, world):
    invitation_id, _ = _invite(app, world)
    client.sign_in_as(world.facilitator)
    client.post(f"/sets/comms/invitations/{invitation_id}/revoke", csrf=False)
    with app.app_context():
        assert db.session.get(Invitation, invitation_id).revoked_at is None


def test_invitation_of_another_set_cannot_be_revoked_through_this_one(app, client, world,
                                                                       second_set):
    other_set_id, _ = second_set
    with app.test_request_context():
        other = db.session.get(LearningSet, other_set_id)
        invitation, _ = create_invitation(db.session, learning_set=other, email="x@example.org",
                                          role=Role.MEMBER, invited_by=None)
        db.session.commit()
        invitation_id = invitation.id
    client.sign_in_as(world.facilitator)
    response = client.post(f"/sets/comms/invitations/{invitation_id}/revoke")
    assert response.status_code == 404
    assert "Another set" not in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Invitation, invitation_id).revoked_at is None


# --- removing people -------------------------------------------------------

def test_removing_a_member_asks_for_confirmation_first(app, client, world):
    membership_id = _membership_id(app, world, "member")
    client.sign_in_as(world.facilitator)
    response = client.get(f"/sets/comms/members/{membership_id}/remove")
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert "Are you sure you want to remove Mo Member" in body
    assert _role_of(app, membership_id) == Role.MEMBER


@pytest.mark.parametrize("role", ["facilitator", "admin"])
def test_facilitator_or_admin_removes_a_member(app, client, world, role):
    membership_id = _membership_id(app, world, "member")
    _sign_in(client, world, role)
    response = client.post(f"/sets/comms/members/{membership_id}/remove")
    assert response.status_code == 302
    assert _role_of(app, membership_id) is None
    assert "Mo Member was removed" in client.get(response.headers["Location"]).get_data(
        as_text=True)
    client.sign_out()
    client.sign_in_as(world.member)
    assert client.get("/sets/comms/").status_code == 404


@pytest.mark.parametrize("role, status", [("member", 403), ("moderator", 403),
                                          ("outsider", 404)])
def test_others_cannot_remove_people(app, client, world, role, status):
    membership_id = _membership_id(app, world, "moderator")
    _sign_in(client, world, role)
    assert client.get(f"/sets/comms/members/{membership_id}/remove").status_code == status
    assert client.post(f"/sets/comms/members/{membership_id}/remove").status_code == status
    assert _role_of(app, membership_id) == Role.MODERATOR


def test_remove_without_csrf_token_does_nothing(app, client, world):
    membership_id = _membership_id(app, world, "member")
    client.sign_in_as(world.facilitator)
    client.post(f"/sets/comms/members/{membership_id}/remove", csrf=False)
    assert _role_of(app, membership_id) == Role.MEMBER


def test_the_last_facilitator_cannot_be_removed(app, client, world):
    membership_id = _membership_id(app, world, "facilitator")
    client.sign_in_as(world.admin)
    response = client.post(f"/sets/comms/members/{membership_id}/remove")
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert "only facilitator of this set" in body
    assert "There is a problem" in body
    assert _role_of(app, membership_id) == Role.FACILITATOR


def test_a_facilitator_can_be_removed_when_another_remains(app, client, world):
    with app.app_context():
        db.session.get(Membership, _membership_id(app, world, "moderator")).role = (
            Role.FACILITATOR)
        db.session.commit()
    membership_id = _membership_id(app, world, "facilitator")
    client.sign_in_as(world.admin)
    assert client.post(f"/sets/comms/members/{membership_id}/remove").status_code == 302
    assert _role_of(app, membership_id) is None


def test_membership_of_another_set_gives_not_found(app, client, world, second_set):
    _, other_membership_id = second_set
    client.sign_in_as(world.facilitator)
    for url in (f"/sets/comms/members/{other_membership_id}/remove",
                f"/sets/comms/members/{other_membership_id}/role"):
        response = client.post(url, data={"role": "facilitator"})
        assert response.status_code == 404
    assert client.get(f"/sets/comms/members/{other_membership_id}/remove").status_code == 404
    assert _role_of(app, other_membership_id) == Role.MEMBER


# --- changing roles --------------------------------------------------------

@pytest.mark.parametrize("new_role", [Role.MODERATOR, Role.FACILITATOR])
def test_facilitator_changes_a_members_role(app, client, world, new_role):
    membership_id = _membership_id(app, world, "member")
    client.sign_in_as(world.facilitator)
    response = client.post(f"/sets/comms/members/{membership_id}/role",
                           data={"role": new_role.value})
    assert response.status_code == 302
    assert _role_of(app, membership_id) == new_role


def test_members_page_preselects_each_persons_role(app, client, world):
    client.sign_in_as(world.facilitator)
    body = client.get("/sets/comms/members").get_data(as_text=True)
    moderator_select = re.search(
        rf'id="membership-{_membership_id(app, world, "moderator")}-role".*?</select>', body,
        re.S).group(0)
    assert re.search(r'value="moderator"\s+selected', moderator_select)


def test_role_selects_are_not_marked_required_but_a_missing_role_is_refused(app, client, world):
    # HTML forbids `required` on a select whose first option is a real choice (the Nu checker
    # reported it on every members page); the server still insists on a role.
    client.sign_in_as(world.facilitator)
    body = client.get("/sets/comms/members").get_data(as_text=True)
    selects = re.findall(r"<select[^>]*>", body)
    assert selects, "no role select on the members page"
    assert not [tag for tag in selects if "required" in tag]

    membership_id = _membership_id(app, world, "member")
    response = client.post(f"/sets/comms/members/{membership_id}/role", data={})
    assert response.status_code == 200
    assert "Choose a role" in response.get_data(as_text=True)
    assert _role_of(app, membership_id) == Role.MEMBER


@pytest.mark.parametrize("role, status", [("member", 403), ("moderator", 403),
                                          ("outsider", 404)])
def test_others_cannot_change_roles(app, client, world, role, status):
    membership_id = _membership_id(app, world, "member")
    _sign_in(client, world, role)
    response = client.post(f"/sets/comms/members/{membership_id}/role",
                           data={"role": "facilitator"})
    assert response.status_code == status
    assert _role_of(app, membership_id) == Role.MEMBER


def test_the_last_facilitator_cannot_be_demoted(app, client, world):
    membership_id = _membership_id(app, world, "facilitator")
    client.sign_in_as(world.facilitator)
    response = client.post(f"/sets/comms/members/{membership_id}/role", data={"role": "member"})
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert "There is a problem" in body
    assert "only facilitator of this set" in body
    assert f'href="#membership-{membership_id}-role"' in body
    assert _role_of(app, membership_id) == Role.FACILITATOR


def test_invalid_role_is_refused(app, client, world):
    membership_id = _membership_id(app, world, "member")
    client.sign_in_as(world.facilitator)
    response = client.post(f"/sets/comms/members/{membership_id}/role", data={"role": "owner"})
    assert response.status_code == 200
    assert "Not a valid choice" in response.get_data(as_text=True)
    assert _role_of(app, membership_id) == Role.MEMBER


@pytest.mark.parametrize("number", ["2147483648", "9223372036854775808", "1" * 30])
@pytest.mark.parametrize(("method", "path"), [
    ("GET", "/sets/comms/members/{}/remove"),
    ("POST", "/sets/comms/members/{}/remove"),
    ("POST", "/sets/comms/members/{}/role"),
    ("POST", "/sets/comms/invitations/{}/revoke"),
])
def test_an_id_too_large_for_the_database_is_not_found(client, world, method, path, number):
    client.sign_in_as(world.facilitator)
    url = path.format(number)
    response = client.get(url) if method == "GET" else client.post(url, data={"role": "member"})
    assert response.status_code == 404


SELECT = re.compile(r"<select\b([^>]*)>\s*<option\b([^>]*)>", re.S)


def test_role_selects_are_valid_html_without_a_required_placeholder(client, world):
    """HTML allows ``required`` on a select only when its first option is an empty placeholder."""
    client.sign_in_as(world.facilitator)
    page = client.get("/sets/comms/members").text
    selects = SELECT.findall(page)
    assert selects, "the members page has a role select per member"
    for attributes, first_option in selects:
        if re.search(r"\brequired\b", attributes):
            assert 'value=""' in first_option, attributes
