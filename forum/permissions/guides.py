"""Guides: who curates them, who reads them, and what a guide may quote."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement
from sqlalchemy import and_
from sqlalchemy import exists
from sqlalchemy import or_

from forum.models import Guide
from forum.models import GuideVersion
from forum.models import LearningSet
from forum.models import Post
from forum.models import PostStatus
from forum.models import Thread
from forum.permissions.posts import opening_post
from forum.permissions.roles import AnyUser
from forum.permissions.roles import is_facilitator
from forum.permissions.sets import can_view_set
from forum.permissions.sets import readable_filter


def can_curate_guide(user: AnyUser, guide_or_set: Any) -> bool:
    """Create, edit, preview, publish and download drafts: the set's facilitators and admins."""
    learning_set = (guide_or_set if isinstance(guide_or_set, LearningSet)
                    else guide_or_set.learning_set)
    return is_facilitator(user, learning_set)


def can_view_published_guide(user: AnyUser, guide: Guide) -> bool:
    """A guide with a published version, in a set the user can read or marked public."""
    if not guide.versions:
        return False
    return is_open_to_everyone(guide) or can_view_set(user, guide.learning_set)


def is_open_to_everyone(guide: Guide) -> bool:
    """Once published, anyone reads the guide without signing in: it is marked public, or
    its set is."""
    return guide.is_public or can_view_set(None, guide.learning_set)


def published_guides_filter(user: AnyUser) -> ColumnElement[bool]:
    """:func:`can_view_published_guide` as a WHERE clause over :class:`Guide`."""
    published = exists().where(GuideVersion.guide_id == Guide.id)
    return and_(published, or_(Guide.is_public.is_(True),
                               readable_filter(user, Guide.learning_set_id)))


# --- what a guide quotes -------------------------------------------------------------
# Only published text by a member who still has an account: a guide credits its authors.


def can_quote_post(post: Post) -> bool:
    """A post a guide may quote: approved, and its author's account still exists."""
    return post.status == PostStatus.APPROVED and post.author_id is not None


def quotable_posts_filter() -> ColumnElement[bool]:
    """:func:`can_quote_post` as a WHERE clause over :class:`Post`."""
    return and_(Post.status == PostStatus.APPROVED, Post.author_id.is_not(None))


def can_keep_quote(post: Post) -> bool:
    """A post an existing excerpt may go on quoting: approved. A post whose author deleted
    their account stays, credited anonymously; no new excerpt of it can be made."""
    return post.status == PostStatus.APPROVED


def kept_quotes_filter() -> ColumnElement[bool]:
    """:func:`can_keep_quote` as a WHERE clause over :class:`Post`."""
    return Post.status == PostStatus.APPROVED


def can_quote_thread(thread: Thread, opening: Post | None = None) -> bool:
    """A thread a guide may draw on: its opening post is published (approved)."""
    opening = opening if opening is not None else opening_post(thread)
    return opening is not None and opening.status == PostStatus.APPROVED


def quotable_threads_filter() -> ColumnElement[bool]:
    """:func:`can_quote_thread` as a WHERE clause over :class:`Thread`."""
    return Thread.opening_status == PostStatus.APPROVED
