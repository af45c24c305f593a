"""The migrations build exactly the schema the models describe, on SQLite and PostgreSQL."""

from __future__ import annotations

import warnings

import flask_migrate
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect
from sqlalchemy import text
from sqlalchemy.exc import SAWarning

from forum import create_app
from forum.extensions import db
from forum.search.schema import include_object


def _fresh_app(tmp_path, database_url: str | None):
    uri = database_url or f"sqlite:///{tmp_path / 'migrated.db'}"
    app = create_app({"TESTING": True, "SECRET_KEY": "test-secret",
                      "SQLALCHEMY_DATABASE_URI": uri})
    with app.app_context():
        if uri.startswith("postgresql"):
            _empty_schema()
    return app


def _empty_schema() -> None:
    with db.engine.begin() as connection:
        connection.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))


def _clean_up(database_url: str | None) -> None:
    db.session.remove()
    if database_url and database_url.startswith("postgresql"):
        _empty_schema()
    db.engine.dispose()


def test_upgrading_a_fresh_database_gives_the_schema_of_the_models(tmp_path, database_url):
    app = _fresh_app(tmp_path, database_url)
    with app.app_context():
        try:
            flask_migrate.upgrade()
            with db.engine.connect() as connection, warnings.catch_warnings():
                # SQLite cannot reflect an expression index (ix_posts_thread_published); the
                # PostgreSQL leg compares it.
                warnings.filterwarnings("ignore", "Skipped unsupported reflection of "
                                        "expression-based index", SAWarning)
                warnings.filterwarnings("ignore", "autogenerate skipping metadata-specified "
                                        "expression-based index", UserWarning)
                differences = compare_metadata(
                    MigrationContext.configure(connection, opts={
                        "compare_type": True, "include_object": include_object}),
                    db.metadata)
                tables = set(inspect(connection).get_table_names())
        finally:
            _clean_up(database_url)
    assert differences == [], "models and migrations disagree: run migrations/regenerate.sh"
    assert set(db.metadata.tables) <= tables


def _triggers(connection) -> set[str]:
    if connection.dialect.name == "sqlite":
        rows = connection.execute(text("SELECT name FROM sqlite_master WHERE type = 'trigger'"))
    else:
        rows = connection.execute(text("SELECT tgname FROM pg_trigger WHERE NOT tgisinternal"))
    return {name for (name,) in rows}


def test_the_thread_shape_counter_comes_and_goes_with_its_migration(tmp_path, database_url):
    """The triggers that keep threads.shape_version are made by the migration (as create_all
    makes them for the tests) and removed, with the column, by its downgrade."""
    from forum.models import shape_version

    app = _fresh_app(tmp_path, database_url)
    with app.app_context():
        try:
            flask_migrate.upgrade()
            with db.engine.connect() as connection:
                assert set(shape_version.TRIGGERS) <= _triggers(connection)
            flask_migrate.downgrade(revision="a7c2e9f4b1d6")
            with db.engine.connect() as connection:
                assert not set(shape_version.TRIGGERS) & _triggers(connection)
                assert "shape_version" not in {
                    column["name"] for column in inspect(connection).get_columns("threads")}
                # The search triggers on threads are still there (no rebuild of the table).
                if connection.dialect.name == "sqlite":
                    assert "thread_search_insert" in _triggers(connection)
            flask_migrate.upgrade()
            with db.engine.connect() as connection:
                assert set(shape_version.TRIGGERS) <= _triggers(connection)
        finally:
            _clean_up(database_url)
