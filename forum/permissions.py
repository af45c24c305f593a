"""Who may do what to which object: the one place these rules live.

Views and templates ask these predicates; nothing else decides. Each takes the
acting user (possibly anonymous) and the object. A ``False`` from a ``can_view_*``
predicate means the view answers 404, so nothing reveals that the object exists.
"""

from __future__ import annotations

from typing import Any

from flask import g
from flask import has_app_context
from sqlalchemy import ColumnElement
from sqlalchemy import and_
from sqlalchemy import false
from sqlalchemy import func
from sqlalchemy import or_
from sqlalchemy import select
from sqlalchemy import true
from sqlalchemy.orm import aliased

from forum.extensions import db
from forum.models import LearningSet
from forum.models import Membership
from forum.models import Notification
from forum.models import Post
from forum.models import PostRevision
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


# --- threads and posts: text no moderator approved (earlier versions, waiting edits) ------
# Kept apart from the rules above so that each rule's predicate and query filter sit together.

# A post in one of these statuses was approved once, so its current text was published.
PUBLISHED_STATUSES = frozenset({PostStatus.APPROVED, PostStatus.HIDDEN})


def can_see_unapproved_text(user: AnyUser, post: Post) -> bool:
    """Text of the post no moderator approved (earlier versions, a waiting edit): its author
    and the set's moderators only."""
    if not can_view_post(user, post):
        return False
    is_author = is_signed_in(user) and post.author_id == user.id
    return is_author or can_moderate(user, post.thread.learning_set)


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
    """The query filter of :func:`can_view_revision` for the revisions of ``post``."""
    if not can_view_revisions(user, post):
        return false()
    if can_see_unapproved_text(user, post):
        return PostRevision.post_id == post.id
    return and_(PostRevision.post_id == post.id, PostRevision.was_published.is_(True))


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


# --- moderation: who decides on a waiting post or a waiting edit -----------------------

def can_approve_post(user: AnyUser, post: Post) -> bool:
    """Approve, edit and approve, or return a waiting post, or a waiting edit of a post: the
    set's moderators, but never the post's author (it goes to another moderator)."""
    if not can_moderate(user, post.thread.learning_set):
        return False
    return post.author_id is None or post.author_id != user.id


def can_view_moderation_log(user: AnyUser, learning_set: LearningSet) -> bool:
    return can_moderate(user, learning_set)


def can_set_moderation_policy(user: AnyUser, learning_set: LearningSet) -> bool:
    return is_admin(user) or has_role(user, learning_set, Role.FACILITATOR)


# --- notifications: only about what the recipient can still read -------------------------
# Checked when a notification is listed, counted or emailed, not only when it was created:
# a member removed from a set, or a post hidden since, is no longer named to them.

def can_read_post_in_thread(user: AnyUser, post: Post) -> bool:
    """May read the post where a notification links to it: the post and its thread."""
    return can_view_post(user, post) and can_open_thread(user, post.thread,
                                                          opening_post_of(post.thread))


def opening_post_of(thread: Thread) -> Post | None:
    """The thread's first post (from its loaded posts)."""
    roots = [post for post in thread.posts if post.parent_id is None]
    return min(roots, key=lambda post: post.id) if roots else None


def readable_posts(user: AnyUser) -> ColumnElement[bool]:
    """The query filter (on ``Post``) of :func:`can_read_post_in_thread`."""
    if is_admin(user):
        return true()
    user_id = user.id if is_signed_in(user) else None
    open_to = [Visibility.PUBLIC] + ([Visibility.NETWORK] if user_id is not None else [])
    member_of = select(Membership.learning_set_id).where(Membership.user_id == user_id)
    moderating = [role for role in Role if role.rank >= Role.MODERATOR.rank]
    moderates = select(Membership.learning_set_id).where(Membership.user_id == user_id,
                                                         Membership.role.in_(moderating))
    first = aliased(Post)
    opening = aliased(Post)
    first_id = (select(func.min(first.id))
                .where(first.thread_id == Thread.id, first.parent_id.is_(None))
                .correlate(Thread).scalar_subquery())
    hidden_opening = (select(opening.id)
                      .where(opening.id == first_id,
                             opening.status.not_in(list(LISTED_OPENING_STATUSES)),
                             opening.author_id.is_distinct_from(user_id))
                      .correlate(Thread).exists())
    own = Post.author_id == user_id if user_id is not None else false()
    return (select(Thread.id)
            .join(LearningSet, LearningSet.id == Thread.learning_set_id)
            .where(Thread.id == Post.thread_id,
                   or_(LearningSet.visibility.in_(open_to), LearningSet.id.in_(member_of)),
                   or_(LearningSet.id.in_(moderates),
                       and_(or_(Post.status == PostStatus.APPROVED, own), ~hidden_opening)))
            .correlate(Post).exists())


def can_read_notification(user: AnyUser, notification: Notification) -> bool:
    """Whether the notification may be shown or emailed to ``user`` now."""
    if notification.post is not None:
        return can_read_post_in_thread(user, notification.post)
    if notification.learning_set is not None:
        return can_view_set(user, notification.learning_set)
    return True


def readable_notifications(user: AnyUser) -> ColumnElement[bool]:
    """The query filter (on ``Notification``) of :func:`can_read_notification`."""
    post_readable = (select(Post.id)
                     .where(Post.id == Notification.post_id, readable_posts(user))
                     .correlate(Notification).exists())
    if is_admin(user):
        set_readable: ColumnElement[bool] = true()
    else:
        user_id = user.id if is_signed_in(user) else None
        open_to = [Visibility.PUBLIC] + ([Visibility.NETWORK] if user_id is not None else [])
        set_readable = or_(
            Notification.learning_set_id.is_(None),
            select(LearningSet.id)
            .where(LearningSet.id == Notification.learning_set_id,
                   or_(LearningSet.visibility.in_(open_to),
                       LearningSet.id.in_(select(Membership.learning_set_id)
                                          .where(Membership.user_id == user_id))))
            .correlate(Notification).exists())
    return or_(and_(Notification.post_id.is_not(None), post_readable),
               and_(Notification.post_id.is_(None), set_readable))


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
