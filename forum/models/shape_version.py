"""``threads.shape_version``: a count, kept by the database, of the changes to a thread's shape.

A thread's shape is the set of its posts and each one's parent (forum.threads.shape keeps the
shape of a long thread per process). Every post added to the thread, removed from it (deleted,
by a cascade too, or moved to another thread) and every change of a post's parent (a foreign
key's ``ON DELETE SET NULL`` included) adds exactly one to it. Triggers keep it, so whatever
writes the rows (the app, a bulk load, a migration, SQL typed by an operator) keeps it right.

SQLite: row triggers. PostgreSQL: statement triggers over transition tables for inserts and
deletes (a bulk ``COPY`` or a cascade is one update of each thread, by the number of its posts
the statement added or removed), a row trigger for the rare update of a post's parent or thread.

SQLite drops a table's triggers with the table: a migration that rebuilds ``posts`` in batch
mode must call :func:`create` again afterwards.
"""

from __future__ import annotations

from sqlalchemy import DDL
from sqlalchemy import Connection
from sqlalchemy import event

from forum.models.thread import Post

TRIGGERS = ("posts_shape_version_insert", "posts_shape_version_delete",
            "posts_shape_version_update")

_BUMP = "UPDATE threads SET shape_version = shape_version + 1"

SQLITE = (
    f"CREATE TRIGGER IF NOT EXISTS {TRIGGERS[0]} AFTER INSERT ON posts BEGIN "
    f"{_BUMP} WHERE id = new.thread_id; END",
    f"CREATE TRIGGER IF NOT EXISTS {TRIGGERS[1]} AFTER DELETE ON posts BEGIN "
    f"{_BUMP} WHERE id = old.thread_id; END",
    f"CREATE TRIGGER IF NOT EXISTS {TRIGGERS[2]} AFTER UPDATE OF thread_id, parent_id "
    "ON posts WHEN old.thread_id IS NOT new.thread_id OR old.parent_id IS NOT new.parent_id "
    f"BEGIN {_BUMP} WHERE id IN (old.thread_id, new.thread_id); END",
)


def _postgres_counting(name: str, rows: str) -> str:
    return (
        f"CREATE OR REPLACE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
        "UPDATE threads SET shape_version = threads.shape_version + changed.posts "
        f"FROM (SELECT thread_id, count(*) AS posts FROM {rows} GROUP BY thread_id) AS changed "
        "WHERE threads.id = changed.thread_id; RETURN NULL; END $$")


POSTGRES_FUNCTIONS = ("forum_posts_added", "forum_posts_removed", "forum_post_moved")

POSTGRES = (
    _postgres_counting(POSTGRES_FUNCTIONS[0], "added_posts"),
    _postgres_counting(POSTGRES_FUNCTIONS[1], "removed_posts"),
    f"CREATE OR REPLACE FUNCTION {POSTGRES_FUNCTIONS[2]}() RETURNS trigger LANGUAGE plpgsql "
    f"AS $$ BEGIN {_BUMP} WHERE id IN (OLD.thread_id, NEW.thread_id); RETURN NULL; END $$",
    *(f"DROP TRIGGER IF EXISTS {trigger} ON posts" for trigger in TRIGGERS),
    f"CREATE TRIGGER {TRIGGERS[0]} AFTER INSERT ON posts REFERENCING NEW TABLE AS added_posts "
    f"FOR EACH STATEMENT EXECUTE FUNCTION {POSTGRES_FUNCTIONS[0]}()",
    f"CREATE TRIGGER {TRIGGERS[1]} AFTER DELETE ON posts "
    "REFERENCING OLD TABLE AS removed_posts "
    f"FOR EACH STATEMENT EXECUTE FUNCTION {POSTGRES_FUNCTIONS[1]}()",
    f"CREATE TRIGGER {TRIGGERS[2]} AFTER UPDATE OF thread_id, parent_id ON posts FOR EACH ROW "
    "WHEN (OLD.thread_id IS DISTINCT FROM NEW.thread_id "
    "OR OLD.parent_id IS DISTINCT FROM NEW.parent_id) "
    f"EXECUTE FUNCTION {POSTGRES_FUNCTIONS[2]}()",
)

_STATEMENTS = {"sqlite": SQLITE, "postgresql": POSTGRES}


def create(connection: Connection) -> None:
    """Make the triggers (a migration; ``create_all`` makes them with the posts table)."""
    for statement in _STATEMENTS.get(connection.dialect.name, ()):
        connection.exec_driver_sql(statement)


def drop(connection: Connection) -> None:
    """Remove the triggers (a migration's downgrade)."""
    dialect = connection.dialect.name
    if dialect not in _STATEMENTS:
        return
    for trigger in TRIGGERS:
        connection.exec_driver_sql(f"DROP TRIGGER IF EXISTS {trigger}"
                                   + (" ON posts" if dialect == "postgresql" else ""))
    if dialect == "postgresql":
        for function in POSTGRES_FUNCTIONS:
            connection.exec_driver_sql(f"DROP FUNCTION IF EXISTS {function}()")


# create_all() (tests, a fresh database): the triggers come with the posts table.
for _dialect, _statements in _STATEMENTS.items():
    for _statement in _statements:
        event.listen(Post.__table__, "after_create",
                     DDL(_statement.replace("%", "%%")).execute_if(dialect=_dialect))
