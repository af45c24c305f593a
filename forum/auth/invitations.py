"""Invitations to join a learning set: create, email, list, revoke, find by token and accept.

Only the SHA-256 of an invitation's token is stored, so a copy of the database cannot be used
to join sets; the raw token exists only in the emailed link. The email is queued with the
invitation and composed when it is sent (:mod:`forum.outbox`), with a new token each time, so
the outbox never holds a usable link either.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from flask import current_app
from sqlalchemy import func
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from forum import outbox
from forum import permissions
from forum.mail import render_email
from forum.models import Invitation
from forum.models import LearningSet
from forum.models import Membership
from forum.models import QueuedEmail
from forum.models import Role
from forum.models import User
from forum.models import utcnow
from forum.urls import external_url

INVITATION_KIND = "invitation"


class InvitationError(Exception):
    """An invitation cannot be created or accepted; the message is fit to show the user."""


def normalise_email(email: str) -> str:
    return email.strip().lower()


def hash_token(raw_token: str) -> str:
    return hashlib.sha256(raw_token.encode("utf-8")).hexdigest()


def _pending_clause():
    return (Invitation.accepted_at.is_(None), Invitation.revoked_at.is_(None),
            Invitation.expires_at > utcnow())


def create_invitation(session: Session, *, learning_set: LearningSet, email: str, role: Role,
                      invited_by: User | None,
                      send_email: bool = True) -> tuple[Invitation, str]:
    """Add a pending invitation and queue its email; returns it and a raw token for its link.

    The emailed link gets a fresh token when it is sent, which replaces this one. Without
    ``send_email`` the invitation waits for another email to lead to it (an accepted request
    to join the network: one email, whose link accepts it).
    """
    email = normalise_email(email)
    existing_member = session.scalar(
        select(Membership.id).join(User, Membership.user_id == User.id).where(
            Membership.learning_set_id == learning_set.id, func.lower(User.email) == email))
    if existing_member is not None:
        raise InvitationError(f"{email} is already a member of this set.")
    already_invited = session.scalar(
        select(Invitation.id).where(Invitation.learning_set_id == learning_set.id,
                                    Invitation.email == email, *_pending_clause()))
    if already_invited is not None:
        raise InvitationError(
            f"{email} already has an invitation to this set. Revoke it first to send a new one.")
    raw_token = secrets.token_urlsafe(32)
    now = utcnow()
    invitation = Invitation(
        learning_set_id=learning_set.id, email=email, role=role,
        token_hash=hash_token(raw_token),
        invited_by_id=invited_by.id if invited_by is not None else None,
        created_at=now,
        expires_at=now + timedelta(days=int(current_app.config["INVITATION_MAX_AGE_DAYS"])),
    )
    invitation.learning_set = learning_set
    if invited_by is not None:
        invitation.invited_by = invited_by
    session.add(invitation)
    session.flush()
    if send_email:
        queue_invitation_email(session, invitation)
    return invitation, raw_token


def invitation_url(raw_token: str) -> str:
    """The absolute address of the page that accepts this invitation."""
    return external_url("auth.accept_invitation", token=raw_token)


def queue_invitation_email(session: Session, invitation: Invitation) -> None:
    """Queue the invitation's email; it is sent after the response and retried if mail is down."""
    outbox.queue_email(session, kind=INVITATION_KIND, to=invitation.email,
                       learning_set_id=invitation.learning_set_id)


def _compose_invitation(session: Session, row: QueuedEmail,
                        _user: User | None) -> outbox.Composed:
    """The email for the set's pending invitation to this address, with a fresh token."""
    invitation = session.scalar(
        select(Invitation).where(Invitation.learning_set_id == row.learning_set_id,
                                 Invitation.email == row.to_address, *_pending_clause())
        .order_by(Invitation.id.desc()).limit(1))
    if invitation is None:
        raise outbox.NothingToSend("The invitation was revoked, accepted or has expired.")
    raw_token = secrets.token_urlsafe(32)
    invitation.token_hash = hash_token(raw_token)
    text_body, html_body = render_email(
        "invitation", invitation=invitation, learning_set=invitation.learning_set,
        inviter=invitation.invited_by, role=invitation.role, url=invitation_url(raw_token))
    return f"You are invited to join {invitation.learning_set.name}", text_body, html_body


outbox.register_preparer(INVITATION_KIND, _compose_invitation)


def pending_invitations(session: Session, learning_set: LearningSet) -> list[Invitation]:
    return list(session.scalars(
        select(Invitation).where(Invitation.learning_set_id == learning_set.id,
                                 *_pending_clause()).order_by(Invitation.created_at.desc(),
                                                              Invitation.id.desc())))


def revoke_invitation(session: Session, invitation: Invitation) -> None:
    if invitation.revoked_at is None and invitation.accepted_at is None:
        invitation.revoked_at = utcnow()
        session.flush()


def find_pending_invitation(session: Session, raw_token: str) -> Invitation | None:
    """The pending invitation this token belongs to, or ``None`` (unknown, used, revoked...)."""
    if not raw_token or len(raw_token) > 200:
        return None
    invitation = session.scalar(
        select(Invitation).where(Invitation.token_hash == hash_token(raw_token)))
    if invitation is None or not invitation.is_pending:
        return None
    return invitation


def _membership(session: Session, user: User, learning_set_id: int) -> Membership | None:
    return session.scalar(select(Membership).where(Membership.user_id == user.id,
                                                   Membership.learning_set_id == learning_set_id))


def accept_invitation(session: Session, invitation: Invitation, user: User) -> Membership:
    """Make ``user`` a member with the invitation's role (raising an existing lower role)."""
    if not invitation.is_pending:
        raise InvitationError("This invitation is no longer valid.")
    if normalise_email(user.email) != invitation.email:
        raise InvitationError("This invitation was sent to a different email address.")
    membership = _membership(session, user, invitation.learning_set_id)
    if membership is None:
        membership = Membership(user_id=user.id, learning_set_id=invitation.learning_set_id,
                                role=invitation.role)
        try:
            with session.begin_nested():
                session.add(membership)
        except IntegrityError:  # joined at the same moment (the join button pressed twice)
            membership = _membership(session, user, invitation.learning_set_id)
            if membership is None:
                raise
    if invitation.role.rank > membership.role.rank:
        membership.role = invitation.role
    invitation.accepted_at = utcnow()
    invitation.accepted_by_id = user.id
    session.flush()
    permissions.forget_roles()
    return membership
