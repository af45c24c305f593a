"""Following a thread: every new post, only replies to me (the default), or nothing.

Starting a thread or replying makes the author follow it, unless they chose before. The
notifications themselves are :mod:`forum.notifications` (``notify_followers``), sent once a post
is published and only to followers who can read it.
"""

from __future__ import annotations

from typing import Any

from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from forum import permissions
from forum import signals
from forum.extensions import added_unless_made_meanwhile
from forum.models import FollowLevel
from forum.models import Post
from forum.models import Thread
from forum.models import ThreadFollow
from forum.models import utcnow
from forum.permissions import AnyUser


def follow_level(session: Session, user: AnyUser, thread: Thread) -> FollowLevel | None:
    """The member's choice for the thread (the default when they made none); None for visitors."""
    if not permissions.is_signed_in(user):
        return None
    level = session.scalar(select(ThreadFollow.level).where(
        ThreadFollow.user_id == user.id, ThreadFollow.thread_id == thread.id))
    return level_shown(user, level)


def level_shown(user: AnyUser, choice: FollowLevel | None) -> FollowLevel | None:
    """The level a member's stored ``choice`` (None: none made) means: the default when they
    made none; None for visitors."""
    if not permissions.is_signed_in(user):
        return None
    return choice or FollowLevel.NORMAL


def _saved_follow(session: Session, user_id: int, thread_id: int) -> ThreadFollow | None:
    return session.get(ThreadFollow, (user_id, thread_id))


def _added_follow(session: Session, user_id: int, thread_id: int, level: FollowLevel) -> bool:
    """Add the person's row for the thread; False when it was made at the same moment (the
    follow button pressed twice, two posts sent at once)."""
    return added_unless_made_meanwhile(
        session, ThreadFollow(user_id=user_id, thread_id=thread_id, level=level))


def set_follow_level(session: Session, user: AnyUser, thread: Thread,
                     level: FollowLevel) -> None:
    row = _saved_follow(session, user.id, thread.id)
    if row is None:
        if _added_follow(session, user.id, thread.id, level):
            return
        row = _saved_follow(session, user.id, thread.id)  # made meanwhile: this choice wins
        if row is None:
            raise LookupError("the thread follow made at the same moment is not there")
    row.level = level
    row.updated_at = utcnow()
    session.flush()


def _on_post_created(sender: Flask, *, session: Session, post: Post, **_: Any) -> None:
    """Writing in a thread follows it, unless the author already chose how."""
    if post.author_id is None:
        return
    if _saved_follow(session, post.author_id, post.thread_id) is None:
        # False: made at the same moment (by another post of theirs), which stands.
        _added_follow(session, post.author_id, post.thread_id, FollowLevel.WATCHING)


def subscribe(app: Flask) -> None:
    signals.post_created.connect(_on_post_created, sender=app)
