"""STUB: replaced by the sets work."""
from __future__ import annotations

from forum.sets import bp


@bp.get("/sets/")
def index():
    return "my sets"
