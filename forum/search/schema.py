"""The search indexes, which live in the database beside the rows they index.

SQLite: FTS5 tables (see :data:`INDEXES`) over posts' text, thread titles, the pieces of
published guides (``guide_search_entries``) and events (external content, the
``porter unicode61 remove_diacritics 2`` tokenizer: stemming and folded accents), kept in step by
triggers. PostgreSQL: generated ``tsvector`` columns on the same columns with GIN indexes,
using ``forum_english``, a copy of the ``english`` configuration that also folds accents
(``unaccent``). Either way every insert, edit or delete is indexed in the same transaction,
whichever code makes it; who may see a match is decided at query time (forum.permissions).
"""

from __future__ import annotations

from sqlalchemy import Connection
from sqlalchemy import Table
from sqlalchemy import event
from sqlalchemy import text

from forum.models import Event
from forum.models import GuideSearchEntry
from forum.models import Post
from forum.models import Thread

TS_CONFIG = "forum_english"

# (fts table on SQLite, content table, indexed columns); on PostgreSQL the content table gets
# a ``search_vector`` column over the same columns.
INDEXES = (("post_search", "posts", ("body_source",)),
           ("thread_search", "threads", ("title",)),
           ("guide_search", "guide_search_entries", ("text",)),
           ("event_search", "events", ("title", "place", "description_source")))
# The first two came with the first search migration; the others with the second.
FIRST_TABLES = ("threads", "posts")
# SQLite: posts are indexed with their set's id as a second column (read through the view
# below, as a post's set is its thread's), so a search within one set asks the index for the
# posts of that set ("learning_set : 19") instead of checking each match of a common word
# (one post in six) against the set's posts. Only the set's number can match that column.
# A post deleted with its thread (a cascade) is unindexed without its set, whose token stays
# behind: harmless (its text is gone, and SQL checks the set); ``search rebuild`` clears it.
SCOPE_COLUMN = "learning_set"
SCOPED = {"posts": ("post_search_source",
                    "SELECT posts.id AS id, posts.body_source AS body_source, "
                    "threads.learning_set_id AS learning_set "
                    "FROM posts JOIN threads ON threads.id = posts.thread_id")}

# Database objects the models do not describe (the migration check ignores them).
SQLITE_TABLES = tuple(fts for fts, _table, _columns in INDEXES)
POSTGRES_COLUMNS = {(table, "search_vector") for _fts, table, _columns in INDEXES}
POSTGRES_INDEXES = {f"ix_{table}_search_vector" for _fts, table, _columns in INDEXES}


def _sqlite_statements(fts: str, table: str, columns: tuple[str, ...], *,
                       scoped: bool = True) -> list[str]:
    names = ", ".join(columns)
    new = ", ".join(f"new.{column}" for column in columns)
    old = ", ".join(f"old.{column}" for column in columns)
    content, views = table, []
    if scoped and table in SCOPED:
        # The set of the post's thread (threads never move between sets).
        content, view = SCOPED[table]
        views = [f"CREATE VIEW IF NOT EXISTS {content} AS {view}"]
        names += f", {SCOPE_COLUMN}"
        new += ", (SELECT learning_set_id FROM threads WHERE threads.id = new.thread_id)"
        old += ", (SELECT learning_set_id FROM threads WHERE threads.id = old.thread_id)"
    return views + [
        f"CREATE VIRTUAL TABLE IF NOT EXISTS {fts} USING fts5({names}, content='{content}', "
        f"content_rowid='id', tokenize='porter unicode61 remove_diacritics 2')",
        f"CREATE TRIGGER IF NOT EXISTS {fts}_insert AFTER INSERT ON {table} BEGIN "
        f"INSERT INTO {fts}(rowid, {names}) VALUES (new.id, {new}); END",
        f"CREATE TRIGGER IF NOT EXISTS {fts}_delete AFTER DELETE ON {table} BEGIN "
        f"INSERT INTO {fts}({fts}, rowid, {names}) VALUES ('delete', old.id, {old}); END",
        f"CREATE TRIGGER IF NOT EXISTS {fts}_update AFTER UPDATE OF {', '.join(columns)} "
        f"ON {table} BEGIN "
        f"INSERT INTO {fts}({fts}, rowid, {names}) VALUES ('delete', old.id, {old}); "
        f"INSERT INTO {fts}(rowid, {names}) VALUES (new.id, {new}); END",
    ]


def postgres_document(columns: tuple[str, ...], prefix: str = "") -> str:
    """The indexed text of a row: its columns joined by spaces (also what snippets show)."""
    return " || ' ' || ".join(f"coalesce({prefix}{column}, '')" for column in columns)


def _postgres_configuration() -> list[str]:
    return [
        "CREATE EXTENSION IF NOT EXISTS unaccent",
        f"DO $$ BEGIN CREATE TEXT SEARCH CONFIGURATION {TS_CONFIG} (COPY = english); "
        "EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END $$",
        f"ALTER TEXT SEARCH CONFIGURATION {TS_CONFIG} ALTER MAPPING FOR hword, hword_part, "
        "word WITH unaccent, english_stem",
    ]


def _postgres_column(table: str, columns: tuple[str, ...]) -> list[str]:
    return [
        f"ALTER TABLE {table} ADD COLUMN IF NOT EXISTS search_vector tsvector GENERATED ALWAYS "
        f"AS (to_tsvector('{TS_CONFIG}'::regconfig, {postgres_document(columns)})) STORED",
        f"CREATE INDEX IF NOT EXISTS ix_{table}_search_vector ON {table} "
        "USING gin (search_vector)",
    ]


def create_for_table(connection: Connection, table_name: str, *, scoped: bool = True) -> None:
    """Make the index of one content table (``posts`` or ``threads``), if this engine has one.

    ``scoped=False``: SQLite's post index without the set column, as migrations before
    ``5b9e2c7d4f18`` made it (the view it reads would stop SQLite copying ``posts`` in a
    batch migration; a later migration that copies ``posts`` drops the index first)."""
    dialect = connection.dialect.name
    for fts, table, columns in INDEXES:
        if table != table_name:
            continue
        if dialect == "sqlite":
            for statement in _sqlite_statements(fts, table, columns, scoped=scoped):
                connection.exec_driver_sql(statement)
            connection.exec_driver_sql(f"INSERT INTO {fts}({fts}) VALUES ('rebuild')")
        elif dialect == "postgresql":
            for statement in _postgres_configuration() + _postgres_column(table, columns):
                connection.exec_driver_sql(statement)


def create_all(connection: Connection,
               tables: tuple[str, ...] = tuple(table for _f, table, _c in INDEXES), *,
               scoped: bool = True) -> None:
    """Make the indexes of ``tables`` (every indexed table by default)."""
    for table in tables:
        create_for_table(connection, table, scoped=scoped)


def drop(connection: Connection, tables: tuple[str, ...]) -> None:
    """Remove the indexes of ``tables`` (a migration's downgrade)."""
    for fts, table, _columns in INDEXES:
        if table not in tables:
            continue
        if connection.dialect.name == "sqlite":
            for trigger in ("insert", "delete", "update"):
                connection.exec_driver_sql(f"DROP TRIGGER IF EXISTS {fts}_{trigger}")
            connection.exec_driver_sql(f"DROP TABLE IF EXISTS {fts}")
            if table in SCOPED:
                connection.exec_driver_sql(f"DROP VIEW IF EXISTS {SCOPED[table][0]}")
        elif connection.dialect.name == "postgresql":
            connection.exec_driver_sql(f"DROP INDEX IF EXISTS ix_{table}_search_vector")
            connection.exec_driver_sql(
                f"ALTER TABLE {table} DROP COLUMN IF EXISTS search_vector")


def rebuild(connection: Connection) -> None:
    """Re-read every indexed row into the index (after a bulk load, or to be sure)."""
    if connection.dialect.name == "sqlite":
        for fts, _table, _columns in INDEXES:
            connection.exec_driver_sql(f"INSERT INTO {fts}({fts}) VALUES ('rebuild')")
            connection.exec_driver_sql(f"INSERT INTO {fts}({fts}) VALUES ('optimize')")
    elif connection.dialect.name == "postgresql":
        for _fts, table, _columns in INDEXES:
            connection.execute(text(f"REINDEX INDEX ix_{table}_search_vector"))
            connection.execute(text(f"ANALYZE {table}"))


def forget_removed_text(connection: Connection) -> None:
    """Merge SQLite's FTS5 segments, so text just emptied (an erased account's unpublished
    posts) leaves no token behind in the index. PostgreSQL's generated columns follow the
    row; its old row versions go at the next (auto)vacuum."""
    if connection.dialect.name == "sqlite":
        for fts, _table, _columns in INDEXES:
            connection.exec_driver_sql(f"INSERT INTO {fts}({fts}) VALUES ('optimize')")


def _after_create(table: Table, connection: Connection, **_kw: object) -> None:
    create_for_table(connection, table.name)


# create_all() (tests, a fresh database) builds the indexes with their tables; the migration
# calls create_all(connection) itself.
for _model in (Post, Thread, GuideSearchEntry, Event):
    event.listen(_model.__table__, "after_create", _after_create)


def include_object(obj: object, name: str | None, type_: str, reflected: bool,
                   compare_to: object) -> bool:
    """Alembic's ``include_object`` hook: leave the search indexes out of model comparisons
    (the models do not describe them; this module makes them)."""
    if type_ == "table":
        return not any(name == fts or (name or "").startswith(f"{fts}_")
                       for fts in SQLITE_TABLES)
    if type_ == "column":
        return (obj.table.name, name) not in POSTGRES_COLUMNS
    if type_ == "index":
        return name not in POSTGRES_INDEXES
    return True
