"""Scheduling a set's meetings, changing and cancelling them, their notes, and what a meeting
reviews. Functions take the session and the acting user, raise :class:`MeetingError`, and never
commit (the view commits once). Who is told is not decided here: the service announces what
happened (:mod:`forum.signals`) and the notifications area reacts."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.orm import selectinload

from forum import permissions
from forum import signals
from forum.files.service import Upload
from forum.files.service import attach
from forum.files.service import discard
from forum.models import Action
from forum.models import ActionState
from forum.models import Challenge
from forum.models import ChallengeStatus
from forum.models import LearningSet
from forum.models import Meeting
from forum.models import Post
from forum.models import UploadedFile
from forum.models import User
from forum.models import utcnow
from forum.permissions import AnyUser
from forum.text import render_markdown
from forum.times import to_local

if TYPE_CHECKING:
    from forum.files.storage import FileStorage  # the upload store (forum.files), not a guide


class MeetingError(Exception):
    """Refused; the message is fit to show."""


class NotAllowed(MeetingError):
    pass


@dataclass(frozen=True)
class MeetingDetails:
    """What the form says about a meeting (times already in UTC)."""

    title: str
    starts_at: datetime
    ends_at: datetime
    online_url: str
    place: str
    agenda: str


# A change to these moves the meeting: calendars update (SEQUENCE) and members are told.
_WHEN_AND_WHERE = ("starts_at", "ends_at", "online_url", "place")


def _require(actor: User, learning_set: LearningSet) -> None:
    if not permissions.can_run_meetings(actor, learning_set):
        raise NotAllowed("Only the set's facilitators can arrange its meetings.")


def _apply(meeting: Meeting, details: MeetingDetails) -> None:
    for name in ("title", *_WHEN_AND_WHERE):
        setattr(meeting, name, getattr(details, name))
    meeting.agenda_source = details.agenda
    meeting.agenda_html = render_markdown(details.agenda) if details.agenda else ""


def schedule(session: Session, actor: User, learning_set: LearningSet,
             details: MeetingDetails) -> Meeting:
    _require(actor, learning_set)
    meeting = Meeting(learning_set=learning_set, created_by_id=actor.id, created_at=utcnow(),
                      sequence=0)
    _apply(meeting, details)
    session.add(meeting)
    session.flush()
    signals.send_meeting(signals.meeting_scheduled, session, meeting, actor)
    return meeting


def change(session: Session, actor: User, meeting: Meeting, details: MeetingDetails) -> bool:
    """Change the meeting; returns whether it moved (its time or place changed), in which case
    its calendar ``SEQUENCE`` grows and members are told."""
    _require(actor, meeting.learning_set)
    if meeting.cancelled_at is not None:
        raise MeetingError("This meeting was cancelled: schedule a new one instead.")
    moved = any(getattr(meeting, name) != getattr(details, name) for name in _WHEN_AND_WHERE)
    renamed = meeting.title != details.title
    _apply(meeting, details)
    if moved or renamed:
        meeting.sequence = (meeting.sequence or 0) + 1
    session.flush()
    if moved:
        signals.send_meeting(signals.meeting_moved, session, meeting, actor)
    return moved


def cancel(session: Session, actor: User, meeting: Meeting) -> None:
    _require(actor, meeting.learning_set)
    if meeting.cancelled_at is not None:
        raise MeetingError("This meeting was already cancelled.")
    meeting.cancelled_at = utcnow()
    meeting.sequence = (meeting.sequence or 0) + 1
    session.flush()
    signals.send_meeting(signals.meeting_cancelled, session, meeting, actor)


def write_notes(session: Session, actor: User, meeting: Meeting, notes: str) -> None:
    """Keep the facilitator's notes (Markdown, sanitised like posts); empty removes them."""
    _require(actor, meeting.learning_set)
    meeting.notes_source = notes
    meeting.notes_html = render_markdown(notes) if notes else ""
    meeting.notes_at = utcnow() if notes else None
    session.flush()


def add_files(session: Session, storage: FileStorage, actor: User, meeting: Meeting,
              uploads: Sequence[Upload]) -> list[UploadedFile]:
    """Attach checked files (an agenda, slides, notes) to the meeting; its readers may
    download them (:func:`forum.permissions.files.can_view_file`)."""
    _require(actor, meeting.learning_set)
    rows = [attach(session, storage, actor, upload, meeting=meeting) for upload in uploads]
    session.flush()
    return rows


def remove_file(session: Session, storage: FileStorage, actor: User, meeting: Meeting,
                file: UploadedFile) -> None:
    """Delete one of the meeting's files, its bytes and its row."""
    _require(actor, meeting.learning_set)
    if file.meeting_id != meeting.id:
        raise MeetingError("That file is not one of this meeting's.")
    discard(session, storage, [file])
    session.flush()


# --- reading -------------------------------------------------------------------------


@dataclass(frozen=True)
class SetMeetings:
    upcoming: list[Meeting]
    past: list[Meeting]


def set_meetings(session: Session, viewer: AnyUser, learning_set: LearningSet,
                 now: datetime) -> SetMeetings:
    """The set's meetings the viewer may see: those not yet over (soonest first, cancelled ones
    included so people see they are off) and the past ones (latest first)."""
    meetings = list(session.scalars(
        select(Meeting).where(Meeting.learning_set_id == learning_set.id,
                              permissions.visible_meetings_filter(viewer))
        .order_by(Meeting.starts_at, Meeting.id)))
    return SetMeetings(upcoming=[m for m in meetings if m.ends_at >= now],
                       past=[m for m in reversed(meetings) if m.ends_at < now])


def actions_due(session: Session, viewer: AnyUser, meeting: Meeting) -> list[Action]:
    """Open actions due on or before the meeting's day, whose post the viewer may read."""
    day = to_local(meeting.starts_at, meeting.timezone).date()
    return list(session.scalars(
        select(Action).join(Post, Post.id == Action.post_id)
        .options(selectinload(Action.holder), selectinload(Action.post))
        .where(Action.learning_set_id == meeting.learning_set_id,
               Action.state == ActionState.OPEN, Action.due_on <= day,
               permissions.visible_posts_filter(viewer))
        .order_by(Action.due_on, Action.id)))


def challenges_in_progress(session: Session, viewer: AnyUser, meeting: Meeting) -> list[Challenge]:
    """The set's open and in-progress challenges whose opening post the viewer may read."""
    root, opening = permissions.opening_posts()
    readable_openings = opening.where(
        root.id.in_(select(Post.id).where(permissions.visible_posts_filter(viewer))))
    return list(session.scalars(
        select(Challenge)
        .options(selectinload(Challenge.holder), selectinload(Challenge.thread))
        .where(Challenge.learning_set_id == meeting.learning_set_id,
               Challenge.status.in_([ChallengeStatus.OPEN, ChallengeStatus.IN_PROGRESS]),
               Challenge.thread_id.in_(readable_openings))
        .order_by(Challenge.created_at, Challenge.id)))
