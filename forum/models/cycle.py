"""The action-learning cycle: challenges, committed actions and the set's meetings.

A *challenge* is a thread in which one member (its holder) brings a real problem; the replies
carry a kind (``Post.kind``: question, reflection, action, update, learning, suggestion). An
*action* is the row behind an action post: its due date and where it stands. Text stays in the
posts, so moderation applies to every kind exactly as to any post: an action whose post waits
for a moderator is not an action yet, and an update counts only once it is approved.
"""

from __future__ import annotations

import enum
from datetime import date
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import Date
from sqlalchemy import DateTime
from sqlalchemy import ForeignKey
from sqlalchemy import Index
from sqlalchemy import Integer
from sqlalchemy import String
from sqlalchemy import Text
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column
from sqlalchemy.orm import relationship

from forum.extensions import db
from forum.models.base import utcnow
from forum.models.learning_set import LearningSet
from forum.models.learning_set import _str_enum
from forum.models.thread import Post
from forum.models.thread import Thread
from forum.models.user import User

if TYPE_CHECKING:
    from forum.models.upload import UploadedFile


class PostKind(enum.StrEnum):
    """What a post in a challenge is. Posts in ordinary threads have no kind (None)."""

    CHALLENGE = "challenge"    # the opening post: the holder's presenting issue
    QUESTION = "question"      # an open question from another member
    REFLECTION = "reflection"  # the holder answering or thinking aloud
    ACTION = "action"          # the holder commits to something, by a date
    UPDATE = "update"          # how an action went, and what was learnt
    LEARNING = "learning"      # an insight worth sharing with the network
    SUGGESTION = "suggestion"  # advice, when the set's facilitators allow it
    # What happened and what was learnt, written on closing the challenge (through the
    # status form only, never the reply form): it waits for a moderator as any post does.
    SUMMARY = "summary"

    @property
    def label(self) -> str:
        return "Closing summary" if self is PostKind.SUMMARY else self.value.capitalize()


class ChallengeStatus(enum.StrEnum):
    OPEN = "open"
    IN_PROGRESS = "in_progress"
    CLOSED = "closed"

    @property
    def label(self) -> str:
        return {"open": "Open", "in_progress": "In progress", "closed": "Closed"}[self.value]


class ActionState(enum.StrEnum):
    """Where an action stands, as its approved updates say. "Due soon" and "overdue" are
    worked out from ``due_on`` for open actions, not stored."""

    OPEN = "open"
    DONE = "done"
    PARTLY_DONE = "partly_done"
    DROPPED = "dropped"


class UpdateOutcome(enum.StrEnum):
    """What an update says of its action."""

    DONE = "done"
    PARTLY_DONE = "partly_done"
    NOT_DONE = "not_done"    # still open; the holder carries on
    DROPPED = "dropped"      # the holder will not do it


class Challenge(db.Model):
    """The challenge side of a thread: whose problem it is, what they want, where it stands.

    Its closing summary is a post of the thread (kind :attr:`PostKind.SUMMARY`, a reply to the
    opening post), so it waits for a moderator, is returned, withdrawn, edited, searched,
    notified and erased exactly as any post.
    """

    __tablename__ = "challenges"

    id: Mapped[int] = mapped_column(primary_key=True)
    thread_id: Mapped[int] = mapped_column(ForeignKey("threads.id", ondelete="CASCADE"),
                                           unique=True)
    learning_set_id: Mapped[int] = mapped_column(
        ForeignKey("learning_sets.id", ondelete="CASCADE"), index=True)
    holder_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"),
                                                  index=True)
    # What the holder wants to achieve, in a sentence or two (plain text).
    aim: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[ChallengeStatus] = mapped_column(_str_enum(ChallengeStatus),
                                                    default=ChallengeStatus.OPEN)
    closed_at: Mapped[datetime | None] = mapped_column(DateTime)
    closed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    thread: Mapped[Thread] = relationship()
    learning_set: Mapped[LearningSet] = relationship()
    holder: Mapped[User | None] = relationship(foreign_keys=[holder_id])
    closed_by: Mapped[User | None] = relationship(foreign_keys=[closed_by_id])


class Action(db.Model):
    """A committed action: the due date and state behind one action post."""

    __tablename__ = "actions"
    __table_args__ = (Index("ix_actions_set_state_due", "learning_set_id", "state", "due_on"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("posts.id", ondelete="CASCADE"), unique=True)
    challenge_id: Mapped[int] = mapped_column(ForeignKey("challenges.id", ondelete="CASCADE"),
                                              index=True)
    learning_set_id: Mapped[int] = mapped_column(
        ForeignKey("learning_sets.id", ondelete="CASCADE"))
    holder_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"),
                                                  index=True)
    due_on: Mapped[date] = mapped_column(Date)
    state: Mapped[ActionState] = mapped_column(_str_enum(ActionState), default=ActionState.OPEN)
    # The approved update that last set the state, and when the holder was reminded (once).
    settled_by_post_id: Mapped[int | None] = mapped_column(
        ForeignKey("posts.id", ondelete="SET NULL"))
    reminded_at: Mapped[datetime | None] = mapped_column(DateTime)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    post: Mapped[Post] = relationship(foreign_keys=[post_id])
    challenge: Mapped[Challenge] = relationship()
    holder: Mapped[User | None] = relationship()
    settled_by_post: Mapped[Post | None] = relationship(foreign_keys=[settled_by_post_id])


class ActionUpdate(db.Model):
    """The row behind an update post: which action it reports on, and the outcome it gives.
    It changes the action's state only when its post is approved."""

    __tablename__ = "action_updates"

    id: Mapped[int] = mapped_column(primary_key=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("posts.id", ondelete="CASCADE"), unique=True)
    action_id: Mapped[int] = mapped_column(ForeignKey("actions.id", ondelete="CASCADE"),
                                           index=True)
    outcome: Mapped[UpdateOutcome] = mapped_column(_str_enum(UpdateOutcome))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    post: Mapped[Post] = relationship()
    action: Mapped[Action] = relationship()


class Meeting(db.Model):
    """A meeting of one set: when, where (a link or a place), the agenda and, after, the notes."""

    __tablename__ = "meetings"
    __table_args__ = (Index("ix_meetings_set_starts", "learning_set_id", "starts_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    learning_set_id: Mapped[int] = mapped_column(
        ForeignKey("learning_sets.id", ondelete="CASCADE"))
    title: Mapped[str] = mapped_column(String(200))
    # Naive UTC, as every timestamp; shown in ``timezone`` (Europe/London by default).
    starts_at: Mapped[datetime] = mapped_column(DateTime)
    ends_at: Mapped[datetime] = mapped_column(DateTime)
    timezone: Mapped[str] = mapped_column(String(64), default="Europe/London")
    online_url: Mapped[str] = mapped_column(String(500), default="")
    place: Mapped[str] = mapped_column(String(300), default="")
    agenda_source: Mapped[str] = mapped_column(Text, default="")
    agenda_html: Mapped[str] = mapped_column(Text, default="")
    notes_source: Mapped[str] = mapped_column(Text, default="")
    notes_html: Mapped[str] = mapped_column(Text, default="")
    notes_at: Mapped[datetime | None] = mapped_column(DateTime)
    # Bumped whenever the time or place changes (the .ics SEQUENCE).
    sequence: Mapped[int] = mapped_column(Integer, default=0)
    cancelled_at: Mapped[datetime | None] = mapped_column(DateTime)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    learning_set: Mapped[LearningSet] = relationship()
    created_by: Mapped[User | None] = relationship()
    # Agenda, slides, notes: files a facilitator attached (rows go with the meeting).
    files: Mapped[list[UploadedFile]] = relationship(
        back_populates="meeting", order_by="UploadedFile.id", passive_deletes=True)
