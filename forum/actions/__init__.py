"""A set's committed actions, a member's own open ones, and the facilitator's participation
page (issue 13, the action-learning cycle).

The lists (:mod:`.service`) are used by the home page and the sets' pages too, so the views
are imported only when the blueprint is registered (they import the sets' loader in turn).
"""

from flask import Blueprint
from flask import Flask

bp = Blueprint("actions", __name__)


def init_app(app: Flask) -> None:
    from forum.actions import views  # noqa: F401  (the routes)

    app.register_blueprint(bp)
