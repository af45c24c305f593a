"""Whether a new post waits for approval, given the set's moderation policy."""

from __future__ import annotations

from sqlalchemy import func
from sqlalchemy import select
from sqlalchemy.orm import Session

from forum import permissions
from forum.models import LearningSet
from forum.models import ModerationPolicy
from forum.models import Post
from forum.models import PostStatus
from forum.models import Thread
from forum.models import User


def approved_post_count(session: Session, author: User, learning_set: LearningSet) -> int:
    """How many of the author's posts in the set have been published."""
    return session.scalar(
        select(func.count(Post.id))
        .join(Thread, Thread.id == Post.thread_id)
        .where(Post.author_id == author.id, Post.status == PostStatus.APPROVED,
               Thread.learning_set_id == learning_set.id)) or 0


def initial_status(session: Session, author: User, learning_set: LearningSet) -> PostStatus:
    """The status a new post by ``author`` in ``learning_set`` starts with.

    Moderators and facilitators of the set (and admins) never wait. Otherwise: every post
    waits; or a member's posts wait until N of theirs have been approved; or nothing waits.
    """
    if permissions.can_moderate(author, learning_set):
        return PostStatus.APPROVED
    policy = learning_set.moderation_policy
    if policy == ModerationPolicy.AFTER_THE_FACT:
        return PostStatus.APPROVED
    if policy == ModerationPolicy.EVERY_POST:
        return PostStatus.PENDING
    threshold = learning_set.new_member_post_threshold or 0
    if threshold <= 0:
        return PostStatus.APPROVED
    approved = approved_post_count(session, author, learning_set)
    return PostStatus.PENDING if approved < threshold else PostStatus.APPROVED


def edit_waits(session: Session, editor: User, post: Post) -> bool:
    """Whether the author's edit of a published post waits for a moderator.

    It waits wherever a new post by the same person in the set would wait (moderators' and
    facilitators' own edits never do); until approved, readers keep the approved text.
    """
    if post.status != PostStatus.APPROVED:
        return False
    learning_set = post.thread.learning_set
    return initial_status(session, editor, learning_set) == PostStatus.PENDING
