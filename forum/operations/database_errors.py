"""What an operator is told when the database cannot be used: not reached, or without the
tables this program expects (never upgraded, or older than the program).

Commands print one message and stop (no traceback); the web answers 503 and logs the same
message once per request.
"""

from __future__ import annotations

import functools
import re
from typing import Any

import click
from flask import Flask
from sqlalchemy.exc import DBAPIError
from sqlalchemy.exc import InterfaceError
from sqlalchemy.exc import OperationalError
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError

from forum.extensions import db

UPGRADE_HINT = "run 'flask --app forum init-db' to create or upgrade it"
# SQLite says "no such table: x" / "no such column: x"; PostgreSQL's SQLSTATEs 42P01 and 42703.
_SQLITE_MISSING = re.compile(r"^no such (table|column): (\S+)")
_PG_MISSING = {"42P01", "42703"}


def schema_problem(error: BaseException) -> str | None:
    """A sentence when ``error`` says a table or column the program uses does not exist."""
    if not isinstance(error, DBAPIError):
        return None
    original = error.orig
    sqlstate = getattr(original, "sqlstate", None)
    if sqlstate in _PG_MISSING:
        detail = str(original).splitlines()[0]
        return (f"The database schema is missing or older than this program ({detail}): "
                f"{UPGRADE_HINT}.")
    match = _SQLITE_MISSING.match(str(original))
    if match:
        return (f"The database schema is missing or older than this program (no {match[1]} "
                f"{match[2]}): {UPGRADE_HINT}.")
    return None


def describe(error: SQLAlchemyError) -> str:
    """One message for an operator, without the statement or a password."""
    problem = schema_problem(error)
    if problem:
        return problem
    where = _database_address()
    original = error.orig if isinstance(error, DBAPIError) else error
    detail = " ".join(line.strip() for line in str(original).splitlines() if line.strip())
    if not isinstance(error, OperationalError | InterfaceError | PoolTimeoutError):
        # Reached, but a statement failed: not a setting to check.
        return f"A statement failed on the database at {where} ({detail.rstrip('.?')})."
    if "database is locked" in detail or "statement timeout" in detail:
        return (f"The database at {where} was busy ({detail.rstrip('.?')}): another process "
                f"held it longer than FORUM_DATABASE_STATEMENT_TIMEOUT allows. Run the command "
                f"again.")
    check = ("that its folder exists and this user may write there" if where.startswith("sqlite")
             else "that the database server is running and the database exists")
    return (f"The database at {where} cannot be used ({detail.rstrip('.?')}). Check "
            f"FORUM_DATABASE_URL, and {check}.")


def _database_address() -> str:
    """The configured database URL with its password hidden, from the running command's app
    or the current one."""
    from flask import current_app
    from flask import has_app_context
    from flask.cli import ScriptInfo

    app = current_app._get_current_object() if has_app_context() else None
    context = click.get_current_context(silent=True)
    info = context.find_object(ScriptInfo) if context else None
    if app is None and info is not None:
        app = info.load_app()  # already loaded for the command: no second app
    if app is None:
        return "FORUM_DATABASE_URL"
    with app.app_context():
        return db.engine.url.render_as_string(hide_password=True)


def _guarded(callback: Any) -> Any:
    @functools.wraps(callback)
    def run(*args: Any, **kwargs: Any) -> Any:
        try:
            return callback(*args, **kwargs)
        except SQLAlchemyError as error:
            raise click.ClickException(describe(error)) from error
    return run


def guard_commands(group: click.Group) -> None:
    """Every command of ``group`` (and its subgroups) stops with a plain message when the
    database cannot be reached or lacks its tables, instead of a Python traceback."""
    for command in group.commands.values():
        if command.callback is not None and not getattr(command.callback, "_db_guarded", False):
            command.callback = _guarded(command.callback)
            command.callback._db_guarded = True
        if isinstance(command, click.Group):
            guard_commands(command)


def init_app(app: Flask) -> None:
    guard_commands(app.cli)
