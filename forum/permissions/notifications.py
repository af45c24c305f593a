"""Notifications: shown, counted and emailed only about what the recipient can read now.

Checked when a notification is listed, counted or sent, not only when it was made: a member
removed from a set, or a post hidden since, is no longer named to them.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement
from sqlalchemy import and_
from sqlalchemy import exists
from sqlalchemy import or_
from sqlalchemy import select

from forum.models import Event
from forum.models import Notification
from forum.models import NotificationKind
from forum.models import Post
from forum.permissions.events import can_view_event
from forum.permissions.events import visible_events_filter
from forum.permissions.posts import can_view_post
from forum.permissions.posts import visible_posts_filter
from forum.permissions.roles import AnyUser
from forum.permissions.roles import can_handle_network_requests
from forum.permissions.sets import can_view_set
from forum.permissions.sets import readable_set_ids


def can_read_notification(user: AnyUser, notification: Notification) -> bool:
    """Whether the notification may be shown or emailed to ``user`` now."""
    if notification.kind == NotificationKind.NETWORK_REQUEST:
        # About the queue of visitors' requests: only while they still decide them.
        return can_handle_network_requests(user)
    if notification.post is not None:
        return can_view_post(user, notification.post)
    if notification.event is not None:
        return can_view_event(user, notification.event)
    if notification.learning_set is not None:
        return can_view_set(user, notification.learning_set)
    return True


def readable_notifications(user: AnyUser) -> ColumnElement[bool]:
    """:func:`can_read_notification` as a WHERE clause over :class:`Notification`."""
    # Correlated: checks each notification's own post, rather than listing every post the
    # user can read (which grows with the site) to look it up in.
    post_readable = exists(select(Post.id).where(Post.id == Notification.post_id,
                                                 visible_posts_filter(user)))
    event_readable = Notification.event_id.in_(
        select(Event.id).where(visible_events_filter(user)).correlate(None))
    set_readable = or_(Notification.learning_set_id.is_(None),
                       Notification.learning_set_id.in_(readable_set_ids(user)))
    readable = or_(and_(Notification.post_id.is_not(None), post_readable),
                   and_(Notification.post_id.is_(None), Notification.event_id.is_not(None),
                        event_readable),
                   and_(Notification.post_id.is_(None), Notification.event_id.is_(None),
                        set_readable))
    if can_handle_network_requests(user):
        return readable
    return and_(Notification.kind != NotificationKind.NETWORK_REQUEST, readable)
