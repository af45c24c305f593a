from flask import Blueprint
from flask import Flask

bp = Blueprint("threads", __name__)


def init_app(app: Flask) -> None:
    """Register the pages; keep unread markers in step with approvals, and make authors
    follow the threads they write in."""
    from forum.threads import following
    from forum.threads import fragments
    from forum.threads import reading

    app.register_blueprint(bp)
    fragments.init_app(app)
    reading.subscribe(app)
    following.subscribe(app)


from forum.threads import views  # noqa: E402,F401
