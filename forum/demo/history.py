"""The demo's moderation history, so each set's moderation log reads like a set in use: Claire
approved Gareth's first posts in the network set, Rosa pinned the private set's welcome, and
Siobhan hid a reply in the public set that quoted a supplier's prices shared in confidence."""

from __future__ import annotations

from datetime import datetime
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from forum.demo.content import COMMS_SLUG
from forum.demo.content import EVALUATION_SLUG
from forum.demo.content import RECRUITING_SLUG
from forum.models import ActionKind
from forum.models import LearningSet
from forum.models import ModerationAction
from forum.models import Post
from forum.models import PostStatus
from forum.models import Thread
from forum.models import User

HIDE_REASON = ("Hidden at Marcus's request: it quoted a supplier's prices that were shared with "
               "his council in confidence.")


def _logged(session: Session, action: ActionKind, *, post_id: int | None = None,
            thread_id: int | None = None) -> bool:
    return session.scalar(select(ModerationAction.id).where(
        ModerationAction.action == action, ModerationAction.post_id == post_id,
        ModerationAction.thread_id == thread_id)) is not None


def _add(session: Session, moderator: User, action: ActionKind, learning_set: LearningSet,
         at: datetime, *, post: Post | None = None, thread: Thread | None = None,
         reason: str = "") -> int:
    if _logged(session, action, post_id=post.id if post else None,
               thread_id=thread.id if thread else None):
        return 0
    session.add(ModerationAction(moderator_id=moderator.id, action=action,
                                 learning_set_id=learning_set.id,
                                 post_id=post.id if post else None,
                                 thread_id=thread.id if thread else None,
                                 reason=reason, created_at=at))
    return 1


def ensure_demo_history(session: Session, users: dict[str, User],
                        sets: dict[str, LearningSet], now: datetime) -> int:
    """Whatever of the history is missing; returns how many log rows were made."""
    made = 0
    evaluation = sets[EVALUATION_SLUG]
    for post in session.scalars(
            select(Post).join(Thread, Thread.id == Post.thread_id)
            .where(Thread.learning_set_id == evaluation.id, Post.author_id == users["gareth"].id,
                   Post.status == PostStatus.APPROVED)):
        made += _add(session, users["claire"], ActionKind.APPROVE, evaluation,
                     min(post.created_at + timedelta(hours=1), now), post=post)
    comms = sets[COMMS_SLUG]
    for thread in session.scalars(select(Thread).where(Thread.learning_set_id == comms.id,
                                                       Thread.is_pinned)):
        made += _add(session, users["rosa"], ActionKind.PIN, comms,
                     thread.created_at + timedelta(minutes=5), thread=thread)
    recruiting = sets[RECRUITING_SLUG]
    for post in session.scalars(
            select(Post).join(Thread, Thread.id == Post.thread_id)
            .where(Thread.learning_set_id == recruiting.id, Post.status == PostStatus.HIDDEN)):
        made += _add(session, users["siobhan"], ActionKind.HIDE, recruiting,
                     min(post.created_at + timedelta(hours=1), now), post=post,
                     reason=HIDE_REASON)
    session.flush()
    return made
