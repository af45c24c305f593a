"""The moderation audit log and members' reports of published posts."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import CheckConstraint
from sqlalchemy import DateTime
from sqlalchemy import ForeignKey
from sqlalchemy import Index
from sqlalchemy import Text
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column
from sqlalchemy.orm import relationship

from forum.extensions import db
from forum.models.base import partial_index
from forum.models.base import utcnow
from forum.models.learning_set import LearningSet
from forum.models.learning_set import _str_enum
from forum.models.thread import Post
from forum.models.thread import Thread
from forum.models.user import User


class ActionKind(enum.StrEnum):
    """What a moderator did. The label is what the log page shows."""

    APPROVE = "approve"
    REJECT = "reject"
    EDIT_AND_APPROVE = "edit_and_approve"
    APPROVE_EDIT = "approve_edit"
    RETURN_EDIT = "return_edit"
    HIDE = "hide"
    DISMISS_REPORTS = "dismiss_reports"
    LOCK = "lock"
    UNLOCK = "unlock"
    PIN = "pin"
    UNPIN = "unpin"
    SET_POLICY = "set_policy"
    CHANGE_KIND = "change_kind"

    @property
    def label(self) -> str:
        return ACTION_LABELS[self]

    @property
    def past_tense(self) -> str:
        return ACTION_PAST_TENSE[self]


ACTION_LABELS = {
    ActionKind.APPROVE: "Approved a post",
    ActionKind.REJECT: "Returned a post",
    ActionKind.EDIT_AND_APPROVE: "Edited and approved a post",
    ActionKind.APPROVE_EDIT: "Approved an edit",
    ActionKind.RETURN_EDIT: "Returned an edit",
    ActionKind.HIDE: "Hid a post",
    ActionKind.DISMISS_REPORTS: "Dismissed reports",
    ActionKind.LOCK: "Locked a thread",
    ActionKind.UNLOCK: "Unlocked a thread",
    ActionKind.PIN: "Pinned a thread",
    ActionKind.UNPIN: "Unpinned a thread",
    ActionKind.SET_POLICY: "Changed the moderation policy",
    ActionKind.CHANGE_KIND: "Changed a post's kind",
}

ACTION_PAST_TENSE = {
    ActionKind.APPROVE: "approved",
    ActionKind.REJECT: "returned to its author",
    ActionKind.EDIT_AND_APPROVE: "edited and approved",
    ActionKind.APPROVE_EDIT: "approved",
    ActionKind.RETURN_EDIT: "returned to its author",
    ActionKind.HIDE: "hidden",
    ActionKind.DISMISS_REPORTS: "dismissed",
    ActionKind.LOCK: "locked",
    ActionKind.UNLOCK: "unlocked",
    ActionKind.PIN: "pinned",
    ActionKind.UNPIN: "unpinned",
    ActionKind.SET_POLICY: "changed",
    ActionKind.CHANGE_KIND: "re-labelled",
}


class ModerationAction(db.Model):
    """One moderator action, written in the same transaction as the change it records.

    Append-only: nothing in the product updates or deletes these rows. The target is a
    post, or a thread, or (for set-wide changes such as the policy) neither: never both.
    """

    __tablename__ = "moderation_actions"
    __table_args__ = (
        CheckConstraint("post_id IS NULL OR thread_id IS NULL", name="one_target"),
        Index("ix_moderation_actions_set_created", "learning_set_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    moderator_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True)
    action: Mapped[ActionKind] = mapped_column(_str_enum(ActionKind, length=24))
    learning_set_id: Mapped[int] = mapped_column(
        ForeignKey("learning_sets.id", ondelete="CASCADE"))
    post_id: Mapped[int | None] = mapped_column(
        ForeignKey("posts.id", ondelete="CASCADE"), index=True)
    thread_id: Mapped[int | None] = mapped_column(
        ForeignKey("threads.id", ondelete="CASCADE"), index=True)
    reason: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    moderator: Mapped[User | None] = relationship()
    learning_set: Mapped[LearningSet] = relationship()
    post: Mapped[Post | None] = relationship()
    thread: Mapped[Thread | None] = relationship()


class ReportStatus(enum.StrEnum):
    OPEN = "open"            # waiting in the moderation queue
    DISMISSED = "dismissed"  # a moderator saw no problem
    ACTIONED = "actioned"    # a moderator hid the post


class Report(db.Model):
    """A member's report of a published post; open reports put the post in the queue."""

    __tablename__ = "reports"
    __table_args__ = (
        # One open report per member per post (closed ones may repeat).
        partial_index("uq_reports_open_per_reporter", "post_id", "reporter_id", unique=True,
                      where="status = 'open'"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("posts.id", ondelete="CASCADE"), index=True)
    reporter_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    reason: Mapped[str] = mapped_column(Text)
    status: Mapped[ReportStatus] = mapped_column(_str_enum(ReportStatus), default=ReportStatus.OPEN,
                                                 index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    resolved_at: Mapped[datetime | None] = mapped_column(DateTime)
    resolved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    post: Mapped[Post] = relationship()
    reporter: Mapped[User | None] = relationship(foreign_keys=[reporter_id])
    resolved_by: Mapped[User | None] = relationship(foreign_keys=[resolved_by_id])
