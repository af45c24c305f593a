"""The page header's two counts, items waiting for a moderator ("Moderation (7)") and unread
notifications, read in one query once per request.

Each count's rule stays where it lives (:func:`forum.moderation.queue.queue_count`,
:func:`forum.notifications.inbox.unread_count`); this only asks both in one statement, built
once per process and kind of viewer (:func:`forum.permissions.for_viewer`), since every page a
signed-in person opens shows both.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import Flask
from flask import g
from flask import has_request_context
from flask_login import current_user
from sqlalchemy import BindParameter
from sqlalchemy import ClauseElement
from sqlalchemy import Select
from sqlalchemy import literal_column
from sqlalchemy.orm import Session
from sqlalchemy.sql.visitors import replacement_traverse

from forum import permissions
from forum.moderation.queue import queue_count_label
from forum.moderation.queue import queue_count_statement
from forum.moderation.queue import queue_total
from forum.notifications.inbox import unread_statement
from forum.permissions import AnyUser
from forum.permissions.prepared import VIEWER_ID


@dataclass(frozen=True)
class HeaderCounts:
    queue: int | None  # None: the viewer moderates nothing
    unread_notifications: int


def _sql_literal(value: object) -> str | None:
    """``value`` as an SQL literal both SQLite and PostgreSQL read alike, or None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):  # statuses and roles (str enums), kinds
        return "'" + str.replace(value, "'", "''") + "'"
    return None


def _constants_inline(element: ClauseElement) -> ClauseElement | None:
    """A bound value fixed when the statement is built (a status, a role, a cap) written
    into the SQL; the viewer's id, and any value of another type, stay parameters."""
    if not isinstance(element, BindParameter) or element.key == VIEWER_ID.key:
        return None
    if element.callable is not None:
        return None
    values = element.value if element.expanding else [element.value]
    if not isinstance(values, (list, tuple)) or not values:
        return None
    literals = [_sql_literal(value) for value in values]
    if None in literals:
        return None
    text = ", ".join(literals)  # type: ignore[arg-type]
    return literal_column(f"({text})" if element.expanding else text, element.type)


def _statement(user: AnyUser) -> Select:
    statement = queue_count_statement(user).add_columns(
        unread_statement(user).scalar_subquery().label("unread"))
    # SQLite prepared this statement again at every run while its statuses and roles were
    # bound string parameters: that was most of its time (0.15-0.5 ms a page, against
    # 0.004 ms with the constants written in). With only the viewer's id bound, the prepared
    # statement is reused, and SQLAlchemy has no IN-lists to expand at each run.
    return replacement_traverse(statement, {}, _constants_inline)


def header_counts(session: Session, user: AnyUser) -> HeaderCounts:
    """Both counts for a signed-in ``user``, in one query."""
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


def _queue_count() -> str | None:
    """Items waiting for the signed-in moderator, as the header shows them ("7", "99+");
    ``None``: not a moderator. Once a request."""
    counts = request_header_counts()
    if counts is None or counts.queue is None:
        return None
    return queue_count_label(counts.queue)


def _header_context() -> dict[str, Any]:
    """``moderation_queue_count`` (a function, so the query runs only when a page shows the
    count) and, for a signed-in person, ``unread_notifications``.

    Kept on ``g``: GOV.UK form widgets render their own templates, and each render asks the
    context processors again (three times on a page with a filter form)."""
    context: dict[str, Any] = {"moderation_queue_count": _queue_count}
    if has_request_context():
        counts = request_header_counts()
        if counts is not None:
            context["unread_notifications"] = counts.unread_notifications
    return context


def init_app(app: Flask) -> None:
    """Give every page the header's counts. This module sits above moderation and
    notifications (it reads both counts); neither imports it."""
    app.context_processor(_header_context)
