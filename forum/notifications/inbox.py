"""A person's notifications: listed, counted and marked read.

Only those about what they may read now (:func:`forum.permissions.readable_notifications`):
after a member leaves a set, or a post is hidden, notifications naming it are no longer shown
or counted. Light: the page header asks it on every page.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import func
from sqlalchemy import select
from sqlalchemy import update
from sqlalchemy.orm import Session

from forum import permissions
from forum.models import Notification
from forum.models import User
from forum.models import utcnow


def unread_statement(user: User) -> Any:
    """The statement of :func:`unread_count` (the page header reads it with the moderation
    queue's count: :mod:`forum.header`)."""
    return select(func.count(Notification.id)).where(
        Notification.user_id == user.id, Notification.read_at.is_(None),
        permissions.readable_notifications(user))


def unread_count(session: Session, user: User) -> int:
    """Unread notifications about things the user can still read (see :func:`notifications_for`).

    Asked on every page (the header): the statement is built once per process and kind of
    viewer (:func:`forum.permissions.for_viewer`)."""
    statement, parameters = permissions.for_viewer(unread_statement, user)
    return session.scalar(statement, parameters) or 0


def notifications_for(session: Session, user: User, *, page: int,
                      per_page: int) -> tuple[list[Notification], int]:
    """One page of the user's notifications, newest first, and the total count.

    Readability is checked now, not only when the notification was made: after a member
    leaves a set, or a post is hidden, notifications naming it are no longer shown.
    """
    mine = (Notification.user_id == user.id, permissions.readable_notifications(user))
    total = session.scalar(select(func.count(Notification.id)).where(*mine)) or 0
    rows = session.scalars(
        select(Notification).where(*mine)
        .order_by(Notification.created_at.desc(), Notification.id.desc())
        .offset((page - 1) * per_page).limit(per_page)).all()
    return list(rows), total


def open_notification(session: Session, user: User, notification_id: int) -> Notification | None:
    """The user's own notification, marked read (``None`` if it is not theirs, is gone, or is
    about what they may no longer read: where it leads names that, a set's address say)."""
    notification = session.get(Notification, notification_id)
    if (notification is None or notification.user_id != user.id
            or not permissions.can_read_notification(user, notification)):
        return None
    if notification.read_at is None:
        notification.read_at = utcnow()
    return notification


def mark_all_read(session: Session, user: User) -> int:
    """Mark every unread notification of the user read; returns how many changed."""
    result = session.execute(
        update(Notification).where(Notification.user_id == user.id,
                                   Notification.read_at.is_(None))
        .values(read_at=utcnow()).execution_options(synchronize_session=False))
    return int(result.rowcount or 0)
