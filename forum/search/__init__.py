"""Search: one box, the database's own full-text engine, only what the searcher may read."""

from flask import Blueprint
from flask import Flask

from forum.search import schema  # noqa: F401  (the indexes are made with their tables)

bp = Blueprint("search", __name__)


def init_app(app: Flask) -> None:
    from forum.search.cli import search_cli

    app.register_blueprint(bp)
    app.cli.add_command(search_cli)
    from forum import signals
    from forum.search.guides import on_guide_version_changed

    # Guides announce each newly published (or re-credited) version; search follows it.
    signals.guide_version_changed.connect(on_guide_version_changed, sender=app)


from forum.search import views  # noqa: E402,F401
