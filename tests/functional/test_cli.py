"""The ``flask`` commands an operator uses: init-db and create-admin."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import inspect
from sqlalchemy import select
from sqlalchemy import text

from forum import create_app
from forum.extensions import db
from forum.models import User
from tests import factories

STRONG = "juniper-ledger-tramline-ninety"


@pytest.fixture
def empty_app(tmp_path, database_url):
    """An app over a database with no tables at all (the ``app`` fixture creates them)."""
    uri = database_url or f"sqlite:///{tmp_path / 'empty.db'}"
    app = create_app({"TESTING": True, "SECRET_KEY": "test-secret",
                      "SQLALCHEMY_DATABASE_URI": uri})

    def reset() -> None:
        db.session.remove()
        if uri.startswith("postgresql"):
            with db.engine.begin() as connection:
                connection.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
                connection.execute(text("CREATE SCHEMA public"))

    with app.app_context():
        reset()
    yield app
    with app.app_context():
        reset()
        db.engine.dispose()


def test_init_db_creates_every_table_and_can_run_again(empty_app):
    runner = empty_app.test_cli_runner()
    result = runner.invoke(args=["init-db"])
    assert result.exit_code == 0, result.output
    assert "up to date" in result.output
    with empty_app.app_context():
        # Whether the migrations match the models is tests/unit/test_migrations.py's job.
        assert {"alembic_version", "users", "learning_sets", "posts"} <= set(
            inspect(db.engine).get_table_names())
    assert runner.invoke(args=["init-db"]).exit_code == 0


def _create_admin(runner, *extra: str, password_input: str):
    return runner.invoke(
        args=["create-admin", "Lee.Admin@example.org", "--name", "Lee Admin", *extra],
        input=password_input)


def test_create_admin_asks_for_the_password_twice_and_creates_an_admin(app, runner):
    result = _create_admin(runner, "--organisation", "Eastmoor District Council",
                           password_input=f"{STRONG}\n{STRONG}\n")
    assert result.exit_code == 0, result.output
    assert "Created admin account lee.admin@example.org" in result.output
    assert STRONG not in result.output  # the prompt hides what is typed
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == "lee.admin@example.org"))
        assert user.is_admin and user.display_name == "Lee Admin"
        assert user.organisation == "Eastmoor District Council"
        assert user.check_password(STRONG)


@pytest.mark.parametrize(("password", "why"), [
    ("short", "10 characters or more"),
    ("password123", "stronger password"),
    ("lee.admin@example.org", "stronger password"),
])
def test_create_admin_refuses_a_weak_password(app, runner, password, why):
    result = _create_admin(runner, password_input=f"{password}\n{password}\n")
    assert result.exit_code != 0
    assert why in result.output
    with app.app_context():
        assert db.session.scalar(select(User)) is None


def test_create_admin_stops_when_the_two_passwords_differ(app, runner):
    result = _create_admin(runner, password_input=f"{STRONG}\n{STRONG}x\n")
    assert result.exit_code != 0
    assert "do not match" in result.output
    with app.app_context():
        assert db.session.scalar(select(User)) is None


def test_create_admin_promotes_an_existing_account(app, runner):
    with app.app_context():
        factories.make_user("lee.admin@example.org", display_name="Lee")
        db.session.commit()
    result = _create_admin(runner, password_input=f"{STRONG}\n{STRONG}\n")
    assert result.exit_code == 0, result.output
    assert "Updated admin account" in result.output
    with app.app_context():
        users = db.session.scalars(select(User)).all()
        assert len(users) == 1 and users[0].is_admin and users[0].check_password(STRONG)


def test_create_admin_refuses_something_that_is_not_an_email_address(app, runner):
    result = runner.invoke(args=["create-admin", "lee", "--name", "Lee"],
                           input=f"{STRONG}\n{STRONG}\n")
    assert result.exit_code != 0
    assert "email address" in result.output


def _flask(tmp_path, *args: str) -> subprocess.CompletedProcess[str]:
    """Run ``flask --app forum ARGS`` as an operator would, with no settings at all."""
    env = {name: value for name, value in os.environ.items() if not name.startswith("FORUM_")}
    env["FORUM_INSTANCE_PATH"] = str(tmp_path / "instance")
    return subprocess.run([str(Path(sys.executable).with_name("flask")), "--app", "forum", *args],
                          env=env, cwd=tmp_path, capture_output=True, text=True, timeout=120)


@pytest.mark.parametrize("args", [("--help",), ("init-db",), ("backup", "--help")])
def test_a_command_run_without_a_secret_key_says_so_without_a_traceback(tmp_path, args):
    """An operator who forgot to load the settings is told what is missing, not shown Python."""
    result = _flask(tmp_path, *args)
    assert "Traceback" not in result.stderr
    assert "SECRET_KEY is not set" in result.stderr
    assert "FORUM_SECRET_KEY" in result.stderr


def _commands(group, prefix=()):
    """Every command under ``group``, with its path of names."""
    import click

    for name, command in sorted(group.commands.items()):
        yield (*prefix, name), command
        if isinstance(command, click.Group):
            yield from _commands(command, (*prefix, name))


def test_every_command_of_ours_says_what_it_does_in_plain_text(app):
    """``flask --app forum --help`` lists each command with a line saying what it does, and no
    command's help shows reST markup (``like this``) that click prints as it is."""
    ours = [(path, command) for path, command in _commands(app.cli)
            if path[0] not in {"db", "limiter"}]  # Flask-Migrate's and Flask-Limiter's own
    assert ours
    for path, command in ours:
        assert command.get_short_help_str(limit=80).strip(), f"{' '.join(path)} has no help"
        assert "``" not in (command.help or ""), f"{' '.join(path)}: {command.help}"


@pytest.mark.parametrize("limit", ["0", "-5"])
def test_send_pending_refuses_a_limit_below_one(app, runner, limit):
    result = runner.invoke(args=["notifications", "send-pending", "--limit", limit])
    assert result.exit_code == 2
    assert "--limit" in result.output and "x>=1" in result.output
    assert "Sent" not in result.output


def test_send_digests_help_says_to_run_it_once_a_day(app, runner):
    result = runner.invoke(args=["notifications", "send-digests", "--help"])
    assert "once a day" in result.output
