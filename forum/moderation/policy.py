"""Whether a new post waits for approval, given the set's moderation policy."""

from __future__ import annotations

from sqlalchemy.orm import Session

from forum.models import LearningSet
from forum.models import PostStatus
from forum.models import User


def initial_status(session: Session, author: User, learning_set: LearningSet) -> PostStatus:
    """The status a new post by ``author`` in ``learning_set`` starts with.

    STUB until the moderation work lands: every post is approved at once.
    """
    return PostStatus.APPROVED
