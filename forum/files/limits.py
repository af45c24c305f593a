"""How big an upload may be, enforced while the request is read.

A form that takes files reads a request up to ``UPLOAD_REQUEST_MAX_BYTES`` (several times the
per-file limit) instead of the site's ``MAX_CONTENT_LENGTH``, so the parts of a slightly too
large file still arrive with the rest of the form. Each file keeps only its first
``UPLOAD_MAX_BYTES`` (plus one) and drops the rest unwritten: the form then says "too large"
beside the field and keeps the text typed, and a large upload never fills the disk or memory.
Past the request limit the error page says how big files may be.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from typing import Any
from typing import TypeVar

from flask import Flask
from flask import current_app
from flask import request

View = TypeVar("View", bound=Callable[..., Any])
SPOOL_IN_MEMORY = 512 * 1024


def accepts_files(view: View) -> View:
    """Mark a view whose form takes files: its request may be larger than other forms'."""
    view.accepts_files = True  # type: ignore[attr-defined]
    return view


def request_limit(app: Flask) -> int:
    return (app.config.get("UPLOAD_REQUEST_MAX_BYTES")
            or 4 * app.config["UPLOAD_MAX_BYTES"] + app.config["MAX_CONTENT_LENGTH"])


class CappedSpool(tempfile.SpooledTemporaryFile):
    """A file part's container that keeps at most ``cap + 1`` bytes and counts the rest."""

    def __init__(self, cap: int) -> None:
        super().__init__(max_size=SPOOL_IN_MEMORY)
        self.cap = cap
        self.received = 0

    def write(self, data: bytes) -> int:  # type: ignore[override]
        room = self.cap + 1 - self.received
        if room > 0:
            super().write(data[:room])
        self.received += len(data)
        return len(data)

    @property
    def overflowed(self) -> bool:
        return self.received > self.cap


def file_stream() -> CappedSpool:
    return CappedSpool(current_app.config["UPLOAD_MAX_BYTES"])


def size_words(size: int) -> str:
    if size >= 1024 * 1024:
        return f"{size / (1024 * 1024):.0f} MB" if size % (1024 * 1024) == 0 \
            else f"{size / (1024 * 1024):.1f} MB"
    return f"{max(1, round(size / 1024))} KB"


def init_app(app: Flask) -> None:
    @app.url_value_preprocessor
    def larger_requests_for_files(endpoint: str | None, values: dict | None) -> None:
        view = app.view_functions.get(endpoint or "")
        if getattr(view, "accepts_files", False):
            request.max_content_length = request_limit(app)
