"""Site administration: finding people, granting admin rights, disabling accounts."""

from __future__ import annotations

import math
from dataclasses import dataclass

from sqlalchemy import func
from sqlalchemy import or_
from sqlalchemy import select
from sqlalchemy.orm import Session

from forum import permissions
from forum.models import AccountEvent
from forum.models import User


class AdminError(Exception):
    """An admin action is refused; the message is fit to show the user."""


@dataclass(frozen=True)
class UserPage:
    items: list[User]
    page: int
    pages: int
    total: int


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def find_users(session: Session, *, q: str = "", page: int = 1, per_page: int = 25) -> UserPage:
    """Users whose email or name contains ``q`` (case-insensitive), newest first, one page."""
    conditions = []
    q = q.strip()  # whole: a cut query would list people who match only its start
    if q:
        pattern = f"%{_escape_like(q.lower())}%"
        conditions.append(or_(func.lower(User.email).like(pattern, escape="\\"),
                              func.lower(User.display_name).like(pattern, escape="\\")))
    total = session.scalar(select(func.count(User.id)).where(*conditions)) or 0
    pages = max(1, math.ceil(total / per_page))
    page = min(max(1, page), pages)
    users = list(session.scalars(
        select(User).where(*conditions).order_by(User.created_at.desc(), User.id.desc())
        .limit(per_page).offset((page - 1) * per_page)))
    return UserPage(users, page, pages, total)


def set_admin(session: Session, *, actor: User, user: User, value: bool) -> None:
    if not value and not permissions.can_remove_admin(actor, user):
        raise AdminError("You cannot remove your own admin rights. Ask another admin to do it.")
    if user.is_admin != value:
        session.add(AccountEvent(actor_id=actor.id, account_id=user.id,
                                 action="made_admin" if value else "removed_admin"))
    user.is_admin = value
    session.flush()


def set_coordinator(session: Session, *, actor: User, user: User, value: bool) -> None:
    """Name (or stop naming) someone a network coordinator: they run the network's events."""
    user.is_network_coordinator = value
    session.flush()


def set_disabled(session: Session, *, actor: User, user: User, value: bool) -> None:
    if value and not permissions.can_disable_account(actor, user):
        raise AdminError("You cannot disable your own account.")
    if value:
        # Enabling the account again must not bring back the sessions it had.
        user.end_sessions()
    if user.is_disabled != value:
        session.add(AccountEvent(actor_id=actor.id, account_id=user.id,
                                 action="disabled" if value else "enabled"))
    user.is_disabled = value
    session.flush()


ACTION_LABELS = {
    "made_admin": "Made an admin",
    "removed_admin": "Admin rights removed",
    "disabled": "Disabled",
    "enabled": "Enabled again",
    "erased": "Erased on request",
    "deleted_own_account": "Deleted their own account",
    "data_copy_requested": "Copy of their data asked for (subject access request)",
    "data_copy_downloaded": "Copy of their data downloaded",
}


def account_log(session: Session, *, page: int = 1,
                per_page: int = 50) -> tuple[list[AccountEvent], int, int]:
    """The admin log, newest first, one page (with the total)."""
    total = session.scalar(select(func.count(AccountEvent.id))) or 0
    pages = max(1, math.ceil(total / per_page))
    page = min(max(1, page), pages)
    rows = list(session.scalars(
        select(AccountEvent).order_by(AccountEvent.created_at.desc(), AccountEvent.id.desc())
        .limit(per_page).offset((page - 1) * per_page)))
    return rows, page, pages
