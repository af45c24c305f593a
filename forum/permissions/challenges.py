"""Challenges: who sees one, who brings one, who moves it on, and which kinds of reply each
person may post in it.

A challenge is seen exactly as its thread is (:func:`can_open_thread`): one whose opening post
waits for a moderator exists only for its holder and the set's moderators.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement
from sqlalchemy import and_
from sqlalchemy import select

from forum.models import Challenge
from forum.models import LearningSet
from forum.models import Post
from forum.models import PostKind
from forum.models import Thread
from forum.permissions.posts import can_open_thread
from forum.permissions.posts import can_reply
from forum.permissions.posts import can_view_post
from forum.permissions.posts import visible_posts_filter
from forum.permissions.posts import visible_threads_filter
from forum.permissions.roles import AnyUser
from forum.permissions.roles import facilitates_filter
from forum.permissions.roles import is_facilitator
from forum.permissions.roles import is_signed_in
from forum.permissions.sets import can_start_thread

# What the holder posts in their own challenge; the first is the form's default.
HOLDER_KINDS = (PostKind.REFLECTION, PostKind.ACTION, PostKind.UPDATE, PostKind.LEARNING)
# What everyone else posts; suggestions only where the set's facilitators allow them.
OTHER_KINDS = (PostKind.QUESTION, PostKind.LEARNING, PostKind.SUGGESTION)
# Kinds a facilitator may re-label a post from and to: the ones with no row behind them
# (an action has its due date, an update its outcome, the opening post is the challenge).
RELABEL_KINDS = (PostKind.QUESTION, PostKind.REFLECTION, PostKind.LEARNING,
                 PostKind.SUGGESTION)


def is_holder(user: AnyUser, challenge: Challenge) -> bool:
    return (is_signed_in(user) and challenge.holder_id is not None
            and challenge.holder_id == user.id)


def can_bring_challenge(user: AnyUser, learning_set: LearningSet) -> bool:
    """Start a challenge in the set: whoever may start a thread there."""
    return can_start_thread(user, learning_set)


def can_make_challenge(user: AnyUser, thread: Thread) -> bool:
    """Turn an existing thread into a challenge held by its author: the set's facilitators
    (the caller checks that the thread is not one already)."""
    return thread.author_id is not None and makes_challenges_of_threads(user, thread)


def makes_challenges_of_threads(user: AnyUser, thread: Thread) -> bool:
    """The set's facilitators who can open the thread: they make its threads challenges (one
    whose author has deleted their account cannot be: it would have no holder, and they are
    told so)."""
    return can_open_thread(user, thread) and is_facilitator(user, thread.learning_set)


def can_view_challenge(user: AnyUser, challenge: Challenge) -> bool:
    return can_open_thread(user, challenge.thread)


def visible_challenges_filter(user: AnyUser) -> ColumnElement[bool]:
    """:func:`can_view_challenge` as a WHERE clause over :class:`Challenge`."""
    return Challenge.thread_id.in_(
        select(Thread.id).where(visible_threads_filter(user)).correlate(None))


def can_change_challenge_status(user: AnyUser, challenge: Challenge) -> bool:
    """Mark a challenge open, in progress or closed: its holder (while still in the set) and
    the set's facilitators."""
    if not can_view_challenge(user, challenge):
        return False
    learning_set = challenge.learning_set
    return ((is_holder(user, challenge) and can_start_thread(user, learning_set))
            or is_facilitator(user, learning_set))


def can_write_closing_summary(user: AnyUser, challenge: Challenge) -> bool:
    """Close the challenge with a summary (or change it): whoever may change its status. The
    summary is a post of the thread, so it waits for a moderator wherever the set's policy
    makes the writer's posts wait (:func:`forum.moderation.policy.initial_status`); nobody
    else reads it before a moderator approves it (:func:`visible_posts_filter`)."""
    return can_change_challenge_status(user, challenge)


def visible_summaries_filter(user: AnyUser, thread_id: int) -> ColumnElement[bool]:
    """The closing summaries of a challenge's thread that ``user`` may read: its summary posts
    that :func:`visible_posts_filter` lets them see (a waiting one: its author and the set's
    moderators only)."""
    return and_(Post.thread_id == thread_id, Post.kind == PostKind.SUMMARY.value,
                visible_posts_filter(user))


def reply_kinds(user: AnyUser, challenge: Challenge) -> list[PostKind]:
    """The kinds of reply ``user`` may post in the challenge, the default first (none when
    they may not reply at all)."""
    if not can_reply(user, challenge.thread):
        return []
    if is_holder(user, challenge):
        return list(HOLDER_KINDS)
    kinds = [PostKind.QUESTION, PostKind.LEARNING]
    if challenge.learning_set.allow_suggestions:
        kinds.append(PostKind.SUGGESTION)
    return kinds


def can_post_kind(user: AnyUser, challenge: Challenge, kind: PostKind) -> bool:
    return kind in reply_kinds(user, challenge)


def can_change_post_kind(user: AnyUser, post: Post) -> bool:
    """Re-label a reply in a challenge (a question that was really a learning...): the set's
    facilitators, for posts whose text they can read and whose kind has no row behind it."""
    if post.kind not in RELABEL_KINDS:
        return False
    return can_view_post(user, post) and is_facilitator(user, post.thread.learning_set)


def relabelable_posts_filter(user: AnyUser) -> ColumnElement[bool]:
    """:func:`can_change_post_kind` as a WHERE clause over :class:`Post`."""
    return and_(Post.kind.in_([kind.value for kind in RELABEL_KINDS]),
                visible_posts_filter(user),
                Post.thread_id.in_(select(Thread.id).where(
                    facilitates_filter(user, Thread.learning_set_id)).correlate(None)))
