"""Moderating posts: approving, hiding, reporting, withdrawing, and what moderators tell."""

from __future__ import annotations

from sqlalchemy import ColumnElement
from sqlalchemy import and_
from sqlalchemy import or_
from sqlalchemy import true

from forum.models import LearningSet
from forum.models import Post
from forum.models import PostStatus
from forum.models import waiting_post
from forum.permissions.posts import PostDisplay
from forum.permissions.posts import _is_author
from forum.permissions.posts import can_view_post
from forum.permissions.posts import moderated_posts_filter
from forum.permissions.roles import AnyUser
from forum.permissions.roles import can_moderate
from forum.permissions.roles import is_facilitator
from forum.permissions.roles import is_signed_in

# Statuses a moderator gave a reason for (told to the author and the set's moderators).
REASONED_STATUSES = frozenset({PostStatus.REJECTED, PostStatus.HIDDEN})


def waiting_posts_filter(user: AnyUser) -> ColumnElement[bool]:
    """Posts (or edits of published posts) waiting in sets the user moderates, their own
    included: what the queue lists (the user's own are marked as waiting for another
    moderator)."""
    return and_(or_(Post.status == PostStatus.PENDING,
                    and_(Post.status == PostStatus.APPROVED, Post.pending_at.is_not(None))),
                moderated_posts_filter(user))


def waiting_new_posts_filter(user: AnyUser) -> ColumnElement[bool]:
    """:func:`waiting_posts_filter`'s waiting posts without the waiting edits, stated as the
    partial index of waiting posts states them (:func:`forum.models.waiting_post`), so that the
    queue counts and orders them from that index alone."""
    return and_(waiting_post(), moderated_posts_filter(user))


def waiting_edits_filter(user: AnyUser) -> ColumnElement[bool]:
    """:func:`waiting_posts_filter`'s waiting edits of published posts, without the waiting
    posts: each condition on its own, so that ix_posts_thread_status (thread, status,
    pending_at) reads only the waiting edits, not every published post of the thread."""
    return and_(Post.status == PostStatus.APPROVED, Post.pending_at.is_not(None),
                moderated_posts_filter(user))


def can_approve_post(user: AnyUser, post: Post) -> bool:
    """Decide on a post or an edit of it (approve, edit and approve, return): the set's
    moderators, but never the post's author, whose posts go to another moderator. Whether
    anything still waits is the moderation service's question (it says what happened)."""
    return can_moderate(user, post.thread.learning_set) and not _is_author(user, post)


def approvable_posts_filter(user: AnyUser) -> ColumnElement[bool]:
    """:func:`can_approve_post` as a WHERE clause over :class:`Post`."""
    not_own = (Post.author_id.is_distinct_from(user.id) if is_signed_in(user) else true())
    return and_(moderated_posts_filter(user), not_own)


def can_hide_post(user: AnyUser, post: Post) -> bool:
    """Hide a published post: the set's moderators."""
    return post.status == PostStatus.APPROVED and can_moderate(user, post.thread.learning_set)


def hideable_posts_filter(user: AnyUser) -> ColumnElement[bool]:
    """:func:`can_hide_post` as a WHERE clause over :class:`Post` (the queue's reported
    posts)."""
    return and_(Post.status == PostStatus.APPROVED, moderated_posts_filter(user))


def can_report_post(user: AnyUser, post: Post, *,
                    display: PostDisplay | None = None) -> bool:
    """Signed-in readers report other people's published posts. ``display``: the post's
    :func:`post_display` for this user, when the caller (a page of posts) knows it already."""
    if not (is_signed_in(user) and post.status == PostStatus.APPROVED
            and not _is_author(user, post)):
        return False
    if display is not None:
        return display == PostDisplay.FULL
    return can_view_post(user, post)


def can_see_moderation_reason(user: AnyUser, post: Post) -> bool:
    """Why a post was returned or hidden: told to its author and the set's moderators only."""
    if post.status not in REASONED_STATUSES:
        return False
    return _is_author(user, post) or can_moderate(user, post.thread.learning_set)


def can_withdraw_post(user: AnyUser, post: Post) -> bool:
    """Authors withdraw their own posts that are waiting or were returned to them."""
    return (_is_author(user, post)
            and post.status in (PostStatus.PENDING, PostStatus.REJECTED))


def can_view_moderation_log(user: AnyUser, learning_set: LearningSet) -> bool:
    return can_moderate(user, learning_set)


def can_set_moderation_policy(user: AnyUser, learning_set: LearningSet) -> bool:
    return is_facilitator(user, learning_set)
