"""The network's events: who sees one, who signs up, who runs them."""

from __future__ import annotations

from sqlalchemy import ColumnElement
from sqlalchemy import or_
from sqlalchemy import select
from sqlalchemy import true

from forum.models import Event
from forum.models import EventAudience
from forum.models import EventSet
from forum.permissions.roles import AnyUser
from forum.permissions.roles import is_admin
from forum.permissions.roles import is_network_coordinator
from forum.permissions.roles import is_signed_in
from forum.permissions.roles import member_set_ids
from forum.permissions.roles import role_in


def can_manage_events(user: AnyUser) -> bool:
    """Publish, change and cancel events and add their materials: the site's admins and the
    network coordinators they name."""
    return is_admin(user) or is_network_coordinator(user)


def can_view_event(user: AnyUser, event: Event) -> bool:
    if event.audience == EventAudience.PUBLIC or can_manage_events(user):
        return True
    if not is_signed_in(user):
        return False
    if event.audience == EventAudience.NETWORK:
        return True
    return any(role_in(user, learning_set) is not None for learning_set in event.sets)


def visible_events_filter(user: AnyUser) -> ColumnElement[bool]:
    """:func:`can_view_event` as a WHERE clause over :class:`Event`."""
    if can_manage_events(user):
        return true()
    if not is_signed_in(user):
        return Event.audience == EventAudience.PUBLIC
    return or_(Event.audience.in_([EventAudience.PUBLIC, EventAudience.NETWORK]),
               Event.id.in_(select(EventSet.event_id).where(
                   EventSet.learning_set_id.in_(member_set_ids(user))).correlate(None)))


def can_sign_up(user: AnyUser, event: Event) -> bool:
    """Signed-in people who can see an event with sign-up open (and not cancelled)."""
    return (is_signed_in(user) and event.signup_open and event.cancelled_at is None
            and can_view_event(user, event))

