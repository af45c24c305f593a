"""Uploaded files: checking what they are, keeping them, and serving them to who may see them."""

from flask import Blueprint
from flask import Flask

bp = Blueprint("files", __name__)


def init_app(app: Flask) -> None:
    from forum.files import limits
    from forum.files import views  # noqa: F401

    limits.init_app(app)
    app.jinja_env.filters["file_size"] = limits.size_words
    app.register_blueprint(bp)
