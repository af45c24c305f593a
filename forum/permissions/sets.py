"""Learning sets: who may read them, post in them, run them; and people's accounts."""

from __future__ import annotations

from sqlalchemy import ColumnElement
from sqlalchemy import Select
from sqlalchemy import and_
from sqlalchemy import false
from sqlalchemy import or_
from sqlalchemy import select
from sqlalchemy import true

from forum.models import JoinRequest
from forum.models import LearningSet
from forum.models import Membership
from forum.models import User
from forum.models import Visibility
from forum.permissions.roles import AnyUser
from forum.permissions.roles import facilitates_filter
from forum.permissions.roles import in_set_ids
from forum.permissions.roles import is_admin
from forum.permissions.roles import is_facilitator
from forum.permissions.roles import is_signed_in
from forum.permissions.roles import member_set_ids
from forum.permissions.roles import role_in

# --- reading a set -----------------------------------------------------------------


def can_view_set(user: AnyUser, learning_set: LearningSet) -> bool:
    """Public sets to anyone, network sets to anyone signed in, private sets to their members;
    admins read every set."""
    if learning_set.visibility == Visibility.PUBLIC or is_admin(user):
        return True
    if learning_set.visibility == Visibility.NETWORK and is_signed_in(user):
        return True
    return role_in(user, learning_set) is not None


def readable_sets_filter(user: AnyUser) -> ColumnElement[bool]:
    """:func:`can_view_set` as a WHERE clause over :class:`LearningSet`."""
    if is_admin(user):
        return true()
    if not is_signed_in(user):
        return LearningSet.visibility == Visibility.PUBLIC
    return or_(LearningSet.visibility.in_([Visibility.PUBLIC, Visibility.NETWORK]),
               LearningSet.id.in_(member_set_ids(user).correlate(None)))


def readable_set_ids(user: AnyUser) -> Select:
    """The ids of the sets :func:`can_view_set` allows (for filtering other tables)."""
    return select(LearningSet.id).where(readable_sets_filter(user)).correlate(None)


def readable_filter(user: AnyUser, set_id: ColumnElement[int], *,
                    listed: bool = False) -> ColumnElement[bool]:
    """``set_id`` names a set the user may read (``listed``: the sets read once, see
    :class:`forum.permissions.roles.InSetIds`)."""
    if is_admin(user):
        return true()
    return in_set_ids(set_id, readable_set_ids(user), listed=listed)


# --- belonging and running ---------------------------------------------------------

def is_member(user: AnyUser, learning_set: LearningSet) -> bool:
    return role_in(user, learning_set) is not None


def member_sets_filter(user: AnyUser) -> ColumnElement[bool]:
    """:func:`is_member` as a WHERE clause over :class:`LearningSet`."""
    if not is_signed_in(user):
        return false()
    return LearningSet.id.in_(member_set_ids(user).correlate(None))


def can_start_thread(user: AnyUser, learning_set: LearningSet) -> bool:
    return is_member(user, learning_set) or is_admin(user)


def can_manage_members(user: AnyUser, learning_set: LearningSet) -> bool:
    """Invite people, see and revoke invitations, remove members."""
    return is_facilitator(user, learning_set)


def can_remove_member(user: AnyUser, membership: Membership) -> bool:
    """Facilitators and admins remove other people from a set, never themselves."""
    return (can_manage_members(user, membership.learning_set)
            and membership.user_id != user.id)


def can_view_members(user: AnyUser, learning_set: LearningSet) -> bool:
    """See who is in the set: its members and admins only, whatever the set's visibility."""
    return is_admin(user) or is_member(user, learning_set)


def can_edit_set(user: AnyUser, learning_set: LearningSet) -> bool:
    """Change a set's name, purpose, visibility and other settings."""
    return is_facilitator(user, learning_set)


def is_members_only(learning_set: LearningSet) -> bool:
    """Only members (and admins) can read the set: leaving it means losing sight of it."""
    return learning_set.visibility == Visibility.PRIVATE


# --- site-wide -----------------------------------------------------------------------

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


def can_erase_account(user: AnyUser, target: User) -> bool:
    """Admins erase other people's accounts on request; their own goes through "Delete your
    account" on their account page."""
    return is_admin(user) and user.id != target.id


def can_edit_profile(user: AnyUser, profile_owner: User) -> bool:
    return is_signed_in(user) and (user.id == profile_owner.id or is_admin(user))


# --- asking to join ----------------------------------------------------------------

JOINABLE_VISIBILITIES = (Visibility.NETWORK, Visibility.PUBLIC)


def can_ask_to_join(user: AnyUser, learning_set: LearningSet) -> bool:
    """Signed-in people who are not members may ask to join a network or public set (a private
    set is invisible to them: its facilitators invite people instead)."""
    return (is_signed_in(user) and learning_set.visibility in JOINABLE_VISIBILITIES
            and not is_member(user, learning_set))


def joinable_sets_filter(user: AnyUser) -> ColumnElement[bool]:
    """:func:`can_ask_to_join` as a WHERE clause over :class:`LearningSet`."""
    if not is_signed_in(user):
        return false()
    return and_(LearningSet.visibility.in_(JOINABLE_VISIBILITIES),
                LearningSet.id.not_in(member_set_ids(user).correlate(None)))


def can_decide_join_request(user: AnyUser, request: JoinRequest) -> bool:
    """Accept or decline a request: the set's facilitators and admins."""
    return can_manage_members(user, request.learning_set)


def decidable_join_requests_filter(user: AnyUser) -> ColumnElement[bool]:
    """:func:`can_decide_join_request` as a WHERE clause over :class:`JoinRequest`."""
    return facilitates_filter(user, JoinRequest.learning_set_id)
