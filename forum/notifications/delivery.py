"""The email outbox: queue rows in the caller's transaction, send them after it commits.

Delivery claims each due row with a conditional update before sending, so a web request and
the ``send-pending`` command running at once never both send it. A failure is logged and kept
on the row (``attempts``, ``last_error``) with a later ``next_attempt_at``; rows are never
deleted. Delivery opens its own database session, so it only ever sees committed rows.
"""

from __future__ import annotations

import logging
from contextlib import AbstractContextManager
from contextlib import nullcontext
from dataclasses import dataclass
from datetime import datetime
from datetime import timedelta
from email.message import EmailMessage

from flask import Flask
from flask import current_app
from flask import has_app_context
from sqlalchemy import and_
from sqlalchemy import func
from sqlalchemy import or_
from sqlalchemy import select
from sqlalchemy import update
from sqlalchemy.orm import Session

from forum import mail
from forum import permissions
from forum.extensions import db
from forum.models import EmailMode
from forum.models import EmailTopic
from forum.models import LearningSet
from forum.models import Membership
from forum.models import Notification
from forum.models import NotificationKind
from forum.models import NotificationPreference
from forum.models import Post
from forum.models import PostStatus
from forum.models import QueuedEmail
from forum.models import Role
from forum.models import Thread
from forum.models import User
from forum.models import utcnow
from forum.models.notification import TOPIC_OF_KIND

log = logging.getLogger(__name__)

# Session.info key: ids of rows queued in this session, sent after the request commits.
QUEUED_IDS = "forum_notifications_queued"
WAITING_INTERVAL = timedelta(minutes=15)
LEASE = timedelta(minutes=5)   # a claimed row is retried after this if the sender died
MAX_ATTEMPTS = 12              # about two days of retries with the backoff below
MAX_BACKOFF = timedelta(hours=6)
DIGEST_KIND = "digest"


def retry_delay(attempts: int) -> timedelta:
    """1, 2, 4, 8 ... minutes after the n-th failed attempt, at most six hours."""
    return min(timedelta(minutes=2 ** max(attempts - 1, 0)), MAX_BACKOFF)


# --- queueing (inside the caller's transaction) --------------------------------------------

def queue_email(session: Session, *, recipient: User, kind: str, subject: str, text_body: str,
                html_body: str | None, unsubscribe_url: str | None,
                learning_set_id: int | None = None, post_id: int | None = None,
                not_before: datetime | None = None) -> QueuedEmail:
    """Queue one email; ``post_id`` names the post it is about (checked again when sent)."""
    now = utcnow()
    row = QueuedEmail(
        user_id=recipient.id, kind=kind, learning_set_id=learning_set_id, post_id=post_id,
        to_address=recipient.email, subject=subject, text_body=text_body, html_body=html_body,
        unsubscribe_url=unsubscribe_url, created_at=now, next_attempt_at=not_before or now,
        attempts=0)
    session.add(row)
    session.flush()
    session.info.setdefault(QUEUED_IDS, []).append(row.id)
    return row


def queue_waiting_email(session: Session, moderator: User, learning_set: LearningSet) -> None:
    """Make sure one batched "posts are waiting" email is due for this moderator and set.

    If one is already queued it will report every waiting post when it is sent; otherwise a new
    one is due 15 minutes after the last one sent (or now).
    """
    kind = NotificationKind.POST_WAITING.value
    same = (QueuedEmail.user_id == moderator.id, QueuedEmail.kind == kind,
            QueuedEmail.learning_set_id == learning_set.id)
    already_queued = session.scalar(select(QueuedEmail.id).where(
        *same, QueuedEmail.sent_at.is_(None), QueuedEmail.given_up_at.is_(None)).limit(1))
    if already_queued is not None:
        return
    last_sent = session.scalar(select(func.max(QueuedEmail.sent_at)).where(*same))
    now = utcnow()
    not_before = max(now, last_sent + WAITING_INTERVAL) if last_sent is not None else now
    from forum.notifications.service import unsubscribe_url

    queue_email(session, recipient=moderator, kind=kind, subject="", text_body="",
                html_body=None, unsubscribe_url=unsubscribe_url(moderator, EmailTopic.WAITING),
                learning_set_id=learning_set.id, not_before=not_before)


def take_queued_ids(session: Session) -> list[int]:
    """The ids queued in this session so far, forgetting them."""
    return session.info.pop(QUEUED_IDS, [])


# --- delivering ----------------------------------------------------------------------------

@dataclass
class DeliveryReport:
    sent: int = 0
    failed: int = 0
    skipped: int = 0


class NothingToSend(Exception):
    """The email is no longer wanted (unsubscribed, or nothing waits any more)."""


def deliver_pending(app: Flask, *, ids: list[int] | None = None, now: datetime | None = None,
                    limit: int = 200) -> DeliveryReport:
    """Send the due emails (only ``ids`` if given); failures are logged and retried later."""
    report = DeliveryReport()
    with _app_context(app), Session(db.engine) as session:
        now = now or utcnow()
        due = select(QueuedEmail.id).where(
            QueuedEmail.sent_at.is_(None), QueuedEmail.given_up_at.is_(None),
            QueuedEmail.next_attempt_at <= now,
        ).order_by(QueuedEmail.next_attempt_at, QueuedEmail.id).limit(limit)
        if ids is not None:
            if not ids:
                return report
            due = due.where(QueuedEmail.id.in_(ids))
        for row_id in session.scalars(due).all():
            if not _claim(session, row_id, now):
                continue
            row = session.get(QueuedEmail, row_id)
            assert row is not None
            outcome = _deliver_one(session, row, now)
            setattr(report, outcome, getattr(report, outcome) + 1)
            session.commit()
    return report


def _app_context(app: Flask) -> AbstractContextManager[object]:
    """The current app context if it is this app's (inside a request), else a new one."""
    if has_app_context() and current_app._get_current_object() is app:
        return nullcontext()
    return app.app_context()


def _claim(session: Session, row_id: int, now: datetime) -> bool:
    """Take the row for this sender; False if another sender (or an earlier run) has it."""
    result = session.execute(
        update(QueuedEmail).where(
            QueuedEmail.id == row_id, QueuedEmail.sent_at.is_(None),
            QueuedEmail.given_up_at.is_(None), QueuedEmail.next_attempt_at <= now,
        ).values(next_attempt_at=now + LEASE, attempts=QueuedEmail.attempts + 1)
        .execution_options(synchronize_session=False))
    session.commit()
    return result.rowcount == 1


def _deliver_one(session: Session, row: QueuedEmail, now: datetime) -> str:
    try:
        message = _message_for(session, row)
        mail.send_message(message)
    except NothingToSend as reason:
        row.given_up_at = now
        row.last_error = str(reason)
        log.info("Outbox email %s not sent: %s", row.id, reason)
        return "skipped"
    except Exception as exc:  # noqa: BLE001 (one bad row must not stop the others; kept below)
        row.last_error = f"{type(exc).__name__}: {exc}"[:2000]
        if row.attempts >= MAX_ATTEMPTS:
            row.given_up_at = now
            log.error("Giving up on outbox email %s to %s after %s attempts: %s",
                      row.id, row.to_address, row.attempts, row.last_error)
        else:
            row.next_attempt_at = now + retry_delay(row.attempts)
            log.warning("Could not send outbox email %s to %s (attempt %s, retry at %s): %s",
                        row.id, row.to_address, row.attempts, row.next_attempt_at,
                        row.last_error)
        return "failed"
    row.sent_at = now
    return "sent"


def _message_for(session: Session, row: QueuedEmail) -> EmailMessage:
    user = session.get(User, row.user_id) if row.user_id is not None else None
    if row.user_id is not None and (user is None or user.is_disabled):
        raise NothingToSend("The recipient's account is closed or disabled.")
    if user is not None and row.kind != DIGEST_KIND:
        topic = TOPIC_OF_KIND[NotificationKind(row.kind)]
        if _mode(session, user.id, topic) == EmailMode.OFF:
            raise NothingToSend("The recipient turned these emails off.")
    if user is not None and row.post_id is not None and session.scalar(
            select(Post.id).where(Post.id == row.post_id,
                                  permissions.readable_posts(user))) is None:
        raise NothingToSend("The recipient can no longer read this post.")
    if row.kind == NotificationKind.POST_WAITING.value:
        _compose_waiting(session, row, user)
    message = mail.build_message(to=row.to_address, subject=row.subject,
                                 text_body=row.text_body, html_body=row.html_body)
    if row.unsubscribe_url:
        message["List-Unsubscribe"] = f"<{row.unsubscribe_url}>"
    return message


def _mode(session: Session, user_id: int, topic: EmailTopic) -> EmailMode:
    from forum.notifications.service import DEFAULT_MODES

    saved = session.get(NotificationPreference, user_id)
    return saved.mode_for(topic) if saved is not None else DEFAULT_MODES[topic]


def _compose_waiting(session: Session, row: QueuedEmail, user: User | None) -> None:
    """Fill in the batched email with the number of posts waiting now."""
    from forum.notifications.email import compose_waiting_email

    learning_set = (session.get(LearningSet, row.learning_set_id)
                    if row.learning_set_id is not None else None)
    if learning_set is None or user is None:
        raise NothingToSend("The set no longer exists.")
    moderates = user.is_admin or session.scalar(select(Membership.id).where(
        Membership.user_id == user.id, Membership.learning_set_id == learning_set.id,
        Membership.role.in_([Role.MODERATOR, Role.FACILITATOR]))) is not None
    if not moderates:
        raise NothingToSend("The recipient no longer moderates this set.")
    count = session.scalar(
        select(func.count(Post.id)).join(Thread, Post.thread_id == Thread.id).where(
            Thread.learning_set_id == learning_set.id,
            or_(Post.status == PostStatus.PENDING,
                and_(Post.status == PostStatus.APPROVED, Post.pending_at.is_not(None))),
            Post.author_id.is_distinct_from(user.id))) or 0
    if count == 0:
        raise NothingToSend("No posts were waiting any more.")
    row.subject, row.text_body, row.html_body = compose_waiting_email(
        learning_set, count, unsubscribe_url=row.unsubscribe_url or "")


# --- daily digests -------------------------------------------------------------------------

def send_digests(app: Flask, *, now: datetime | None = None) -> int:
    """Queue one digest per user of their unread, not yet emailed notifications in topics they
    chose a daily digest for; then deliver. Returns how many digests were queued."""
    from forum.notifications.email import compose_digest
    from forum.notifications.service import default_preferences
    from forum.notifications.service import unsubscribe_url

    queued = 0
    with _app_context(app), Session(db.engine) as session:
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
            queue_email(session, recipient=user, kind=DIGEST_KIND, subject=subject,
                        text_body=text_body, html_body=html_body, unsubscribe_url=stop_url,
                        not_before=now)
            for notification in notifications:
                notification.emailed_at = now
            if session.get(NotificationPreference, user_id) is None:
                session.add(prefs)
            prefs.last_digest_at = now
            session.commit()
            queued += 1
    deliver_pending(app, now=now)
    return queued
