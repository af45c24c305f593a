"""The forum's database models, importable from one place."""

from forum.models.base import utcnow
from forum.models.learning_set import Invitation
from forum.models.learning_set import LearningSet
from forum.models.learning_set import Membership
from forum.models.learning_set import ModerationPolicy
from forum.models.learning_set import Role
from forum.models.learning_set import Visibility
from forum.models.thread import Post
from forum.models.thread import PostRevision
from forum.models.thread import PostStatus
from forum.models.thread import Thread
from forum.models.user import CreditPreference
from forum.models.user import SiteSetting
from forum.models.user import User

__all__ = [
    "CreditPreference",
    "Invitation",
    "LearningSet",
    "Membership",
    "ModerationPolicy",
    "Post",
    "PostRevision",
    "PostStatus",
    "Role",
    "SiteSetting",
    "Thread",
    "User",
    "Visibility",
    "utcnow",
]
