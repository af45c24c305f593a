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


def set_follow_level(session: Session, user: AnyUser, thread: Thread,
                     level: FollowLevel) -> None:
    row = session.get(ThreadFollow, (user.id, thread.id))
    if row is None:
        session.add(ThreadFollow(user_id=user.id, thread_id=thread.id, level=level))
    else:
        row.level = level
        row.updated_at = utcnow()
    session.flush()


def _on_post_created(sender: Flask, *, session: Session, post: Post, **_: Any) -> None:
    """Writing in a thread follows it, unless the author already chose how."""
    if post.author_id is None:
        return
    if session.get(ThreadFollow, (post.author_id, post.thread_id)) is None:
        session.add(ThreadFollow(user_id=post.author_id, thread_id=post.thread_id,
                                 level=FollowLevel.WATCHING))
        session.flush()


def subscribe(app: Flask) -> None:
    signals.post_created.connect(_on_post_created, sender=app)
