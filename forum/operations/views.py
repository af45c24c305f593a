"""``/healthz``: for a load balancer; says only whether the database answers with the
site's tables in it."""

from __future__ import annotations

from flask import Response
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from forum.extensions import db
from forum.extensions import limiter
from forum.operations import bp


@bp.get("/healthz")
@limiter.exempt
def health() -> Response:
    """200 "ok" when the database answers a query of the site's tables, else 503; nothing else
    is revealed. A database never upgraded (``init-db`` not run) answers ``SELECT 1`` while
    every page is a 503, so the check reads a table: one row of users, by key."""
    try:
        db.session.execute(text("SELECT 1 FROM users LIMIT 1"))
    except SQLAlchemyError:
        db.session.rollback()
        return _plain("unavailable\n", 503)
    finally:
        db.session.remove()
    return _plain("ok\n", 200)


def _plain(body: str, status: int) -> Response:
    response = Response(body, status=status, mimetype="text/plain")
    response.headers["Cache-Control"] = "no-store"
    return response
