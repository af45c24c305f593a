"""Flask-Migrate, loaded only when migrations are run.

Flask-Migrate imports Alembic (about 12 MB per process) at import time, yet only the
``flask db ...`` commands, ``init-db`` and the quick start use it. Web workers never do, so the
app registers a stand-in: ``app.extensions["migrate"]`` loads the real configuration on first
use (``flask_migrate.upgrade()`` and friends read it), and the ``db`` command group loads the
real one when it is run.
"""

from __future__ import annotations

from typing import Any

import click
from flask import Flask
from flask.cli import ScriptInfo


class LazyMigrateConfig:
    """Stands in for Flask-Migrate's ``_MigrateConfig`` until something asks it a question."""

    def __init__(self, app: Flask, db: Any, directory: str) -> None:
        self._app, self._db, self._directory = app, db, directory
        self._real: Any = None

    def _load(self) -> Any:
        if self._real is None:
            from flask_migrate import Migrate

            migrate = Migrate(directory=self._directory)
            migrate.init_app(self._app, self._db, directory=self._directory)
            self._real = self._app.extensions["migrate"]
            self._app.extensions["migrate"] = self  # keep answering for it
        return self._real

    def __getattr__(self, name: str) -> Any:
        return getattr(self._load(), name)


@click.command("db", add_help_option=False, context_settings={
    "ignore_unknown_options": True, "allow_extra_args": True})
@click.pass_context
def db_command(ctx: click.Context) -> Any:
    """Perform database migrations (Flask-Migrate's commands)."""
    from flask_migrate.cli import db as migrate_group

    info = ctx.ensure_object(ScriptInfo)
    app = info.load_app()
    app.extensions["migrate"]._load()
    return migrate_group.main(args=ctx.args, prog_name=ctx.command_path, obj=info,
                              standalone_mode=False)


def init_app(app: Flask, db: Any, directory: str) -> None:
    app.extensions["migrate"] = LazyMigrateConfig(app, db, directory)
    app.cli.add_command(db_command)
