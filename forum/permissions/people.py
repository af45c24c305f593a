"""A person's own data: only they may fetch a copy of it.

Admins are no exception: answering a subject access request goes through the person's
account (they download their own), never through an admin downloading someone's file.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement

from forum.models import DataExport
from forum.permissions.roles import AnyUser


def can_fetch_data_export(user: AnyUser, data_export: DataExport) -> bool:
    """Whether ``user`` may see the state of, or download, ``data_export``: its owner only."""
    return bool(getattr(user, "is_authenticated", False)) and data_export.user_id == user.id


def own_data_exports(user: AnyUser) -> ColumnElement[bool]:
    """:func:`can_fetch_data_export` as a WHERE clause over :class:`DataExport`."""
    if not getattr(user, "is_authenticated", False):
        return DataExport.id.is_(None)
    return DataExport.user_id == user.id
