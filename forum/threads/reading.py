"""Unread markers: which published posts are new to a member since they last read a thread.

A member's place in a thread is a :class:`ThreadRead` row: the publication time of the newest
published post the thread page showed them. Posts published after it (approved later, or
posted later) by someone else are new; waiting, returned, hidden and withdrawn posts never
count, and nothing is recorded for visitors. The row is written only when it moves forward.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask import Flask
from sqlalchemy import Integer
from sqlalchemy import Select
from sqlalchemy import Subquery
from sqlalchemy import and_
from sqlalchemy import delete
from sqlalchemy import func
from sqlalchemy import insert
from sqlalchemy import literal
from sqlalchemy import or_
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


def _counted(viewer: AnyUser) -> list[Any]:
    """Posts that can be new to the viewer: published, and not their own."""
    return [Post.status == PostStatus.APPROVED, Post.author_id.is_distinct_from(viewer.id)]


def unread_by_thread(viewer: AnyUser, learning_set: LearningSet,
                     among: Select | None = None) -> Subquery | None:
    """(thread_id, unread_count, first_unread_id) for the set's threads with posts new to the
    viewer, for joining into the set page's one query; None for visitors.

    ``among`` (a SELECT of thread ids: the page's threads) limits the count to those threads,
    so that the page reads the posts of the threads it shows, not of every thread of the set."""
    if not permissions.is_signed_in(viewer):
        return None
    threads = ([Post.thread_id.in_(among)] if among is not None
               else [Thread.learning_set_id == learning_set.id])
    query = select(Post.thread_id.label("thread_id"), func.count(Post.id).label("unread_count"),
                   func.min(Post.id).label("first_unread_id"))
    if among is None:
        query = query.join(Thread, Thread.id == Post.thread_id)
    return (query
            .outerjoin(ThreadRead, and_(ThreadRead.thread_id == Post.thread_id,
                                        ThreadRead.user_id == viewer.id))
            .where(*threads, *_counted(viewer),
                   or_(ThreadRead.read_up_to.is_(None), Post.published > ThreadRead.read_up_to))
            .group_by(Post.thread_id)
            .subquery("unread"))


@dataclass(frozen=True)
class SetUnread:
    """In one set: how many threads have posts new to the member, and how many posts."""

    threads: int
    posts: int


def unread_by_set(session: Session, viewer: AnyUser,
                  set_ids: list[int]) -> dict[int, SetUnread]:
    """Per set (of ``set_ids``) with anything new: the threads and posts new to the viewer, in
    threads they can open, in one query however many sets ("My sets")."""
    if not permissions.is_signed_in(viewer) or not set_ids:
        return {}
    rows = session.execute(
        select(Thread.learning_set_id, func.count(Post.thread_id.distinct()), func.count(Post.id))
        .join(Thread, Thread.id == Post.thread_id)
        .outerjoin(ThreadRead, and_(ThreadRead.thread_id == Post.thread_id,
                                    ThreadRead.user_id == viewer.id))
        .where(Thread.learning_set_id.in_(set_ids), *_counted(viewer),
               permissions.visible_threads_filter(viewer),
               or_(ThreadRead.read_up_to.is_(None), Post.published > ThreadRead.read_up_to))
        .group_by(Thread.learning_set_id))
    return {set_id: SetUnread(threads, posts) for set_id, threads, posts in rows}


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
