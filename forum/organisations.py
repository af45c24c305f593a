"""Member organisations as records: adding them, linking people to theirs by name, and the
list of organisations taking part. People still type their organisation (it is what guides
credit); it is linked to the record whose name matches once trimmed, ignoring case (Unicode's
case folding: :func:`forum.models.organisation.name_key`)."""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app
from sqlalchemy import and_
from sqlalchemy import distinct
from sqlalchemy import func
from sqlalchemy import select
from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from forum import permissions
from forum import signals
from forum.models import CreditPreference
from forum.models import Membership
from forum.models import Nation
from forum.models import Organisation
from forum.models import OrganisationChange
from forum.models import OrganisationKind
from forum.models import User
from forum.models import utcnow
from forum.models.organisation import name_key

# People who let their organisation be named in guides (and so on the members page).
CREDITED = (CreditPreference.NAME_AND_ORGANISATION, CreditPreference.ORGANISATION)


class OrganisationError(Exception):
    """Refused; the message is fit to show."""


def find_by_name(session: Session, name: str) -> Organisation | None:
    wanted = name_key(name)
    if not wanted:
        return None
    return session.scalar(select(Organisation).where(Organisation.name_key == wanted))


def _typed_ids(session: Session, name: str) -> list[int]:
    """The people whose typed organisation is ``name`` ignoring case, compared by name_key in
    Python: SQLite's lower() folds ASCII letters only. Run when a record is added or renamed."""
    wanted = name_key(name)
    rows = session.execute(select(User.id, User.organisation).where(
        User.organisation.is_not(None), func.trim(User.organisation) != "")).all()
    return [user_id for user_id, typed in rows if name_key(typed) == wanted]


def link(session: Session, user: User) -> None:
    """Point the user at the record named as they typed their organisation (or at none)."""
    record = find_by_name(session, user.organisation or "")
    user.organisation_id = record.id if record is not None else None


def request_addition(session: Session, user: User) -> bool:
    """Ask the admins to add the organisation the user typed, if it is not on the list; the
    typed name is kept (and credited) meanwhile. Returns whether they were asked."""
    name = (user.organisation or "").strip()
    if not name or find_by_name(session, name) is not None:
        return False
    signals.organisation_requested.send(current_app._get_current_object(), session=session,
                                        user=user, name=name)
    return True


def add_organisation(session: Session, *, name: str, kind: OrganisationKind,
                     nation: Nation | None, website: str) -> Organisation:
    """A new record; people who typed the same name (trimmed, ignoring case) are linked to it."""
    if find_by_name(session, name) is not None:
        raise OrganisationError(f"{name.strip()} is already on the list.")
    record = Organisation(name=name.strip(), kind=kind, nation=nation, website=website,
                          created_at=utcnow())
    try:
        with session.begin_nested():
            session.add(record)
    except IntegrityError as error:  # added by someone else at the same moment
        raise OrganisationError(f"{name.strip()} is already on the list.") from error
    session.execute(update(User).where(User.id.in_(_typed_ids(session, name)))
                    .values(organisation_id=record.id).execution_options(
                        synchronize_session=False))
    return record


def _log(session: Session, actor: User, record_id: int, action: str, detail: str) -> None:
    session.add(OrganisationChange(actor_id=actor.id, organisation_id=record_id, action=action,
                                   detail=detail[:500], created_at=utcnow()))


def edit_organisation(session: Session, actor: User, record: Organisation, *, name: str,
                      kind: OrganisationKind, nation: Nation | None, website: str) -> None:
    """Change a record (logged). A new name is given to the people linked to it (it is what
    guides credit), and people who typed the new name are linked to it too."""
    name = name.strip()
    other = find_by_name(session, name)
    if other is not None and other.id != record.id:
        raise OrganisationError(f"{other.name} is already on the list: merge into it instead.")
    changes = [f"{label} {getattr(record, attr)!s} → {value!s}"
               for label, attr, value in (("name", "name", name), ("kind", "kind", kind),
                                          ("nation", "nation", nation),
                                          ("website", "website", website))
               if getattr(record, attr) != value]
    old_name = record.name
    try:
        with session.begin_nested():
            record.name, record.kind, record.nation, record.website = name, kind, nation, website
    except IntegrityError as error:  # the name given to another record at the same moment
        raise OrganisationError(f"{name} is already on the list: merge into it instead.") \
            from error
    if name != old_name:
        session.execute(update(User).where(User.organisation_id == record.id)
                        .values(organisation=name).execution_options(synchronize_session=False))
        session.execute(update(User).where(User.id.in_(_typed_ids(session, name)))
                        .values(organisation_id=record.id, organisation=name)
                        .execution_options(synchronize_session=False))
    if changes:
        _log(session, actor, record.id, "edited", f"{old_name}: " + "; ".join(changes))


def merge_organisations(session: Session, actor: User, merged: Organisation,
                        survivor: Organisation) -> int:
    """Fold ``merged`` into ``survivor``: its people (and so their guide credits) move to the
    survivor's name, and the merged record goes. Logged. Returns how many people moved."""
    if merged.id == survivor.id:
        raise OrganisationError("Choose a different organisation to merge into.")
    moved = session.execute(
        update(User).where(User.organisation_id == merged.id)
        .values(organisation_id=survivor.id, organisation=survivor.name)
        .execution_options(synchronize_session=False)).rowcount or 0
    _log(session, actor, survivor.id, "merged",
         f"{merged.name} (no. {merged.id}) merged into {survivor.name}; {moved} "
         f"{'person' if moved == 1 else 'people'} moved")
    session.delete(merged)
    session.flush()
    return moved


def unlisted_names(session: Session) -> list[tuple[str, int]]:
    """Organisations people typed that match no record, with how many people gave each: what
    the admins are asked to add (or to correct into an existing record)."""
    rows = session.execute(
        select(func.trim(User.organisation), func.count(User.id))
        .where(User.organisation_id.is_(None), func.trim(User.organisation) != "",
               User.is_disabled.is_(False))
        .group_by(func.trim(User.organisation))).all()
    # Spellings that differ only in capitals are one organisation: grouped by name_key here,
    # as SQLite's lower() would keep "ÉCOLE" and "école" apart.
    grouped: dict[str, tuple[str, int]] = {}
    for name, count in rows:
        key = name_key(name)
        shown, total = grouped.get(key, (name, 0))
        grouped[key] = (min(shown, name), total + int(count))
    return sorted(grouped.values(), key=lambda entry: (-entry[1], name_key(entry[0])))


def recent_changes(session: Session, limit: int = 20) -> list[OrganisationChange]:
    return list(session.scalars(select(OrganisationChange).order_by(
        OrganisationChange.created_at.desc(), OrganisationChange.id.desc()).limit(limit)))


def all_organisations(session: Session) -> list[Organisation]:
    return list(session.scalars(select(Organisation).order_by(func.lower(Organisation.name))))


@dataclass(frozen=True)
class TakingPart:
    organisation: Organisation
    sets: int


def taking_part(session: Session, viewer: permissions.AnyUser) -> list[TakingPart]:
    """Organisations with at least one member who lets it be credited, with how many sets
    those members are in that ``viewer`` may read (a set counted once per organisation): a
    private set counted for everyone would tell that it exists."""
    credited = (User.organisation_id == Organisation.id, User.credit_preference.in_(CREDITED),
                User.is_disabled.is_(False))
    rows = session.execute(
        select(Organisation, func.count(distinct(Membership.learning_set_id)))
        .join(User, User.organisation_id == Organisation.id)
        .outerjoin(Membership, and_(Membership.user_id == User.id, permissions.readable_filter(
            viewer, Membership.learning_set_id)))
        .where(*credited).group_by(Organisation.id)
        .order_by(func.lower(Organisation.name))).all()
    return [TakingPart(organisation, int(count)) for organisation, count in rows]
