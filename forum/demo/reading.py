"""Where each demo member had read to: everything older than five days, so the set pages
show the last few days' posts as new ("2 new") from the first sign-in."""

from __future__ import annotations

from datetime import datetime
from datetime import timedelta

from sqlalchemy import func
from sqlalchemy import select
from sqlalchemy.orm import Session

from forum.models import Membership
from forum.models import Post
from forum.models import PostStatus
from forum.models import Thread
from forum.models import ThreadRead
from forum.models import User

READ_UNTIL = timedelta(days=5)


def ensure_demo_reading(session: Session, users: dict[str, User], now: datetime) -> int:
    """Give each demo member a place in each thread of their sets they have none in; the
    number of places made."""
    until = now - READ_UNTIL
    newest = dict(session.execute(
        select(Post.thread_id, func.max(Post.published))
        .where(Post.status == PostStatus.APPROVED, Post.published <= until)
        .group_by(Post.thread_id)).all())
    made = 0
    for user in users.values():
        threads = session.scalars(select(Thread.id).join(
            Membership, Membership.learning_set_id == Thread.learning_set_id)
            .where(Membership.user_id == user.id))
        known = set(session.scalars(select(ThreadRead.thread_id)
                                    .where(ThreadRead.user_id == user.id)))
        for thread_id in threads:
            if thread_id in newest and thread_id not in known:
                session.add(ThreadRead(user_id=user.id, thread_id=thread_id,
                                       read_up_to=newest[thread_id]))
                made += 1
    session.flush()
    return made
