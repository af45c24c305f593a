"""Flask extensions, created at import and bound to an app in :func:`forum.create_app`."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from typing import Any
from typing import TypeVar

from flask import current_app
from flask import has_request_context
from flask import request
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect
from sqlalchemy import ColumnElement
from sqlalchemy import MetaData
from sqlalchemy import event
from sqlalchemy import update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import DeclarativeBase
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

# Explicit constraint names so that migrations behave the same on SQLite and PostgreSQL.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


db = SQLAlchemy(model_class=Base)


def added_unless_made_meanwhile(session: Session, row: Base) -> bool:
    """Add ``row`` in a savepoint; False when a row with its key was made at the same moment
    (another request found none too: a button pressed twice), which then stands. The rest of
    the transaction goes on either way, instead of a 500 from the key."""
    try:
        with session.begin_nested():
            session.add(row)
    except IntegrityError:
        return False
    return True


def updated_unless_changed_meanwhile(session: Session, row: Any, still: ColumnElement[bool],
                                     **values: Any) -> bool:
    """Write ``values`` to ``row`` only while ``still`` holds in the database; False, and
    nothing written, when another request changed the row since this one read it (two people
    deciding the same request at the same moment). One conditional UPDATE: PostgreSQL makes
    the later writer wait and then re-checks ``still``; SQLite queues writers whole."""
    model = type(row)
    done = session.execute(update(model).where(model.id == row.id, still).values(**values)
                           .execution_options(synchronize_session=False))
    if done.rowcount != 1:  # type: ignore[attr-defined]
        return False
    for name, value in values.items():
        set_committed_value(row, name, value)
    return True


login_manager = LoginManager()
csrf = CSRFProtect()
limiter = Limiter(key_func=get_remote_address, default_limits=[])


_READ_ONLY_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
# An execution option: this connection's SQLite transactions take the write lock as they begin.
SQLITE_WRITE_LOCK = "forum_sqlite_write_lock"
# The attribute :func:`writes_on_get` sets on a view.
_WRITES_ON_GET = "forum_writes_on_get"
View = TypeVar("View", bound=Callable[..., Any])


@event.listens_for(Engine, "connect")
def _configure_sqlite(dbapi_connection, connection_record) -> None:
    """Foreign keys on (so ON DELETE rules behave as on PostgreSQL), WAL so readers never wait
    for a writer, and transactions begun by :func:`_begin_sqlite` rather than by the driver
    (which cannot start them IMMEDIATE). The busy timeout, which makes writers queue instead of
    failing, is ``DATABASE_STATEMENT_TIMEOUT`` (set as the driver's ``timeout``)."""
    if not isinstance(dbapi_connection, sqlite3.Connection):
        return
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    if cursor.execute("PRAGMA database_list").fetchone()[2]:  # a file, not :memory:
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


@event.listens_for(Engine, "begin")
def _begin_sqlite(connection) -> None:
    """Start SQLite transactions that may write as ``BEGIN IMMEDIATE``.

    A deferred transaction that reads and then writes cannot wait for another writer: SQLite
    fails it at once with "database is locked". Taking the write lock up front makes concurrent
    writers queue for up to the busy timeout instead. Page views (GET) only read, so they keep
    deferred transactions and never wait; so does other work outside a request, which may
    hold two sessions at once and must not wait on itself, unless its session comes from
    :func:`writer_session` (the outbox sender, the daily commands: they read, then write).
    """
    if connection.dialect.name != "sqlite":
        return
    writing = bool(connection.get_execution_options().get(SQLITE_WRITE_LOCK)) or (
        has_request_context() and (request.method not in _READ_ONLY_METHODS or getattr(
            current_app.view_functions.get(request.endpoint or ""), _WRITES_ON_GET, False)))
    connection.exec_driver_sql("BEGIN IMMEDIATE" if writing else "BEGIN")


def writes_on_get(view: View) -> View:
    """Mark a view that reads and then writes on a GET (opening a notification marks it
    read): on SQLite its transactions take the write lock as they begin, as a POST's do.

    Without it the write is refused at once ("database is locked", a 503) whenever another
    process committed since the view's first read. The lock is held to the commit: keep such
    a view short, or write in a transaction of its own (:func:`writer_session`) as the thread
    page does, which writes only now and then."""
    setattr(view, _WRITES_ON_GET, True)
    return view


def writer_session() -> Session:
    """A session of its own for work outside a request that reads and then writes, or for a
    page (GET) that writes now and then, apart from its reads.

    On SQLite each of its transactions takes the write lock as it begins, as a request that
    writes does: a deferred transaction that read before a page committed is refused its write
    at once ("database is locked"), while this one waits its turn (the busy timeout). Use it
    only where no other session of the same thread holds a write.
    """
    return Session(db.engine.execution_options(**{SQLITE_WRITE_LOCK: True}))

