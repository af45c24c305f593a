"""Asking to join a set, and its facilitators' decision. Functions take the session and the
acting user, raise :class:`JoinError`, and never commit (the view commits once). Who is told is
not decided here: the signals in :mod:`forum.signals` announce it."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm import selectinload

from forum import permissions
from forum import signals
from forum.extensions import updated_unless_changed_meanwhile
from forum.models import JoinRequest
from forum.models import LearningSet
from forum.models import Membership
from forum.models import RequestStatus
from forum.models import Role
from forum.models import User
from forum.models import utcnow

DECIDED_MEANWHILE = ("This request to join is no longer waiting: another facilitator may have "
                     "accepted or declined it already, so nothing was saved.")


class JoinError(Exception):
    """Refused; the message is fit to show."""


def request_of(session: Session, user: User, learning_set: LearningSet) -> JoinRequest | None:
    return session.scalar(select(JoinRequest).where(JoinRequest.user_id == user.id,
                                                    JoinRequest.learning_set_id == learning_set.id))


def ask_to_join(session: Session, user: User, learning_set: LearningSet,
                message: str) -> JoinRequest:
    if not permissions.can_ask_to_join(user, learning_set):
        raise JoinError("You cannot ask to join this set.")
    request = request_of(session, user, learning_set)
    if request is not None and request.status == RequestStatus.PENDING:
        raise JoinError("You have already asked to join this set. Its facilitators will decide.")
    if request is None:
        request = JoinRequest(user_id=user.id, learning_set_id=learning_set.id)
        try:
            with session.begin_nested():
                session.add(request)
                session.flush()
        except IntegrityError as error:  # the same person, twice at once
            raise JoinError("You have already asked to join this set.") from error
    request.message = message
    request.status = RequestStatus.PENDING
    request.created_at = utcnow()
    request.decided_at = request.decided_by_id = None
    request.reason = ""
    session.flush()
    signals.send_about_request(signals.join_requested, session, request)
    return request


def pending_requests(session: Session, learning_set: LearningSet) -> list[JoinRequest]:
    return list(session.scalars(
        select(JoinRequest).options(selectinload(JoinRequest.user))
        .where(JoinRequest.learning_set_id == learning_set.id,
               JoinRequest.status == RequestStatus.PENDING)
        .order_by(JoinRequest.created_at, JoinRequest.id)))


def find_pending(session: Session, learning_set: LearningSet,
                 request_id: int) -> JoinRequest | None:
    return session.scalar(select(JoinRequest).where(
        JoinRequest.id == request_id, JoinRequest.learning_set_id == learning_set.id,
        JoinRequest.status == RequestStatus.PENDING))


class DecidedMeanwhile(JoinError):
    """Another facilitator decided the request first: nothing was saved."""

    def __init__(self) -> None:
        super().__init__(DECIDED_MEANWHILE)


def _decide(session: Session, actor: User, request: JoinRequest, status: RequestStatus) -> None:
    if not permissions.can_decide_join_request(actor, request):
        raise JoinError("Only the set's facilitators and admins decide requests to join.")
    # Only if still waiting in the database: two facilitators who opened it at the same moment
    # would otherwise both decide it, and the person be told both ways.
    if request.status != RequestStatus.PENDING or not updated_unless_changed_meanwhile(
            session, request, JoinRequest.status == RequestStatus.PENDING, status=status,
            decided_at=utcnow(), decided_by_id=actor.id):
        raise DecidedMeanwhile()


def accept(session: Session, actor: User, request: JoinRequest) -> None:
    """Make the person a member, and tell them."""
    _decide(session, actor, request, RequestStatus.ACCEPTED)
    if not permissions.is_member(request.user, request.learning_set):
        try:
            with session.begin_nested():
                session.add(Membership(user_id=request.user_id,
                                       learning_set_id=request.learning_set_id, role=Role.MEMBER))
        except IntegrityError:  # made a member at the same moment (an invitation, say)
            pass
    session.flush()
    permissions.forget_roles()
    signals.send_about_request(signals.join_request_decided, session, request, actor=actor)


def decline(session: Session, actor: User, request: JoinRequest, reason: str) -> None:
    """Decline with a reason, which the person is told."""
    _decide(session, actor, request, RequestStatus.DECLINED)
    request.reason = reason
    session.flush()
    signals.send_about_request(signals.join_request_decided, session, request, actor=actor)
