"""Creating a learning set (admins) and changing its settings (admins and its facilitators)."""

from __future__ import annotations

from email.message import EmailMessage

import pytest
from sqlalchemy import func
from sqlalchemy import select

from forum.extensions import db
from forum.models import Invitation
from forum.models import LearningSet
from forum.models import Membership
from forum.models import Role
from forum.models import Visibility
from tests import factories
from tests.conftest import ROLE_NAMES
from tests.mailbox import sent_messages

SET_NAME = "Communicating assemblies"


def _sign_in(client, world, role: str) -> None:
    user = world.user(role)
    if user is not None:
        client.sign_in_as(user)


def _new_set(**overrides) -> dict[str, str]:
    data = {"name": "Recruiting by sortition", "slug": "", "purpose": "Stratified lotteries.",
            "visibility": "private", "facilitator_email": "facilitator@example.org"}
    data.update(overrides)
    return data


def _get_set(app, slug: str) -> LearningSet | None:
    with app.app_context():
        learning_set = db.session.scalar(select(LearningSet).where(LearningSet.slug == slug))
        if learning_set is not None:
            db.session.expunge(learning_set)
        return learning_set


def _outbox(app) -> list[EmailMessage]:
    return sent_messages(app)


# --- who may create sets ---------------------------------------------------

@pytest.mark.parametrize("role, status", [
    ("anonymous", 302), ("outsider", 403), ("member", 403), ("moderator", 403),
    ("facilitator", 403), ("admin", 200),
])
def test_only_admins_can_open_the_new_set_form(client, world, role, status):
    _sign_in(client, world, role)
    assert client.get("/sets/new").status_code == status


@pytest.mark.parametrize("role", ["outsider", "member", "facilitator"])
def test_non_admins_cannot_create_sets_by_posting(app, client, world, role):
    _sign_in(client, world, role)
    assert client.post("/sets/new", data=_new_set()).status_code == 403
    assert _get_set(app, "recruiting-by-sortition") is None


def test_new_set_form_offers_each_visibility_with_an_explanation_private_first(client, world):
    client.sign_in_as(world.admin)
    body = client.get("/sets/new").get_data(as_text=True)
    assert body.index('value="private"') < body.index('value="network"')
    assert 'value="private" checked' in body
    assert "Only members of the set can find it and read it." in body
    assert "Anyone with an account on this site can read it." in body
    assert "Anyone on the internet can read it" in body


# --- creating --------------------------------------------------------------

def test_admin_creates_a_set_and_an_existing_user_becomes_its_facilitator(app, client, world):
    client.sign_in_as(world.admin)
    response = client.post("/sets/new", data=_new_set(visibility="network"))
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/sets/recruiting-by-sortition/")
    learning_set = _get_set(app, "recruiting-by-sortition")
    assert learning_set.name == "Recruiting by sortition"
    assert learning_set.purpose == "Stratified lotteries."
    assert learning_set.visibility == Visibility.NETWORK
    with app.app_context():
        role = db.session.scalar(select(Membership.role).where(
            Membership.learning_set_id == learning_set.id,
            Membership.user_id == world.facilitator.id))
    assert role == Role.FACILITATOR
    assert _outbox(app) == []
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Fran Facilitator is its facilitator" in page


def test_facilitator_email_is_matched_whatever_its_case(app, client, world):
    client.sign_in_as(world.admin)
    client.post("/sets/new", data=_new_set(facilitator_email="  Member@Example.ORG "))
    learning_set = _get_set(app, "recruiting-by-sortition")
    with app.app_context():
        role = db.session.scalar(select(Membership.role).where(
            Membership.learning_set_id == learning_set.id, Membership.user_id == world.member.id))
    assert role == Role.FACILITATOR


def test_new_facilitator_without_an_account_is_emailed_an_invitation(app, client, world):
    client.sign_in_as(world.admin)
    response = client.post("/sets/new", data=_new_set(facilitator_email="newcomer@council.gov.uk"))
    assert response.status_code == 302
    learning_set = _get_set(app, "recruiting-by-sortition")
    with app.app_context():
        invitation = db.session.scalar(
            select(Invitation).where(Invitation.learning_set_id == learning_set.id))
        assert invitation.email == "newcomer@council.gov.uk"
        assert invitation.role == Role.FACILITATOR
        assert invitation.invited_by_id == world.admin.id
        assert db.session.scalar(select(Membership).where(
            Membership.learning_set_id == learning_set.id)) is None
    messages = _outbox(app)
    assert [m["To"] for m in messages] == ["newcomer@council.gov.uk"]
    assert "Recruiting by sortition" in messages[0]["Subject"]


@pytest.mark.parametrize("name, expected_slug", [
    ("Recruiting by sortition", "recruiting-by-sortition"),
    ("  Café & Co: Assemblies!  ", "cafe-co-assemblies"),
    ("Year 2025 -- review", "year-2025-review"),
    ("New", "new-2"),
    ("!!!", "set"),
])
def test_slug_is_generated_from_the_name_when_left_blank(app, client, world, name,
                                                         expected_slug):
    client.sign_in_as(world.admin)
    response = client.post("/sets/new", data=_new_set(name=name))
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/sets/{expected_slug}/")


def test_generated_slug_is_numbered_when_the_name_is_taken(app, client, world):
    client.sign_in_as(world.admin)
    with app.app_context():
        factories.make_set("recruiting-by-sortition", name="An older set")
        db.session.commit()
    first = client.post("/sets/new", data=_new_set())
    second = client.post("/sets/new", data=_new_set())
    assert first.headers["Location"].endswith("/sets/recruiting-by-sortition-2/")
    assert second.headers["Location"].endswith("/sets/recruiting-by-sortition-3/")


def test_a_web_address_taken_at_the_same_moment_is_refused_with_the_input_kept(
        app, client, world, monkeypatch):
    """Both admins' checks find "sortition-2025" free before either saves: the second is told
    the address is taken, with what they typed kept (not a 500)."""
    from forum.sets import service

    client.sign_in_as(world.admin)
    assert client.post("/sets/new", data=_new_set(slug="sortition-2025")).status_code == 302
    monkeypatch.setattr(service, "slug_taken", lambda session, slug, excluding=None: False)
    response = client.post("/sets/new", data=_new_set(
        name="Keep this name", slug="sortition-2025", purpose="Keep this purpose"))
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert "Another set already uses that web address" in body
    assert 'value="Keep this name"' in body and "Keep this purpose" in body


def test_chosen_slug_is_used_in_lowercase(app, client, world):
    client.sign_in_as(world.admin)
    response = client.post("/sets/new", data=_new_set(slug="Sortition-2025"))
    assert response.headers["Location"].endswith("/sets/sortition-2025/")


@pytest.mark.parametrize("field, value, message", [
    ("name", "", "Enter a name for the set"),
    ("name", "   ", "Enter a name for the set"),
    ("name", "x" * 151, "Name must be 150 characters or fewer"),
    ("slug", "comms", "Another set already uses that web address"),
    ("slug", "has spaces", "can only contain lowercase letters, numbers and single hyphens"),
    ("slug", "double--hyphen", "can only contain lowercase letters"),
    ("slug", "-leading", "can only contain lowercase letters"),
    ("slug", "a", "at least 2 characters"),
    ("slug", "new", "is reserved"),
    ("slug", "x" * 81, "80 characters or fewer"),
    ("facilitator_email", "", "Enter the facilitator’s email address"),
    ("facilitator_email", "not-an-email", "Enter an email address in the correct format"),
    ("visibility", "secret", "Not a valid choice"),
])
def test_invalid_new_set_is_refused_with_a_message_and_input_kept(app, client, world, field,
                                                                  value, message):
    client.sign_in_as(world.admin)
    data = _new_set(name="Keep this name", purpose="Keep this purpose")
    data[field] = value
    response = client.post("/sets/new", data=data)
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert "There is a problem" in body
    assert "<title>Error:" in body
    assert message in body
    if field != "name":
        assert 'value="Keep this name"' in body
    assert "Keep this purpose" in body
    with app.app_context():
        assert db.session.scalar(
            select(LearningSet).where(LearningSet.name == "Keep this name")) is None


def test_new_set_without_csrf_token_creates_nothing(app, client, world):
    client.sign_in_as(world.admin)
    response = client.post("/sets/new", data=_new_set(), csrf=False)
    assert response.status_code == 200
    assert _get_set(app, "recruiting-by-sortition") is None


# --- settings --------------------------------------------------------------

#                                      anonymous outsider member moderator facilitator admin
SETTINGS = dict(zip(ROLE_NAMES, [302, 404, 403, 403, 200, 200], strict=True))


@pytest.mark.parametrize("role", ROLE_NAMES)
def test_settings_page_is_for_facilitators_and_admins(client, world, role):
    _sign_in(client, world, role)
    response = client.get("/sets/comms/settings")
    assert response.status_code == SETTINGS[role]
    if response.status_code == 404:
        assert SET_NAME not in response.get_data(as_text=True)


def test_settings_form_shows_current_values(client, world):
    client.sign_in_as(world.facilitator)
    body = client.get("/sets/comms/settings").get_data(as_text=True)
    assert f'value="{SET_NAME}"' in body
    assert 'value="private" checked' in body


@pytest.mark.parametrize("role", ["facilitator", "admin"])
def test_facilitator_or_admin_changes_name_purpose_and_visibility(app, client, world, role):
    _sign_in(client, world, role)
    response = client.post("/sets/comms/settings", data={
        "name": "Talking about assemblies", "purpose": "Press and social media.",
        "visibility": "public"})
    assert response.status_code == 302
    learning_set = _get_set(app, "comms")
    assert learning_set.name == "Talking about assemblies"
    assert learning_set.purpose == "Press and social media."
    assert learning_set.visibility == Visibility.PUBLIC


@pytest.mark.parametrize("role, status", [("member", 403), ("moderator", 403), ("outsider", 404)])
def test_others_cannot_change_settings(app, client, world, role, status):
    _sign_in(client, world, role)
    response = client.post("/sets/comms/settings", data={
        "name": "Hijacked", "purpose": "", "visibility": "public"})
    assert response.status_code == status
    assert _get_set(app, "comms").name == SET_NAME


def test_invalid_settings_are_refused_and_input_kept(app, client, world):
    client.sign_in_as(world.facilitator)
    response = client.post("/sets/comms/settings", data={
        "name": "", "purpose": "A new purpose I typed", "visibility": "network"})
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert "Enter a name for the set" in body
    assert "A new purpose I typed" in body
    assert 'value="network" checked' in body
    assert _get_set(app, "comms").visibility == Visibility.PRIVATE


def test_lists_of_sets_show_any_purpose_as_typed(app, client, world):
    """A purpose is plain text: the lists show it as the set's page does, and no purpose
    (one read as a broken SGML section, say) can make them fail for everyone."""
    purpose = "Compare x<y and z>w; notes <![1] kept & <script>s</script>"
    client.sign_in_as(world.facilitator)
    assert client.post("/sets/comms/settings", data={
        "name": SET_NAME, "purpose": purpose, "visibility": "public"}).status_code == 302
    shown = "Compare x&lt;y and z&gt;w; notes &lt;![1] kept &amp; &lt;script&gt;s&lt;/script&gt;"
    assert shown in client.get("/sets/comms/").text
    client.sign_in_as(world.member)
    for url in ("/", "/sets/"):
        response = client.get(url)
        assert response.status_code == 200, url
        assert shown in response.text, url


def test_an_address_made_from_the_name_taken_at_the_same_moment_takes_the_next_free_one(
        app, client, world, monkeypatch):
    """The admin left the address empty: when another set takes the one made from the name
    just before this one saves, the set takes the next free address (as a guide does), rather
    than being refused beside an address field the admin never filled in."""
    from forum.sets import service

    client.sign_in_as(world.admin)
    assert client.post("/sets/new", data=_new_set(name="Recruiting by sortition")
                       ).status_code == 302
    real, stale = service.unique_slug, ["recruiting-by-sortition"]
    monkeypatch.setattr(service, "unique_slug",
                        lambda session, name: stale.pop() if stale else real(session, name))
    response = client.post("/sets/new", data=_new_set(name="Recruiting by sortition"))
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/sets/recruiting-by-sortition-2/")
    with app.app_context():
        assert db.session.scalar(select(func.count(LearningSet.id)).where(
            LearningSet.name == "Recruiting by sortition")) == 2
