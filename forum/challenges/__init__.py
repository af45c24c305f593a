"""Challenges: a member's real problem as a thread, with replies of a kind, actions and updates.

Built on threads: a challenge's thread page asks for what the challenge adds through
:mod:`forum.threads.extras`, which :func:`init_app` fills in, so threads imports nothing of
this package.
"""

from flask import Blueprint
from flask import Flask

bp = Blueprint("challenges", __name__)


def init_app(app: Flask) -> None:
    """Register the pages and settle actions when their updates are approved."""
    from forum.challenges import views  # noqa: F401
    from forum.challenges.page import thread_context
    from forum.challenges.service import load_challenge
    from forum.challenges.service import subscribe
    from forum.threads import extras

    app.register_blueprint(bp)
    subscribe(app)
    extras.register(app, extras.ThreadExtra(load=load_challenge, page_context=thread_context,
                                            reply_endpoint="challenges.reply"))
