"""Notification emails in the outbox (:mod:`forum.outbox`): batching, checks, digests.

Event emails are composed when the event happens and checked when sent (the recipient may have
turned that topic off since). The moderators' "posts are waiting" email is batched per set and
composed when sent, so it reports how many posts wait at that moment, and is dropped if none do.
"""

from __future__ import annotations

import logging
from datetime import datetime
from datetime import timedelta

from flask import Flask
from sqlalchemy import func
from sqlalchemy import select
from sqlalchemy.orm import Session

from forum import permissions
from forum.extensions import writer_session
from forum.models import EmailMode
from forum.models import EmailTopic
from forum.models import LearningSet
from forum.models import NetworkRequest
from forum.models import Notification
from forum.models import NotificationKind
from forum.models import NotificationPreference
from forum.models import Post
from forum.models import QueuedEmail
from forum.models import RequestStatus
from forum.models import Thread
from forum.models import User
from forum.models import utcnow
from forum.models.notification import TOPIC_OF_KIND
from forum.notifications.preferences import DEFAULT_MODES
from forum.notifications.preferences import default_preferences
from forum.notifications.preferences import saved_preferences
from forum.notifications.preferences import unsubscribe_url
from forum.outbox import Composed
from forum.outbox import NothingToSend
from forum.outbox import app_context
from forum.outbox import deliver_pending
from forum.outbox import queue_email
from forum.outbox import register_preparer

log = logging.getLogger(__name__)

WAITING_INTERVAL = timedelta(minutes=15)
DIGEST_KIND = "digest"


# --- queueing (inside the caller's transaction) --------------------------------------------

def queue_waiting_email(session: Session, moderator: User, learning_set: LearningSet) -> None:
    """Make sure one batched "posts are waiting" email is due for this moderator and set.

    If one is already queued it will report every waiting post when it is sent; otherwise a new
    one is due 15 minutes after the last one sent (or now).
    """
    _queue_batched(session, moderator, NotificationKind.POST_WAITING, learning_set.id)


def queue_network_requests_email(session: Session, handler: User) -> None:
    """The same for an admin or coordinator: one batched "requests to join the network are
    waiting" email, composed when sent with how many wait then."""
    _queue_batched(session, handler, NotificationKind.NETWORK_REQUEST, None)


def _queue_batched(session: Session, user: User, kind: NotificationKind,
                   learning_set_id: int | None) -> None:
    same = (QueuedEmail.user_id == user.id, QueuedEmail.kind == kind.value,
            QueuedEmail.learning_set_id.is_(learning_set_id) if learning_set_id is None
            else QueuedEmail.learning_set_id == learning_set_id)
    already_queued = session.scalar(select(QueuedEmail.id).where(
        *same, QueuedEmail.sent_at.is_(None), QueuedEmail.given_up_at.is_(None)).limit(1))
    if already_queued is not None:
        return
    last_sent = session.scalar(select(func.max(QueuedEmail.sent_at)).where(*same))
    now = utcnow()
    not_before = max(now, last_sent + WAITING_INTERVAL) if last_sent is not None else now
    queue_email(session, kind=kind.value, to=user.email, user=user,
                unsubscribe_url=unsubscribe_url(user, TOPIC_OF_KIND[kind]),
                learning_set_id=learning_set_id, not_before=not_before)


# --- checks when sent ----------------------------------------------------------------------

def _check_preference(session: Session, row: QueuedEmail, user: User | None) -> Composed | None:
    """Send the stored email unless the recipient turned its topic off since it was queued."""
    if user is not None:
        topic = TOPIC_OF_KIND[NotificationKind(row.kind)]
        if _mode(session, user.id, topic) == EmailMode.OFF:
            raise NothingToSend("The recipient turned these emails off.")
    return None


def _prepare_waiting(session: Session, row: QueuedEmail, user: User | None) -> Composed:
    _check_preference(session, row, user)
    return _compose_waiting(session, row, user)


def _mode(session: Session, user_id: int, topic: EmailTopic) -> EmailMode:
    saved = session.get(NotificationPreference, user_id)
    return saved.mode_for(topic) if saved is not None else DEFAULT_MODES[topic]


def _compose_waiting(session: Session, row: QueuedEmail, user: User | None) -> Composed:
    """Fill in the batched email with the number of posts waiting now."""
    from forum.notifications.email import compose_waiting_email

    learning_set = (session.get(LearningSet, row.learning_set_id)
                    if row.learning_set_id is not None else None)
    if learning_set is None or user is None:
        raise NothingToSend("The set no longer exists.")
    # The query form of permissions.can_moderate: this runs in delivery's own session.
    moderates = session.scalar(select(LearningSet.id).where(
        LearningSet.id == learning_set.id,
        permissions.moderates_filter(user, LearningSet.id))) is not None
    if not moderates:
        raise NothingToSend("The recipient no longer moderates this set.")
    count = session.scalar(
        select(func.count(Post.id)).join(Thread, Post.thread_id == Thread.id).where(
            Thread.learning_set_id == learning_set.id, permissions.waiting_posts_filter(user),
            permissions.approvable_posts_filter(user))) or 0
    if count == 0:
        raise NothingToSend("No posts were waiting any more.")
    return compose_waiting_email(learning_set, count, unsubscribe_url=row.unsubscribe_url or "")


def _prepare_meeting(session: Session, row: QueuedEmail, user: User | None) -> None:
    """A meeting email goes only to someone who can still read the set (not a member removed
    from a private set since)."""
    _check_preference(session, row, user)
    if row.learning_set_id is None:
        raise NothingToSend("The recipient can no longer read the set.")
    _check_readable_set(session, row, user)


def _check_readable_set(session: Session, row: QueuedEmail, user: User | None) -> None:
    """An email about a set goes only to someone who can still read it, as its notification is
    shown only to them (:func:`forum.permissions.readable_notifications`): a request to join a
    set made private since, say."""
    if row.learning_set_id is None:
        return
    readable = user is not None and session.scalar(
        select(LearningSet.id).where(LearningSet.id == row.learning_set_id,
                                     permissions.readable_sets_filter(user))) is not None
    if not readable:
        raise NothingToSend("The recipient can no longer read the set.")


def _prepare_notice(session: Session, row: QueuedEmail, user: User | None) -> None:
    """Any other notification's email: still wanted, and about a set the recipient can still
    read (a post's and an event's are checked by the outbox itself)."""
    _check_preference(session, row, user)
    _check_readable_set(session, row, user)


def _prepare_network_requests(session: Session, row: QueuedEmail,
                              user: User | None) -> Composed:
    """Fill in the batched email with how many requests wait now; dropped if none do, or if
    the recipient no longer decides them."""
    from forum.notifications.email import compose_network_requests_email

    _check_preference(session, row, user)
    if user is None or user.is_disabled or not permissions.can_handle_network_requests(user):
        raise NothingToSend("The recipient no longer decides requests to join the network.")
    count = session.scalar(select(func.count(NetworkRequest.id)).where(
        NetworkRequest.status == RequestStatus.PENDING)) or 0
    if count == 0:
        raise NothingToSend("No requests to join the network were waiting any more.")
    return compose_network_requests_email(count, unsubscribe_url=row.unsubscribe_url or "")


MEETING_KINDS = frozenset({NotificationKind.MEETING_SCHEDULED, NotificationKind.MEETING_MOVED,
                           NotificationKind.MEETING_CANCELLED})

for _kind in NotificationKind:
    register_preparer(_kind.value, _prepare_waiting if _kind == NotificationKind.POST_WAITING
                      else _prepare_network_requests
                      if _kind == NotificationKind.NETWORK_REQUEST
                      else _prepare_meeting if _kind in MEETING_KINDS
                      else _prepare_notice)


# --- daily digests -------------------------------------------------------------------------

def send_digests(app: Flask, *, now: datetime | None = None) -> int:
    """Queue one digest per user of their unread, not yet emailed notifications in topics they
    chose a daily digest for; then deliver. Returns how many digests were queued."""
    from forum.notifications.email import compose_digest

    queued = 0
    with app_context(app), writer_session() as session:
        now = now or utcnow()
        user_ids = session.scalars(select(Notification.user_id).where(
            Notification.read_at.is_(None), Notification.emailed_at.is_(None),
            Notification.created_at <= now).distinct().order_by(Notification.user_id)).all()
        for user_id in user_ids:
            user = session.get(User, user_id)
            if user is None or user.is_disabled:
                continue
            prefs = (session.get(NotificationPreference, user_id)
                     or default_preferences(user_id))
            kinds = [kind for kind, topic in TOPIC_OF_KIND.items()
                     if prefs.mode_for(topic) == EmailMode.DAILY]
            if not kinds:
                continue
            notifications = session.scalars(select(Notification).where(
                Notification.user_id == user_id, Notification.read_at.is_(None),
                Notification.emailed_at.is_(None), Notification.created_at <= now,
                Notification.kind.in_(kinds), permissions.readable_notifications(user),
            ).order_by(Notification.created_at.desc(), Notification.id.desc())).all()
            if not notifications:
                continue
            stop_url = unsubscribe_url(user, None)
            subject, text_body, html_body = compose_digest(user, notifications,
                                                           unsubscribe_url=stop_url)
            queue_email(session, kind=DIGEST_KIND, to=user.email, user=user, subject=subject,
                        text_body=text_body, html_body=html_body, unsubscribe_url=stop_url,
                        not_before=now)
            for notification in notifications:
                notification.emailed_at = now
            # Stored now if they had none (the person may be saving their settings at this
            # moment: a second row would stop every digest after theirs).
            saved_preferences(session, user).last_digest_at = now
            session.commit()
            queued += 1
    deliver_pending(app, now=now)
    return queued
