"""Keeping the list of organisations: admins and network coordinators change and merge
records (logged; people and their guide credits move), and people ask for theirs to be added."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from forum.extensions import db
from forum.models import Nation
from forum.models import Notification
from forum.models import NotificationKind
from forum.models import Organisation
from forum.models import OrganisationChange
from forum.models import OrganisationKind
from forum.models import User
from tests import factories


def _record(name: str) -> int:
    record = Organisation(name=name, kind=OrganisationKind.OTHER)
    db.session.add(record)
    db.session.commit()
    return record.id


def _person(email: str, organisation: str, organisation_id: int | None) -> int:
    user = factories.make_user(email, display_name=email.split("@")[0].title())
    user.organisation, user.organisation_id = organisation, organisation_id
    db.session.commit()
    return user.id


def _coordinator() -> User:
    user = factories.make_user("cora@example.org", display_name="Cora Coordinator")
    user.is_network_coordinator = True
    db.session.commit()
    db.session.refresh(user)
    db.session.expunge(user)
    return user


def test_a_coordinator_renames_an_organisation_and_its_people_follow(app, client, world):
    with app.app_context():
        record = _record("Eastmor Council")
        person = _person("e1@example.org", "Eastmor Council", record)
        typed = _person("e2@example.org", "eastmoor council ", None)
        coordinator = _coordinator()
    client.sign_in_as(coordinator)
    assert client.get(f"/admin/organisations/{record}/edit").status_code == 200
    response = client.post(f"/admin/organisations/{record}/edit", data={
        "name": "Eastmoor Council", "kind": "district", "nation": "england", "website": ""})
    assert response.status_code == 302
    with app.app_context():
        saved = db.session.get(Organisation, record)
        assert (saved.name, saved.kind, saved.nation) == (
            "Eastmoor Council", OrganisationKind.DISTRICT, Nation.ENGLAND)
        assert db.session.get(User, person).organisation == "Eastmoor Council"
        assert db.session.get(User, typed).organisation_id == record
        change = db.session.scalar(select(OrganisationChange))
        assert change.action == "edited" and "Eastmor Council" in change.detail
        assert change.actor_id == coordinator.id
    assert "Eastmor Council" in client.get("/admin/organisations").get_data(as_text=True)


def test_renaming_to_a_name_already_listed_is_refused_beside_the_field(app, client, world):
    with app.app_context():
        record = _record("Kingsford BC")
        _record("Kingsford Borough Council")
    client.sign_in_as(world.admin)
    response = client.post(f"/admin/organisations/{record}/edit", data={
        "name": "kingsford borough council", "kind": "other", "nation": "", "website": ""})
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "already on the list" in page
    assert 'value="kingsford borough council"' in page


def test_merging_moves_people_and_their_credits_and_is_logged(app, client, world):
    with app.app_context():
        duplicate = _record("Northbridge MBC")
        survivor = _record("Northbridge Metropolitan Borough Council")
        person = _person("n1@example.org", "Northbridge MBC", duplicate)
    client.sign_in_as(world.admin)
    response = client.post(f"/admin/organisations/{duplicate}/merge",
                           data={"survivor": str(survivor)})
    assert response.status_code == 302
    with app.app_context():
        assert db.session.get(Organisation, duplicate) is None
        moved = db.session.get(User, person)
        assert (moved.organisation_id, moved.organisation) == (
            survivor, "Northbridge Metropolitan Borough Council")
        change = db.session.scalar(select(OrganisationChange))
        assert change.action == "merged" and "Northbridge MBC" in change.detail
    assert "Northbridge MBC" in client.get("/admin/organisations").text  # recent changes
    assert "; 1 person moved" in change.detail


def test_the_merge_list_starts_with_no_organisation_chosen(app, client, world):
    """An irreversible merge needs a choice: pressing Merge straight away (without the
    type-ahead's script) asks for one and merges nothing."""
    with app.app_context():
        duplicate = _record("Westby DC")
        _record("Westby District Council")
    client.sign_in_as(world.admin)
    page = client.get(f"/admin/organisations/{duplicate}/merge").get_data(as_text=True)
    first = re.search(r'<select[^>]*>\s*<option([^>]*)>([^<]*)</option>', page)
    assert first is not None
    assert 'value=""' in first.group(1) and first.group(2).strip() == "Choose an organisation"
    assert page.count("selected") == 0
    response = client.post(f"/admin/organisations/{duplicate}/merge", data={"survivor": ""})
    text = response.get_data(as_text=True)
    assert response.status_code == 200 and "govuk-error-summary" in text
    assert "Choose the organisation to merge into" in text
    with app.app_context():
        assert db.session.get(Organisation, duplicate) is not None


def test_merging_into_itself_or_nothing_is_refused(app, client, world):
    with app.app_context():
        record = _record("Only Council")
    client.sign_in_as(world.admin)
    # The only record: nothing to choose from, so the page says so (no error pointing at a
    # field that is not there).
    response = client.post(f"/admin/organisations/{record}/merge", data={"survivor": str(record)})
    text = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "There is no other organisation on the list to merge into." in text
    assert "govuk-error-summary" not in text
    with app.app_context():
        _record("Other Council")
    response = client.post(f"/admin/organisations/{record}/merge", data={"survivor": str(record)})
    assert response.status_code == 200 and "Not a valid choice" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Organisation, record) is not None


@pytest.mark.parametrize("role", ["member", "facilitator"])
def test_other_people_cannot_change_or_merge(app, client, world, role):
    with app.app_context():
        record = _record("Some Council")
    client.sign_in_as(world.user(role))
    assert client.get(f"/admin/organisations/{record}/edit").status_code == 403
    assert client.post(f"/admin/organisations/{record}/merge", data={}).status_code == 403
    # Coordinators keep the organisation pages only, not the rest of the admin area.


def test_a_coordinator_is_not_let_into_the_rest_of_the_admin_area(app, client, world):
    with app.app_context():
        coordinator = _coordinator()
    client.sign_in_as(coordinator)
    assert client.get("/admin/").status_code == 403
    assert client.get("/admin/organisations").status_code == 200


def test_my_organisation_is_not_listed_tells_the_admins_and_keeps_the_text(app, client, world):
    client.sign_in_as(world.member)
    response = client.post("/account/profile", data={
        "display_name": "Mo Member", "organisation": "Westerby Parish Council",
        "not_listed": "y", "credit_preference": "organisation"})
    assert response.status_code == 302
    with app.app_context():
        assert db.session.get(User, world.member.id).organisation == "Westerby Parish Council"
        told = db.session.scalars(select(Notification).where(
            Notification.kind == NotificationKind.ORGANISATION_REQUEST)).all()
        assert [n.user_id for n in told] == [world.admin.id]
        assert "Westerby Parish Council" in told[0].text
    client.sign_in_as(world.admin)
    page = client.get("/admin/organisations").get_data(as_text=True)
    assert "Westerby Parish Council" in page and "(1 person)" in page
    assert 'value="Westerby Parish Council"' in client.get(
        "/admin/organisations?name=Westerby+Parish+Council").get_data(as_text=True)


def test_unlisted_names_in_other_accented_capitals_are_counted_as_one(app, client, world):
    """On SQLite "ÉCOLE DE KINGSFORD" and "École de Kingsford" were listed as two names."""
    with app.app_context():
        for n, typed in enumerate(["École de Kingsford", "ÉCOLE DE KINGSFORD ",
                                   "école de kingsford", "Westerby Parish Council"]):
            _person(f"p{n}@example.org", typed, None)
    client.sign_in_as(world.admin)
    page = client.get("/admin/organisations").get_data(as_text=True)
    assert re.search(r"<bdi>[ÉEée]\w+ de Kingsford</bdi> \(3 people\)", page, re.I), page
    assert "<bdi>Westerby Parish Council</bdi> (1 person)" in page


def test_asking_for_a_listed_organisation_tells_nobody(app, client, world):
    with app.app_context():
        _record("Listed Council")
    client.sign_in_as(world.member)
    client.post("/account/profile", data={
        "display_name": "Mo Member", "organisation": "listed council",
        "not_listed": "y", "credit_preference": "organisation"})
    with app.app_context():
        assert db.session.scalar(select(Notification.id).where(
            Notification.kind == NotificationKind.ORGANISATION_REQUEST)) is None


@pytest.mark.parametrize(("listed", "typed_name"), [
    ("Kingsford Borough Council", "Kingsford Borough Council"),
    ("Kingsford Borough Council", "KINGSFORD borough council"),
    ("Université de Kingsford", "UNIVERSITÉ DE KINGSFORD"),
], ids=["the same name", "in other capitals", "in other accented capitals"])
def test_a_name_listed_by_someone_else_at_the_same_moment_is_refused_with_the_text_kept(
        app, client, world, monkeypatch, listed, typed_name):
    """Adding, or renaming to, a name that another admin lists a moment before (the same, or
    "Kent" against "kent"): both checks found it free before either saved; the database
    refuses the second, which is told so beside the name with what was typed kept (not a
    500)."""
    from forum import organisations

    with app.app_context():
        record = _record("Kingsford BC")
        _record(listed)  # listed a moment ago
    monkeypatch.setattr(organisations, "find_by_name", lambda session, name: None)  # stale
    client.sign_in_as(world.admin)
    typed = {"name": typed_name, "kind": "other", "nation": "",
             "website": "https://kingsford.example.org"}
    for url in ("/admin/organisations", f"/admin/organisations/{record}/edit"):
        response = client.post(url, data=typed)
        page = response.get_data(as_text=True)
        assert response.status_code == 200 and "already on the list" in page, url
        assert 'value="https://kingsford.example.org"' in page, url
    with app.app_context():
        assert sorted(db.session.scalars(select(Organisation.name))) == sorted([
            "Kingsford BC", listed])


def test_a_record_renamed_by_the_upgrade_is_shown_as_the_upgrades_doing(app, client, world):
    """The upgrade to names unique ignoring case renames a later "kent" and logs it with no
    actor: the admins' change log says the upgrade did it, not "a former member"."""
    with app.app_context():
        record = _record("kent (no. 2)")
        db.session.add(OrganisationChange(
            actor_id=None, organisation_id=record, action="renamed",
            detail="kent: name kent → kent (no. 2) when organisation names became unique "
                   "ignoring case (Kent, no. 1, has the same name): merge one into the other"))
        db.session.commit()
    client.sign_in_as(world.admin)
    page = client.get("/admin/organisations").get_data(as_text=True)
    assert re.search(r"The upgrade</bdi>\s*renamed", page), page


def test_adding_an_unlisted_name_too_long_for_the_list_keeps_it_whole_and_says_so(
        app, client, world):
    long_name = "Westerby and District Parish Council for the Villages of " + "Upper " * 20 + "End"
    assert len(long_name) > 150
    client.sign_in_as(world.admin)
    page = client.get("/admin/organisations", query_string={"name": long_name}).text
    assert f'value="{long_name}"' in page  # not cut at 150 characters behind the admin's back
    assert f"The name must be 150 characters or fewer (it has {len(long_name)})" in page
