"""Running in production: the health check, request ids in logs, and concurrent SQLite writers."""

from __future__ import annotations

import io
import json
import threading

import pytest
from sqlalchemy import func
from sqlalchemy import select

from forum import create_app
from forum.extensions import db
from forum.models import LearningSet
from forum.models import ModerationPolicy
from forum.models import Post
from forum.operations.logging import configure_logging
from tests import factories
from tests.conftest import TEST_CONFIG
from tests.conftest import FormClient
from tests.conftest import session_id_of


def test_health_check_answers_ok_without_a_session_cookie(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.text == "ok\n"
    assert response.mimetype == "text/plain"
    assert response.headers["Cache-Control"] == "no-store"
    assert "Set-Cookie" not in response.headers


def test_health_check_answers_503_when_the_database_cannot_be_reached(tmp_path):
    app = create_app({**TEST_CONFIG,
                      "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/missing/dir/forum.db"})
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.text == "unavailable\n"  # nothing about why, or where the database is


def test_each_response_carries_a_request_id_and_a_proxys_sensible_one_is_kept(client):
    made = client.get("/healthz").headers["X-Request-ID"]
    assert len(made) == 32
    assert client.get("/healthz").headers["X-Request-ID"] != made
    kept = client.get("/healthz", headers={"X-Request-ID": "lb-1234abcd"})
    assert kept.headers["X-Request-ID"] == "lb-1234abcd"
    for unsafe in ("bad id; rm", "<script>", "x" * 500, "short"):
        refused = client.get("/healthz", headers={"X-Request-ID": unsafe})
        assert len(refused.headers["X-Request-ID"]) == 32


def test_requests_are_logged_as_json_lines_with_their_request_id(app, client):
    app.config["LOG_REQUESTS"] = True
    stream = io.StringIO()
    configure_logging(app, stream)
    try:
        response = client.get("/sets/", headers={"X-Request-ID": "req-0000abcd"})
    finally:
        import logging
        logging.getLogger("forum").handlers.clear()
        logging.getLogger("forum").propagate = True
    lines = [json.loads(line) for line in stream.getvalue().splitlines()]
    access = [line for line in lines if line["logger"] == "forum.access"]
    assert access, stream.getvalue()
    assert access[-1]["request_id"] == "req-0000abcd"
    assert access[-1]["path"] == "/sets/"
    assert access[-1]["status"] == response.status_code
    assert access[-1]["method"] == "GET"
    assert isinstance(access[-1]["duration_ms"], float)


def test_concurrent_writers_all_succeed_and_every_post_is_kept(app, world):
    """Several people replying at the same moment: no "database is locked" reaches anyone."""
    writers, replies_each = 6, 8
    with app.app_context():
        db.session.get(LearningSet, world.learning_set.id).moderation_policy = (
            ModerationPolicy.AFTER_THE_FACT)
        people = []
        for n in range(writers):
            person = factories.make_user(f"writer{n}@example.org")
            factories.add_member(person, db.session.get(LearningSet, world.learning_set.id))
            people.append(person.id)
        opening = db.session.scalar(select(func.min(Post.id)).where(
            Post.thread_id == world.thread.id))
        before = db.session.scalar(select(func.count(Post.id)))
        db.session.commit()

    statuses: list[bool] = []
    lock = threading.Lock()
    start = threading.Barrier(writers)

    def write(user_id: int) -> None:
        client = FormClient(app, app.response_class)
        with client.session_transaction() as session:
            session["_user_id"] = session_id_of(app, user_id)
            session["_fresh"] = True
        start.wait()
        for n in range(replies_each):
            response = client.post(f"/posts/{opening}/reply",
                                   data={"body": f"Reply {n} from writer {user_id}."})
            with lock:
                statuses.append("#post-" in response.headers.get("Location", ""))

    threads = [threading.Thread(target=write, args=(user_id,)) for user_id in people]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert statuses == [True] * (writers * replies_each)  # each one saved and shown
    with app.app_context():
        after = db.session.scalar(select(func.count(Post.id)))
    assert after - before == writers * replies_each


def test_sqlite_runs_in_wal_mode_with_a_busy_timeout(app):
    """Readers never wait for a writer, and a writer waits its turn instead of failing."""
    if not app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        pytest.skip("an SQLite setting")
    with app.app_context(), db.engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar() >= 10_000
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1


def test_health_check_answers_503_when_the_database_was_never_upgraded(tmp_path):
    """The database answers, but init-db has not made its tables: every page would be a 503,
    so the load balancer must not send anyone here."""
    app = create_app({**TEST_CONFIG,
                      "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/empty.db"})
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.text == "unavailable\n"
