"""The admin area: the people and sets dashboard, one person's account, and site settings."""

from __future__ import annotations

import re

import pytest

from forum import site_settings
from forum.extensions import db
from forum.models import User
from tests import factories
from tests.conftest import ROLE_NAMES

ADMIN_PAGES = ["/admin/", "/admin/users/{member_id}", "/admin/settings"]


def _sign_in(client, world, role: str) -> None:
    user = world.user(role)
    if user is not None:
        client.sign_in_as(user)


def _user(app, user_id: int) -> User:
    with app.app_context():
        user = db.session.get(User, user_id)
        db.session.expunge(user)
        return user


@pytest.mark.parametrize("page", ADMIN_PAGES)
@pytest.mark.parametrize("role", ROLE_NAMES)
def test_admin_pages_are_for_admins_only(client, world, role, page):
    _sign_in(client, world, role)
    response = client.get(page.format(member_id=world.member.id))
    expected = {"anonymous": 302, "admin": 200}.get(role, 403)
    assert response.status_code == expected
    if role == "anonymous":
        assert "/sign-in" in response.headers["Location"]


@pytest.mark.parametrize("action", ["make-admin", "remove-admin", "disable", "enable"])
@pytest.mark.parametrize("role", ["member", "facilitator"])
def test_non_admins_cannot_change_accounts(app, client, world, role, action):
    _sign_in(client, world, role)
    response = client.post(f"/admin/users/{world.outsider.id}/{action}")
    assert response.status_code == 403
    outsider = _user(app, world.outsider.id)
    assert not outsider.is_admin and not outsider.is_disabled


def test_dashboard_lists_people_and_sets_with_a_link_to_create_one(client, world):
    client.sign_in_as(world.admin)
    body = client.get("/admin/").get_data(as_text=True)
    for text in ("Mo Member", "member@example.org", "Testshire County Council",
                 "Communicating assemblies", 'href="/sets/new"', "Create a learning set"):
        assert text in body


@pytest.mark.parametrize("q, shown, hidden", [
    ("mo", ["Mo Member", "Mia Moderator"], ["Otto Outsider", "Ada Admin"]),
    ("OUTSIDER@", ["Otto Outsider"], ["Mo Member"]),
    ("nobody-matches", [], ["Mo Member", "Otto Outsider"]),
    ("%", [], ["Mo Member"]),
])
def test_dashboard_filters_people_by_name_or_email(client, world, q, shown, hidden):
    client.sign_in_as(world.admin)
    response = client.get("/admin/", query_string={"q": q})
    body = response.get_data(as_text=True)
    people = body.split(">People</h2>")[1].split("Learning sets</h2>")[0]
    for name in shown:
        assert name in people
    for name in hidden:
        assert name not in people
    assert f'value="{q}"' in body


def test_dashboard_pages_through_many_people(app, client, world):
    with app.app_context():
        for n in range(30):
            factories.make_user(f"person{n:02d}@example.org", display_name=f"Person {n:02d}")
        db.session.commit()
    client.sign_in_as(world.admin)
    first = client.get("/admin/").get_data(as_text=True)
    second = client.get("/admin/?page=2").get_data(as_text=True)
    assert "govuk-pagination" in first
    assert first.count("/admin/users/") == 25
    assert second.count("/admin/users/") == 35 - 25
    assert "page 2 of 2" in second
    filtered = client.get("/admin/?q=person&page=2").get_data(as_text=True)
    assert 'href="/admin/?page=1&amp;q=person"' in filtered or \
        'href="/admin/?q=person&amp;page=1"' in filtered
    assert client.get("/admin/?page=banana").status_code == 200


def test_unknown_user_gives_not_found(client, world):
    client.sign_in_as(world.admin)
    assert client.get("/admin/users/99999").status_code == 404
    assert client.get("/admin/users/99999999999999").status_code == 404
    assert client.post("/admin/users/99999/disable").status_code == 404


@pytest.mark.parametrize("action, attribute, value", [
    ("make-admin", "is_admin", True),
    ("disable", "is_disabled", True),
])
def test_admin_makes_someone_admin_or_disables_them(app, client, world, action, attribute,
                                                    value):
    client.sign_in_as(world.admin)
    response = client.post(f"/admin/users/{world.member.id}/{action}")
    assert response.status_code == 302
    assert getattr(_user(app, world.member.id), attribute) is value


@pytest.mark.parametrize("action, attribute", [("remove-admin", "is_admin"),
                                               ("enable", "is_disabled")])
def test_admin_removes_admin_rights_or_enables_an_account(app, client, world, action,
                                                           attribute):
    with app.app_context():
        setattr(db.session.get(User, world.member.id), attribute, True)
        db.session.commit()
    client.sign_in_as(world.admin)
    assert client.post(f"/admin/users/{world.member.id}/{action}").status_code == 302
    assert getattr(_user(app, world.member.id), attribute) is False


def test_disabled_person_can_no_longer_use_the_site(app, client, world):
    client.sign_in_as(world.admin)
    client.post(f"/admin/users/{world.member.id}/disable")
    client.sign_out()
    client.sign_in_as(world.member)
    assert client.get("/sets/").status_code == 302


@pytest.mark.parametrize("action, message", [
    ("remove-admin", "You cannot remove your own admin rights"),
    ("disable", "You cannot disable your own account"),
])
def test_admin_cannot_demote_or_disable_themselves(app, client, world, action, message):
    client.sign_in_as(world.admin)
    response = client.post(f"/admin/users/{world.admin.id}/{action}")
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert message in body and "There is a problem" in body
    admin = _user(app, world.admin.id)
    assert admin.is_admin and not admin.is_disabled


def test_own_account_page_offers_no_self_demotion_buttons(client, world):
    client.sign_in_as(world.admin)
    body = client.get(f"/admin/users/{world.admin.id}").get_data(as_text=True)
    assert "Remove admin rights" not in body
    assert "Disable account" not in body
    other = client.get(f"/admin/users/{world.member.id}").get_data(as_text=True)
    assert "Make admin" in other and "Disable account" in other


def test_account_change_without_csrf_token_does_nothing(app, client, world):
    client.sign_in_as(world.admin)
    client.post(f"/admin/users/{world.member.id}/make-admin", csrf=False)
    assert _user(app, world.member.id).is_admin is False


# --- site settings ---------------------------------------------------------

def test_settings_explain_that_sets_stay_invite_only(client, world):
    client.sign_in_as(world.admin)
    body = client.get("/admin/settings").get_data(as_text=True)
    assert "Allow open sign-up" in body
    assert "Learning sets stay invite-only" in body


@pytest.mark.parametrize("submitted, expected", [({"open_signup": "y"}, True), ({}, False)])
def test_admin_turns_open_sign_up_on_and_off(app, client, world, submitted, expected):
    with app.app_context():
        site_settings.set_bool(db.session, site_settings.OPEN_SIGNUP, not expected)
        db.session.commit()
    client.sign_in_as(world.admin)
    response = client.post("/admin/settings", data=submitted)
    assert response.status_code == 302
    with app.app_context():
        assert site_settings.open_signup_enabled(db.session) is expected
    page = client.get("/admin/settings").get_data(as_text=True)
    checkbox = re.search(r'<input[^>]*name="open_signup"[^>]*>', page).group(0)
    assert ("checked" in checkbox) is expected


@pytest.mark.parametrize("role", ["member", "facilitator"])
def test_non_admins_cannot_change_site_settings(app, client, world, role):
    _sign_in(client, world, role)
    assert client.post("/admin/settings", data={"open_signup": "y"}).status_code == 403
    with app.app_context():
        assert site_settings.open_signup_enabled(db.session) is False


def test_open_sign_up_saved_twice_at_once_keeps_the_second_choice(app, client, world,
                                                                   monkeypatch):
    """Both saves find the setting never stored before either writes it (the button pressed
    twice, or two admins): the second is saved too, not a 500 from the primary key."""
    from sqlalchemy import insert

    from forum.models import SiteSetting

    def saved_meanwhile(session, key):
        session.execute(insert(SiteSetting).values(key=key, value="false"))
        return None

    monkeypatch.setattr(site_settings, "_stored", saved_meanwhile)
    client.sign_in_as(world.admin)
    response = client.post("/admin/settings", data={"open_signup": "y"})
    assert response.status_code == 302
    assert "Open sign-up is now on." in client.get(response.headers["Location"]).text
    monkeypatch.undo()
    with app.app_context():
        assert site_settings.open_signup_enabled(db.session) is True
