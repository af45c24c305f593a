"""Discussion topics proposed for a workshop, and the people who support them."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import Boolean
from sqlalchemy import DateTime
from sqlalchemy import ForeignKey
from sqlalchemy import Index
from sqlalchemy import String
from sqlalchemy import Text
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column
from sqlalchemy.orm import relationship

from forum.extensions import db
from forum.models.base import str_enum
from forum.models.base import utcnow
from forum.models.event import Event
from forum.models.user import User


class TopicStatus(enum.StrEnum):
    WAITING = "waiting"    # for a coordinator's approval: only the proposer and coordinators see it
    APPROVED = "approved"  # shown to everyone who can see the workshop
    HIDDEN = "hidden"      # taken down by a coordinator


class EventTopic(db.Model):
    """A topic someone proposes for discussion at a workshop."""

    __tablename__ = "event_topics"
    __table_args__ = (Index("ix_event_topics_event_status", "event_id", "status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"))
    proposer_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True)
    title: Mapped[str] = mapped_column(String(150))
    description_source: Mapped[str] = mapped_column(Text, default="")
    description_html: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[TopicStatus] = mapped_column(str_enum(TopicStatus), default=TopicStatus.WAITING)
    on_agenda: Mapped[bool] = mapped_column(Boolean, default=False)
    # The coordinator who last approved, hid or put it on (or off) the agenda.
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    decided_at: Mapped[datetime | None] = mapped_column(DateTime)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    event: Mapped[Event] = relationship()
    proposer: Mapped[User | None] = relationship(foreign_keys=[proposer_id])
    supports: Mapped[list[TopicSupport]] = relationship(
        back_populates="topic", cascade="all, delete-orphan", order_by="TopicSupport.created_at")


class TopicSupport(db.Model):
    """One person's support for a proposed topic (at most one each)."""

    __tablename__ = "event_topic_supports"

    topic_id: Mapped[int] = mapped_column(ForeignKey("event_topics.id", ondelete="CASCADE"),
                                          primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"),
                                         primary_key=True, index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    topic: Mapped[EventTopic] = relationship(back_populates="supports")
    user: Mapped[User] = relationship()
