"""Member organisations as records: adding them, linking people to theirs by name, and the
list of organisations taking part. People still type their organisation (it is what guides
credit); it is linked to the record whose name matches once trimmed, ignoring case."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import distinct
from sqlalchemy import func
from sqlalchemy import select
from sqlalchemy import update
from sqlalchemy.orm import Session

from forum.models import CreditPreference
from forum.models import Membership
from forum.models import Nation
from forum.models import Organisation
from forum.models import OrganisationKind
from forum.models import User
from forum.models import utcnow

# People who let their organisation be named in guides (and so on the members page).
CREDITED = (CreditPreference.NAME_AND_ORGANISATION, CreditPreference.ORGANISATION)


class OrganisationError(Exception):
    """Refused; the message is fit to show."""


def _key(column):  # noqa: ANN001, ANN202 (a SQL expression either way)
    return func.lower(func.trim(column))


def find_by_name(session: Session, name: str) -> Organisation | None:
    wanted = name.strip().lower()
    if not wanted:
        return None
    return session.scalar(select(Organisation).where(_key(Organisation.name) == wanted))


def link(session: Session, user: User) -> None:
    """Point the user at the record named as they typed their organisation (or at none)."""
    record = find_by_name(session, user.organisation or "")
    user.organisation_id = record.id if record is not None else None


def add_organisation(session: Session, *, name: str, kind: OrganisationKind,
                     nation: Nation | None, website: str) -> Organisation:
    """A new record; people who typed the same name (trimmed, ignoring case) are linked to it."""
    if find_by_name(session, name) is not None:
        raise OrganisationError(f"{name.strip()} is already on the list.")
    record = Organisation(name=name.strip(), kind=kind, nation=nation, website=website,
                          created_at=utcnow())
    session.add(record)
    session.flush()
    session.execute(update(User).where(_key(User.organisation) == name.strip().lower())
                    .values(organisation_id=record.id).execution_options(
                        synchronize_session=False))
    return record


def all_organisations(session: Session) -> list[Organisation]:
    return list(session.scalars(select(Organisation).order_by(func.lower(Organisation.name))))


@dataclass(frozen=True)
class TakingPart:
    organisation: Organisation
    sets: int


def taking_part(session: Session) -> list[TakingPart]:
    """Organisations with at least one member who lets it be credited, with how many sets
    those members are in (a set counted once per organisation)."""
    credited = (User.organisation_id == Organisation.id, User.credit_preference.in_(CREDITED),
                User.is_disabled.is_(False))
    rows = session.execute(
        select(Organisation, func.count(distinct(Membership.learning_set_id)))
        .join(User, User.organisation_id == Organisation.id)
        .outerjoin(Membership, Membership.user_id == User.id)
        .where(*credited).group_by(Organisation.id)
        .order_by(func.lower(Organisation.name))).all()
    return [TakingPart(organisation, int(count)) for organisation, count in rows]
