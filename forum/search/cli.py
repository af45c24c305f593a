"""``flask search rebuild``: re-read every post and thread title into the search index."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from forum.extensions import db
from forum.search import schema

search_cli = AppGroup("search", help="The search index.")


@search_cli.command("rebuild")
def rebuild_command() -> None:
    """Rebuild the index from the posts and threads (after a bulk import or a restore)."""
    with db.engine.begin() as connection:
        schema.create_all(connection)
        schema.rebuild(connection)
    click.echo("The search index has been rebuilt.")
