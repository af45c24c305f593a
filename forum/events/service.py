"""Events: publishing and changing them, signing up with a capacity and a waiting list, and
their materials. Functions take the session and the acting user, raise :class:`EventError`,
and never commit (the view commits once)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from dataclasses import replace
from datetime import datetime

from sqlalchemy import extract
from sqlalchemy import func
from sqlalchemy import or_
from sqlalchemy import select
from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm import selectinload

from forum import permissions
from forum import signals
from forum.files.service import Upload
from forum.files.service import attach
from forum.files.storage import upload_storage
from forum.models import Event
from forum.models import EventAudience
from forum.models import EventKind
from forum.models import EventMaterial
from forum.models import EventSignup
from forum.models import LearningSet
from forum.models import MaterialKind
from forum.models import SignupStatus
from forum.models import User
from forum.models import utcnow
from forum.permissions import AnyUser
from forum.text import render_markdown
from forum.times import DEFAULT_ZONE
from forum.times import describe_when


class EventError(Exception):
    """Refused; the message is fit to show."""


class NotAllowed(EventError):
    pass


@dataclass(frozen=True)
class EventDetails:
    """What a form says about an event (times already in UTC)."""

    kind: EventKind
    title: str
    starts_at: datetime
    ends_at: datetime
    place: str
    online_url: str
    description: str
    audience: EventAudience
    sets: list[LearningSet]
    signup_open: bool
    capacity: int | None


# What people who signed up are told about when it changes, in the words they are told.
_NEWSWORTHY = {"title": "title", "starts_at": "time", "ends_at": "time", "place": "place",
               "online_url": "place"}


def _apply(event: Event, details: EventDetails) -> list[str]:
    """Copy the details onto the event; returns what changed that people should hear about
    ("title", "time", "place"), in that order, without repeats."""
    changed = {word for name, word in _NEWSWORTHY.items()
               if getattr(event, name) != getattr(details, name)}
    for name in ("kind", "title", "starts_at", "ends_at", "place", "online_url", "audience",
                 "signup_open", "capacity"):
        setattr(event, name, getattr(details, name))
    event.description_source = details.description
    event.description_html = render_markdown(details.description) if details.description else ""
    event.sets = list(details.sets) if details.audience == EventAudience.SETS else []
    return [word for word in ("title", "time", "place") if word in changed]


def offered_sets(session: Session, actor: AnyUser) -> list[LearningSet]:
    """The sets an event form offers ``actor``: those they may read (a private set's name is
    for its members), by name."""
    return list(session.scalars(select(LearningSet).where(
        permissions.readable_sets_filter(actor)).order_by(func.lower(LearningSet.name))))


def unseen_sets(actor: AnyUser, event: Event) -> list[LearningSet]:
    """The event's sets that ``actor`` may not read: kept as they are when they change it."""
    return [s for s in event.sets if not permissions.can_view_set(actor, s)]


def _check_sets(actor: User, details: EventDetails) -> None:
    if not all(permissions.can_view_set(actor, s) for s in details.sets):
        raise NotAllowed("Choose sets from the list.")


def create_event(session: Session, actor: User, details: EventDetails) -> Event:
    if not permissions.can_manage_events(actor):
        raise NotAllowed("Only the network's admins and coordinators can publish events.")
    _check_sets(actor, details)
    event = Event(created_by_id=actor.id, created_at=utcnow(), sequence=0)
    _apply(event, details)
    session.add(event)
    session.flush()
    return event


def update_event(session: Session, actor: User, event: Event, details: EventDetails) -> list[str]:
    """Change the event; returns what changed that people who signed up are told about.

    They are told (:data:`forum.signals.event_changed`) only while the event is still to
    come and not cancelled; the calendar SEQUENCE grows either way.
    """
    if not permissions.can_manage_events(actor):
        raise NotAllowed("Only the network's admins and coordinators can change events.")
    _check_sets(actor, details)
    # Sets the actor cannot see stay as they were: the form never offered them.
    details = replace(details, sets=[*details.sets, *unseen_sets(actor, event)])
    was_to_come = event.ends_at >= utcnow()
    changes = _apply(event, details)
    if changes:
        event.sequence = (event.sequence or 0) + 1
    promoted = _fill_places(session, event)  # a larger capacity gives places to those waiting
    session.flush()
    if changes and was_to_come and not event.is_cancelled:
        signals.send_about_event(signals.event_changed, session, event, actor=actor,
                                 changes=changes, when=_when(event))
    _announce_places(session, event, promoted)
    return changes


def cancel_event(session: Session, actor: User, event: Event, reason: str) -> None:
    """Call the event off: it stays listed, marked cancelled, and sign-up shuts. People who
    signed up are told, with ``reason`` (may be empty); their calendars get the cancellation."""
    if not permissions.can_manage_events(actor):
        raise NotAllowed("Only the network's admins and coordinators can cancel events.")
    if event.is_cancelled:
        raise EventError("This event was already cancelled.")
    if event.ends_at < utcnow():
        raise EventError("This event has already happened.")
    event.cancelled_at = utcnow()
    event.sequence = (event.sequence or 0) + 1
    session.flush()
    signals.send_about_event(signals.event_cancelled, session, event, actor=actor,
                             reason=reason, when=_when(event))


def _announce_places(session: Session, event: Event, promoted: list[EventSignup]) -> None:
    if promoted and not event.is_cancelled and event.ends_at >= utcnow():
        signals.send_about_event(signals.event_places_given, session, event, signups=promoted,
                                 when=_when(event))


def _when(event: Event) -> str:
    return describe_when(event.starts_at, event.ends_at, event.timezone or DEFAULT_ZONE)


# --- listing -----------------------------------------------------------------------


@dataclass(frozen=True)
class EventPage:
    events: list[Event]
    page: int
    pages: int
    total: int


def upcoming(session: Session, viewer: AnyUser, now: datetime) -> list[Event]:
    return list(session.scalars(
        select(Event).where(permissions.visible_events_filter(viewer), Event.ends_at >= now)
        .order_by(Event.starts_at, Event.id)))


def archive(session: Session, viewer: AnyUser, now: datetime, *, title: str = "",
            kind: EventKind | None = None, year: int | None = None, page: int = 1,
            per_page: int = 20) -> EventPage:
    """Past events the viewer may see, newest first, with their materials."""
    conditions = [permissions.visible_events_filter(viewer), Event.ends_at < now]
    if title:
        escaped = title.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        conditions.append(Event.title.ilike(f"%{escaped}%", escape="\\"))
    if kind is not None:
        conditions.append(Event.kind == kind)
    if year is not None:
        conditions.append(extract("year", Event.starts_at) == year)
    total = session.scalar(select(func.count(Event.id)).where(*conditions)) or 0
    pages = max(1, math.ceil(total / per_page))
    page = min(max(1, page), pages)
    events = list(session.scalars(
        select(Event).options(selectinload(Event.materials)).where(*conditions)
        .order_by(Event.starts_at.desc(), Event.id.desc())
        .limit(per_page).offset((page - 1) * per_page)))
    return EventPage(events=events, page=page, pages=pages, total=total)


def archive_years(session: Session, viewer: AnyUser, now: datetime) -> list[int]:
    years = session.scalars(
        select(extract("year", Event.starts_at)).where(
            permissions.visible_events_filter(viewer), Event.ends_at < now).distinct())
    return sorted({int(year) for year in years}, reverse=True)


# --- signing up --------------------------------------------------------------------


@dataclass(frozen=True)
class Attendance:
    places_taken: int
    waiting: int
    mine: EventSignup | None

    def places_left(self, event: Event) -> int | None:
        return None if event.capacity is None else max(0, event.capacity - self.places_taken)


def attendance(session: Session, event: Event, viewer: AnyUser) -> Attendance:
    counts = dict(session.execute(
        select(EventSignup.status, func.count(EventSignup.id))
        .where(EventSignup.event_id == event.id).group_by(EventSignup.status)).all())
    mine = None
    if permissions.is_signed_in(viewer):
        mine = session.scalar(select(EventSignup).where(
            EventSignup.event_id == event.id, EventSignup.user_id == viewer.id,
            EventSignup.status != SignupStatus.CANCELLED))
    return Attendance(places_taken=counts.get(SignupStatus.PLACE, 0),
                      waiting=counts.get(SignupStatus.WAITING, 0), mine=mine)


def _lock(session: Session, event: Event) -> None:
    """Serialise sign-ups to one event: a row lock on PostgreSQL (SQLite's write transactions
    are already one at a time)."""
    session.execute(select(Event.id).where(Event.id == event.id).with_for_update())


def _places_taken(session: Session, event: Event) -> int:
    return session.scalar(select(func.count(EventSignup.id)).where(
        EventSignup.event_id == event.id, EventSignup.status == SignupStatus.PLACE)) or 0


def sign_up(session: Session, user: User, event: Event) -> SignupStatus:
    """A place if one is free, else a place on the waiting list. Idempotent."""
    if event.is_cancelled:
        raise EventError("This event was cancelled.")
    if not permissions.can_sign_up(user, event):
        raise NotAllowed("Sign-up is not open for this event.")
    if event.ends_at < utcnow():
        raise EventError("This event has already happened.")
    _lock(session, event)
    existing = session.scalar(select(EventSignup).where(
        EventSignup.event_id == event.id, EventSignup.user_id == user.id))
    if existing is not None and existing.status != SignupStatus.CANCELLED:
        return existing.status
    full = event.capacity is not None and _places_taken(session, event) >= event.capacity
    status = SignupStatus.WAITING if full else SignupStatus.PLACE
    if existing is None:
        try:
            with session.begin_nested():
                session.add(EventSignup(event_id=event.id, user_id=user.id, status=status,
                                        requested_at=utcnow()))
        except IntegrityError as error:  # the same person, twice at once
            raise EventError("You have already signed up to this event.") from error
    else:
        existing.status = status
        existing.requested_at = utcnow()
    session.flush()
    return status


def cancel(session: Session, user: User, event: Event) -> EventSignup | None:
    """Give up a place (or leave the waiting list); the first person waiting gets the place.
    Returns the signup of whoever was given the place, if anyone."""
    _lock(session, event)
    mine = session.scalar(select(EventSignup).where(
        EventSignup.event_id == event.id, EventSignup.user_id == user.id,
        EventSignup.status != SignupStatus.CANCELLED))
    if mine is None:
        raise EventError("You were not signed up to this event.")
    mine.status = SignupStatus.CANCELLED
    session.flush()
    promoted = _fill_places(session, event)
    _announce_places(session, event, promoted)
    return promoted[0] if promoted else None


def _fill_places(session: Session, event: Event) -> list[EventSignup]:
    """Give free places to people waiting, in the order they asked."""
    waiting = list(session.scalars(
        select(EventSignup).where(EventSignup.event_id == event.id,
                                  EventSignup.status == SignupStatus.WAITING)
        .order_by(EventSignup.requested_at, EventSignup.id)))
    free = (len(waiting) if event.capacity is None
            else max(0, event.capacity - _places_taken(session, event)))
    promoted = waiting[:free]
    for signup in promoted:
        session.execute(update(EventSignup).where(EventSignup.id == signup.id)
                        .values(status=SignupStatus.PLACE))
        signup.status = SignupStatus.PLACE
    return promoted


def people_signed_up(session: Session, event: Event) -> list[EventSignup]:
    return list(session.scalars(
        select(EventSignup).options(selectinload(EventSignup.user))
        .where(EventSignup.event_id == event.id,
               or_(EventSignup.status == SignupStatus.PLACE,
                   EventSignup.status == SignupStatus.WAITING))
        .order_by(EventSignup.status, EventSignup.requested_at, EventSignup.id)))


# --- materials -----------------------------------------------------------------------


def add_material(session: Session, actor: User, event: Event, *, kind: MaterialKind,
                 title: str, url: str, body: str,
                 uploads: Sequence[Upload] = ()) -> EventMaterial:
    if not permissions.can_manage_events(actor):
        raise NotAllowed("Only the network's admins and coordinators can add materials.")
    material = EventMaterial(event_id=event.id, kind=kind, title=title, url=url,
                             body_source=body, body_html=render_markdown(body) if body else "",
                             added_by_id=actor.id, created_at=utcnow())
    session.add(material)
    if kind == MaterialKind.FILE:
        storage = upload_storage()
        for upload in uploads:
            attach(session, storage, actor, upload, material=material)
    session.flush()
    return material
