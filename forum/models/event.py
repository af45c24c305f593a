"""The network's events (workshops, its conference, webinars), sign-ups and materials."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import Boolean
from sqlalchemy import DateTime
from sqlalchemy import ForeignKey
from sqlalchemy import Index
from sqlalchemy import Integer
from sqlalchemy import String
from sqlalchemy import Text
from sqlalchemy import UniqueConstraint
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column
from sqlalchemy.orm import relationship

from forum.extensions import db
from forum.models.base import utcnow
from forum.models.learning_set import LearningSet
from forum.models.learning_set import _str_enum
from forum.models.user import User

if TYPE_CHECKING:
    from forum.models.upload import UploadedFile


class EventKind(enum.StrEnum):
    WORKSHOP = "workshop"
    CONFERENCE = "conference"
    WEBINAR = "webinar"

    @property
    def label(self) -> str:
        return self.value.capitalize()


class EventAudience(enum.StrEnum):
    """Who may see an event (and sign up to it)."""

    PUBLIC = "public"    # anyone, signed in or not
    NETWORK = "network"  # anyone signed in
    SETS = "sets"        # members of the chosen sets


class SignupStatus(enum.StrEnum):
    PLACE = "place"      # has a place
    WAITING = "waiting"  # on the waiting list
    CANCELLED = "cancelled"


class Event(db.Model):
    __tablename__ = "events"
    __table_args__ = (Index("ix_events_starts_at", "starts_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[EventKind] = mapped_column(_str_enum(EventKind))
    title: Mapped[str] = mapped_column(String(200))
    # Naive UTC, as every timestamp; shown in ``timezone`` (Europe/London by default).
    starts_at: Mapped[datetime] = mapped_column(DateTime)
    ends_at: Mapped[datetime] = mapped_column(DateTime)
    timezone: Mapped[str] = mapped_column(String(64), default="Europe/London")
    place: Mapped[str] = mapped_column(String(300), default="")
    online_url: Mapped[str] = mapped_column(String(500), default="")
    description_source: Mapped[str] = mapped_column(Text, default="")
    description_html: Mapped[str] = mapped_column(Text, default="")
    audience: Mapped[EventAudience] = mapped_column(_str_enum(EventAudience),
                                                    default=EventAudience.NETWORK)
    signup_open: Mapped[bool] = mapped_column(Boolean, default=False)
    capacity: Mapped[int | None] = mapped_column(Integer)  # None: no limit
    # Set when the event was called off: it stays listed, marked cancelled, with sign-up shut.
    cancelled_at: Mapped[datetime | None] = mapped_column(DateTime)
    # Bumped on every change people who signed up should hear about (the .ics SEQUENCE).
    sequence: Mapped[int] = mapped_column(Integer, default=0)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    sets: Mapped[list[LearningSet]] = relationship(secondary="event_sets")
    materials: Mapped[list[EventMaterial]] = relationship(
        back_populates="event", cascade="all, delete-orphan", order_by="EventMaterial.id")

    @property
    def is_cancelled(self) -> bool:
        return self.cancelled_at is not None


class EventSet(db.Model):
    """A set whose members may see an event whose audience is ``sets``."""

    __tablename__ = "event_sets"

    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"),
                                          primary_key=True)
    learning_set_id: Mapped[int] = mapped_column(
        ForeignKey("learning_sets.id", ondelete="CASCADE"), primary_key=True, index=True)


class EventSignup(db.Model):
    __tablename__ = "event_signups"
    __table_args__ = (UniqueConstraint("event_id", "user_id"),
                      Index("ix_event_signups_event_status", "event_id", "status"))

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    status: Mapped[SignupStatus] = mapped_column(_str_enum(SignupStatus))
    # When they asked (the waiting list is served in this order).
    requested_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    event: Mapped[Event] = relationship()
    user: Mapped[User] = relationship()


class MaterialKind(enum.StrEnum):
    RECORDING = "recording"  # a link to where the video lives, with notes or a transcript
    NOTES = "notes"          # discussion notes (Markdown)
    FILE = "file"            # an uploaded file (slides, a paper), with optional notes

    @property
    def label(self) -> str:
        return {"recording": "Recording", "notes": "Notes", "file": "File"}[self.value]


class EventMaterial(db.Model):
    __tablename__ = "event_materials"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"),
                                          index=True)
    kind: Mapped[MaterialKind] = mapped_column(_str_enum(MaterialKind))
    title: Mapped[str] = mapped_column(String(200))
    url: Mapped[str] = mapped_column(String(500), default="")
    body_source: Mapped[str] = mapped_column(Text, default="")
    body_html: Mapped[str] = mapped_column(Text, default="")
    added_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    event: Mapped[Event] = relationship(back_populates="materials")
    files: Mapped[list[UploadedFile]] = relationship(
        back_populates="event_material", order_by="UploadedFile.id", passive_deletes=True)
