"""Topics proposed for a workshop: proposing, supporting, and the coordinators' decisions
(approve, hide, put on the agenda). Functions take the session and the acting user, raise
:class:`TopicError`, and never commit (the view commits once)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm import selectinload

from forum import permissions
from forum import signals
from forum.models import Event
from forum.models import EventTopic
from forum.models import TopicStatus
from forum.models import TopicSupport
from forum.models import User
from forum.models import utcnow
from forum.permissions import AnyUser
from forum.text import render_markdown


class TopicError(Exception):
    """Refused; the message is fit to show."""


class NotAllowed(TopicError):
    pass


def propose(session: Session, user: User, event: Event, *, title: str,
            description: str) -> EventTopic:
    """A new proposal: published at once for a coordinator, otherwise waiting for approval
    (and the coordinators are told)."""
    now = utcnow()
    if not permissions.can_propose_topic(user, event, now):
        raise NotAllowed("Topics can be proposed only before the workshop starts.")
    waits = permissions.proposal_needs_approval(user, event)
    topic = EventTopic(event_id=event.id, proposer_id=user.id, title=title.strip(),
                       description_source=description,
                       description_html=render_markdown(description) if description else "",
                       status=TopicStatus.WAITING if waits else TopicStatus.APPROVED,
                       on_agenda=False, created_at=now)
    topic.event = event
    session.add(topic)
    session.flush()
    if waits:
        signals.send_about_event(signals.topic_proposed, session, event, topic=topic)
    return topic


def support(session: Session, user: User, topic: EventTopic) -> None:
    """Add the user's support (once; supporting twice changes nothing)."""
    if not permissions.can_support_topic(user, topic, utcnow()):
        raise NotAllowed("You cannot support this topic.")
    if session.get(TopicSupport, (topic.id, user.id)) is not None:
        return
    try:
        with session.begin_nested():
            session.add(TopicSupport(topic_id=topic.id, user_id=user.id, created_at=utcnow()))
    except IntegrityError:  # the same person, twice at once
        return


def withdraw_support(session: Session, user: User, topic: EventTopic) -> None:
    if not permissions.topics_open(topic.event, utcnow()):
        raise TopicError("Supporting topics closed when the workshop started.")
    mine = session.get(TopicSupport, (topic.id, user.id))
    if mine is None:
        raise TopicError("You were not supporting this topic.")
    session.delete(mine)
    session.flush()


def _decide(user: User, topic: EventTopic) -> None:
    if not permissions.can_decide_topics(user, topic.event):
        raise NotAllowed("Only the network's admins and coordinators decide on topics.")
    topic.decided_by_id = user.id
    topic.decided_at = utcnow()


def approve(session: Session, user: User, topic: EventTopic) -> None:
    """Publish a waiting (or hidden) proposal to everyone who can see the workshop."""
    _decide(user, topic)
    topic.status = TopicStatus.APPROVED
    session.flush()


def hide(session: Session, user: User, topic: EventTopic) -> None:
    """Take an inappropriate proposal down (off the agenda too)."""
    _decide(user, topic)
    topic.status = TopicStatus.HIDDEN
    topic.on_agenda = False
    session.flush()


def set_agenda(session: Session, user: User, topic: EventTopic, on_agenda: bool) -> None:
    """Mark (or unmark) a topic as made the agenda; a waiting one is approved by doing so."""
    _decide(user, topic)
    if topic.status == TopicStatus.HIDDEN and on_agenda:
        raise TopicError("A hidden topic cannot go on the agenda: show it again first.")
    if on_agenda:
        topic.status = TopicStatus.APPROVED
    topic.on_agenda = on_agenda
    session.flush()


@dataclass(frozen=True)
class TopicView:
    """A topic as the event page shows it to one viewer."""

    topic: EventTopic
    supporters: list[User]
    supported_by_me: bool
    # May support it now (or withdraw their support): :func:`permissions.can_support_topic`.
    may_support: bool = False

    @property
    def support_count(self) -> int:
        return len(self.supporters)


def topics_for(session: Session, event: Event, viewer: AnyUser,
               now: datetime | None = None) -> list[TopicView]:
    """The topics of ``event`` the viewer may see: on the agenda first, then by support
    (most first), then oldest first. Two queries, however many topics."""
    if not permissions.has_topics(event):
        return []
    counts = (select(TopicSupport.topic_id, func.count().label("n"))
              .group_by(TopicSupport.topic_id).subquery())
    topics = session.scalars(
        select(EventTopic)
        .options(selectinload(EventTopic.supports).selectinload(TopicSupport.user),
                 selectinload(EventTopic.proposer))
        .outerjoin(counts, counts.c.topic_id == EventTopic.id)
        .where(EventTopic.event_id == event.id, permissions.visible_topics_filter(viewer))
        .order_by(EventTopic.on_agenda.desc(), func.coalesce(counts.c.n, 0).desc(),
                  EventTopic.created_at, EventTopic.id)).all()
    me = viewer.id if permissions.is_signed_in(viewer) else None
    now = now or utcnow()
    return [TopicView(topic=topic, supporters=[s.user for s in topic.supports],
                      supported_by_me=any(s.user_id == me for s in topic.supports),
                      may_support=permissions.can_support_topic(viewer, topic, now))
            for topic in topics]


def find(session: Session, event: Event, topic_id: int) -> EventTopic | None:
    if not 0 < topic_id <= 2**31 - 1:
        return None
    return session.scalar(select(EventTopic).where(EventTopic.id == topic_id,
                                                   EventTopic.event_id == event.id))
