"""Who someone is in a set: signed in, admin, their role, and who moderates which set.

Each rule comes twice, side by side: a predicate for one object and the query form that
selects the rows the same rule allows. ``tests/unit/test_permissions_agree.py`` checks on
generated data that the two always give the same answer.
"""

from __future__ import annotations

from typing import Any

from flask import g
from flask import has_app_context
from sqlalchemy import ColumnElement
from sqlalchemy import Select
from sqlalchemy import false
from sqlalchemy import or_
from sqlalchemy import select
from sqlalchemy import true
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.visitors import InternalTraversal
from sqlalchemy.types import Boolean

from forum.extensions import db
from forum.models import LearningSet
from forum.models import Membership
from forum.models import Role
from forum.models import User

AnyUser = Any  # a User, Flask-Login's AnonymousUserMixin, or None

# The roles that approve, return and hide posts in a set (facilitators moderate too).
MODERATING_ROLES = (Role.MODERATOR, Role.FACILITATOR)


def is_signed_in(user: AnyUser) -> bool:
    return bool(user is not None and user.is_authenticated)


# The POST endpoints open to visitors (signing in, tokens sent by email, the network's
# request-to-join form). Every other POST needs an account, whatever it points at.
VISITOR_POSTS = frozenset({
    "auth.sign_in", "auth.sign_out", "auth.sign_up", "auth.finish_sign_up",
    "auth.forgot_password", "auth.reset_password", "auth.accept_invitation",
    "network.about", "network.join", "notifications.unsubscribe",
    "notifications.stop_following",
})


def may_post_signed_out(endpoint: str | None) -> bool:
    """Whether a visitor may send a form to ``endpoint`` (one of :data:`VISITOR_POSTS`)."""
    return endpoint in VISITOR_POSTS


def is_admin(user: AnyUser) -> bool:
    return is_signed_in(user) and bool(user.is_admin)


def is_network_coordinator(user: AnyUser) -> bool:
    """Named by an admin to run the network's events (and, as admins, to see them all)."""
    return is_signed_in(user) and bool(getattr(user, "is_network_coordinator", False))


def role_select(user_id: Any, set_id: Any) -> Select:
    """The role of user ``user_id`` in set ``set_id`` (values or SQL expressions): what
    :func:`role_in` reads, for a query that reads it with other rows."""
    return select(Membership.role).where(Membership.user_id == user_id,
                                         Membership.learning_set_id == set_id)


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
    role = db.session.scalar(role_select(user.id, learning_set.id))
    if cache is not None:
        cache[(user.id, learning_set.id)] = role
    return role


def remember_role(user: AnyUser, learning_set: LearningSet, role: Role | None) -> None:
    """Record the user's role in the set for this request, read by another query with the
    same condition as :func:`role_in`'s (the thread page reads it with the thread), so
    :func:`role_in` asks no query of its own."""
    if is_signed_in(user) and has_app_context():
        g.setdefault("_set_roles", {})[(user.id, learning_set.id)] = role


def forget_roles() -> None:
    """Drop the per-request role cache (after memberships change within a request)."""
    if has_app_context():
        g.pop("_set_roles", None)


def has_role(user: AnyUser, learning_set: LearningSet, at_least: Role) -> bool:
    role = role_in(user, learning_set)
    return role is not None and role.rank >= at_least.rank


def member_set_ids(user: AnyUser) -> Select:
    """The ids of the sets the user belongs to (in any role): the query form of ``role_in``."""
    if not is_signed_in(user):
        return select(Membership.learning_set_id).where(false())
    return select(Membership.learning_set_id).where(Membership.user_id == user.id)


class InSetIds(ColumnElement[bool]):
    """``column IN (ids)`` for a short list of set ids (a user's readable or moderated sets).

    SQLite: that. PostgreSQL: ``column = ANY(ARRAY(ids))``, the list read once for the whole
    query (an InitPlan) and each row checked against it. Written as ``IN``, PostgreSQL may
    turn the list into a join it misjudges: on 1,000,000 posts search for a member joined
    ``learning_sets`` once per matching post (``Seq Scan`` × 3,051, 160 of 258 ms) or hashed
    every thread (bench/RESULTS.md, "Search on PostgreSQL: the set lists read once")."""

    type = Boolean()
    _is_implicitly_boolean = True  # a predicate: SQLite gets no "= 1" after it
    inherit_cache = True
    _traverse_internals = [("column", InternalTraversal.dp_clauseelement),
                           ("ids", InternalTraversal.dp_clauseelement)]

    def __init__(self, column: ColumnElement[Any], ids: Select) -> None:
        self.column = column
        self.ids = ids.correlate(None).scalar_subquery()


@compiles(InSetIds)
def _in_set_ids(element: InSetIds, compiler: Any, **kw: Any) -> str:
    return compiler.process(element.column.in_(element.ids.element), **kw)


@compiles(InSetIds, "postgresql")
def _in_set_ids_postgresql(element: InSetIds, compiler: Any, **kw: Any) -> str:
    return (f"{compiler.process(element.column, **kw)} = "
            f"ANY(ARRAY{compiler.process(element.ids, **kw)})")


def in_set_ids(column: ColumnElement[Any], ids: Select, *,
               listed: bool = False) -> ColumnElement[bool]:
    """``column`` is one of ``ids``; ``listed``: as :class:`InSetIds` (the list read once)."""
    return InSetIds(column, ids) if listed else column.in_(ids.correlate(None))


# --- who moderates ---------------------------------------------------------------

def can_moderate(user: AnyUser, learning_set: LearningSet) -> bool:
    """Approve, return, hide and pin in the set: its moderators and facilitators, and admins."""
    return is_admin(user) or has_role(user, learning_set, Role.MODERATOR)


def moderated_set_ids(user: AnyUser) -> Select:
    """The ids of every set :func:`can_moderate` allows the user (admins: every set)."""
    if is_admin(user):
        return select(LearningSet.id)
    if not is_signed_in(user):
        return select(LearningSet.id).where(false())
    return select(Membership.learning_set_id).where(Membership.user_id == user.id,
                                                    Membership.role.in_(MODERATING_ROLES))


def moderates_filter(user: AnyUser, set_id: ColumnElement[int], *,
                     listed: bool = False) -> ColumnElement[bool]:
    """``set_id`` names a set the user moderates: :func:`can_moderate` as a WHERE clause
    (``listed``: the sets read once, see :class:`InSetIds`)."""
    if is_admin(user):
        return true()
    if not is_signed_in(user):
        return false()
    return in_set_ids(set_id, moderated_set_ids(user), listed=listed)


# --- who runs a set ------------------------------------------------------------------

def is_facilitator(user: AnyUser, learning_set: LearningSet) -> bool:
    """Runs the set (its members, settings, meetings, guides, challenges): its facilitators,
    and the site's admins."""
    return is_admin(user) or has_role(user, learning_set, Role.FACILITATOR)


def facilitates_filter(user: AnyUser, set_id: ColumnElement[int]) -> ColumnElement[bool]:
    """:func:`is_facilitator` as a WHERE clause on a set id."""
    if is_admin(user):
        return true()
    if not is_signed_in(user):
        return false()
    return set_id.in_(select(Membership.learning_set_id).where(
        Membership.user_id == user.id, Membership.role == Role.FACILITATOR).correlate(None))


def is_set_moderator(user: User, learning_set: LearningSet) -> bool:
    """A moderator or facilitator *of this set* (admins moderate everywhere but are not told
    about every set's waiting posts): the one-object form of :func:`moderators_of`."""
    return has_role(user, learning_set, Role.MODERATOR)


def moderators_of(learning_set_id: int) -> Select:
    """The users who moderate or facilitate the set, by id: who is told what waits there."""
    return _people_of(learning_set_id, MODERATING_ROLES)


def members_of(learning_set_id: int) -> Select:
    """The set's members in any role, by id (the query form of :func:`role_in` being some
    role): who may be mentioned in it, who is told of its meetings and mentions."""
    return _people_of(learning_set_id, tuple(Role))


def facilitators_of(learning_set_id: int) -> Select:
    """The users who facilitate the set: who decides requests to join it."""
    return _people_of(learning_set_id, (Role.FACILITATOR,))


def _people_of(learning_set_id: int, roles: tuple[Role, ...]) -> Select:
    """Less disabled accounts: they cannot sign in, so (as :func:`is_signed_in` says) they
    moderate and facilitate nothing."""
    return (select(User)
            .join(Membership, Membership.user_id == User.id)
            .where(Membership.learning_set_id == learning_set_id, Membership.role.in_(roles),
                   User.is_disabled.is_(False))
            .order_by(User.id))


def can_use_moderation_queue(user: AnyUser) -> bool:
    """Admins, and anyone who moderates or facilitates at least one set."""
    if is_admin(user):
        return True
    if not is_signed_in(user):
        return False
    return db.session.scalar(moderated_set_ids(user).limit(1)) is not None


def can_handle_network_requests(user: AnyUser) -> bool:
    """See, accept and decline visitors' requests to join the network: admins and the network
    coordinators they name."""
    return is_admin(user) or is_network_coordinator(user)


def _active_users(condition: ColumnElement[bool]) -> Select:
    return select(User).where(condition, User.is_disabled.is_(False)).order_by(User.id)


def network_request_handlers() -> Select:
    """The people who decide visitors' requests to join the network (the query form of
    :func:`can_handle_network_requests`), less disabled accounts: who is told one waits."""
    return _active_users(or_(User.is_admin.is_(True), User.is_network_coordinator.is_(True)))


def site_admins() -> Select:
    """The admins (the query form of :func:`is_admin`), less disabled accounts: who is told
    what only admins decide, or what nobody else is left to decide."""
    return _active_users(User.is_admin.is_(True))


def network_coordinators() -> Select:
    """The network coordinators (the query form of :func:`is_network_coordinator`), less
    disabled accounts: who is told first of what runs the network's events."""
    return _active_users(User.is_network_coordinator.is_(True))
