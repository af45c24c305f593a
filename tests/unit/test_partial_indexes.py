"""The models' partial unique indexes exist with their conditions on SQLite and PostgreSQL,
though the models no longer name PostgreSQL's options (issue 16: that loaded its dialect)."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from forum.extensions import db

CONDITIONS = {
    "uq_reports_open_per_reporter": "status = 'open'",
    "uq_data_exports_one_active": "state",
    "ix_posts_waiting_thread_date": "status = 'pending'",
    "ix_posts_waiting_date": "status = 'pending'",
}


def _index_definitions() -> dict[str, str]:
    with db.engine.connect() as connection:
        if connection.dialect.name == "postgresql":
            rows = connection.execute(text("SELECT indexname, indexdef FROM pg_indexes"))
        else:
            rows = connection.execute(text(
                "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL"))
        return {row[0]: row[1] for row in rows}


@pytest.mark.parametrize("name", sorted(CONDITIONS))
def test_create_all_makes_each_partial_index_with_its_condition(app, name):
    with app.app_context():
        definition = _index_definitions()[name]
    assert ("UNIQUE" in definition.upper()) == name.startswith("uq_")
    where = definition.upper().split(" WHERE ", 1)
    assert len(where) == 2, definition
    assert CONDITIONS[name].split()[0].upper() in where[1].replace("(", "")
    assert CONDITIONS[name].split()[-1].upper() in where[1].upper()


def test_a_partial_index_made_on_its_own_keeps_its_condition(app):
    """bench/seed.py drops the posts' indexes for its bulk load and makes each again with
    ``Index.create``: the waiting posts' index must come back partial, not over every post."""
    from forum.models import Post

    index = next(i for i in Post.__table__.indexes if i.name == "ix_posts_waiting_thread_date")
    with app.app_context():
        with db.engine.begin() as connection:
            index.drop(connection)
            index.dialect_kwargs.pop(f"{connection.dialect.name}_where", None)
            index.create(connection)
        definition = _index_definitions()[index.name]
    assert "WHERE" in definition.upper() and "PENDING" in definition.upper(), definition
