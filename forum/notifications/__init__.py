"""Notifications: in-app notices, email preferences, the email outbox and digests."""

from flask import Blueprint
from flask import Flask

bp = Blueprint("notifications", __name__)


def init_app(app: Flask) -> None:
    """Register the pages and subscribe to the posts' signals (:mod:`forum.signals`)."""
    from forum.notifications.service import subscribe

    app.register_blueprint(bp)
    subscribe(app)


from forum.notifications import cli  # noqa: E402,F401
from forum.notifications import views  # noqa: E402,F401
