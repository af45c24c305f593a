"""Threads, their posts (a tree of replies) and the revisions kept on every edit."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import Boolean
from sqlalchemy import ColumnElement
from sqlalchemy import DateTime
from sqlalchemy import ForeignKey
from sqlalchemy import Index
from sqlalchemy import Integer
from sqlalchemy import String
from sqlalchemy import Text
from sqlalchemy import UniqueConstraint
from sqlalchemy import false
from sqlalchemy import func
from sqlalchemy.ext.hybrid import hybrid_property
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column
from sqlalchemy.orm import relationship

from forum.extensions import db
from forum.models.base import utcnow
from forum.models.learning_set import LearningSet
from forum.models.learning_set import _str_enum
from forum.models.user import User


class PostStatus(enum.StrEnum):
    PENDING = "pending"      # awaiting a moderator
    APPROVED = "approved"    # visible to everyone who can read the set
    REJECTED = "rejected"    # sent back to the author with a reason
    HIDDEN = "hidden"        # hidden by a moderator after publication
    WITHDRAWN = "withdrawn"  # withdrawn by its author


class Thread(db.Model):
    __tablename__ = "threads"
    __table_args__ = (Index("ix_threads_set_activity", "learning_set_id", "last_activity_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    learning_set_id: Mapped[int] = mapped_column(
        ForeignKey("learning_sets.id", ondelete="CASCADE"))
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    title: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    last_activity_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    is_locked: Mapped[bool] = mapped_column(Boolean, default=False)
    is_pinned: Mapped[bool] = mapped_column(Boolean, default=False)

    learning_set: Mapped[LearningSet] = relationship()
    author: Mapped[User | None] = relationship()
    posts: Mapped[list[Post]] = relationship(
        back_populates="thread", cascade="all, delete-orphan", order_by="Post.id")


class Post(db.Model):
    __tablename__ = "posts"
    # A form sent twice (a double click, a retry) carries the same one-time key: the database
    # refuses the second post, even when both arrive at once.
    __table_args__ = (UniqueConstraint("author_id", "submission_key",
                                       name="uq_posts_author_id_submission_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    thread_id: Mapped[int] = mapped_column(ForeignKey("threads.id", ondelete="CASCADE"),
                                           index=True)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"),
                                                  index=True)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("posts.id", ondelete="SET NULL"),
                                                  index=True)
    depth: Mapped[int] = mapped_column(Integer, default=0)
    body_source: Mapped[str] = mapped_column(Text)
    # Sanitised HTML rendered from body_source at write time (forum.text); pages show this.
    body_html: Mapped[str] = mapped_column(Text)
    status: Mapped[PostStatus] = mapped_column(_str_enum(PostStatus), default=PostStatus.APPROVED,
                                               index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    # When a moderator approved it, if it waited (readers saw it from then on); a post
    # published at once has None and was published when created (see :attr:`published`).
    approved_at: Mapped[datetime | None] = mapped_column(DateTime)
    edited_at: Mapped[datetime | None] = mapped_column(DateTime)
    # Bumped on every change of the text, the thread title or a waiting edit: an approval
    # carries the version the moderator saw and is refused when the author changed it since.
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    # An edit of a published post that waits for a moderator (the set's policy decides).
    # Readers keep seeing body_*; only the author and the set's moderators see these.
    pending_source: Mapped[str | None] = mapped_column(Text)
    pending_html: Mapped[str | None] = mapped_column(Text)
    pending_title: Mapped[str | None] = mapped_column(String(200))  # opening posts only
    pending_at: Mapped[datetime | None] = mapped_column(DateTime)
    # The one-time key of the form that created the post (None for posts made otherwise).
    submission_key: Mapped[str | None] = mapped_column(String(64))
    # In a challenge thread, what the post is (forum.models.cycle.PostKind); None elsewhere.
    kind: Mapped[str | None] = mapped_column(String(16))

    thread: Mapped[Thread] = relationship(back_populates="posts")
    author: Mapped[User | None] = relationship()
    parent: Mapped[Post | None] = relationship(remote_side=[id])
    revisions: Mapped[list[PostRevision]] = relationship(
        back_populates="post", cascade="all, delete-orphan", order_by="PostRevision.id")

    @hybrid_property
    def published(self) -> datetime:
        """When readers could first see it: approval, or creation for a post not held."""
        return self.approved_at or self.created_at

    @published.inplace.expression
    @classmethod
    def _published_expression(cls) -> ColumnElement[datetime]:
        return func.coalesce(cls.approved_at, cls.created_at)

    @property
    def is_opening_post(self) -> bool:
        return self.parent_id is None

    @property
    def has_pending_edit(self) -> bool:
        """An edit of this published post waits for a moderator."""
        return self.pending_at is not None


class PostRevision(db.Model):
    """The text a post had before an edit, and who edited it when.

    ``was_published`` says whether readers could see that text (it had been approved): the
    revisions page shows the other versions only to the post's author and the set's moderators.
    """

    __tablename__ = "post_revisions"

    id: Mapped[int] = mapped_column(primary_key=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("posts.id", ondelete="CASCADE"), index=True)
    editor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    previous_source: Mapped[str] = mapped_column(Text)
    was_published: Mapped[bool] = mapped_column(Boolean, default=False,
                                                server_default=false())

    post: Mapped[Post] = relationship(back_populates="revisions")
    editor: Mapped[User | None] = relationship()
