"""Topics proposed for a workshop: who proposes, supports and decides, and who sees which.

A proposal waits for a coordinator's approval (the product's rule: nobody reads text a
moderator has not approved), so until then only its proposer and the people who run events
see it; a hidden one is seen by them alone too.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ColumnElement
from sqlalchemy import and_
from sqlalchemy import false
from sqlalchemy import or_
from sqlalchemy import select

from forum.models import Event
from forum.models import EventKind
from forum.models import EventTopic
from forum.models import TopicStatus
from forum.permissions.events import can_manage_events
from forum.permissions.events import can_view_event
from forum.permissions.events import visible_events_filter
from forum.permissions.roles import AnyUser
from forum.permissions.roles import is_signed_in


def has_topics(event: Event) -> bool:
    """Workshops are the events whose discussion topics people propose."""
    return event.kind == EventKind.WORKSHOP


def topics_open(event: Event, now: datetime) -> bool:
    """Proposing and supporting run until the workshop starts (and stop if it is cancelled)."""
    return has_topics(event) and event.cancelled_at is None and now < event.starts_at


def can_decide_topics(user: AnyUser, event: Event) -> bool:
    """Approve, hide, and put on (or take off) the agenda: the people who run events."""
    return has_topics(event) and can_manage_events(user)


def can_propose_topic(user: AnyUser, event: Event, now: datetime) -> bool:
    return is_signed_in(user) and topics_open(event, now) and can_view_event(user, event)


def proposal_needs_approval(user: AnyUser, event: Event) -> bool:
    """A coordinator's own proposal is published at once; everyone else's waits."""
    return not can_decide_topics(user, event)


def can_view_topic(user: AnyUser, topic: EventTopic) -> bool:
    event = topic.event
    if not has_topics(event) or not can_view_event(user, event):
        return False
    if topic.status == TopicStatus.APPROVED or can_decide_topics(user, event):
        return True
    return is_signed_in(user) and topic.proposer_id == user.id


def visible_topics_filter(user: AnyUser) -> ColumnElement[bool]:
    """:func:`can_view_topic` as a WHERE clause over :class:`EventTopic`."""
    workshops = select(Event.id).where(Event.kind == EventKind.WORKSHOP,
                                       visible_events_filter(user)).correlate(None)
    if can_manage_events(user):
        return EventTopic.event_id.in_(workshops)
    own = (EventTopic.proposer_id == user.id) if is_signed_in(user) else false()
    return and_(EventTopic.event_id.in_(workshops),
                or_(EventTopic.status == TopicStatus.APPROVED, own))


def can_support_topic(user: AnyUser, topic: EventTopic, now: datetime) -> bool:
    """Anyone who may propose may support a published proposal, but not their own."""
    return (is_signed_in(user) and topic.status == TopicStatus.APPROVED
            and topic.proposer_id != user.id and can_propose_topic(user, topic.event, now))
