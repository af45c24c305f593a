"""Error pages that reveal nothing about objects the visitor may not see."""

from __future__ import annotations

import contextlib
import errno

from flask import Flask
from flask import current_app
from flask import render_template
from flask import request
from flask_limiter.errors import RateLimitExceeded
from sqlalchemy.exc import OperationalError
from sqlalchemy.exc import ProgrammingError
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError
from werkzeug.exceptions import Forbidden
from werkzeug.exceptions import HTTPException

from forum.auth.resume import CarriedField
from forum.auth.resume import dropped_files
from forum.auth.resume import fields_to_carry
from forum.extensions import db
from forum.operations.database_errors import schema_problem

UNAVAILABLE_TITLE = "Sorry, the service is unavailable"
RETRY_AFTER_SECONDS = 30

TITLES = {
    400: "There was a problem with that request",
    403: "You cannot do that",
    404: "Page not found",
    405: "That action is not available here",
    413: "That was too large to send",
    429: "Too many attempts",
    500: "Sorry, there is a problem with the service",
    503: UNAVAILABLE_TITLE,
}


# Refusals of a form that was read: its text is shown again on the error page.
_KEEPS_TEXT = {400, 403, 404, 405, 409, 410, 429, 500, 503}

# A file could not be written: the disk (or the user's quota) is full, or it is read-only.
_STORAGE_FULL = {errno.ENOSPC, errno.EDQUOT, errno.EROFS}


class Refused(Forbidden):
    """A 403 that says why, and where to go on: the error page shows ``reason`` and a link
    (``way_on``: its text and address) instead of leaving the visitor at a dead end."""

    def __init__(self, reason: str, way_on: tuple[str, str] | None = None) -> None:
        super().__init__(reason)
        self.way_on = way_on


def _wait_words(error: RateLimitExceeded) -> str:
    """How long to wait after hitting a rate limit, in words: the limit's window ("10 per
    minute" -> "a minute", "3 per hour" -> "an hour")."""
    seconds = error.limit.limit.get_expiry()
    if seconds <= 60:
        return "a minute"
    if seconds % 3600 == 0:
        hours = seconds // 3600
        return "an hour" if hours == 1 else f"{hours} hours"
    return f"{-(-seconds // 60)} minutes"


def _unsent_text(status: int) -> list[CarriedField]:
    """What a refused POST held (no secrets, ids or buttons), to copy before leaving the page.

    A reply sent to a thread locked (or a set left) meanwhile would otherwise be lost with
    the page. Only what the sender sent comes back, so it reveals nothing.
    """
    if request.method != "POST" or status not in _KEEPS_TEXT:
        return []
    try:
        form = request.form
    except HTTPException:  # a body too large or malformed to read
        return []
    return [field for field in fields_to_carry(form)
            if field.kind != "hidden" and field.value.strip()]


def _unsent_files(status: int) -> list[str]:
    """The names of the files a refused POST carried: not kept, so the page says so."""
    if request.method != "POST" or status not in _KEEPS_TEXT:
        return []
    try:
        return dropped_files(request.files)
    except HTTPException:
        return []


def _render(status: int, reason: str | None = None, way_on: tuple[str, str] | None = None):
    title = TITLES.get(status, "Something went wrong")
    extra: dict[str, object] = {"unsent": _unsent_text(status), "reason": reason,
                                "dropped": _unsent_files(status), "way_on": way_on}
    if status == 413:
        from forum.files.limits import size_words

        extra["upload_limit"] = size_words(current_app.config["UPLOAD_MAX_BYTES"])
    headers = {}
    if extra["unsent"] or extra["dropped"]:
        # The sender's own words: never kept by a browser's or a proxy's cache.
        headers["Cache-Control"] = "no-store, private"
    return (render_template("errors/error.html", status=status, title=title, **extra), status,
            headers)


def init_app(app: Flask) -> None:
    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        status = error.code or 500
        if status < 400:
            return error
        # A view may say why (``abort(403, "This thread is locked...")``); Werkzeug's own
        # descriptions are not shown.
        reason = error.description if error.description != type(error).description else None
        if isinstance(error, RateLimitExceeded):  # its description is the limit, "10 per 1 minute"
            reason = ("You have tried that too many times in a short time. Wait "
                      f"{_wait_words(error)} and try again.")
        return _render(status, reason, getattr(error, "way_on", None))

    @app.errorhandler(500)
    def server_error(error: Exception):
        db.session.rollback()
        return _render(500)

    @app.errorhandler(OSError)
    def storage_full(error: OSError):
        """A file (an upload, a guide's PDF) could not be written because the disk is full:
        nothing is saved, the sender gets their text back and a 503, and the log says which
        file. Any other OSError is the usual 500."""
        if error.errno not in _STORAGE_FULL:
            raise error
        app.logger.error("Could not write %s: %s. Free space on that disk (UPLOAD_FOLDER, "
                         "GUIDE_FILES_DIR, the instance folder).", error.filename,
                         error.strerror)
        with contextlib.suppress(SQLAlchemyError):
            db.session.rollback()
        response = _render(503, "Nothing was saved: the site cannot store files just now. "
                                "Try again later.")
        return (*response[:2], {**response[2], "Retry-After": str(RETRY_AFTER_SECONDS)})

    @app.errorhandler(ProgrammingError)
    def schema_missing(error: ProgrammingError):
        """A table or column the program needs is not there (``init-db`` not run after an
        upgrade): the site is unavailable until it is, so a 503 and one plain log line."""
        if schema_problem(error) is None:
            raise error  # the usual 500 (and raised in tests)
        return database_unavailable(error)

    @app.errorhandler(OperationalError)
    @app.errorhandler(PoolTimeoutError)
    def database_unavailable(error: Exception):
        """The database cannot be reached, or did not answer in time: a 503, not a 500."""
        app.logger.error("Database unavailable: %s", schema_problem(error) or error)
        with contextlib.suppress(SQLAlchemyError):
            db.session.rollback()
        # Rendered without context processors: they would look up the signed-in user and the
        # header's counts, which need the database.
        page = app.jinja_env.get_template("errors/unavailable.html").render(
            title=UNAVAILABLE_TITLE)
        return page, 503, {"Retry-After": str(RETRY_AFTER_SECONDS)}
