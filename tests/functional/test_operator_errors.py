"""What an operator meets when the database setting is wrong, the database cannot be reached,
or its schema was never brought up to date: one plain message (no traceback, no password),
and a 503 rather than a 500 for the web."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest

from forum import create_app
from forum.config import ConfigurationError
from forum.config import database_uri
from tests.functional.test_cli import empty_app  # noqa: F401  (fixture)


def _flask(tmp_path, database_url: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {name: value for name, value in os.environ.items() if not name.startswith("FORUM_")}
    env.update(FORUM_INSTANCE_PATH=str(tmp_path / "instance"), FORUM_SECRET_KEY="x",
               FORUM_DATABASE_URL=database_url)
    return subprocess.run([str(Path(sys.executable).with_name("flask")), "--app", "forum", *args],
                          env=env, cwd=tmp_path, capture_output=True, text=True, timeout=120)


@pytest.mark.parametrize("url", ["forum.db", "mysql://forum:hunter2@db/forum",
                                 "postgresql+psycopg2://forum:hunter2@db/forum"])
def test_a_database_url_the_program_cannot_use_is_named_without_a_traceback(tmp_path, url):
    result = _flask(tmp_path, url, "init-db")
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    assert "FORUM_DATABASE_URL" in result.stderr
    assert "postgresql+psycopg://user:password@host/name" in result.stderr
    assert "hunter2" not in result.stderr


def test_postgres_urls_without_a_driver_use_the_installed_one():
    assert database_uri("postgres://forum:pw@db/forum") == "postgresql+psycopg://forum:pw@db/forum"
    assert database_uri("postgresql://forum@db:5433/forum") == (
        "postgresql+psycopg://forum@db:5433/forum")
    assert database_uri("sqlite:////var/lib/forum/forum.db") == "sqlite:////var/lib/forum/forum.db"
    with pytest.raises(ConfigurationError):
        create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": "oracle://db/forum"})


@pytest.mark.parametrize("url", ["postgresql+psycopg://forum:hunter2@127.0.0.1:1/forum",
                                 "sqlite:////nonexistent-folder/forum.db"])
@pytest.mark.parametrize("command", [("init-db",), ("notifications", "send-pending")])
def test_a_database_that_cannot_be_reached_is_named_without_a_traceback(tmp_path, url, command):
    result = _flask(tmp_path, url, *command)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert "cannot be used" in result.stderr
    assert "FORUM_DATABASE_URL" in result.stderr
    assert "hunter2" not in result.stderr


def test_commands_on_a_database_never_upgraded_say_to_run_init_db(empty_app):  # noqa: F811
    runner = empty_app.test_cli_runner()
    for args in (["demo"], ["notifications", "send-pending"], ["retention"],
                 ["create-admin", "ann@example.org", "--name", "Ann",
                  "--password", "juniper-ledger-tramline-ninety"]):
        result = runner.invoke(args=args)
        assert result.exit_code == 1, (args, result.output)
        assert "flask --app forum init-db" in result.output
        assert "Traceback" not in result.output


def test_pages_on_a_database_never_upgraded_are_unavailable_and_the_log_says_why(
        empty_app, caplog):  # noqa: F811
    with caplog.at_level(logging.ERROR, logger=empty_app.logger.name):
        response = empty_app.test_client().get("/")
    assert response.status_code == 503
    assert "init-db" not in response.text  # visitors are not told how the site is run
    assert any("run 'flask --app forum init-db'" in record.getMessage()
               for record in caplog.records)


def _disk_full(monkeypatch) -> None:
    import errno

    from forum.storage import FolderStorage

    def save(self, key, data):
        raise OSError(errno.ENOSPC, "No space left on device", str(self.root / key))

    monkeypatch.setattr(FolderStorage, "save", save)


def test_a_reply_whose_file_cannot_be_stored_on_a_full_disk_comes_back_with_its_text(
        app, client, world, monkeypatch, caplog):
    from sqlalchemy import func
    from sqlalchemy import select

    from forum.extensions import db
    from forum.models import Post
    from forum.models import UploadedFile
    from tests import file_samples
    from tests.functional.test_meeting_and_reply_files import _challenge_opening
    from tests.functional.test_meeting_and_reply_files import _challenge_reply

    opening = _challenge_opening(app, client, world)
    client.sign_in_as(world.moderator)  # someone other than the holder asks a question
    with app.app_context():
        posts_before = db.session.scalar(select(func.count()).select_from(Post))
    _disk_full(monkeypatch)
    with caplog.at_level(logging.ERROR, logger=app.logger.name):
        response = _challenge_reply(client, opening, file_samples.PDF, "briefing.pdf",
                                    body="My careful question, kept.")
    assert response.status_code == 503
    assert "Retry-After" in response.headers
    page = response.get_data(as_text=True)
    assert "My careful question, kept." in page and "briefing.pdf" in page
    assert "No space left on device" not in page  # the visitor is not told about the disk
    assert any("No space left on device" in record.getMessage() for record in caplog.records)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Post)) == posts_before
        assert db.session.scalar(select(func.count()).select_from(UploadedFile)) == 0


def test_init_db_started_on_several_machines_at_once_migrates_once(empty_app, tmp_path):  # noqa: F811
    """forum.service runs init-db before each start: machines (or services) starting together
    must all succeed, one migrating while the others wait and then find nothing to do."""
    url = str(empty_app.config["SQLALCHEMY_DATABASE_URI"])
    if url.startswith("sqlite"):
        url = f"sqlite:///{tmp_path / 'shared.db'}"
    env = {name: value for name, value in os.environ.items() if not name.startswith("FORUM_")}
    env.update(FORUM_INSTANCE_PATH=str(tmp_path / "instance"), FORUM_SECRET_KEY="x",
               FORUM_DATABASE_URL=url)
    flask = str(Path(sys.executable).with_name("flask"))
    runs = [subprocess.Popen([flask, "--app", "forum", "init-db"], env=env, cwd=tmp_path,
                             stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
            for _ in range(3)]
    outputs = [run.communicate(timeout=180)[0] for run in runs]
    assert [run.returncode for run in runs] == [0, 0, 0], outputs
    assert all("The database is up to date." in output for output in outputs)


def test_sign_in_still_works_and_is_still_limited_while_redis_is_down(make_app, world):
    """The rate limits' Redis stops answering: people still sign in (no 500), and the limits
    are counted in each process meanwhile."""
    from tests.conftest import FormClient

    app = make_app(RATELIMIT_STORAGE_URI="redis://127.0.0.1:1/0", SIGN_IN_RATE_LIMIT="3 per minute",
                   SIGN_IN_FREE_ATTEMPTS=100)
    app.test_client_class = FormClient
    client = app.test_client()
    statuses = [client.post("/sign-in", data={"email": f"n{n}@example.org",
                                              "password": "not the password"}).status_code
                for n in range(4)]
    assert statuses == [200, 200, 200, 429]


def test_emails_given_up_while_the_mail_server_was_down_for_days_can_be_sent_after_all(
        app, world, runner):
    """Every attempt failed for two days, so the outbox gave up: once the server is back, the
    operator queues them again and they go out, instead of being lost."""
    import socket
    from datetime import timedelta

    from forum import outbox
    from forum.extensions import db
    from forum.models import QueuedEmail
    from forum.models import utcnow
    from tests.mailbox import sent_messages

    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=closed.getsockname()[1],
                          MAIL_TIMEOUT=2)
    with app.app_context():
        outbox.queue_email(db.session, kind="notification", to="member@example.org",
                           subject="Your post was approved", text_body="It is published.")
        db.session.commit()
    moment = utcnow()
    for _ in range(outbox.MAX_ATTEMPTS):
        moment += outbox.MAX_BACKOFF + timedelta(minutes=1)
        assert outbox.deliver_pending(app, now=moment).failed == 1
    with app.app_context():
        row = db.session.scalars(db.select(QueuedEmail)).one()
        assert row.given_up_at is not None and row.sent_at is None
        db.session.remove()

    app.config["MAIL_SERVER"] = None  # back: the outbox folder stands in for it
    result = runner.invoke(args=["notifications", "retry-given-up", "--days", "30"])
    assert result.exit_code == 0, result.output
    assert "Queued again 1 email" in result.output
    [message] = sent_messages(app)
    assert message["Subject"] == "Your post was approved"


def test_text_settings_that_look_like_numbers_stay_as_typed(monkeypatch, tmp_path):
    """FORUM_* values are read as JSON when they parse: an all-digit secret key or mail
    password became a number, and every page with a form answered 500."""
    monkeypatch.setenv("FORUM_SECRET_KEY", "123456789012345678901234567890")
    monkeypatch.setenv("FORUM_MAIL_PASSWORD", "11223344")
    monkeypatch.setenv("FORUM_SITE_NAME", "2030")
    monkeypatch.setenv("FORUM_MAIL_PORT", "587")
    monkeypatch.setenv("FORUM_LOG_LEVEL", "20")  # logging takes a number too
    app = create_app({"TESTING": True, "RATELIMIT_STORAGE_URI": "memory://",
                      "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'f.db'}"})
    assert app.config["SECRET_KEY"] == "123456789012345678901234567890"
    assert app.config["MAIL_PASSWORD"] == "11223344"
    assert app.config["SITE_NAME"] == "2030"
    assert app.config["MAIL_PORT"] == 587  # numbers stay numbers
    assert app.config["LOG_LEVEL"] == 20
    from forum.extensions import db

    with app.app_context():
        db.create_all()
    response = app.test_client().get("/sign-in")
    assert response.status_code == 200 and "2030" in response.text


def test_a_command_that_waits_too_long_for_sqlites_write_lock_says_it_was_busy(
        make_app, database_url, tmp_path):
    """Not "check FORUM_DATABASE_URL": the setting is right, the database was busy."""
    import sqlite3

    if database_url and database_url.startswith("postgresql"):
        pytest.skip("SQLite's write lock")
    app = make_app(DATABASE_STATEMENT_TIMEOUT=0.5)
    path = str(app.config["SQLALCHEMY_DATABASE_URI"]).removeprefix("sqlite:///")
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        result = app.test_cli_runner().invoke(args=[
            "create-admin", "ann@example.org", "--name", "Ann",
            "--password", "juniper-ledger-tramline-ninety"])
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert result.exit_code == 1, result.output
    assert "was busy" in result.output and "Run the command again" in result.output
    assert "Check FORUM_DATABASE_URL" not in result.output
