"""The search indexes, which live in the database beside the rows they index.

SQLite: FTS5 tables over ``posts.body_source`` and ``threads.title`` (external content, the
``porter unicode61 remove_diacritics 2`` tokenizer: stemming and folded accents), kept in step by
triggers. PostgreSQL: generated ``tsvector`` columns on the same two columns with GIN indexes,
using ``forum_english``, a copy of the ``english`` configuration that also folds accents
(``unaccent``). Either way every insert, edit or delete is indexed in the same transaction,
whichever code makes it; who may see a match is decided at query time (forum.permissions).
"""

from __future__ import annotations

from sqlalchemy import Connection
from sqlalchemy import Table
from sqlalchemy import event
from sqlalchemy import text

from forum.models import Post
from forum.models import Thread

# Database objects the models do not describe (the migration check ignores them).
SQLITE_TABLES = ("post_search", "thread_search")
POSTGRES_COLUMNS = {("posts", "search_vector"), ("threads", "search_vector")}
TS_CONFIG = "forum_english"

# (fts table, content table, indexed column)
_SQLITE_INDEXES = (("post_search", "posts", "body_source"), ("thread_search", "threads", "title"))


def _sqlite_statements(fts: str, table: str, column: str) -> list[str]:
    return [
        f"CREATE VIRTUAL TABLE IF NOT EXISTS {fts} USING fts5({column}, content='{table}', "
        f"content_rowid='id', tokenize='porter unicode61 remove_diacritics 2')",
        f"CREATE TRIGGER IF NOT EXISTS {fts}_insert AFTER INSERT ON {table} BEGIN "
        f"INSERT INTO {fts}(rowid, {column}) VALUES (new.id, new.{column}); END",
        f"CREATE TRIGGER IF NOT EXISTS {fts}_delete AFTER DELETE ON {table} BEGIN "
        f"INSERT INTO {fts}({fts}, rowid, {column}) VALUES ('delete', old.id, old.{column}); END",
        f"CREATE TRIGGER IF NOT EXISTS {fts}_update AFTER UPDATE OF {column} ON {table} BEGIN "
        f"INSERT INTO {fts}({fts}, rowid, {column}) VALUES ('delete', old.id, old.{column}); "
        f"INSERT INTO {fts}(rowid, {column}) VALUES (new.id, new.{column}); END",
    ]


def _postgres_configuration() -> list[str]:
    return [
        "CREATE EXTENSION IF NOT EXISTS unaccent",
        f"DO $$ BEGIN CREATE TEXT SEARCH CONFIGURATION {TS_CONFIG} (COPY = english); "
        "EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END $$",
        f"ALTER TEXT SEARCH CONFIGURATION {TS_CONFIG} ALTER MAPPING FOR hword, hword_part, "
        "word WITH unaccent, english_stem",
    ]


def _postgres_column(table: str, column: str) -> list[str]:
    return [
        f"ALTER TABLE {table} ADD COLUMN IF NOT EXISTS search_vector tsvector GENERATED ALWAYS "
        f"AS (to_tsvector('{TS_CONFIG}'::regconfig, coalesce({column}, ''))) STORED",
        f"CREATE INDEX IF NOT EXISTS ix_{table}_search_vector ON {table} "
        "USING gin (search_vector)",
    ]


def create_for_table(connection: Connection, table_name: str) -> None:
    """Make the index of one content table (``posts`` or ``threads``), if this engine has one."""
    dialect = connection.dialect.name
    for fts, table, column in _SQLITE_INDEXES:
        if table != table_name:
            continue
        if dialect == "sqlite":
            for statement in _sqlite_statements(fts, table, column):
                connection.exec_driver_sql(statement)
            connection.exec_driver_sql(f"INSERT INTO {fts}({fts}) VALUES ('rebuild')")
        elif dialect == "postgresql":
            for statement in _postgres_configuration() + _postgres_column(table, column):
                connection.exec_driver_sql(statement)


def create_all(connection: Connection) -> None:
    for table in ("threads", "posts"):
        create_for_table(connection, table)


def rebuild(connection: Connection) -> None:
    """Re-read every post and title into the index (after a bulk load, or to be sure)."""
    if connection.dialect.name == "sqlite":
        for fts, _table, _column in _SQLITE_INDEXES:
            connection.exec_driver_sql(f"INSERT INTO {fts}({fts}) VALUES ('rebuild')")
            connection.exec_driver_sql(f"INSERT INTO {fts}({fts}) VALUES ('optimize')")
    elif connection.dialect.name == "postgresql":
        for table in ("posts", "threads"):
            connection.execute(text(f"REINDEX INDEX ix_{table}_search_vector"))
            connection.execute(text(f"ANALYZE {table}"))


def forget_removed_text(connection: Connection) -> None:
    """Merge SQLite's FTS5 segments, so text just emptied (an erased account's unpublished
    posts) leaves no token behind in the index. PostgreSQL's generated columns follow the
    row; its old row versions go at the next (auto)vacuum."""
    if connection.dialect.name == "sqlite":
        for fts, _table, _column in _SQLITE_INDEXES:
            connection.exec_driver_sql(f"INSERT INTO {fts}({fts}) VALUES ('optimize')")


def _after_create(table: Table, connection: Connection, **_kw: object) -> None:
    create_for_table(connection, table.name)


# create_all() (tests, a fresh database) builds the indexes with their tables; the migration
# calls create_all(connection) itself.
for _model in (Post, Thread):
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
        return name not in {"ix_posts_search_vector", "ix_threads_search_vector"}
    return True
