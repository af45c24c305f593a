"""Visitors asking to join the network, and the decisions of admins and network coordinators.

Nothing here tells a visitor whether an address has an account: a request is stored and one
email queued whatever the address, and the email is composed when sent (:mod:`forum.outbox`):
an account holder is reminded how to sign in instead. Functions take the session and the acting
user and never commit.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any

from flask import current_app
from itsdangerous import BadSignature
from itsdangerous import URLSafeSerializer
from itsdangerous import URLSafeTimedSerializer
from sqlalchemy import func
from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.orm import selectinload

from forum import organisations
from forum import outbox
from forum import permissions
from forum import signals
from forum.auth import invitations
from forum.auth import service as accounts
from forum.extensions import updated_unless_changed_meanwhile
from forum.mail import render_email
from forum.models import Invitation
from forum.models import LearningSet
from forum.models import NetworkRequest
from forum.models import QueuedEmail
from forum.models import RequestStatus
from forum.models import Role
from forum.models import User
from forum.models import utcnow
from forum.urls import external_url

RECEIVED_KIND = "network_request"
INVITED_KIND = "network_invitation"
DECLINED_KIND = "network_declined"  # the outbox keeps 20 characters
FORM_SALT = "network-request-form"
INVITATION_SALT = "network-invitation"
MAX_FORM_AGE = 24 * 3600


class NetworkRequestError(Exception):
    """Refused; the message is fit to show."""


class DecidedMeanwhile(NetworkRequestError):
    """Another admin or coordinator decided the request first: nothing was saved."""

    def __init__(self) -> None:
        super().__init__(DECIDED_MEANWHILE)


DECIDED_MEANWHILE = ("This request to join the network is no longer waiting: another admin or "
                     "coordinator may have accepted or declined it already, so nothing was "
                     "saved.")


# --- the time-stamp that keeps out robots -----------------------------------------

def form_started(now: float | None = None) -> str:
    """A signed note of when the form was shown, for its hidden field."""
    moment = int(time.time() if now is None else now)
    return URLSafeSerializer(current_app.secret_key, salt=FORM_SALT).dumps(moment)


def timing_problem(token: str | None, now: float | None = None) -> str | None:
    """Why a form sent with this time-stamp is refused, or ``None`` if its timing is human."""
    try:
        started = URLSafeSerializer(current_app.secret_key, salt=FORM_SALT).loads(token or "")
    except BadSignature:
        started = None
    if not isinstance(started, int):
        return ("We could not tell when this form was opened. Check your answers and send "
                "them again.")
    age = (time.time() if now is None else now) - started
    if age > MAX_FORM_AGE or age < 0:
        return ("This form was open for more than a day. Check your answers and send them "
                "again.")
    if age < float(current_app.config["NETWORK_REQUEST_MIN_SECONDS"]):
        return ("That was sent too quickly to be checked. Wait a few seconds, check your "
                "answers and send them again.")
    return None


# --- asking ----------------------------------------------------------------------

def submit(session: Session, *, name: str, email: str, organisation: str, job_title: str,
           hopes: str) -> NetworkRequest:
    """Store the request and queue its acknowledgement, whoever the address belongs to."""
    email = invitations.normalise_email(email)
    record = organisations.find_by_name(session, organisation)
    request = NetworkRequest(name=name, email=email, organisation=organisation,
                             organisation_id=record.id if record is not None else None,
                             job_title=job_title, hopes=hopes, created_at=utcnow())
    session.add(request)
    session.flush()
    outbox.queue_email(session, kind=RECEIVED_KIND, to=email)
    # Admins and coordinators are told (forum.notifications), alike for every address.
    signals.send_about_request(signals.network_request_received, session, request)
    return request


def _compose_received(session: Session, row: QueuedEmail, _user: User | None) -> outbox.Composed:
    site_name = current_app.config["SITE_NAME"]
    user = accounts.find_user_by_email(session, row.to_address)
    if user is not None:
        text_body, html_body = render_email(
            "sign_up_existing", user=user, sign_in_url=external_url("auth.sign_in"),
            reset_url=external_url("auth.forgot_password"))
        return f"You already have a {site_name} account", text_body, html_body
    text_body, html_body = render_email("network_request_received",
                                        about_url=external_url("network.about"))
    return f"Your request to join {site_name}", text_body, html_body


outbox.register_preparer(RECEIVED_KIND, _compose_received)


# --- the queue --------------------------------------------------------------------

def waiting(session: Session) -> list[NetworkRequest]:
    """Waiting requests, oldest first."""
    return list(session.scalars(
        select(NetworkRequest).options(selectinload(NetworkRequest.organisation_record))
        .where(NetworkRequest.status == RequestStatus.PENDING)
        .order_by(NetworkRequest.created_at, NetworkRequest.id)))


def decided(session: Session, limit: int = 50) -> list[NetworkRequest]:
    """The log: the latest decisions, newest first."""
    return list(session.scalars(
        select(NetworkRequest).options(selectinload(NetworkRequest.decided_by))
        .where(NetworkRequest.status != RequestStatus.PENDING)
        .order_by(NetworkRequest.decided_at.desc(), NetworkRequest.id.desc()).limit(limit)))


def invited_sets_seen_by(session: Session, viewer: permissions.AnyUser,
                         requests: Sequence[NetworkRequest]) -> dict[int, tuple[list[str], int]]:
    """For each accepted request, the names of the sets it invited to that ``viewer`` may read,
    and how many others (a private set's name is for its members; a set renamed since counts
    as another)."""
    readable = set(session.scalars(select(LearningSet.name).where(
        permissions.readable_sets_filter(viewer))))
    seen = {}
    for request in requests:
        names = [name for name in (request.invited_to or "").split("\n") if name]
        shown = [name for name in names if name in readable]
        seen[request.id] = (shown, len(names) - len(shown))
    return seen


def addresses_with_accounts(session: Session, requests: Sequence[NetworkRequest]) -> set[str]:
    """Which of these requests' addresses already have an account (shown to deciders only)."""
    emails = {r.email for r in requests}
    if not emails:
        return set()
    return set(session.scalars(select(func.lower(User.email)).where(
        func.lower(User.email).in_(emails))))


def find_waiting(session: Session, request_id: int) -> NetworkRequest | None:
    return session.scalar(select(NetworkRequest).where(
        NetworkRequest.id == request_id, NetworkRequest.status == RequestStatus.PENDING))


def invitable_sets(session: Session, actor: permissions.AnyUser) -> list[LearningSet]:
    """The sets an invitation from ``actor`` may offer: those they may read, by name (a private
    set's name is for its members and the admins)."""
    return list(session.scalars(select(LearningSet).where(
        permissions.readable_sets_filter(actor)).order_by(LearningSet.name)))


def _decide(session: Session, actor: User, request: NetworkRequest,
            status: RequestStatus) -> None:
    if not permissions.can_handle_network_requests(actor):
        raise NetworkRequestError("Only admins and network coordinators decide requests.")
    # Decided only if still waiting in the database: two deciders who loaded it at the same
    # moment would otherwise both decide it, and the person be emailed twice (or both ways).
    if request.status != RequestStatus.PENDING or not updated_unless_changed_meanwhile(
            session, request, NetworkRequest.status == RequestStatus.PENDING, status=status,
            decided_at=utcnow(), decided_by_id=actor.id):
        raise DecidedMeanwhile()
    request.decided_by = actor


def accept(session: Session, actor: User, request: NetworkRequest,
           learning_sets: Sequence[LearningSet]) -> list[str]:
    """Invite the person to the network and to the chosen sets; returns the sets' names.

    Someone without an account gets one email, whose link creates their account and accepts the
    sets' invitations; an account holder gets each set's usual invitation email.
    """
    if not all(permissions.can_view_set(actor, s) for s in learning_sets):
        raise NetworkRequestError("Choose sets from the list.")
    _decide(session, actor, request, RequestStatus.ACCEPTED)
    has_account = accounts.find_user_by_email(session, request.email) is not None
    invited: list[str] = []
    for learning_set in learning_sets:
        try:
            invitations.create_invitation(session, learning_set=learning_set,
                                          email=request.email, role=Role.MEMBER,
                                          invited_by=actor, send_email=has_account)
        except invitations.InvitationError:
            continue  # already a member or already invited: nothing to add
        invited.append(learning_set.name)
    request.invited_to = "\n".join(invited)
    outbox.queue_email(session, kind=INVITED_KIND, to=request.email)
    session.flush()
    signals.send_about_request(signals.network_request_decided, session, request, actor=actor)
    return invited


def decline(session: Session, actor: User, request: NetworkRequest, message: str) -> None:
    """Decline, emailing the person the message."""
    _decide(session, actor, request, RequestStatus.DECLINED)
    request.reason = message
    site_name = current_app.config["SITE_NAME"]
    text_body, html_body = render_email("network_request_declined", request=request,
                                        message=message)
    outbox.queue_email(session, kind=DECLINED_KIND, to=request.email,
                       subject=f"Your request to join {site_name}", text_body=text_body,
                       html_body=html_body)
    session.flush()
    signals.send_about_request(signals.network_request_decided, session, request, actor=actor)


# --- the invitation's link ---------------------------------------------------------

def _invitation_serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.secret_key, salt=INVITATION_SALT)


def make_invitation_token(email: str) -> str:
    return _invitation_serializer().dumps({"email": email})


def email_for_invitation_token(token: str) -> str | None:
    max_age = int(current_app.config["INVITATION_MAX_AGE_DAYS"]) * 24 * 3600
    try:
        data: Any = _invitation_serializer().loads(token, max_age=max_age)
    except BadSignature:
        return None
    email = data.get("email") if isinstance(data, dict) else None
    return email if isinstance(email, str) and email else None


def pending_set_invitations(session: Session, email: str) -> list[Invitation]:
    return list(session.scalars(
        select(Invitation).options(selectinload(Invitation.learning_set))
        .where(Invitation.email == invitations.normalise_email(email),
               Invitation.accepted_at.is_(None), Invitation.revoked_at.is_(None),
               Invitation.expires_at > utcnow()).order_by(Invitation.id)))


def join_network(session: Session, user: User) -> list[LearningSet]:
    """After the account is made: accept every set invitation waiting for its address."""
    joined = []
    for invitation in pending_set_invitations(session, user.email):
        invitations.accept_invitation(session, invitation, user)
        joined.append(invitation.learning_set)
    return joined


def _compose_invited(session: Session, row: QueuedEmail, _user: User | None) -> outbox.Composed:
    site_name = current_app.config["SITE_NAME"]
    request = session.scalar(
        select(NetworkRequest).where(NetworkRequest.email == row.to_address,
                                     NetworkRequest.status == RequestStatus.ACCEPTED)
        .order_by(NetworkRequest.decided_at.desc()).limit(1))
    if request is None:
        raise outbox.NothingToSend("The accepted request is no longer kept.")
    user = accounts.find_user_by_email(session, row.to_address)
    sets = [i.learning_set for i in pending_set_invitations(session, row.to_address)]
    url = (external_url("auth.sign_in") if user is not None
           else external_url("network.join", token=make_invitation_token(row.to_address)))
    text_body, html_body = render_email(
        "network_invitation", request=request, user=user, sets=sets, url=url,
        inviter=request.decided_by, days=int(current_app.config["INVITATION_MAX_AGE_DAYS"]))
    return f"Welcome to {site_name}: your invitation", text_body, html_body


outbox.register_preparer(INVITED_KIND, _compose_invited)

