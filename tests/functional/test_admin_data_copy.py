"""An admin answers a subject access request (issue 17): a copy of a person's data, made by
the same background job as the person's own, downloaded by admins only (never shown to the
person), each request and download in the admin log, deleted by retention and erasure."""

from __future__ import annotations

import json
import re
from datetime import timedelta
from pathlib import Path

from sqlalchemy import select
from sqlalchemy import update

from forum.extensions import db
from forum.guides.export.storage import storage_for
from forum.models import AccountEvent
from forum.models import DataExport
from forum.models import Notification
from forum.models import NotificationKind
from forum.models import QueuedEmail
from forum.models import User
from forum.models import utcnow
from forum.people import erasure
from forum.people import exports
from forum.people.storage import export_storage
from tests import factories
from tests.functional.my_data import fetch
from tests.functional.my_data import run_waiting_exports
from tests.functional.my_data import zip_contents

COPY_BUTTON = "Make a copy of this person’s data"
COPY_LINK = re.compile(r'href="(/admin/users/(\d+)/data-copy/(\d+))"')


def _page(client, person_id: int) -> str:
    return client.get(f"/admin/users/{person_id}").get_data(as_text=True)


def _copy_link(client, person_id: int) -> str | None:
    found = COPY_LINK.search(_page(client, person_id))
    return found.group(1) if found else None


def _ready_copy(app, client, admin, person_id: int) -> str:
    client.sign_in_as(admin)
    response = client.post(f"/admin/users/{person_id}/data-copy")
    assert response.status_code == 302
    assert run_waiting_exports(app) == 1
    link = _copy_link(client, person_id)
    assert link is not None, "no download on the person's admin page once made"
    return link


def _rows(app) -> list[DataExport]:
    with app.app_context():
        rows = list(db.session.scalars(select(DataExport).order_by(DataExport.id)))
        for row in rows:
            db.session.expunge(row)
        return rows


def _files(app) -> list[Path]:
    with app.app_context():
        root = export_storage().path("x").parent
    return list(root.rglob("*.zip")) if root.exists() else []


def _log(app) -> list[tuple[int | None, int, str]]:
    with app.app_context():
        return [(e.actor_id, e.account_id, e.action) for e in db.session.scalars(
            select(AccountEvent).order_by(AccountEvent.id))]


def test_an_admin_asks_the_worker_makes_and_the_admin_downloads_the_persons_posts(
        app, client, world):
    client.sign_in_as(world.admin)
    assert COPY_BUTTON in _page(client, world.member.id)
    response = client.post(f"/admin/users/{world.member.id}/data-copy")
    assert response.status_code == 302
    [row] = _rows(app)
    assert row.for_admin and row.user_id == world.member.id
    assert row.requested_by_id == world.admin.id
    assert _files(app) == []  # nothing made while the admin waited
    page = _page(client, world.member.id)
    assert "A copy is being made" in page and COPY_BUTTON not in page

    assert run_waiting_exports(app) == 1
    link = _copy_link(client, world.member.id)
    response = fetch(client, link)
    assert response.status_code == 200 and response.mimetype == "application/zip"
    assert "no-store" in response.headers["Cache-Control"]
    assert f"data-of-account-{world.member.id}-" in response.headers["Content-Disposition"]
    data, summary = zip_contents(response)
    assert data["profile"]["email"] == "member@example.org"
    assert "What did you call yours?" in json.dumps(data["posts"])  # the person's post
    assert "What did you call yours?" in summary


def test_the_admin_is_told_in_the_site_only_and_the_person_is_not_told(app, client, world):
    _ready_copy(app, client, world.admin, world.member.id)
    with app.app_context():
        notes = list(db.session.scalars(select(Notification).where(
            Notification.kind.in_((NotificationKind.DATA_READY,
                                   NotificationKind.DATA_COPY_READY)))))
        assert [(n.user_id, n.kind) for n in notes] == [
            (world.admin.id, NotificationKind.DATA_COPY_READY)]
        assert "Mo Member" in notes[0].text
        note_id = notes[0].id
        assert db.session.scalars(select(QueuedEmail)).all() == []  # no email to anyone
    listed = client.get("/notifications").get_data(as_text=True)
    assert "The copy of Mo Member’s data you asked for is ready" in listed
    opened = client.get(f"/notifications/{note_id}")
    assert opened.status_code == 302
    assert opened.location.endswith(f"/admin/users/{world.member.id}#data-copy")


def test_only_admins_may_fetch_the_copy_and_the_person_does_not_see_it(app, client, world):
    link = _ready_copy(app, client, world.admin, world.member.id)
    [row] = _rows(app)
    with app.app_context():
        other_admin = factories.make_user("second.admin@example.org",
                                          display_name="Sam Second", is_admin=True)
        db.session.commit()
        db.session.refresh(other_admin)
        db.session.expunge(other_admin)
    client.sign_in_as(other_admin)  # any admin: the request can be answered in their absence
    assert fetch(client, link).status_code == 200

    # Not through the person's own pages, for anyone: those serve only their own copies.
    for someone in (world.member, world.moderator, world.facilitator, world.outsider,
                    world.admin):
        client.sign_in_as(someone)
        assert fetch(client, f"/account/data/{row.id}/download").status_code == 404
        assert client.get(f"/account/data/{row.id}/status").status_code == 404
        page = client.get("/account/data").get_data(as_text=True)
        assert f"/{row.id}/download" not in page
    # Nor the admin area, for anyone but an admin (refused there, as the whole area is).
    for someone in (world.member, world.moderator, world.facilitator):
        client.sign_in_as(someone)
        assert fetch(client, link).status_code == 403
    client.sign_in_as(world.member)
    assert "Your data is being prepared" not in client.get("/account/data").get_data(
        as_text=True)
    # Another person's page does not serve it.
    client.sign_in_as(world.admin)
    assert fetch(client, link.replace(f"/users/{world.member.id}/",
                                      f"/users/{world.moderator.id}/")).status_code == 404


def test_each_request_and_each_download_is_in_the_account_log_with_who_and_when(
        app, client, world):
    link = _ready_copy(app, client, world.admin, world.member.id)
    fetch(client, link)
    fetch(client, link)
    member, admin = world.member.id, world.admin.id
    assert _log(app) == [(admin, member, "data_copy_requested"),
                         (admin, member, "data_copy_downloaded"),
                         (admin, member, "data_copy_downloaded")]
    log = client.get("/admin/log").get_data(as_text=True)
    assert "Copy of their data asked for (subject access request)" in log
    assert log.count("Copy of their data downloaded") == 2
    assert "Ada Admin" in log and "<time datetime=" in log


def test_a_second_press_while_a_copy_is_made_starts_no_other_nor_a_log_entry(
        app, client, world):
    client.sign_in_as(world.admin)
    client.post(f"/admin/users/{world.member.id}/data-copy")
    again = client.post(f"/admin/users/{world.member.id}/data-copy", follow_redirects=True)
    assert "already being made" in again.get_data(as_text=True)
    assert len(_rows(app)) == 1 and len(_log(app)) == 1


def test_the_persons_own_request_and_the_admins_copy_do_not_get_in_each_others_way(
        app, client, world):
    client.sign_in_as(world.member)
    client.post("/account/data")
    client.sign_in_as(world.admin)
    client.post(f"/admin/users/{world.member.id}/data-copy")
    assert run_waiting_exports(app) == 2  # one each: neither replaced the other
    own, copy = _rows(app)
    assert not own.for_admin and copy.for_admin
    assert own.state == copy.state == "ready" and len(_files(app)) == 2
    client.sign_in_as(world.member)
    assert f"/account/data/{own.id}/download" in client.get("/account/data").get_data(
        as_text=True)


def test_a_press_without_a_csrf_token_starts_nothing_and_says_why(app, client, world):
    client.sign_in_as(world.admin)
    response = client.post(f"/admin/users/{world.member.id}/data-copy", data={}, csrf=False)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "There is a problem" in page and 'href="#data-copy"' in page
    assert _rows(app) == [] and _log(app) == []


def test_retention_deletes_an_admins_copy_past_its_date(app, client, world, runner):
    link = _ready_copy(app, client, world.admin, world.member.id)
    with app.app_context():
        db.session.execute(update(DataExport).values(expires_at=utcnow() - timedelta(minutes=1)))
        db.session.commit()
    assert fetch(client, link).status_code == 404
    result = runner.invoke(args=["retention"])
    assert result.exit_code == 0, result.output
    assert _rows(app) == [] and _files(app) == []


def test_erasing_the_person_deletes_the_admins_copy_and_its_file(app, client, world):
    _ready_copy(app, client, world.admin, world.member.id)
    assert len(_files(app)) == 1
    with app.app_context():
        erasure.erase(db.session, storage_for(), db.session.get(User, world.member.id),
                      by=db.session.get(User, world.admin.id))
        db.session.commit()
    assert _rows(app) == [] and _files(app) == []


def test_erasing_the_admin_who_asked_leaves_the_copy_to_the_other_admins(app, client, world):
    _ready_copy(app, client, world.admin, world.member.id)
    with app.app_context():
        other = factories.make_user("second.admin@example.org", display_name="Sam Second",
                                    is_admin=True)
        db.session.flush()
        erasure.erase(db.session, storage_for(), db.session.get(User, world.admin.id), by=other)
        db.session.commit()
        db.session.refresh(other)
        db.session.expunge(other)
    [row] = _rows(app)
    assert row.for_admin and row.requested_by_id is None
    client.sign_in_as(world.member)  # still not the person's to see
    assert f"/{row.id}/download" not in client.get("/account/data").get_data(as_text=True)
    client.sign_in_as(other)
    assert fetch(client, _copy_link(client, world.member.id)).status_code == 200


def test_the_request_is_a_row_for_the_person_with_the_admin_as_its_requester(app, world):
    with app.app_context():
        admin = db.session.get(User, world.admin.id)
        member = db.session.get(User, world.member.id)
        job, new = exports.request_admin_copy(db.session, admin, member, utcnow())
        again, new_again = exports.request_admin_copy(db.session, admin, member, utcnow())
        assert new and not new_again and again.id == job.id
