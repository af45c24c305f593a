"""``flask search rebuild``: re-read everything searchable into the search index."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from forum.extensions import db
from forum.search import guides
from forum.search import schema

search_cli = AppGroup("search", help="The search index.")


@search_cli.command("rebuild")
def rebuild_command() -> None:
    """Rebuild the index from the posts, threads, published guides and events (after a bulk
    import or a restore)."""
    guides.reindex_all(db.session)
    db.session.commit()
    with db.engine.begin() as connection:
        schema.create_all(connection)
        schema.rebuild(connection)
    click.echo("The search index has been rebuilt.")
