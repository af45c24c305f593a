"""Challenges: a member's real problem as a thread, with replies of a kind, actions and updates.

The blueprint's views are loaded by :func:`init_app` (not at import), so the threads pages can
use this package's service and forms without a circle of imports.
"""

from flask import Blueprint
from flask import Flask

bp = Blueprint("challenges", __name__)


def init_app(app: Flask) -> None:
    """Register the pages and settle actions when their updates are approved."""
    from forum.challenges import views  # noqa: F401
    from forum.challenges.service import subscribe

    app.register_blueprint(bp)
    subscribe(app)
