"""Threads, their posts (a tree of replies) and the revisions kept on every edit."""

from __future__ import annotations

import enum
from collections.abc import Iterable
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import Boolean
from sqlalchemy import ColumnElement
from sqlalchemy import DateTime
from sqlalchemy import ForeignKey
from sqlalchemy import Index
from sqlalchemy import Integer
from sqlalchemy import String
from sqlalchemy import Text
from sqlalchemy import UniqueConstraint
from sqlalchemy import and_
from sqlalchemy import event
from sqlalchemy import false
from sqlalchemy import func
from sqlalchemy import inspect
from sqlalchemy import literal_column
from sqlalchemy import or_
from sqlalchemy import select
from sqlalchemy import update
from sqlalchemy.ext.hybrid import hybrid_property
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import Session
from sqlalchemy.orm import aliased
from sqlalchemy.orm import mapped_column
from sqlalchemy.orm import relationship
from sqlalchemy.orm.util import identity_key

from forum.extensions import db
from forum.models.base import partial_index
from forum.models.base import utcnow
from forum.models.learning_set import LearningSet
from forum.models.learning_set import _str_enum
from forum.models.user import User

if TYPE_CHECKING:
    from forum.models.upload import UploadedFile


class PostStatus(enum.StrEnum):
    PENDING = "pending"      # awaiting a moderator
    APPROVED = "approved"    # visible to everyone who can read the set
    REJECTED = "rejected"    # sent back to the author with a reason
    HIDDEN = "hidden"        # hidden by a moderator after publication
    WITHDRAWN = "withdrawn"  # withdrawn by its author


class Thread(db.Model):
    """A thread of a set.

    ``opening_status``, ``opening_author_id``, ``reply_count`` and ``waiting_count`` are copies
    of what its posts say (see :func:`refresh_threads`), kept so that the set page and the
    moderation queue cost the same on a site of a thousand posts or a million.
    """

    __tablename__ = "threads"
    __table_args__ = (Index("ix_threads_set_activity", "learning_set_id", "last_activity_at"),
                      Index("ix_threads_set_waiting", "learning_set_id", "waiting_count"))

    id: Mapped[int] = mapped_column(primary_key=True)
    learning_set_id: Mapped[int] = mapped_column(
        ForeignKey("learning_sets.id", ondelete="CASCADE"))
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    title: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    last_activity_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    is_locked: Mapped[bool] = mapped_column(Boolean, default=False)
    is_pinned: Mapped[bool] = mapped_column(Boolean, default=False)
    # The opening post's status and author (None while the thread has no post).
    opening_status: Mapped[PostStatus | None] = mapped_column(_str_enum(PostStatus))
    opening_author_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"))
    # Published replies, and posts (or edits of published posts) waiting for a moderator.
    reply_count: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    waiting_count: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # One more for every post added to or removed from the thread and every change of a post's
    # parent, counted by triggers (forum.models.shape_version): a kept shape of the thread is
    # current while this has not moved (forum.threads.shape).
    shape_version: Mapped[int] = mapped_column(Integer, default=0, server_default="0")

    learning_set: Mapped[LearningSet] = relationship()
    author: Mapped[User | None] = relationship(foreign_keys=[author_id])
    posts: Mapped[list[Post]] = relationship(
        back_populates="thread", cascade="all, delete-orphan", order_by="Post.id")


# Posts waiting for a moderator, as SQL with the value written out: the condition of the
# partial index ix_posts_waiting_thread_date. A query that says it the same way (see
# :func:`waiting_post`) may read that index; one that binds the status as a parameter may not
# (SQLite, and PostgreSQL's generic plans, cannot tell what a parameter will hold).
WAITING_POST_SQL = "status = 'pending'"


class Post(db.Model):
    __tablename__ = "posts"
    # A form sent twice (a double click, a retry) carries the same one-time key: the database
    # refuses the second post, even when both arrive at once.
    __table_args__ = (UniqueConstraint("author_id", "submission_key",
                                       name="uq_posts_author_id_submission_key"),
                      # The queue: a thread's waiting posts; edits waiting on published posts.
                      Index("ix_posts_thread_status", "thread_id", "status", "pending_at"),
                      # A thread's opening post and its branches (thread pages).
                      Index("ix_posts_thread_parent", "thread_id", "parent_id"),
                      # Waiting edits in date order, then by id (the queue's order: an
                      # admin's queue reads them in order and stops after the page).
                      Index("ix_posts_status_pending_at", "status", "pending_at", "id"),
                      # An author's published posts and their threads (the queue's "approved
                      # before" count in a set reads this index, not the posts).
                      Index("ix_posts_author_status", "author_id", "status", "thread_id"),
                      # The queue's waiting posts by thread and date, and only those: the queue
                      # counts them and finds the oldest from this index alone, without reading
                      # the posts (issue 16). Status is a column too: SQLite reads a partial
                      # index alone only when it holds every column the query names.
                      partial_index("ix_posts_waiting_thread_date", "thread_id", "status",
                                    "created_at", "id", where=WAITING_POST_SQL),
                      # Every waiting post of the site by date: an admin's queue (every set)
                      # reads its oldest page from here and stops after the page, rather than
                      # sorting the site's whole backlog (issue 16).
                      partial_index("ix_posts_waiting_date", "status", "created_at", "id",
                                    where=WAITING_POST_SQL))

    id: Mapped[int] = mapped_column(primary_key=True)
    # Indexed by ix_posts_thread_status and ix_posts_thread_parent (thread_id first).
    thread_id: Mapped[int] = mapped_column(ForeignKey("threads.id", ondelete="CASCADE"))
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
    attachments: Mapped[list[UploadedFile]] = relationship(
        back_populates="post", order_by="UploadedFile.id", passive_deletes=True)
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


def waiting_post() -> ColumnElement[bool]:
    """A post waits for a moderator (not an edit of a published one), stated as the partial
    index ix_posts_waiting_thread_date states it (:data:`WAITING_POST_SQL`)."""
    return Post.status == literal_column(f"'{PostStatus.PENDING.value}'")


# A thread's published posts in publication order, with their authors: the posts new to a
# reader since a time, counted up to a cap and the first of them found, without reading the rest
# of the thread (forum.threads.reading).
Index("ix_posts_thread_published", Post.thread_id, Post.status, Post.published, Post.author_id)

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


# --- the thread's copies of what its posts say ---------------------------------------

# Columns of Post whose change can change a thread's copies.
_COUNTED = ("status", "parent_id", "thread_id", "pending_at", "author_id")


def thread_copies() -> dict[str, object]:
    """The values of a thread's copies, as correlated subqueries over its posts (for UPDATE)."""
    mine = Post.thread_id == Thread.id
    root = aliased(Post)
    first_root = (select(root.id).where(root.thread_id == Thread.id, root.parent_id.is_(None))
                  .order_by(root.id).limit(1).correlate(Thread).scalar_subquery())
    return {
        "opening_status": select(Post.status).where(Post.id == first_root).scalar_subquery(),
        "opening_author_id": (select(Post.author_id).where(Post.id == first_root)
                              .scalar_subquery()),
        "reply_count": select(func.count(Post.id)).where(
            mine, Post.parent_id.is_not(None), Post.status == PostStatus.APPROVED)
        .scalar_subquery(),
        "waiting_count": select(func.count(Post.id)).where(
            mine, or_(Post.status == PostStatus.PENDING,
                      and_(Post.status == PostStatus.APPROVED, Post.pending_at.is_not(None))))
        .scalar_subquery(),
    }


def refresh_threads(session: Session, thread_ids: Iterable[int]) -> None:
    """Work the copies of these threads out again from their posts.

    Called after every change of a post's status, parent, author or waiting edit: by the
    session (below) for changes made through the ORM, and by the services that change posts
    with an UPDATE statement. Recounting (rather than adding one) keeps it right whatever
    happened before; it costs the size of the thread, on writes only.
    """
    ids = sorted({thread_id for thread_id in thread_ids if thread_id is not None})
    if not ids:
        return
    threads = Thread.__table__
    connection = session.connection()
    # PostgreSQL: lock the threads first, so that the recount's snapshot (taken by the next
    # statement, after the lock) sees what another transaction changed in the same thread
    # and committed meanwhile; otherwise two moderators approving two posts of one thread at
    # once could each count the other's post as still waiting. (SQLite: writers take turns.)
    connection.execute(select(threads.c.id).where(threads.c.id.in_(ids))
                       .order_by(threads.c.id).with_for_update())
    connection.execute(update(threads).where(threads.c.id.in_(ids)).values(**thread_copies()))
    for thread_id in ids:
        thread = session.identity_map.get(identity_key(Thread, thread_id))
        if thread is not None:
            session.expire(thread, list(_COPIES))


_COPIES = ("opening_status", "opening_author_id", "reply_count", "waiting_count")


def _changed_posts(session: Session) -> tuple[list[Post], set[int]]:
    """Posts new or changed in a way the copies count, and ids of threads a post left."""
    posts: list[Post] = [post for post in session.new if isinstance(post, Post)]
    left: set[int] = set()
    for post in session.deleted:
        if isinstance(post, Post):
            left.add(post.thread_id)
    for post in session.dirty:
        if not isinstance(post, Post):
            continue
        state = inspect(post)
        for name in _COUNTED:
            history = state.attrs[name].history
            if history.has_changes():
                posts.append(post)
                if name == "thread_id":
                    left.update(history.deleted)
    return posts, left


@event.listens_for(Session, "before_flush")
def _note_changed_posts(session: Session, _context, _instances) -> None:
    # Set afresh on every flush: a flush that failed leaves nothing behind.
    session.info["forum_changed_posts"] = _changed_posts(session)


@event.listens_for(Session, "after_flush_postexec")
def _refresh_changed_threads(session: Session, _context) -> None:
    noted = session.info.pop("forum_changed_posts", None)
    if noted is not None:
        posts, left = noted
        refresh_threads(session, {post.thread_id for post in posts} | left)
