"""``flask files sweep``: delete stored files no record points at (see :mod:`.sweep`)."""

from __future__ import annotations

from datetime import timedelta

import click
from flask.cli import AppGroup

from forum.extensions import db
from forum.files.storage import upload_folder
from forum.files.sweep import DEFAULT_GRACE
from forum.files.sweep import sweep_orphans

files_cli = AppGroup("files", help="Work with uploaded files.")


@files_cli.command("sweep")
@click.option("--grace-hours", type=click.FloatRange(min=0), show_default=True,
              default=DEFAULT_GRACE.total_seconds() / 3600,
              help="Keep files without a record that are newer than this (an upload in "
                   "progress writes its file before its record).")
def sweep_command(grace_hours: float) -> None:
    """Delete uploaded files whose event, meeting, post or set was deleted.

    Also run daily by 'flask --app forum retention'.
    """
    swept = sweep_orphans(db.session, upload_folder(), grace=timedelta(hours=grace_hours))
    db.session.rollback()  # read only: end the transaction
    click.echo(swept.describe())
