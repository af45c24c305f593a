"""Making data downloads after the response, in each web process (:mod:`forum.background`).

On unless ``DATA_EXPORTS_IN_BACKGROUND`` is false, and off under ``TESTING``. Without it (or
after a process stops mid-way), ``flask --app forum data-exports run`` makes what waits, and
the person's next look at their data page wakes the worker of the process that answers.
"""

from __future__ import annotations

import logging

import click
from flask import Flask
from flask import current_app
from flask.cli import with_appcontext

from forum import background
from forum.extensions import db
from forum.models import utcnow

log = logging.getLogger(__name__)

MAKER_KEY = "forum.data_export_maker"


def _make(app: Flask, export_ids: list[int]) -> None:
    from forum.people.exports import make_export

    for export_id in export_ids:
        with app.app_context():
            made = make_export(app, export_id)
        log.info("Data download %s %s", export_id, "made" if made else "not mine to make")


def export_maker(app: Flask) -> background.BackgroundWorker | None:
    return app.extensions.get(MAKER_KEY)


def wake(app: Flask, export_id: int) -> bool:
    """Ask this process's worker to make ``export_id``; ``False`` when there is none."""
    maker = export_maker(app)
    if maker is None:
        return False
    maker.wake(export_id)
    return True


@click.group("data-exports")
def data_exports_cli() -> None:
    """Members' data downloads."""


@data_exports_cli.command("run")
@with_appcontext
def run_command() -> None:
    """Make every data download that waits, or was left half-made by a process that died.

    Run it from cron every few minutes when DATA_EXPORTS_IN_BACKGROUND is off.
    """
    from forum.people.exports import due_ids
    from forum.people.exports import make_export

    app = current_app._get_current_object()  # type: ignore[attr-defined]
    ids = due_ids(db.session, app.config, utcnow())
    db.session.rollback()
    made = sum(1 for export_id in ids if make_export(app, export_id))
    click.echo(f"Made {made} data download{'' if made == 1 else 's'} "
               f"({len(ids)} waiting).")


def init_app(app: Flask) -> None:
    if background.enabled(app, "DATA_EXPORTS_IN_BACKGROUND"):
        app.extensions[MAKER_KEY] = background.BackgroundWorker(
            app, _make, name="forum-data-exports")
    app.cli.add_command(data_exports_cli)
