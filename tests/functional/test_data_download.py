"""Download my data as a request, a background job and a kept file (issue 17): made without
blocking the request, only ever for its owner, announced when ready, deleted when it expires
or the account goes."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from sqlalchemy import func
from sqlalchemy import select
from sqlalchemy import update

from forum.extensions import db
from forum.models import DataExport
from forum.models import ExportState
from forum.models import Notification
from forum.models import NotificationKind
from forum.models import Post
from forum.models import PostRevision
from forum.models import QueuedEmail
from forum.models import Thread
from forum.models import User
from forum.models import utcnow
from forum.people import background
from forum.people import export
from forum.people import exports
from forum.people.storage import export_storage
from tests import factories
from tests.functional.guide_builders import build_guide
from tests.functional.my_data import download_link
from tests.functional.my_data import fetch
from tests.functional.my_data import run_waiting_exports
from tests.functional.my_data import zip_contents
from tests.querycount import recording_statements


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


def _ready_export(app, client, user) -> str:
    client.sign_in_as(user)
    client.post("/account/data")
    assert run_waiting_exports(app) == 1
    link = download_link(client)
    assert link is not None
    return link


def test_preparing_my_data_answers_at_once_and_leaves_the_making_to_the_job(app, client, world):
    client.sign_in_as(world.member)
    page = client.get("/account/data").get_data(as_text=True)
    assert "Prepare my data" in page and "as it was when it was made" in page

    response = client.post("/account/data")
    assert response.status_code == 302 and response.location.endswith("/account/data")
    [row] = _rows(app)
    assert row.state == ExportState.WAITING and row.user_id == world.member.id
    assert _files(app) == []  # nothing was made while the person waited
    page = client.get("/account/data").get_data(as_text=True)
    assert "Your data is being prepared" in page
    assert 'role="status"' in page and "when you reload it" in page
    assert "Prepare my data" not in page and download_link(client) is None

    run_waiting_exports(app)
    page = client.get("/account/data").get_data(as_text=True)
    assert "Your copy is ready" in page and "with your data as it was then" in page
    assert len(_files(app)) == 1


def test_a_second_press_while_one_is_being_prepared_starts_no_other(app, client, world):
    client.sign_in_as(world.member)
    client.post("/account/data")
    again = client.post("/account/data", follow_redirects=True)
    assert "already being prepared" in again.get_data(as_text=True)
    assert len(_rows(app)) == 1
    with app.app_context():  # the database refuses a second one too (two tabs at once)
        member = db.session.get(User, world.member.id)
        job, new = exports.request_export(db.session, member, utcnow())
        assert not new and job.id == _rows(app)[0].id
    assert run_waiting_exports(app) == 1
    assert run_waiting_exports(app) == 0  # made once, not again


def test_a_new_copy_replaces_the_old_one_once_it_is_made(app, client, world):
    first = _ready_export(app, client, world.member)
    client.post("/account/data")
    page = client.get("/account/data").get_data(as_text=True)
    assert "A new copy is being prepared" in page and first in page  # the old one still works
    run_waiting_exports(app)
    second = download_link(client)
    assert second != first
    assert fetch(client, first).status_code == 404
    assert fetch(client, second).status_code == 200
    assert len(_rows(app)) == 1 and len(_files(app)) == 1


def test_the_file_and_its_state_are_served_only_to_its_owner(app, client, world):
    link = _ready_export(app, client, world.member)
    export_id = _rows(app)[0].id
    status = f"/account/data/{export_id}/status"

    response = fetch(client, link)
    assert response.status_code == 200
    assert response.mimetype == "application/zip"
    assert response.headers["Content-Disposition"].startswith("attachment;")
    assert "no-store" in response.headers["Cache-Control"]
    data, _ = zip_contents(response)
    assert data["profile"]["email"] == "member@example.org"
    assert client.get(status).get_json() == {"state": "ready"}

    for someone in (world.moderator, world.facilitator, world.outsider, world.admin):
        client.sign_in_as(someone)
        assert fetch(client, link).status_code == 404, someone.email
        assert client.get(status).status_code == 404, someone.email
        assert link not in client.get("/account/data").get_data(as_text=True)
    client.sign_out()
    assert fetch(client, link).status_code == 302  # signed out: sent to sign in


def test_the_person_is_told_in_the_site_and_by_email_when_it_is_ready(app, client, world):
    _ready_export(app, client, world.member)
    with app.app_context():
        [note] = db.session.scalars(select(Notification).where(
            Notification.user_id == world.member.id,
            Notification.kind == NotificationKind.DATA_READY)).all()
        [email] = db.session.scalars(select(QueuedEmail).where(
            QueuedEmail.kind == "data_ready")).all()
        assert email.to_address == "member@example.org"
        assert "/account/data" in email.text_body and "as it was on" in email.text_body
        note_id = note.id
        others = db.session.scalar(select(func.count(Notification.id)).where(
            Notification.kind == NotificationKind.DATA_READY,
            Notification.user_id != world.member.id))
    assert others == 0
    assert "Your data is ready to download" in client.get("/notifications").get_data(
        as_text=True)
    opened = client.get(f"/notifications/{note_id}")
    assert opened.status_code == 302 and opened.location.endswith("/account/data")


def test_retention_deletes_a_file_past_its_date_and_keeps_a_newer_one(app, client, world,
                                                                      runner):
    old = _ready_export(app, client, world.member)
    kept = _ready_export(app, client, world.moderator)
    [old_row, _] = _rows(app)
    with app.app_context():
        db.session.execute(update(DataExport).where(DataExport.id == old_row.id).values(
            expires_at=utcnow() - timedelta(minutes=1)))
        db.session.commit()
    client.sign_in_as(world.member)
    assert fetch(client, old).status_code == 404  # past its date: gone even before retention
    assert len(_files(app)) == 2

    result = runner.invoke(args=["retention"])
    assert result.exit_code == 0, result.output
    assert "1 expired data download" in result.output
    assert [r.user_id for r in _rows(app)] == [world.moderator.id]
    assert len(_files(app)) == 1
    client.sign_in_as(world.moderator)
    assert fetch(client, kept).status_code == 200


def test_deleting_the_account_deletes_its_requests_and_files(app, client, world):
    with app.app_context():
        member = db.session.get(User, world.member.id)
        member.set_password("a long enough password")
        db.session.commit()
    _ready_export(app, client, world.member)
    client.post("/account/data")  # and one still waiting
    assert len(_rows(app)) == 2 and len(_files(app)) == 1

    response = client.post("/account/delete", data={"posts": "keep",
                                                    "password": "a long enough password"})
    assert response.status_code == 302
    assert _rows(app) == [] and _files(app) == []
    assert run_waiting_exports(app) == 0


def test_a_request_left_by_a_process_that_died_is_made_again(app, client, world, runner):
    client.sign_in_as(world.member)
    client.post("/account/data")
    [row] = _rows(app)
    with app.app_context():
        # A process took it a moment ago: still its own, so nobody else takes it.
        db.session.execute(update(DataExport).values(state=ExportState.MAKING,
                                                     started_at=utcnow(), attempts=1))
        db.session.commit()
        assert exports.make_export(app, row.id) is False
    assert "Made 0 data downloads" in runner.invoke(args=["data-exports", "run"]).output

    with app.app_context():  # ... and then died, long ago
        db.session.execute(update(DataExport).values(
            started_at=utcnow() - timedelta(minutes=app.config["DATA_EXPORT_STALE_MINUTES"] + 1)))
        db.session.commit()
    result = runner.invoke(args=["data-exports", "run"])
    assert "Made 1 data download " in result.output, result.output
    [row] = _rows(app)
    assert row.state == ExportState.READY and row.attempts == 2
    assert download_link(client) is not None


def test_a_request_that_keeps_dying_is_given_up_and_can_be_asked_again(app, client, world):
    client.sign_in_as(world.member)
    client.post("/account/data")
    with app.app_context():
        db.session.execute(update(DataExport).values(
            state=ExportState.MAKING, attempts=exports.MAX_ATTEMPTS,
            started_at=utcnow() - timedelta(days=1)))
        db.session.commit()
    assert run_waiting_exports(app) == 0
    assert _rows(app)[0].state == ExportState.FAILED
    page = client.get("/account/data").get_data(as_text=True)
    assert "could not be prepared" in page and "Try again" in page
    client.post("/account/data")
    assert run_waiting_exports(app) == 1
    assert [r.state for r in _rows(app)] == [ExportState.READY]


def test_the_next_look_at_the_page_wakes_the_worker_for_a_waiting_request(
        app, client, world, make_app, tmp_path):
    # A request written by a process that stopped before its worker woke.
    client.sign_in_as(world.member)
    client.post("/account/data")
    other = make_app(DATA_EXPORTS_IN_BACKGROUND=True, DATA_EXPORTS_DIR=str(tmp_path / "files"))
    maker = background.export_maker(other)
    assert maker is not None
    other_client = other.test_client()
    other_client.sign_in_as(world.member)
    assert "being prepared" in other_client.get("/account/data").get_data(as_text=True)
    assert maker.wait_idle(timeout=60)
    maker.stop(timeout=10)
    page = other_client.get("/account/data").get_data(as_text=True)
    assert "Your copy is ready" in page
    assert len(list((tmp_path / "files").rglob("*.zip"))) == 1


def test_a_press_without_a_csrf_token_starts_nothing_and_says_why(app, client, world):
    client.sign_in_as(world.member)
    response = client.post("/account/data", data={}, csrf=False)
    assert response.status_code == 200
    assert "There is a problem" in response.get_data(as_text=True)
    assert _rows(app) == []


def _add_history(app, world, posts: int) -> None:
    with app.app_context():
        member = db.session.get(User, world.member.id)
        thread = db.session.get(Thread, world.thread.id)
        opening = thread.posts[0]
        for n in range(posts):
            post = factories.make_post(thread, member, parent=opening, body=f"Reply {n}")
            db.session.add(PostRevision(post_id=post.id, editor_id=member.id,
                                        previous_source=f"Earlier {n}", was_published=True))
        db.session.commit()


def test_the_export_makes_the_same_number_of_queries_for_3_posts_as_for_40(app, world):
    with app.app_context():
        build_guide(world, publish=True)  # quotes the member's posts: guide credits too

    def run() -> None:
        member = db.session.get(User, world.member.id)
        data = export.personal_data(db.session, member)
        assert data["posts"]
        db.session.rollback()

    _add_history(app, world, 3)
    with app.app_context(), recording_statements() as statements:
        run()
    few = len(statements)
    _add_history(app, world, 37)
    with app.app_context(), recording_statements() as statements:
        run()
    many = len(statements)
    with app.app_context():
        assert db.session.scalar(select(func.count(Post.id)).where(
            Post.author_id == world.member.id)) >= 40
    assert many == few, f"{few} queries for a few posts, {many} for many"


def test_the_privacy_notice_says_how_long_a_copy_is_kept(app, client):
    app.config["DATA_EXPORT_RETENTION_DAYS"] = 5
    page = client.get("/privacy").get_data(as_text=True)
    assert "for 5 days after it is made" in page


def test_a_file_lost_from_storage_is_a_404_not_an_error(app, client, world):
    link = _ready_export(app, client, world.member)
    for path in _files(app):
        path.unlink()
    assert fetch(client, link).status_code == 404


def test_who_may_fetch_a_download_agrees_with_the_rows_each_person_is_given(app, client,
                                                                          world):
    from flask_login import AnonymousUserMixin

    from forum import permissions

    _ready_export(app, client, world.member)
    _ready_export(app, client, world.admin)
    client.post(f"/admin/users/{world.member.id}/data-copy")  # the admins' copy of theirs
    with app.app_context():
        rows = list(db.session.scalars(select(DataExport)))
        people = [db.session.get(User, u.id) for u in (world.member, world.admin,
                                                        world.outsider)]
        for person in [*people, AnonymousUserMixin()]:
            allowed = {r.id for r in rows if permissions.can_fetch_data_export(person, r)}
            listed = set(db.session.scalars(select(DataExport.id).where(
                permissions.own_data_exports(person))))
            for someone in people:
                listed |= set(db.session.scalars(select(DataExport.id).where(
                    permissions.admin_data_exports(person, someone.id))))
            assert allowed == listed
            if getattr(person, "id", None) == world.member.id:
                assert len(allowed) == 1  # their own, and neither the admin's nor the copy
            if getattr(person, "id", None) == world.admin.id:
                assert len(allowed) == 2  # their own, and the admins' copy of the member's
