"""Who may do what to which object: the one place these rules live.

Views and templates ask these predicates; nothing else decides. Each takes the
acting user (possibly anonymous) and the object. A ``False`` from a ``can_view_*``
predicate means the view answers 404, so nothing reveals that the object exists.
"""

from __future__ import annotations

from typing import Any

from flask import g
from flask import has_app_context
from sqlalchemy import select

from forum.extensions import db
from forum.models import LearningSet
from forum.models import Membership
from forum.models import Post
from forum.models import PostStatus
from forum.models import Role
from forum.models import Thread
from forum.models import User
from forum.models import Visibility

AnyUser = Any  # a User or Flask-Login's AnonymousUserMixin


def is_signed_in(user: AnyUser) -> bool:
    return bool(user is not None and user.is_authenticated)


def is_admin(user: AnyUser) -> bool:
    return is_signed_in(user) and bool(user.is_admin)


def role_in(user: AnyUser, learning_set: LearningSet) -> Role | None:
    """The user's role in the set, or ``None``; looked up once per request per set."""
    if not is_signed_in(user):
        return None
    cache: dict[tuple[int, int], Role | None] | None = None
    if has_app_context():
        cache = g.setdefault("_set_roles", {})
        key = (user.id, learning_set.id)
        if key in cache:
            return cache[key]
    role = db.session.scalar(
        select(Membership.role).where(Membership.user_id == user.id,
                                      Membership.learning_set_id == learning_set.id))
    if cache is not None:
        cache[(user.id, learning_set.id)] = role
    return role


def forget_roles() -> None:
    """Drop the per-request role cache (after memberships change within a request)."""
    if has_app_context():
        g.pop("_set_roles", None)


def has_role(user: AnyUser, learning_set: LearningSet, at_least: Role) -> bool:
    role = role_in(user, learning_set)
    return role is not None and role.rank >= at_least.rank


# --- learning sets -------------------------------------------------------

def can_view_set(user: AnyUser, learning_set: LearningSet) -> bool:
    if learning_set.visibility == Visibility.PUBLIC or is_admin(user):
        return True
    if learning_set.visibility == Visibility.NETWORK and is_signed_in(user):
        return True
    return role_in(user, learning_set) is not None


def is_member(user: AnyUser, learning_set: LearningSet) -> bool:
    return role_in(user, learning_set) is not None


def can_start_thread(user: AnyUser, learning_set: LearningSet) -> bool:
    return is_member(user, learning_set) or is_admin(user)


def can_manage_members(user: AnyUser, learning_set: LearningSet) -> bool:
    """Invite people, see and revoke invitations, remove members."""
    return is_admin(user) or has_role(user, learning_set, Role.FACILITATOR)


def can_view_members(user: AnyUser, learning_set: LearningSet) -> bool:
    """See who is in the set: its members and admins only, whatever the set's visibility."""
    return is_admin(user) or is_member(user, learning_set)


def can_edit_set(user: AnyUser, learning_set: LearningSet) -> bool:
    """Change a set's name, purpose, visibility and other settings."""
    return is_admin(user) or has_role(user, learning_set, Role.FACILITATOR)


def can_moderate(user: AnyUser, learning_set: LearningSet) -> bool:
    return is_admin(user) or has_role(user, learning_set, Role.MODERATOR)


def can_manage_sets(user: AnyUser) -> bool:
    """Create learning sets and change their settings."""
    return is_admin(user)


def can_administer(user: AnyUser) -> bool:
    """Manage users and site-wide settings."""
    return is_admin(user)


def can_remove_admin(user: AnyUser, target: User) -> bool:
    """Admins take admin rights from others, never from themselves (one always remains)."""
    return is_admin(user) and user.id != target.id


def can_disable_account(user: AnyUser, target: User) -> bool:
    """Admins disable other people's accounts, never their own."""
    return is_admin(user) and user.id != target.id


# --- threads and posts ---------------------------------------------------

# Once its opening post has been published a thread stays listed to every reader of the set;
# hiding that post later leaves the thread and its replies behind a "hidden" placeholder.
LISTED_OPENING_STATUSES = frozenset({PostStatus.APPROVED, PostStatus.HIDDEN})


def can_view_thread(user: AnyUser, thread: Thread) -> bool:
    """May read the thread's set (callers holding its opening post use can_open_thread)."""
    return can_view_set(user, thread.learning_set)


def can_open_thread(user: AnyUser, thread: Thread, opening: Post | None) -> bool:
    """May see the thread at all: a thread whose opening post waits, was returned or withdrawn
    exists only for its author and the set's moderators."""
    if not can_view_thread(user, thread):
        return False
    if opening is None or opening.status in LISTED_OPENING_STATUSES:
        return True
    return can_view_post(user, opening)


def can_reply(user: AnyUser, thread: Thread) -> bool:
    if not can_start_thread(user, thread.learning_set):
        return False
    return not thread.is_locked or can_moderate(user, thread.learning_set)


def can_view_post(user: AnyUser, post: Post) -> bool:
    if not can_view_thread(user, post.thread):
        return False
    if post.status == PostStatus.APPROVED:
        return True
    if is_signed_in(user) and post.author_id == user.id:
        return True
    return can_moderate(user, post.thread.learning_set)


def can_edit_post(user: AnyUser, post: Post) -> bool:
    """Authors edit their own posts while they can still post in the set."""
    if not is_signed_in(user) or post.author_id != user.id:
        return False
    if post.status in (PostStatus.HIDDEN, PostStatus.WITHDRAWN):
        return False
    return can_start_thread(user, post.thread.learning_set)


def can_view_revisions(user: AnyUser, post: Post) -> bool:
    return can_view_post(user, post)


def can_edit_profile(user: AnyUser, profile_owner: User) -> bool:
    return is_signed_in(user) and (user.id == profile_owner.id or is_admin(user))


# --- moderation ----------------------------------------------------------

def can_use_moderation_queue(user: AnyUser) -> bool:
    """Admins, and anyone who moderates or facilitates at least one set."""
    if is_admin(user):
        return True
    if not is_signed_in(user):
        return False
    return db.session.scalar(
        select(Membership.id).where(
            Membership.user_id == user.id,
            Membership.role.in_([Role.MODERATOR, Role.FACILITATOR])).limit(1)) is not None


def can_report_post(user: AnyUser, post: Post) -> bool:
    """Signed-in readers report other people's published posts."""
    return (is_signed_in(user) and post.status == PostStatus.APPROVED
            and post.author_id != user.id and can_view_post(user, post))


def can_see_moderation_reason(user: AnyUser, post: Post) -> bool:
    """Why a post was returned or hidden: told to its author and the set's moderators only."""
    is_author = is_signed_in(user) and post.author_id == user.id
    return is_author or can_moderate(user, post.thread.learning_set)


def can_withdraw_post(user: AnyUser, post: Post) -> bool:
    """Authors withdraw their own posts that are waiting or were returned to them."""
    return (is_signed_in(user) and post.author_id == user.id
            and post.status in (PostStatus.PENDING, PostStatus.REJECTED))


def can_view_moderation_log(user: AnyUser, learning_set: LearningSet) -> bool:
    return can_moderate(user, learning_set)


def can_set_moderation_policy(user: AnyUser, learning_set: LearningSet) -> bool:
    return is_admin(user) or has_role(user, learning_set, Role.FACILITATOR)


# --- guides --------------------------------------------------------------

def can_curate_guide(user: AnyUser, guide_or_set: Any) -> bool:
    """Create, edit, preview, publish and download drafts: the set's facilitators and admins."""
    learning_set = (guide_or_set if isinstance(guide_or_set, LearningSet)
                    else guide_or_set.learning_set)
    return is_admin(user) or has_role(user, learning_set, Role.FACILITATOR)


def can_view_published_guide(user: AnyUser, guide: Any) -> bool:
    """A guide with a published version, in a set the user can read or marked public."""
    if not guide.versions:
        return False
    learning_set = guide.learning_set
    return (guide.is_public or learning_set.visibility == Visibility.PUBLIC
            or can_view_set(user, learning_set))
