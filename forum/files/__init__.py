"""Uploaded files: checking what they are, keeping them, and serving them to who may see them."""

from flask import Blueprint
from flask import Flask

bp = Blueprint("files", __name__)


def init_app(app: Flask) -> None:
    from forum.files import limits
    from forum.files import views  # noqa: F401

    limits.init_app(app)
    app.jinja_env.filters["file_size"] = limits.size_words
    from forum.files.forms import allowed_hint

    app.jinja_env.globals["upload_hint"] = allowed_hint
    app.register_blueprint(bp)

    from forum import signals
    from forum.files.service import release_waiting_files

    def on_edit_approved(sender: Flask, session, post, **extra) -> None:
        release_waiting_files(session, post)

    signals.edit_approved.connect(on_edit_approved, sender=app, weak=False)
