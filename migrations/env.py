"""Alembic environment for Flask-Migrate: the app's engine and models' metadata.

``render_as_batch`` lets ALTERs run on SQLite (which rebuilds the table); ``compare_type``
makes autogenerate notice changed column types.
"""

from __future__ import annotations

import logging
from logging.config import fileConfig

from alembic import context
from flask import current_app

config = context.config

if config.config_file_name is not None and not logging.getLogger().handlers:
    # Only when nobody (the app, gunicorn, pytest) has set up logging already.
    fileConfig(config.config_file_name, disable_existing_loggers=False)
logger = logging.getLogger("alembic.env")

target_db = current_app.extensions["migrate"].db


def get_engine():
    # Flask-SQLAlchemy 3.1 deprecates get_engine(); the engine property is the way.
    return target_db.engine


def get_engine_url() -> str:
    return get_engine().url.render_as_string(hide_password=False).replace("%", "%%")


config.set_main_option("sqlalchemy.url", get_engine_url())


def run_migrations_offline() -> None:
    """Emit SQL to stdout (``flask db upgrade --sql``) without a connection."""
    context.configure(url=config.get_main_option("sqlalchemy.url"),
                      target_metadata=target_db.metadata, literal_binds=True,
                      render_as_batch=True, compare_type=True)
    with context.begin_transaction():
        context.run_migrations()


# Any fixed number: the PostgreSQL advisory lock that migrations hold until they commit.
MIGRATION_LOCK = 727301


def _lock_sqlite_file(connection):
    """SQLite: one migrating process at a time on this machine (init-db runs as each web
    service starts). An flock on the database file, released when the returned file is
    closed; SQLite's own locks are fcntl locks, which flock never touches."""
    import fcntl

    path = connection.engine.url.database
    if not path or path == ":memory:":
        return None
    handle = open(path, "rb")  # noqa: SIM115 - closed when the migrations are done
    fcntl.flock(handle, fcntl.LOCK_EX)
    return handle


def run_migrations_online() -> None:
    def process_revision_directives(context, revision, directives):
        # Don't write an empty revision when the models haven't changed.
        if getattr(config.cmd_opts, "autogenerate", False):
            script = directives[0]
            if script.upgrade_ops.is_empty():
                directives[:] = []
                logger.info("No changes in schema detected.")

    conf_args = dict(current_app.extensions["migrate"].configure_args)
    conf_args.setdefault("process_revision_directives", process_revision_directives)
    conf_args.setdefault("render_as_batch", True)
    conf_args.setdefault("compare_type", True)
    # The search indexes are made by forum.search.schema, not described by the models.
    from forum.search.schema import include_object

    conf_args.setdefault("include_object", include_object)

    with get_engine().connect() as connection:
        # SQLite: batch mode rebuilds a table by copying it and dropping the old one. With
        # foreign keys on (as the app connects), that DROP TABLE applies every ON DELETE rule
        # to the rows referring to it: rebuilding threads would delete every post. So they are
        # off while migrations run (a PRAGMA outside any transaction), and checked at the end.
        sqlite = connection.dialect.name == "sqlite"
        driver_connection = connection.connection.driver_connection
        lock = None
        if sqlite:
            driver_connection.execute("PRAGMA foreign_keys=OFF")
            lock = _lock_sqlite_file(connection)
        try:
            context.configure(connection=connection, target_metadata=target_db.metadata,
                              **conf_args)
            with context.begin_transaction():
                if connection.dialect.name == "postgresql":
                    # init-db runs as every machine starts: one migrates at a time, and the
                    # next finds the schema up to date (it reads the version after the lock).
                    connection.exec_driver_sql(f"SELECT pg_advisory_xact_lock({MIGRATION_LOCK})")
                context.run_migrations()
                if sqlite:
                    broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
                    if broken:
                        raise RuntimeError(f"The migration left rows referring to rows that "
                                           f"do not exist (table, row, parent): {broken[:10]}")
        finally:
            if sqlite:
                driver_connection.execute("PRAGMA foreign_keys=ON")
            if lock is not None:
                lock.close()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
