"""A person's data: who may fetch a copy of it.

A copy the person asked for is theirs alone (admins included). A copy an admin asked for, to
answer a subject access request, is for the site's admins (any of them, so it can be answered
if the admin who asked is away or leaves) and is not shown to the person: the admin sends it.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement
from sqlalchemy import and_

from forum.models import DataExport
from forum.permissions.roles import AnyUser
from forum.permissions.roles import is_admin


def can_fetch_data_export(user: AnyUser, data_export: DataExport) -> bool:
    """Whether ``user`` may see the state of, or download, ``data_export``: its owner for
    their own copy, any admin for an admins' copy."""
    if not getattr(user, "is_authenticated", False):
        return False
    if data_export.for_admin:
        return is_admin(user)
    return data_export.user_id == user.id


def own_data_exports(user: AnyUser) -> ColumnElement[bool]:
    """The copies ``user`` asked for of their own data (never an admins' copy of it)."""
    if not getattr(user, "is_authenticated", False):
        return DataExport.id.is_(None)
    return and_(DataExport.user_id == user.id, DataExport.for_admin.is_(False))


def admin_data_exports(user: AnyUser, person_id: int) -> ColumnElement[bool]:
    """The admins' copies of one person's data, if ``user`` may fetch them (else none)."""
    if not is_admin(user):
        return DataExport.id.is_(None)
    return and_(DataExport.user_id == person_id, DataExport.for_admin.is_(True))
