"""Learning sets: creating and editing them, listing them for a person, and managing members.

Functions take the session and objects explicitly, flush but never commit, and raise
:class:`SetError` (or a subclass) with a message fit to show the user.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from forum import permissions
from forum.auth.invitations import create_invitation
from forum.auth.invitations import normalise_email
from forum.models import Invitation
from forum.models import LearningSet
from forum.models import Membership
from forum.models import Role
from forum.models import Thread
from forum.models import User
from forum.models import Visibility

SLUG_MAX = 80
NAME_MAX = 150
PURPOSE_MAX = 5_000
SLUG_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
# Words that would clash with pages under /sets/ if used as a set's address.
RESERVED_SLUGS = frozenset({"new", "index", "admin", "settings"})


class SetError(Exception):
    """A request about a set cannot be carried out; the message is fit to show the user."""


class SlugError(SetError):
    """The web address chosen for a set is not valid or is already used."""


class LastFacilitatorError(SetError):
    """The change would leave a set with nobody to run it."""


# --- addresses (slugs) ---------------------------------------------------

def slugify(name: str) -> str:
    """Lowercase, hyphenated ASCII from a set's name: "Café Assemblies!" -> "cafe-assemblies"."""
    decomposed = unicodedata.normalize("NFKD", name)
    unaccented = "".join(c for c in decomposed if not unicodedata.combining(c))
    slug = re.sub(r"[^a-z0-9]+", "-", unaccented.lower()).strip("-")
    return slug[:SLUG_MAX].rstrip("-")


def slug_problem(slug: str) -> str | None:
    """Why ``slug`` cannot be a set's address (ignoring whether it is taken), or ``None``."""
    if len(slug) < 2:
        return "The web address must be at least 2 characters"
    if len(slug) > SLUG_MAX:
        return f"The web address must be {SLUG_MAX} characters or fewer"
    if not SLUG_PATTERN.match(slug):
        return ("The web address can only contain lowercase letters, numbers and single "
                "hyphens between words, like citizens-assemblies")
    if slug in RESERVED_SLUGS:
        return f"The web address “{slug}” is reserved. Choose another"
    return None


SLUG_TAKEN = "Another set already uses that web address. Choose another"


def slug_taken(session: Session, slug: str, *, excluding: LearningSet | None = None) -> bool:
    query = select(LearningSet.id).where(LearningSet.slug == slug)
    if excluding is not None:
        query = query.where(LearningSet.id != excluding.id)
    return session.scalar(query) is not None


def unique_slug(session: Session, name: str) -> str:
    """A free, valid address generated from ``name``, numbered if the plain one is taken."""
    base = slugify(name)[: SLUG_MAX - 4].rstrip("-")
    if len(base) < 2:
        base = f"set-{base}".rstrip("-")
    candidate, n = base, 1
    while slug_taken(session, candidate) or candidate in RESERVED_SLUGS:
        n += 1
        candidate = f"{base}-{n}"
    return candidate


# --- creating and editing ------------------------------------------------

@dataclass
class NewSet:
    """The outcome of :func:`create_set`: the set, and either its facilitator or an invitation."""

    learning_set: LearningSet
    facilitator: User | None = None
    invitation: Invitation | None = None
    raw_token: str | None = None


def create_set(session: Session, *, name: str, slug: str | None, purpose: str,
               visibility: Visibility, facilitator_email: str,
               created_by: User) -> NewSet:
    """Create a set and give it a facilitator.

    An existing account with ``facilitator_email`` becomes facilitator at once; otherwise an
    invitation with the facilitator role is created and its email queued.
    """
    name = name.strip()
    chosen = bool(slug)
    if slug:
        slug = slug.strip().lower()
        problem = slug_problem(slug)
        if problem is not None:
            raise SlugError(problem)
        if slug_taken(session, slug):
            raise SlugError(SLUG_TAKEN)
    # An address made from the name that another set takes at the same moment: the second try
    # takes the next free one, as a guide's does (the admin typed none to be told about).
    for attempt in range(1 if chosen else 2):
        learning_set = LearningSet(name=name, slug=slug if chosen else unique_slug(session, name),
                                   purpose=purpose.strip(), visibility=visibility)
        try:
            with session.begin_nested():
                session.add(learning_set)
        except IntegrityError as error:  # another set took the address at the same moment
            if chosen or attempt:
                raise SlugError(SLUG_TAKEN) from error
        else:
            break

    email = normalise_email(facilitator_email)
    user = session.scalar(select(User).where(func.lower(User.email) == email))
    if user is not None:
        session.add(Membership(user_id=user.id, learning_set_id=learning_set.id,
                               role=Role.FACILITATOR))
        session.flush()
        permissions.forget_roles()
        return NewSet(learning_set, facilitator=user)
    invitation, raw_token = create_invitation(session, learning_set=learning_set, email=email,
                                              role=Role.FACILITATOR, invited_by=created_by)
    return NewSet(learning_set, invitation=invitation, raw_token=raw_token)


def update_set(session: Session, learning_set: LearningSet, *, name: str, purpose: str,
               visibility: Visibility, allow_suggestions: bool | None = None) -> None:
    """Save a set's settings (``allow_suggestions`` unchanged when None)."""
    learning_set.name = name.strip()
    learning_set.purpose = purpose.strip()
    learning_set.visibility = visibility
    if allow_suggestions is not None:
        learning_set.allow_suggestions = allow_suggestions
    session.flush()


# --- listing -------------------------------------------------------------

@dataclass
class SetListing:
    """One row in a list of sets: the set, the viewer's role (if any) and its latest activity."""

    learning_set: LearningSet
    role: Role | None
    last_activity_at: datetime | None


def _latest_activity(session: Session, set_ids: list[int]) -> dict[int, datetime]:
    if not set_ids:
        return {}
    # A thread whose opening post waits for (or was refused by) a moderator is not activity.
    rows = session.execute(
        select(Thread.learning_set_id, func.max(Thread.last_activity_at))
        .where(Thread.learning_set_id.in_(set_ids), permissions.listed_threads_filter())
        .group_by(Thread.learning_set_id))
    return {row[0]: row[1] for row in rows}


def _listings(session: Session, pairs: list[tuple[LearningSet, Role | None]]) -> list[SetListing]:
    latest = _latest_activity(session, [learning_set.id for learning_set, _ in pairs])
    listings = [SetListing(s, role, latest.get(s.id)) for s, role in pairs]
    # Most recently active first; sets with no threads yet last, by name.
    listings.sort(key=lambda row: row.learning_set.name.lower())
    listings.sort(key=lambda row: row.last_activity_at or datetime.min, reverse=True)
    return listings


def sets_of(session: Session, user: User) -> list[SetListing]:
    """The sets ``user`` belongs to, with their role in each."""
    rows = session.execute(
        select(LearningSet, Membership.role)
        .join(Membership, Membership.learning_set_id == LearningSet.id)
        .where(Membership.user_id == user.id))
    return _listings(session, [(s, role) for s, role in rows])


def other_readable_sets(session: Session, user: User | None) -> list[SetListing]:
    """Sets the viewer can read without belonging to them.

    Anonymous visitors see public sets; signed-in people also see network sets; admins see
    every set. Private sets are never listed to anyone who is not in them or an admin.
    """
    query = select(LearningSet).where(permissions.readable_sets_filter(user),
                                      ~permissions.member_sets_filter(user))
    return _listings(session, [(s, None) for s in session.scalars(query)])


def all_sets(session: Session) -> list[LearningSet]:
    return list(session.scalars(select(LearningSet).order_by(func.lower(LearningSet.name))))


# --- members -------------------------------------------------------------

def memberships_of(session: Session, learning_set: LearningSet) -> list[Membership]:
    """Everyone in the set: facilitators first, then moderators, then members, each by name."""
    memberships = list(session.scalars(
        select(Membership).join(User, Membership.user_id == User.id)
        .where(Membership.learning_set_id == learning_set.id)
        .order_by(func.lower(User.display_name), Membership.id)))
    memberships.sort(key=lambda m: m.role.rank, reverse=True)
    return memberships


def find_membership(session: Session, learning_set: LearningSet,
                    membership_id: int) -> Membership | None:
    """The membership with this id if it belongs to ``learning_set`` (else ``None``)."""
    membership = session.get(Membership, membership_id)
    if membership is None or membership.learning_set_id != learning_set.id:
        return None
    return membership


def find_invitation(session: Session, learning_set: LearningSet,
                    invitation_id: int) -> Invitation | None:
    invitation = session.get(Invitation, invitation_id)
    if invitation is None or invitation.learning_set_id != learning_set.id:
        return None
    return invitation


def _facilitator_count(session: Session, learning_set_id: int) -> int:
    return session.scalar(select(func.count(Membership.id)).where(
        Membership.learning_set_id == learning_set_id,
        Membership.role == Role.FACILITATOR)) or 0


def _refuse_if_last_facilitator(session: Session, membership: Membership, action: str) -> None:
    if (membership.role == Role.FACILITATOR
            and _facilitator_count(session, membership.learning_set_id) <= 1):
        raise LastFacilitatorError(
            f"You cannot {action}: they are the only facilitator of this set. "
            "Make someone else a facilitator first.")


def remove_member(session: Session, membership: Membership) -> None:
    _refuse_if_last_facilitator(session, membership,
                                f"remove {membership.user.display_name}")
    session.delete(membership)
    session.flush()
    permissions.forget_roles()


def change_role(session: Session, membership: Membership, role: Role) -> None:
    if role == membership.role:
        return
    if role != Role.FACILITATOR:
        _refuse_if_last_facilitator(session, membership,
                                    f"change {membership.user.display_name}’s role")
    membership.role = role
    session.flush()
    permissions.forget_roles()
