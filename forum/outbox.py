"""The email outbox: every email is a row written with the action, and is sent after the response.

No request ever talks to the mail server. An action (a password reset, an invitation, a
moderator's decision) adds a :class:`~forum.models.QueuedEmail` row in its own transaction, so
the email exists exactly when the action does. Rows are sent:

- by ``flask --app forum notifications send-pending`` (run it from cron or a systemd timer:
  it is what guarantees delivery), and
- in the web process by a small background thread (:class:`BackgroundSender`), woken after a
  request that queued mail and every ``MAIL_RETRY_INTERVAL`` seconds. It is on unless
  ``MAIL_SEND_IN_BACKGROUND`` is false, and off under ``TESTING``.

Each due row is claimed with a conditional update before it is sent, so several processes (or the
thread and the command) never both send it. A failure is kept on the row (``attempts``,
``last_error``) with a later ``next_attempt_at`` (backing off up to six hours); rows are never
deleted. Emails that carry a sign-in link (password reset, sign-up, invitations) are composed
at send time by a *preparer* their area registers, so no usable link is ever stored.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable
from collections.abc import Sequence
from contextlib import AbstractContextManager
from contextlib import nullcontext
from dataclasses import dataclass
from dataclasses import field
from datetime import datetime
from datetime import timedelta
from email.message import EmailMessage

from flask import Flask
from flask import Response
from flask import current_app
from flask import has_app_context
from sqlalchemy import select
from sqlalchemy import update
from sqlalchemy.orm import Session

from forum import mail
from forum import permissions
from forum.extensions import db
from forum.extensions import writer_session
from forum.models import Event
from forum.models import Post
from forum.models import QueuedEmail
from forum.models import User
from forum.models import utcnow

log = logging.getLogger(__name__)

# Session.info key: ids of rows queued in this session (the background sender is woken for them).
QUEUED_IDS = "forum_outbox_queued"
LEASE = timedelta(minutes=5)   # a claimed row is retried after this if the sender died
MAX_ATTEMPTS = 12              # about two days of retries with the backoff below
MAX_BACKOFF = timedelta(hours=6)
SENDER_KEY = "forum.mail_sender"

Composed = tuple[str, str, str | None]  # subject, text body, HTML body
Preparer = Callable[[Session, QueuedEmail, User | None], Composed | None]
_PREPARERS: dict[str, Preparer] = {}
Attachment = tuple[str, str, bytes]  # file name, content type ("text/calendar"), content
Attacher = Callable[[Session, QueuedEmail], list[Attachment]]
_ATTACHERS: dict[str, Attacher] = {}


class NothingToSend(Exception):
    """The email is no longer wanted (unsubscribed, invitation revoked, nothing waits...)."""


def register_preparer(kind: str, preparer: Preparer) -> None:
    """Have rows of ``kind`` checked (and composed, if it returns a message) when sent.

    A preparer raises :class:`NothingToSend` when the email should not go out any more, returns
    ``(subject, text, html)`` to send a message composed now (which is not stored), or ``None``
    to send the stored one.
    """
    _PREPARERS[kind] = preparer


def register_attacher(kind: str, attacher: Attacher) -> None:
    """Have files made and attached to rows of ``kind`` when they are sent (so they are
    current then: an event's calendar file, for example)."""
    _ATTACHERS[kind] = attacher


def retry_delay(attempts: int) -> timedelta:
    """1, 2, 4, 8 ... minutes after the n-th failed attempt, at most six hours."""
    return min(timedelta(minutes=2 ** max(attempts - 1, 0)), MAX_BACKOFF)


# --- queueing (inside the caller's transaction) --------------------------------------------

def queue_email(session: Session, *, kind: str, to: str, user: User | None = None,
                subject: str = "", text_body: str = "", html_body: str | None = None,
                unsubscribe_url: str | None = None, learning_set_id: int | None = None,
                post_id: int | None = None, event_id: int | None = None,
                not_before: datetime | None = None) -> QueuedEmail:
    """Add one email to the outbox; it is sent once the caller's transaction commits.

    ``post_id`` names the post the email is about: it is sent only if the recipient can still
    read that post then (a member removed from the set, or a post hidden since, is not told).
    ``event_id`` does the same for an event.
    """
    now = utcnow()
    row = QueuedEmail(
        user_id=user.id if user is not None else None, kind=kind,
        learning_set_id=learning_set_id, post_id=post_id, event_id=event_id, to_address=to,
        subject=subject[:300],
        text_body=text_body, html_body=html_body, unsubscribe_url=unsubscribe_url,
        created_at=now, next_attempt_at=not_before or now, attempts=0)
    session.add(row)
    session.flush()
    session.info.setdefault(QUEUED_IDS, []).append(row.id)
    return row


def take_queued_ids(session: Session) -> list[int]:
    """The ids queued in this session so far, forgetting them."""
    return session.info.pop(QUEUED_IDS, [])


# --- delivering ----------------------------------------------------------------------------

@dataclass
class DeliveryReport:
    sent: int = 0
    failed: int = 0  # of which ``given_up`` on their last attempt; the others are retried
    skipped: int = 0
    given_up: int = 0
    errors: list[str] = field(default_factory=list)  # why each failed, in order


def deliver_pending(app: Flask, *, ids: list[int] | None = None, now: datetime | None = None,
                    limit: int = 200, stop: threading.Event | None = None) -> DeliveryReport:
    """Send the due emails (only ``ids`` if given); failures are logged and retried later.

    Uses its own database session, so it only ever sees committed rows; never raises for a
    single email. Returns early, between emails, once ``stop`` is set.
    """
    report = DeliveryReport()
    if ids is not None and not ids:
        return report
    with app_context(app):
        now = now or utcnow()
        due = select(QueuedEmail.id).where(
            QueuedEmail.sent_at.is_(None), QueuedEmail.given_up_at.is_(None),
            QueuedEmail.next_attempt_at <= now,
        ).order_by(QueuedEmail.next_attempt_at, QueuedEmail.id).limit(limit)
        if ids is not None:
            due = due.where(QueuedEmail.id.in_(ids))
        with Session(db.engine) as reader:  # no write lock just to look: often nothing is due
            due_ids = reader.scalars(due).all()
        if not due_ids:
            return report
        with writer_session() as session:
            _deliver_each(session, due_ids, now, report, stop)
    return report


def retry_given_up(session: Session, now: datetime, since: timedelta) -> int:
    """Queue again the emails given up after every attempt failed (a mail server down for
    days) since ``now - since``: the next sender sends them, with fresh links."""
    result = session.execute(
        update(QueuedEmail).where(
            QueuedEmail.sent_at.is_(None), QueuedEmail.given_up_at >= now - since,
            QueuedEmail.attempts >= MAX_ATTEMPTS,
        ).values(given_up_at=None, attempts=0, next_attempt_at=now)
        .execution_options(synchronize_session=False))
    return result.rowcount


def _deliver_each(session: Session, due_ids: Sequence[int], now: datetime,
                  report: DeliveryReport, stop: threading.Event | None) -> None:
    """Claim, compose and send each row, one transaction at a time, counting in ``report``."""
    for row_id in due_ids:
        if stop is not None and stop.is_set():
            break
        if not _claim(session, row_id, now):
            continue
        row = session.get(QueuedEmail, row_id)
        assert row is not None
        outcome = _deliver_one(session, row, now)
        setattr(report, outcome, getattr(report, outcome) + 1)
        if outcome == "failed":
            report.errors.append(row.last_error or "")
            report.given_up += row.given_up_at is not None
        session.commit()


def app_context(app: Flask) -> AbstractContextManager[object]:
    """The current app context if it is this app's (inside a request), else a new one."""
    if has_app_context() and current_app._get_current_object() is app:  # type: ignore[attr-defined]
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
    row_id, to_address, attempts = row.id, row.to_address, row.attempts
    try:
        message = _message_for(session, row)
        # Commit what preparing wrote before talking to the server, so a slow server never
        # holds a write lock (SQLite) or an open transaction.
        session.commit()
        mail.send_message(message)
    except NothingToSend as reason:
        session.rollback()
        row.given_up_at = now
        row.last_error = str(reason)
        log.info("Outbox email %s not sent: %s", row_id, reason)
        return "skipped"
    except Exception as exc:  # noqa: BLE001 (one bad row must not stop the others; kept below)
        session.rollback()
        row.last_error = f"{type(exc).__name__}: {exc}"[:2000]
        if attempts >= MAX_ATTEMPTS:
            row.given_up_at = now
            log.error("Giving up on outbox email %s to %s after %s attempts: %s",
                      row_id, to_address, attempts, row.last_error)
        else:
            row.next_attempt_at = now + retry_delay(attempts)
            log.warning("Could not send outbox email %s to %s (attempt %s, retry at %s): %s",
                        row_id, to_address, attempts, row.next_attempt_at, row.last_error)
        return "failed"
    row.sent_at = now
    return "sent"


def _message_for(session: Session, row: QueuedEmail) -> EmailMessage:
    user = session.get(User, row.user_id) if row.user_id is not None else None
    if row.user_id is not None and (user is None or user.is_disabled):
        raise NothingToSend("The recipient's account is closed or disabled.")
    if row.post_id is not None and session.scalar(
            select(Post.id).where(Post.id == row.post_id,
                                  permissions.visible_posts_filter(user))) is None:
        # Asked in this session (the sender's own), in the rule's query form.
        raise NothingToSend("The recipient can no longer read the post it is about.")
    if row.event_id is not None and session.scalar(
            select(Event.id).where(Event.id == row.event_id,
                                   permissions.visible_events_filter(user))) is None:
        raise NothingToSend("The recipient can no longer see the event it is about.")
    preparer = _PREPARERS.get(row.kind)
    composed = preparer(session, row, user) if preparer is not None else None
    if composed is not None:
        subject, text_body, html_body = composed
        row.subject = subject[:300]
    elif row.text_body:
        subject, text_body, html_body = row.subject, row.text_body, row.html_body
    else:
        raise NothingToSend(f"Nothing composes emails of kind {row.kind!r}.")
    message = mail.build_message(to=row.to_address, subject=subject, text_body=text_body,
                                 html_body=html_body)
    if row.unsubscribe_url:
        message["List-Unsubscribe"] = f"<{row.unsubscribe_url}>"
    attacher = _ATTACHERS.get(row.kind)
    for filename, content_type, content in attacher(session, row) if attacher else []:
        maintype, subtype = content_type.split("/", 1)
        message.add_attachment(content, maintype=maintype, subtype=subtype, filename=filename)
    return message


# --- sending in the background of the web process ------------------------------------------

class BackgroundSender:
    """One daemon thread per process that sends due emails when woken, and now and then.

    Started at the first :meth:`wake` (so forked workers each start their own); a request only
    sets an event, so it never waits on the mail server.
    """

    def __init__(self, app: Flask, interval: float) -> None:
        self.app = app
        self.interval = interval
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._pid: int | None = None

    def wake(self) -> None:
        with self._lock:
            thread = self._thread
            if thread is None or not thread.is_alive() or self._pid != os.getpid():
                self._stop.clear()
                self._thread = threading.Thread(target=self._run, name="forum-mail-sender",
                                                daemon=True)
                self._pid = os.getpid()
                self._thread.start()
        self._wake.set()

    def stop(self, timeout: float | None = None) -> None:
        """Ask the thread to finish after the email in hand; wait up to ``timeout`` seconds."""
        self._stop.set()
        self._wake.set()
        thread = self._thread
        if thread is not None:
            thread.join(timeout)

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def _run(self) -> None:
        while not self._stop.is_set():
            self._wake.clear()
            try:
                deliver_pending(self.app, stop=self._stop)
            except Exception:  # the database may be away: try again at the next wake
                log.exception("The background email sender failed; it will try again")
            self._wake.wait(self.interval)


def background_sender(app: Flask) -> BackgroundSender | None:
    return app.extensions.get(SENDER_KEY)


def init_app(app: Flask) -> None:
    """Wake the background sender (when enabled) after each request that queued email."""
    enabled = app.config.get("MAIL_SEND_IN_BACKGROUND")
    if enabled is None:
        enabled = not app.testing
    if enabled:
        app.extensions[SENDER_KEY] = BackgroundSender(
            app, float(app.config.get("MAIL_RETRY_INTERVAL", 60)))

    @app.after_request
    def _wake_sender(response: Response) -> Response:
        sender = background_sender(app)
        if take_queued_ids(db.session) and sender is not None:
            try:
                sender.wake()
            except RuntimeError:  # no thread to be had: send-pending will send it
                log.exception("Could not start the background email sender")
        return response
