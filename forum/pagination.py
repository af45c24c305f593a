"""The page number a list was asked for, read the same way by every paginated view."""

from __future__ import annotations

from flask import request

# Far beyond any real list, and small enough that (page - 1) * per_page fits the database.
MAX_PAGE = 1_000_000


def requested_page() -> int:
    """``?page=`` as a number from 1 to :data:`MAX_PAGE`; anything else reads as page 1."""
    page = request.args.get("page", 1, type=int)
    return page if 1 <= page <= MAX_PAGE else 1
