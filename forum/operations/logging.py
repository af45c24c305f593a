"""Structured logs: one JSON object a line on stdout, each request's lines sharing a request id.

A request id comes from the ``X-Request-ID`` header when a proxy set a sensible one, otherwise it
is made here; it is sent back in the response so a user's report can be matched to the log.
"""

from __future__ import annotations

import json
import logging
import re
import sys
import time
import uuid
from datetime import UTC
from datetime import datetime
from typing import IO

from flask import Flask
from flask import Response
from flask import g
from flask import has_request_context
from flask import request

REQUEST_ID_HEADER = "X-Request-ID"
_SAFE_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{8,128}$")
_HANDLER_NAME = "forum-structured"

access_log = logging.getLogger("forum.access")


def current_request_id() -> str | None:
    return g.get("request_id") if has_request_context() else None


class RequestIdFilter(logging.Filter):
    """Adds ``request_id`` to every record made while a request is handled."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = current_request_id()
        return True


class JsonFormatter(logging.Formatter):
    """time, level, logger, message, request_id and any ``extra`` fields, as one JSON line."""

    _STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", (), None))) | {
        "message", "asctime", "request_id"}

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        request_id = getattr(record, "request_id", None)
        if request_id:
            entry["request_id"] = request_id
        entry.update({key: value for key, value in vars(record).items()
                      if key not in self._STANDARD and not key.startswith("_")})
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, default=str)


def configure_logging(app: Flask, stream: IO[str] | None = None) -> None:
    """Send the app's logs to stdout as JSON (``LOG_FORMAT = "json"``) or plain text."""
    if app.config["LOG_FORMAT"] == "none":
        return
    handler = logging.StreamHandler(stream or sys.stdout)
    handler.set_name(_HANDLER_NAME)
    handler.addFilter(RequestIdFilter())
    if app.config["LOG_FORMAT"] == "json":
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(logging.Formatter(
            "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"))
    forum_logger = logging.getLogger("forum")
    for existing in list(forum_logger.handlers):
        if existing.get_name() == _HANDLER_NAME:
            forum_logger.removeHandler(existing)
    forum_logger.addHandler(handler)
    forum_logger.setLevel(app.config["LOG_LEVEL"])
    app.logger.handlers = [handler]
    app.logger.setLevel(app.config["LOG_LEVEL"])


def _logs_requests(app: Flask) -> bool:
    """``LOG_REQUESTS = None`` means: log, except in tests and under Werkzeug's dev server
    (which prints its own line for each request)."""
    setting = app.config["LOG_REQUESTS"]
    if setting is not None:
        return bool(setting)
    return not app.testing and not request.environ.get("SERVER_SOFTWARE", "").startswith(
        "Werkzeug")


def init_app(app: Flask) -> None:
    if not app.testing:  # tests read logs through pytest's own capture
        configure_logging(app)

    @app.before_request
    def start_request() -> None:
        offered = request.headers.get(REQUEST_ID_HEADER, "")
        g.request_id = offered if _SAFE_REQUEST_ID.match(offered) else uuid.uuid4().hex
        g.request_started = time.perf_counter()

    @app.after_request
    def log_request(response: Response) -> Response:
        request_id = g.get("request_id")
        if request_id:
            response.headers[REQUEST_ID_HEADER] = request_id
        if _logs_requests(app) and "request_started" in g:
            access_log.info(
                "%s %s %s", request.method, request.path, response.status_code,
                extra={"method": request.method, "path": request.path,
                       "status": response.status_code,
                       "duration_ms": round((time.perf_counter() - g.request_started) * 1000, 1),
                       "remote_addr": request.remote_addr})
        return response
