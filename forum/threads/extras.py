"""What another area adds to a thread's pages (a challenge: its aim, the kinds of reply and
their form), registered by that area's ``init_app``.

The thread pages ask through here, so they import no area built on top of threads (the
challenges package imports threads, never the other way round, not even inside a function).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import Flask
from flask import current_app
from sqlalchemy.orm import Session

_KEY = "forum.thread_extra"


@dataclass(frozen=True)
class ThreadExtra:
    #: What stands behind the thread (its challenge), or None: ``load(session, thread_id)``.
    load: Callable[[Session, int], Any]
    #: Template values for the thread page: ``page_context(session, viewer, found, views)``.
    page_context: Callable[[Session, Any, Any, list[Any]], dict[str, Any]]
    #: The endpoint that answers a post in such a thread (a reply there has a kind).
    reply_endpoint: str


def register(app: Flask, extra: ThreadExtra) -> None:
    app.extensions[_KEY] = extra


def registered() -> ThreadExtra | None:
    """The extra registered with this app, if any."""
    return current_app.extensions.get(_KEY)
