"""Committed actions and the facilitator's participation page: who sees what.

An action is its post: it is listed only to people who read the post's text where it stands
(:func:`forum.permissions.posts.can_view_post`), and only once a moderator approved it — a
waiting action is not an action yet. Its holder also sees their own waiting one (marked
"waiting for approval"), as an author sees their own waiting post in its thread.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement
from sqlalchemy import and_
from sqlalchemy import or_
from sqlalchemy import select

from forum.models import Action
from forum.models import LearningSet
from forum.models import Post
from forum.models import PostStatus
from forum.permissions.posts import can_view_post
from forum.permissions.posts import visible_posts_filter
from forum.permissions.roles import AnyUser
from forum.permissions.roles import is_facilitator
from forum.permissions.roles import is_signed_in


def _is_own_waiting(user: AnyUser, post: Post) -> bool:
    return (post.status == PostStatus.PENDING and is_signed_in(user)
            and post.author_id is not None and post.author_id == user.id)


def can_view_action(user: AnyUser, action: Action) -> bool:
    """List the action (its holder, due date and state): its post is approved and readable,
    or it is the user's own waiting one."""
    post = action.post
    if post.status != PostStatus.APPROVED and not _is_own_waiting(user, post):
        return False
    return can_view_post(user, post)


def visible_actions_filter(user: AnyUser) -> ColumnElement[bool]:
    """:func:`can_view_action` as a WHERE clause over :class:`Action`."""
    listed = Post.status == PostStatus.APPROVED
    if is_signed_in(user):
        listed = or_(listed, and_(Post.status == PostStatus.PENDING, Post.author_id == user.id))
    return Action.post_id.in_(
        select(Post.id).where(listed, visible_posts_filter(user)).correlate(None))


def can_view_participation(user: AnyUser, learning_set: LearningSet) -> bool:
    """Who posts how much, and how long posts wait: the set's facilitators and admins (who
    also manage its members and settings)."""
    return is_facilitator(user, learning_set)
