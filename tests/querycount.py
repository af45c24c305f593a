"""Counting the SQL statements a page or a piece of work sends: the one listener every
query-count test uses, so all of them count the same way."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from flask import Flask
from sqlalchemy import event

from forum.extensions import db


@contextmanager
def recording_statements(app: Flask | None = None) -> Iterator[list[str]]:
    """Collect each SQL statement sent inside the block, leaving out SQLite's own BEGIN
    (forum.extensions sends it; PostgreSQL's driver begins without a statement).

    Give ``app`` when no app context is pushed (a test driving the test client)."""
    if app is None:
        engine = db.engine
    else:
        with app.app_context():
            engine = db.engine
    statements: list[str] = []

    def record(conn, cursor, statement, *args) -> None:
        if not statement.lstrip().upper().startswith("BEGIN"):
            statements.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", record)


def page_statements(app: Flask, client, url: str) -> list[str]:
    """The statements one GET of ``url`` sends; the page must answer 200."""
    with recording_statements(app) as statements:
        response = client.get(url)
    assert response.status_code == 200, url
    return statements


def count_page_queries(app: Flask, client, url: str) -> int:
    """How many statements one GET of ``url`` sends."""
    return len(page_statements(app, client, url))
