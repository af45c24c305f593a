"""Another worker deciding a request between a view's read of it and its write."""

from __future__ import annotations

from types import ModuleType

import pytest
from flask import Flask
from sqlalchemy import create_engine
from sqlalchemy import text
from sqlalchemy.orm.attributes import set_committed_value

from forum.models import RequestStatus
from forum.models import utcnow


def decided_meanwhile(app: Flask, monkeypatch: pytest.MonkeyPatch, service: ModuleType,
                      finder: str, table: str, row_id: int, decider_id: int) -> None:
    """Make ``service.finder`` (which loads a waiting request) be overtaken: once the view has
    read the row as waiting, another decider's decline ("Not now.") is written before the view
    decides. On PostgreSQL it is committed from a connection of its own (another worker).
    SQLite queues writing requests whole, so there the request's own session commits it, and
    the loaded row is left saying "waiting", as a read made just before would."""
    find = getattr(service, finder)
    uri = app.config["SQLALCHEMY_DATABASE_URI"]
    statement = text(f"UPDATE {table} SET status = 'declined', reason = 'Not now.', "
                     "decided_at = :at, decided_by_id = :by WHERE id = :id")
    values = {"at": utcnow(), "by": decider_id, "id": row_id}

    def overtaken(session, *args):
        found = find(session, *args)
        if uri.startswith("sqlite"):
            session.execute(statement, values)
            session.commit()
            set_committed_value(found, "status", RequestStatus.PENDING)
        else:
            engine = create_engine(uri)
            try:
                with engine.begin() as connection:
                    connection.execute(statement, values)
            finally:
                engine.dispose()
        return found

    monkeypatch.setattr(service, finder, overtaken)
