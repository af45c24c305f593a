"""Error pages that reveal nothing about objects the visitor may not see."""

from __future__ import annotations

from flask import Flask
from flask import render_template
from werkzeug.exceptions import HTTPException

from forum.extensions import db

TITLES = {
    400: "There was a problem with that request",
    403: "You cannot do that",
    404: "Page not found",
    405: "That action is not available here",
    413: "That was too large to send",
    429: "Too many attempts",
    500: "Sorry, there is a problem with the service",
}


def _render(status: int):
    title = TITLES.get(status, "Something went wrong")
    return render_template("errors/error.html", status=status, title=title), status


def init_app(app: Flask) -> None:
    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        status = error.code or 500
        if status < 400:
            return error
        return _render(status)

    @app.errorhandler(500)
    def server_error(error: Exception):
        db.session.rollback()
        return _render(500)
