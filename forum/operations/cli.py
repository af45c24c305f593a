"""``flask backup`` and ``flask restore``."""

from __future__ import annotations

from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from forum.operations.backup import BackupError
from forum.operations.backup import backup
from forum.operations.backup import restore


@click.command("backup")
@with_appcontext
@click.argument("path", type=click.Path(file_okay=False, path_type=Path))
def backup_command(path: Path) -> None:
    """Copy the database and the instance folder (settings, stored files) into PATH.

    Safe while the site is running: SQLite is copied with its online backup API, PostgreSQL
    with pg_dump, each a consistent snapshot. PATH must be new or empty.
    """
    try:
        summary = backup(current_app._get_current_object(), path)
    except BackupError as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"Backed up the {summary.database} database and {summary.files} stored "
               f"file{'' if summary.files == 1 else 's'} to {summary.path}.")
    click.echo("The backup holds the site's secret key: keep it as safe as the server.")


@click.command("restore")
@with_appcontext
@click.argument("path", type=click.Path(exists=True, file_okay=False, path_type=Path))
def restore_command(path: Path) -> None:
    """Bring the backup in PATH back into this instance, whose database must be empty."""
    try:
        summary = restore(current_app._get_current_object(), path)
    except BackupError as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"Restored the {summary.database} database and {summary.files} stored "
               f"file{'' if summary.files == 1 else 's'} from {summary.path}.")
    if summary.kept:
        click.echo(f"Kept {len(summary.kept)} file{'' if len(summary.kept) == 1 else 's'} this "
                   f"instance already had, which differ from the backup's (not replaced): "
                   + ", ".join(str(path) for path in summary.kept[:10])
                   + (" ..." if len(summary.kept) > 10 else "") + ".")
    click.echo("Run 'flask --app forum init-db' next if this program is newer than the backup.")
