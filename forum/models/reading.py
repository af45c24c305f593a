"""What each member has read of a thread, and how closely they follow it."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import DateTime
from sqlalchemy import ForeignKey
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column

from forum.extensions import db
from forum.models.base import utcnow
from forum.models.learning_set import _str_enum


class ThreadRead(db.Model):
    """A member has read a thread up to the posts published at ``read_up_to``.

    Written only when it moves forward (reading the thread page, "Mark all as read"), never
    on every view. Posts published later are "new" to them.
    """

    __tablename__ = "thread_reads"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"),
                                         primary_key=True)
    thread_id: Mapped[int] = mapped_column(ForeignKey("threads.id", ondelete="CASCADE"),
                                           primary_key=True, index=True)
    read_up_to: Mapped[datetime] = mapped_column(DateTime)


class FollowLevel(enum.StrEnum):
    """How much a member hears about a thread."""

    WATCHING = "watching"  # every new published post
    NORMAL = "normal"      # replies to their own posts (the default: no row)
    MUTED = "muted"        # nothing

    @property
    def label(self) -> str:
        return {"watching": "Every new post", "normal": "Only replies to my posts",
                "muted": "Nothing (mute this thread)"}[self.value]


class ThreadFollow(db.Model):
    """A member's choice for one thread; starting a thread or replying makes it "watching"
    unless they chose before."""

    __tablename__ = "thread_follows"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"),
                                         primary_key=True)
    thread_id: Mapped[int] = mapped_column(ForeignKey("threads.id", ondelete="CASCADE"),
                                           primary_key=True, index=True)
    level: Mapped[FollowLevel] = mapped_column(_str_enum(FollowLevel))
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
