"""STUB: replaced by the admin work."""
from __future__ import annotations

from forum.admin import bp


@bp.get("/admin/")
def index():
    return "admin"
