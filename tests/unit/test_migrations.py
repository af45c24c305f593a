"""The migrations build exactly the schema the models describe, on SQLite and PostgreSQL."""

from __future__ import annotations

import warnings
from datetime import date
from datetime import datetime

import flask_migrate
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import MetaData
from sqlalchemy import Table
from sqlalchemy import inspect
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError
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


def _insert(connection, table_name: str, **values) -> int:
    """A row of the table as the database has it now (an older schema than the models'):
    every other column that needs a value gets a plain one of its type."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", "Skipped unsupported reflection", SAWarning)
        table = Table(table_name, MetaData(), autoload_with=connection)
    for column in table.columns:
        if (column.name in values or column.nullable or column.primary_key
                or column.server_default is not None):
            continue
        python_type = column.type.python_type
        values[column.name] = {str: "x", int: 0, bool: False, datetime: datetime(2026, 1, 1),
                               date: date(2026, 1, 1)}[python_type]
    return connection.execute(table.insert().values(**values)
                              .returning(table.c.id)).scalar_one()


def test_closing_summaries_become_posts_and_come_back_on_downgrade(tmp_path, database_url):
    """Each summary written before c4d8e1a6b9f2 becomes an approved post of kind "summary"
    by whoever closed the challenge, replying to its opening post and counted in the
    thread's replies; the downgrade gives the column back its text."""
    app = _fresh_app(tmp_path, database_url)
    summary = "We learnt to brief cabinet early."
    with app.app_context():
        try:
            flask_migrate.upgrade(revision="e2c8b5a1f7d3")
            with db.engine.begin() as connection:
                # Ids from the database (PostgreSQL's sequences move only so).
                ann = _insert(connection, "users", email="a@example.org")
                set_id = _insert(connection, "learning_sets", slug="s")
                thread = _insert(connection, "threads", learning_set_id=set_id, author_id=ann)
                opening = _insert(connection, "posts", thread_id=thread, author_id=ann,
                                  depth=0, status="approved", kind="challenge")
                _insert(connection, "challenges", thread_id=thread, learning_set_id=set_id,
                        holder_id=ann, status="closed", closing_summary=summary,
                        closed_at=datetime(2026, 2, 1), closed_by_id=ann)
            flask_migrate.upgrade(revision="c4d8e1a6b9f2")
            with db.engine.connect() as connection:
                post = connection.execute(text(
                    "SELECT author_id, parent_id, depth, body_source, status, kind, created_at "
                    "FROM posts WHERE id <> :opening"), {"opening": opening}).one()
                replies = connection.execute(text(
                    "SELECT reply_count FROM threads")).scalar_one()
                columns = {column["name"]
                           for column in inspect(connection).get_columns("challenges")}
            flask_migrate.downgrade(revision="e2c8b5a1f7d3")
            with db.engine.connect() as connection:
                restored = connection.execute(text(
                    "SELECT closing_summary FROM challenges")).scalar_one()
                kinds = connection.execute(text(
                    "SELECT kind FROM posts ORDER BY id")).scalars().all()
            # Up again: the same post is the summary, not a second copy of its text.
            flask_migrate.upgrade(revision="c4d8e1a6b9f2")
            with db.engine.connect() as connection:
                again = connection.execute(text(
                    "SELECT kind, body_source FROM posts ORDER BY id")).all()
                replies_again = connection.execute(text(
                    "SELECT reply_count FROM threads")).scalar_one()
        finally:
            _clean_up(database_url)
    assert tuple(post)[:6] == (ann, opening, 1, summary, "approved", "summary")
    assert str(post.created_at).startswith("2026-02-01")  # when the challenge was closed
    assert replies == 1 and "closing_summary" not in columns
    assert restored == summary and kinds == ["challenge", "learning"]
    assert [row.kind for row in again] == ["challenge", "summary"], again
    assert again[1].body_source == summary and replies_again == 1


def _rows(query: str) -> list:
    with db.engine.connect() as connection:
        return connection.execute(text(query)).all()


def _refused(table_name: str, **values) -> bool:
    """Whether the database refuses the row (a unique index, say)."""
    try:
        with db.engine.begin() as connection:
            _insert(connection, table_name, **values)
    except IntegrityError:
        return True
    return False


def test_organisations_differing_only_in_case_are_kept_and_told_to_the_admins(
        tmp_path, database_url):
    """b8e4f2a6c1d9 makes names unique ignoring case. Records saved before that differ only
    in case all stay, with their people: the oldest keeps its name, the later one gets its
    number after its name and a line in the admins' change log asking them to merge; after
    it, the database refuses another "KENT"; the downgrade keeps every record."""
    app = _fresh_app(tmp_path, database_url)
    with app.app_context():
        try:
            flask_migrate.upgrade(revision="d7e2a4c9f1b8")
            with db.engine.begin() as connection:
                kent = _insert(connection, "organisations", name="Kent")
                later = _insert(connection, "organisations", name="kent")
                ann = _insert(connection, "users", email="a@example.org", organisation="kent",
                              organisation_id=later)
            flask_migrate.upgrade(revision="b8e4f2a6c1d9")
            names = _rows("SELECT id, name FROM organisations ORDER BY id")
            [linked] = _rows(f"SELECT organisation, organisation_id FROM users WHERE id = {ann}")
            [logged] = _rows("SELECT organisation_id, detail FROM organisation_changes")
            refused = _refused("organisations", name="KENT")
            flask_migrate.downgrade(revision="d7e2a4c9f1b8")
            after = _rows("SELECT id, name FROM organisations ORDER BY id")
        finally:
            _clean_up(database_url)
    assert [tuple(row) for row in names] == [(kent, "Kent"), (later, f"kent (no. {later})")]
    assert tuple(linked) == ("kent", later)  # as typed (what guides credit), still linked
    assert logged.organisation_id == later and "merge" in logged.detail
    assert f"Kent, no. {kent}" in logged.detail
    assert refused
    assert [tuple(row) for row in after] == [tuple(row) for row in names]


def test_organisation_names_differing_in_accented_capitals_become_one_key(tmp_path, database_url):
    """a3f9c6e1b2d4 keys names by Unicode case folding: lower() left "Straße" and "STRASSE"
    (and, on SQLite, "École" and "ÉCOLE") as two names. Both records stay, the later renamed
    with a line in the admins' change log; after it the database refuses another spelling;
    the downgrade keeps every record."""
    app = _fresh_app(tmp_path, database_url)
    with app.app_context():
        try:
            flask_migrate.upgrade(revision="b8e4f2a6c1d9")
            with db.engine.begin() as connection:
                first = _insert(connection, "organisations", name="Straße Council")
                later = _insert(connection, "organisations", name="STRASSE COUNCIL")
            flask_migrate.upgrade(revision="a3f9c6e1b2d4")
            rows = _rows("SELECT id, name, name_key FROM organisations ORDER BY id")
            [logged] = _rows("SELECT organisation_id, detail FROM organisation_changes")
            refused = _refused("organisations", name="strasse council",
                               name_key="strasse council")
            flask_migrate.downgrade(revision="b8e4f2a6c1d9")
            after = _rows("SELECT id, name FROM organisations ORDER BY id")
        finally:
            _clean_up(database_url)
    assert [tuple(row) for row in rows] == [
        (first, "Straße Council", "strasse council"),
        (later, f"STRASSE COUNCIL (no. {later})", f"strasse council (no. {later})")]
    assert logged.organisation_id == later and f"Straße Council, no. {first}" in logged.detail
    assert refused
    assert [tuple(row) for row in after] == [tuple(row[:2]) for row in rows]


def test_a_renamed_organisation_takes_a_name_no_earlier_record_has(tmp_path, database_url):
    """a3f9c6e1b2d4 renames the later of two records sharing a key "<name> (no. <id>)": when
    an earlier record was already called that, the upgrade stopped (the unique index could
    not be made), leaving an operator with a database it would not upgrade. A name folding to
    more characters than the key holds (U+FDFA spells out 18) upgraded on SQLite only."""
    app = _fresh_app(tmp_path, database_url)
    long_name = "\ufdfa" * 20
    with app.app_context():
        try:
            flask_migrate.upgrade(revision="b8e4f2a6c1d9")
            with db.engine.begin() as connection:
                _insert(connection, "organisations", id=1, name="strasse council (no. 3)")
                _insert(connection, "organisations", id=2, name="Straße Council")
                _insert(connection, "organisations", id=3, name="STRASSE COUNCIL")
                _insert(connection, "organisations", id=4, name=long_name)
            flask_migrate.upgrade(revision="a3f9c6e1b2d4")
            names = _rows("SELECT id, name FROM organisations ORDER BY id")
        finally:
            _clean_up(database_url)
    assert [tuple(row) for row in names] == [
        (1, "strasse council (no. 3)"), (2, "Straße Council"), (3, "STRASSE COUNCIL (no. 3, 2)"),
        (4, long_name)]
