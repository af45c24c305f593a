"""Unread markers: which published posts are new to a member since they last read a thread.

A member's place in a thread is a :class:`ThreadRead` row: the publication time of the newest
published post the thread page showed them. Posts published after it (approved later, or
posted later) by someone else are new; waiting, returned, hidden and withdrawn posts never
count, and nothing is recorded for visitors. The row is written only when it moves forward.
Lists count a thread's new posts up to 99 ("99+ new") and link to the first one published.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask import Flask
from sqlalchemy import Integer
from sqlalchemy import Select
from sqlalchemy import and_
from sqlalchemy import delete
from sqlalchemy import func
from sqlalchemy import insert
from sqlalchemy import literal
from sqlalchemy import select
from sqlalchemy import update
from sqlalchemy.orm import Session

from forum import permissions
from forum import signals
from forum.models import LearningSet
from forum.models import Post
from forum.models import PostStatus
from forum.models import Thread
from forum.models import ThreadRead
from forum.models import utcnow
from forum.permissions import AnyUser
from forum.text import capped_count

# A count of new posts stops here: the page says "99+ new" rather than read a long thread to
# the end (a thread of 10,000 posts never opened would cost 10,000 index entries a page).
UNREAD_SHOWN = 99
# The publication time before any post: "read up to" for a thread never read.
_NEVER_READ = datetime(1970, 1, 1)


def unread_label(count: int) -> str:
    """How a capped count of new posts reads: "3", or "99+" past :data:`UNREAD_SHOWN`."""
    return capped_count(count, UNREAD_SHOWN)


def _unread_posts(viewer: AnyUser, thread_id: Any, since: Any) -> Select:
    """The thread's posts new to the viewer: published after ``since`` (None: never read),
    and not their own. ``thread_id`` and ``since`` are columns of the enclosing query; the
    index ix_posts_thread_published (thread id, status, publication time, author) finds
    them in publication order without reading the rest of the thread."""
    return (select(Post.id)
            .where(Post.thread_id == thread_id, Post.status == PostStatus.APPROVED,
                   Post.published > func.coalesce(since, _NEVER_READ),
                   Post.author_id.is_distinct_from(viewer.id))
            .correlate_except(Post))


def unread_columns(viewer: AnyUser, thread_id: Any, since: Any) -> tuple[Any, Any]:
    """(unread_count, first_unread_id) as correlated scalar subqueries, for a query of threads
    that has ``thread_id`` and ``since`` (the viewer's ``ThreadRead.read_up_to``, outer-joined):
    the count stops past :data:`UNREAD_SHOWN` and the first new post is the first published,
    so each thread costs at most ``UNREAD_SHOWN + 1`` index entries however long it is."""
    posts = _unread_posts(viewer, thread_id, since)
    count = (select(func.count())
             .select_from(posts.limit(UNREAD_SHOWN + 1).subquery())
             .scalar_subquery().label("unread_count"))
    first = (posts.order_by(Post.published, Post.id).limit(1)
             .scalar_subquery().label("first_unread_id"))
    return count, first


def read_marker(viewer: AnyUser) -> Any:
    """The join condition of the viewer's ``ThreadRead`` row onto ``Thread`` (outer join)."""
    return and_(ThreadRead.thread_id == Thread.id, ThreadRead.user_id == viewer.id)


@dataclass(frozen=True)
class SetUnread:
    """In one set: how many threads have posts new to the member, and how many posts (each
    thread's count capped as on the set page, so ``posts`` past 99 reads "99+")."""

    threads: int
    posts: int

    @property
    def posts_label(self) -> str:
        return unread_label(self.posts)


def unread_by_set(session: Session, viewer: AnyUser,
                  set_ids: list[int]) -> dict[int, SetUnread]:
    """Per set (of ``set_ids``) with anything new: the threads and posts new to the viewer, in
    threads they can open, in one query however many sets ("My sets"). Each thread is counted
    as on the set page (:func:`unread_columns`), so the cost follows the sets' threads, not
    their posts."""
    if not permissions.is_signed_in(viewer) or not set_ids:
        return {}
    count, _ = unread_columns(viewer, Thread.id, ThreadRead.read_up_to)
    per_thread = (select(Thread.learning_set_id.label("set_id"), count)
                  .outerjoin(ThreadRead, read_marker(viewer))
                  .where(Thread.learning_set_id.in_(set_ids),
                         permissions.visible_threads_filter(viewer))
                  .subquery("per_thread"))
    new = per_thread.c.unread_count
    rows = session.execute(
        select(per_thread.c.set_id, func.count(), func.sum(new))
        .where(new > 0)
        .group_by(per_thread.c.set_id))
    return {set_id: SetUnread(threads, int(posts)) for set_id, threads, posts in rows}


def read_up_to(session: Session, viewer: AnyUser, thread: Thread) -> datetime | None:
    """Where the viewer had read the thread to (None: never, or a visitor)."""
    if not permissions.is_signed_in(viewer):
        return None
    return session.scalar(select(ThreadRead.read_up_to).where(
        ThreadRead.user_id == viewer.id, ThreadRead.thread_id == thread.id))


def new_post_ids(viewer: AnyUser, posts: list[Post], since: datetime | None) -> set[int]:
    """Among the posts shown, those new to the viewer (none on a first visit)."""
    if since is None or not permissions.is_signed_in(viewer):
        return set()
    return {post.id for post in posts if post.status == PostStatus.APPROVED
            and post.author_id != viewer.id and post.published > since}


def record_read(session: Session, viewer: AnyUser, thread: Thread, shown: list[Post],
                since: datetime | None) -> bool:
    """Move the viewer's place forward to the newest published post they were shown; False
    (and no write) when it would not move. A second tab may have inserted the row first: the
    caller commits, and rolls back on :class:`IntegrityError`."""
    if not permissions.is_signed_in(viewer):
        return False
    newest = max((post.published for post in shown if post.status == PostStatus.APPROVED),
                 default=None)
    if newest is None or (since is not None and newest <= since):
        return False
    if since is None:
        session.execute(insert(ThreadRead).values(user_id=viewer.id, thread_id=thread.id,
                                                  read_up_to=newest))
    else:
        session.execute(update(ThreadRead)
                        .where(ThreadRead.user_id == viewer.id,
                               ThreadRead.thread_id == thread.id,
                               ThreadRead.read_up_to < newest)
                        .values(read_up_to=newest))
    return True


def mark_set_read(session: Session, viewer: AnyUser, learning_set: LearningSet) -> None:
    """Every thread of the set the viewer can open, read up to its newest published post
    (two statements, however many threads)."""
    in_set = select(Thread.id).where(Thread.learning_set_id == learning_set.id)
    session.execute(delete(ThreadRead).where(ThreadRead.user_id == viewer.id,
                                             ThreadRead.thread_id.in_(in_set)))
    newest = (select(literal(viewer.id, Integer), Post.thread_id, func.max(Post.published))
              .join(Thread, Thread.id == Post.thread_id)
              .where(Thread.learning_set_id == learning_set.id,
                     Post.status == PostStatus.APPROVED,
                     permissions.visible_threads_filter(viewer))
              .group_by(Post.thread_id))
    session.execute(insert(ThreadRead).from_select(["user_id", "thread_id", "read_up_to"],
                                                   newest))


def _on_post_approved(sender: Flask, *, session: Session, post: Post, **_: Any) -> None:
    """Readers see the post from now: it is new to those who read the thread before."""
    post.approved_at = utcnow()


def subscribe(app: Flask) -> None:
    """Connect to the moderation signals (:mod:`forum.signals`)."""
    signals.post_approved.connect(_on_post_approved, sender=app)
