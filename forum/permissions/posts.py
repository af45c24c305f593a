"""Threads and posts: who sees a thread, who reads a post's text, and how a post displays.

A post's text is readable when its thread can be opened (see :func:`can_open_thread`) and
the post is published, or the reader wrote it (unless a moderator hid it), or moderates the
set. Everything that lists, counts or tells people about posts uses
:func:`visible_posts_filter`, the query form of the same rule.
"""

from __future__ import annotations

import enum
from typing import Any

from sqlalchemy import ColumnElement
from sqlalchemy import Select
from sqlalchemy import and_
from sqlalchemy import exists
from sqlalchemy import false
from sqlalchemy import or_
from sqlalchemy import select
from sqlalchemy import true
from sqlalchemy.orm import aliased

from forum.models import Post
from forum.models import PostRevision
from forum.models import PostStatus
from forum.models import Thread
from forum.permissions.roles import AnyUser
from forum.permissions.roles import can_moderate
from forum.permissions.roles import is_admin
from forum.permissions.roles import is_signed_in
from forum.permissions.roles import moderates_filter
from forum.permissions.sets import can_start_thread
from forum.permissions.sets import can_view_set
from forum.permissions.sets import readable_filter

# Once its opening post has been published a thread stays listed to every reader of the set;
# hiding that post later leaves the thread and its replies behind a "hidden" placeholder.
LISTED_OPENING_STATUSES = frozenset({PostStatus.APPROVED, PostStatus.HIDDEN})
# Statuses whose text only the author and the set's moderators read.
AUTHOR_ONLY_STATUSES = frozenset({PostStatus.PENDING, PostStatus.REJECTED,
                                  PostStatus.WITHDRAWN})
# Nobody answers a post a moderator hid or its author withdrew.
UNANSWERABLE_STATUSES = frozenset({PostStatus.HIDDEN, PostStatus.WITHDRAWN})


class PostDisplay(enum.StrEnum):
    """How one post appears to one reader."""

    FULL = "full"        # its text
    HIDDEN = "hidden"    # a "hidden by a moderator" placeholder
    OMITTED = "omitted"  # nothing at all


def _is_author(user: AnyUser, post: Post) -> bool:
    return is_signed_in(user) and post.author_id is not None and post.author_id == user.id


def opening_post(thread: Thread) -> Post | None:
    """The thread's first post (from the thread's loaded posts)."""
    roots = [post for post in thread.posts if post.parent_id is None]
    return min(roots, key=lambda post: post.id) if roots else None


def _display_in_thread(user: AnyUser, post: Post) -> PostDisplay:
    """How the post displays to someone who can open its thread."""
    if post.status == PostStatus.APPROVED:
        return PostDisplay.FULL
    if can_moderate(user, post.thread.learning_set):
        return PostDisplay.FULL
    if post.status == PostStatus.HIDDEN:
        return PostDisplay.HIDDEN
    return PostDisplay.FULL if _is_author(user, post) else PostDisplay.OMITTED


# --- threads -----------------------------------------------------------------------


def can_view_thread(user: AnyUser, thread: Thread) -> bool:
    """May read the thread's set (callers holding its opening post use can_open_thread)."""
    return can_view_set(user, thread.learning_set)


def can_open_thread(user: AnyUser, thread: Thread, opening: Post | None = None) -> bool:
    """May see the thread at all: a thread whose opening post waits, was returned or withdrawn
    exists only for its author and the set's moderators."""
    if not can_view_thread(user, thread):
        return False
    if opening is not None:
        status, author_id = opening.status, opening.author_id
    else:
        # The thread's copies of its opening post, as :func:`visible_threads_filter` reads them:
        # a check per post must not load every post of a 10,000-post thread.
        status, author_id = thread.opening_status, thread.opening_author_id
    if status is None or status in LISTED_OPENING_STATUSES:
        return True
    if can_moderate(user, thread.learning_set):
        return True
    return is_signed_in(user) and author_id is not None and author_id == user.id


def opening_posts() -> tuple[Any, Select]:
    """An alias of :class:`Post` and a query of the thread ids whose opening post it is:
    add conditions on the alias (the query form of :func:`opening_post`)."""
    root = aliased(Post)
    earlier = aliased(Post)
    query = select(root.thread_id).where(
        root.parent_id.is_(None),
        ~exists().where(earlier.thread_id == root.thread_id, earlier.parent_id.is_(None),
                        earlier.id < root.id))
    return root, query.correlate(None)


def _listed_opening() -> ColumnElement[bool]:
    """The thread's opening post was published (or it has none yet), from the thread's copy
    of its opening post (:func:`forum.models.thread.refresh_threads` keeps it)."""
    return or_(Thread.opening_status.is_(None),
               Thread.opening_status.in_(LISTED_OPENING_STATUSES))


def listed_threads_filter() -> ColumnElement[bool]:
    """Threads listed to every reader of their set: the opening post was published."""
    return _listed_opening()


def visible_threads_filter(user: AnyUser, *, listed: bool = False) -> ColumnElement[bool]:
    """:func:`can_open_thread` as a WHERE clause over :class:`Thread` (``listed``: the user's
    readable and moderated sets read once, each thread checked against the two short lists;
    see :class:`forum.permissions.roles.InSetIds`)."""
    own_opening = (Thread.opening_author_id == user.id) if is_signed_in(user) else false()
    return and_(readable_filter(user, Thread.learning_set_id, listed=listed),
                or_(moderates_filter(user, Thread.learning_set_id, listed=listed),
                    _listed_opening(), own_opening))


# --- posts -------------------------------------------------------------------------


def post_display(user: AnyUser, post: Post, opening: Post | None = None) -> PostDisplay:
    """Whether the reader sees the post's text, a "hidden" placeholder, or nothing."""
    if not can_open_thread(user, post.thread, opening):
        return PostDisplay.OMITTED
    return _display_in_thread(user, post)


def post_displays(user: AnyUser, thread: Thread, posts: list[Post],
                  opening: Post | None = None) -> dict[int, PostDisplay]:
    """:func:`post_display` for many posts of one thread (a thread page): the thread-wide
    answers (may open the thread? moderates its set?) are asked once, not once per post."""
    if not can_open_thread(user, thread, opening):
        return {post.id: PostDisplay.OMITTED for post in posts}
    if can_moderate(user, thread.learning_set):
        return {post.id: PostDisplay.FULL for post in posts}
    user_id = user.id if is_signed_in(user) else None
    displays = {}
    for post in posts:
        status = post.status
        if status == PostStatus.APPROVED:
            displays[post.id] = PostDisplay.FULL
        elif status == PostStatus.HIDDEN:
            displays[post.id] = PostDisplay.HIDDEN
        elif user_id is not None and post.author_id is not None and post.author_id == user_id:
            displays[post.id] = PostDisplay.FULL
        else:
            displays[post.id] = PostDisplay.OMITTED
    return displays


def can_view_post(user: AnyUser, post: Post) -> bool:
    """May read the post's text where it stands (its thread page)."""
    return post_display(user, post) == PostDisplay.FULL


def moderated_posts_filter(user: AnyUser) -> ColumnElement[bool]:
    """Posts in sets the user moderates, as a WHERE clause over :class:`Post`."""
    if is_admin(user):
        # Every post: not a list of every thread of the site (20,000 on the 1,000,000-post
        # seed) for each post to be looked up in (the admin's moderation queue, issue 16).
        return true()
    return Post.thread_id.in_(
        select(Thread.id).where(moderates_filter(user, Thread.learning_set_id))
        .correlate(None))


def _posts_filter(user: AnyUser, statuses: frozenset[PostStatus]) -> ColumnElement[bool]:
    """Posts in threads the user can open that have one of ``statuses``, are in a set the
    user moderates, or are the user's own waiting, returned or withdrawn posts."""
    in_visible_thread = Post.thread_id.in_(
        select(Thread.id).where(visible_threads_filter(user)).correlate(None))
    own = false()
    if is_signed_in(user):
        own = and_(Post.author_id == user.id, Post.status.in_(AUTHOR_ONLY_STATUSES))
    return and_(in_visible_thread,
                or_(Post.status.in_(statuses), moderated_posts_filter(user), own))


def visible_posts_filter(user: AnyUser) -> ColumnElement[bool]:
    """:func:`can_view_post` (the text is shown) as a WHERE clause over :class:`Post`."""
    return _posts_filter(user, frozenset({PostStatus.APPROVED}))


def visible_posts_in_thread_filter(user: AnyUser, *, listed: bool = True
                                   ) -> ColumnElement[bool]:
    """:func:`visible_posts_filter` for a query that already joins each post's own
    :class:`Thread` (``Thread.id == Post.thread_id``): the same rule, read from the joined
    thread's columns instead of a list of every thread the user may open.

    For search, which checks a few thousand matching posts newest first: each is checked
    against its own thread and set (a short list of readable and moderated set ids), where the
    list form first builds the ids of every thread the user may open (thousands) before the
    first post is looked at. ``listed``: the two short lists are read once per query (on
    PostgreSQL an array, not a join it could misjudge; see
    :class:`forum.permissions.roles.InSetIds`)."""
    own = false()
    if is_signed_in(user):
        own = and_(Post.author_id == user.id, Post.status.in_(AUTHOR_ONLY_STATUSES))
    return and_(visible_threads_filter(user, listed=listed),
                or_(Post.status == PostStatus.APPROVED,
                    moderates_filter(user, Thread.learning_set_id, listed=listed), own))


def omitted_in_thread_filter(user: AnyUser) -> ColumnElement[bool]:
    """The posts :func:`post_display` leaves out (``OMITTED``) for a reader who can open their
    thread but does not moderate its set: waiting, returned and withdrawn posts by someone
    else, as a WHERE clause over :class:`Post` (for a thread's shape: what takes no place in
    the reader's pages)."""
    others = Post.author_id.is_distinct_from(user.id) if is_signed_in(user) else true()
    return and_(Post.status.in_(AUTHOR_ONLY_STATUSES), others)


def shown_posts_filter(user: AnyUser) -> ColumnElement[bool]:
    """Posts whose :func:`post_display` is not ``OMITTED`` (the text or a "hidden"
    placeholder), as a WHERE clause over :class:`Post`."""
    return _posts_filter(user, frozenset({PostStatus.APPROVED, PostStatus.HIDDEN}))


def can_view_revisions(user: AnyUser, post: Post) -> bool:
    return can_view_post(user, post)


# --- text no moderator approved: earlier versions, waiting edits ----------------------

# A post in one of these statuses was approved once, so its current text was published.
PUBLISHED_STATUSES = frozenset({PostStatus.APPROVED, PostStatus.HIDDEN})


def can_see_unapproved_text(user: AnyUser, post: Post) -> bool:
    """Text of the post no moderator approved (earlier versions, a waiting edit): its author
    and the set's moderators only."""
    if not can_view_post(user, post):
        return False
    return _is_author(user, post) or can_moderate(user, post.thread.learning_set)


def can_view_pending_edit(user: AnyUser, post: Post) -> bool:
    """See the text of an edit that waits for a moderator (readers keep the approved text)."""
    return post.has_pending_edit and can_see_unapproved_text(user, post)


def can_view_revision(user: AnyUser, revision: PostRevision) -> bool:
    """An earlier version of a post: readers see only versions that had been published."""
    post = revision.post
    if not can_view_revisions(user, post):
        return False
    return bool(revision.was_published) or can_see_unapproved_text(user, post)


def visible_revisions(user: AnyUser, post: Post) -> ColumnElement[bool]:
    """:func:`can_view_revision` as a WHERE clause over the revisions of ``post``."""
    if not can_view_revisions(user, post):
        return false()
    if can_see_unapproved_text(user, post):
        return PostRevision.post_id == post.id
    return and_(PostRevision.post_id == post.id, PostRevision.was_published.is_(True))


# --- writing -----------------------------------------------------------------------


def can_reply(user: AnyUser, thread: Thread) -> bool:
    """May post replies in the thread (any post in it that accepts replies)."""
    if not can_start_thread(user, thread.learning_set):
        return False
    return not thread.is_locked or can_moderate(user, thread.learning_set)


def accepts_replies(post: Post) -> bool:
    """A post can be answered unless a moderator hid it or its author withdrew it."""
    return post.status not in UNANSWERABLE_STATUSES


def can_quote_in_reply(post: Post) -> bool:
    """A reply may carry the post's text as a quotation: its published (approved) text only,
    never a post or an edit no moderator approved. (The reader must read the post and may
    answer it: :func:`can_reply_to_post`.)"""
    return post.status == PostStatus.APPROVED


def can_reply_to_post(user: AnyUser, post: Post) -> bool:
    """May answer this post: can reply in its thread, reads its text, and it accepts replies."""
    return (accepts_replies(post) and can_reply(user, post.thread)
            and can_view_post(user, post))


def can_edit_post(user: AnyUser, post: Post) -> bool:
    """Authors edit their own posts while they can still post in the set."""
    if not _is_author(user, post):
        return False
    if post.status in UNANSWERABLE_STATUSES:
        return False
    return can_start_thread(user, post.thread.learning_set)
