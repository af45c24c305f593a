"""The page header's two counts, items waiting for a moderator ("Moderation (7)") and unread
notifications, read in one query once per request.

Each count's rule stays where it lives (:func:`forum.moderation.queue.queue_count`,
:func:`forum.notifications.service.unread_count`); this only asks both in one statement, built
once per process and kind of viewer (:func:`forum.permissions.for_viewer`), since every page a
signed-in person opens shows both.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import g
from flask_login import current_user
from sqlalchemy import Select
from sqlalchemy.orm import Session

from forum import permissions
from forum.permissions import AnyUser


@dataclass(frozen=True)
class HeaderCounts:
    queue: int | None  # None: the viewer moderates nothing
    unread_notifications: int


def _statement(user: AnyUser) -> Select:
    from forum.moderation.queue import queue_count_statement
    from forum.notifications.service import unread_statement

    return queue_count_statement(user).add_columns(
        unread_statement(user).scalar_subquery().label("unread"))


def header_counts(session: Session, user: AnyUser) -> HeaderCounts:
    """Both counts for a signed-in ``user``, in one query."""
    from forum.moderation.queue import queue_total

    statement, parameters = permissions.for_viewer(_statement, user)
    row = session.execute(statement, parameters).one()
    return HeaderCounts(queue=queue_total(row), unread_notifications=int(row.unread or 0))


def request_header_counts() -> HeaderCounts | None:
    """:func:`header_counts` for the signed-in person of this request, once a request;
    ``None`` for a visitor."""
    if not permissions.is_signed_in(current_user):
        return None
    if "_header_counts" not in g:
        from forum.extensions import db

        g._header_counts = header_counts(db.session,
                                         current_user._get_current_object())  # type: ignore[attr-defined]
    return g._header_counts
