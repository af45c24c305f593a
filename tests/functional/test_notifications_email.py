"""Notification emails through a real local SMTP server (aiosmtpd): what arrives, batching,
digests, preferences, unsubscribe links, and failures that are kept and retried."""

from __future__ import annotations

import email
import email.policy
import re
import socket
import time
from collections.abc import Iterator
from datetime import timedelta
from email.message import EmailMessage
from urllib.parse import urlsplit

import pytest
from aiosmtpd.controller import Controller
from flask import Flask
from sqlalchemy import select

from forum.extensions import db
from forum.models import EmailMode
from forum.models import Notification
from forum.models import NotificationPreference
from forum.models import Post
from forum.models import PostStatus
from forum.models import QueuedEmail
from forum.models import Thread
from forum.models import User
from forum.models import utcnow
from forum.notifications import preferences
from forum.notifications import service
from forum.outbox import SENDER_KEY
from forum.outbox import BackgroundSender
from forum.outbox import deliver_pending
from tests import factories


class Inbox:
    """An aiosmtpd handler that keeps every message it receives."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []

    async def handle_DATA(self, server, session, envelope) -> str:  # noqa: N802 (aiosmtpd API)
        self.messages.append(
            email.message_from_bytes(envelope.content, policy=email.policy.default))
        return "250 Message accepted"

    def to(self, address: str) -> list[EmailMessage]:
        return [m for m in self.messages if m["To"] == address]


class SmtpServer:
    def __init__(self, port: int) -> None:
        self.port = port
        self.inbox = Inbox()
        self.controller: Controller | None = None

    def start(self) -> None:
        self.controller = Controller(self.inbox, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None


def _free_port() -> int:
    # Controller(port=0) cannot check that it started, so pick a free port ourselves.
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def smtp(app: Flask) -> Iterator[SmtpServer]:
    server = SmtpServer(_free_port())
    server.start()
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=server.port)
    yield server
    server.stop()


# --- helpers ---------------------------------------------------------------------------------

def _user(user_id: int) -> User:
    return db.session.get(User, user_id)


def _post(app, world, author_id: int, *, status: PostStatus = PostStatus.APPROVED,
          parent_id: int | None = None, body: str = "A reply.") -> int:
    with app.app_context():
        thread = db.session.get(Thread, world.thread.id)
        parent = db.session.get(Post, parent_id) if parent_id else None
        post = factories.make_post(thread, _user(author_id), parent=parent, body=body,
                                   status=status)
        db.session.commit()
        return post.id


def _opening_post_id(app, world) -> int:
    with app.app_context():
        return db.session.scalar(select(Post.id).where(Post.thread_id == world.thread.id,
                                                       Post.parent_id.is_(None)))


def _approve(app, post_id: int, moderator_id: int) -> None:
    with app.app_context():
        post = db.session.get(Post, post_id)
        post.status = PostStatus.APPROVED
        service.notify_post_approved(db.session, post, _user(moderator_id))
        db.session.commit()


def _waiting(app, post_id: int) -> None:
    with app.app_context():
        service.notify_post_waiting(db.session, db.session.get(Post, post_id))
        db.session.commit()


def _text(message: EmailMessage) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()


def _html(message: EmailMessage) -> str:
    return message.get_body(preferencelist=("html",)).get_content()


def _path(url: str) -> str:
    parts = urlsplit(url)
    assert parts.scheme == "http" and parts.netloc == "localhost"  # PUBLIC_BASE_URL
    return parts.path


def _unsubscribe_url(message: EmailMessage) -> str:
    header = str(message["List-Unsubscribe"])
    assert header.startswith("<") and header.endswith(">")
    url = header[1:-1]
    assert url in _text(message) and url in _html(message)
    return url


def _outbox(app) -> list[QueuedEmail]:
    with app.app_context():
        rows = db.session.scalars(select(QueuedEmail).order_by(QueuedEmail.id)).all()
        for row in rows:
            db.session.expunge(row)
        return list(rows)


def _deliver(app, *, minutes_later: int = 0):
    return deliver_pending(app, now=utcnow() + timedelta(minutes=minutes_later))


# --- what arrives ----------------------------------------------------------------------------

def test_approval_email_arrives_with_a_working_link_text_and_html(app, world, client, smtp):
    post_id = _post(app, world, world.member.id, status=PostStatus.PENDING,
                    body="Our assembly was called *Voice of the Vale*.")
    _approve(app, post_id, world.moderator.id)
    assert _deliver(app).sent == 1

    [message] = smtp.inbox.to("member@example.org")
    assert message["Subject"] == "Your post in “Naming the assembly” was approved"
    text, html = _text(message), _html(message)
    assert "Mia Moderator approved your post" in text
    assert "Voice of the Vale" in text
    link = f"http://localhost/threads/{world.thread.id}?post={post_id}#post-{post_id}"
    assert link in text
    assert f'href="{link}"' in html
    client.sign_in_as(world.member)
    page = client.get(_path(link))
    assert page.status_code == 200
    assert "Voice of the Vale" in page.get_data(as_text=True)


def test_rejection_email_gives_the_reason(app, world, smtp):
    post_id = _post(app, world, world.member.id, status=PostStatus.PENDING)
    with app.app_context():
        post = db.session.get(Post, post_id)
        post.status = PostStatus.REJECTED
        service.notify_post_rejected(db.session, post, _user(world.moderator.id),
                                     "Please take out the resident's name & address.")
        db.session.commit()
    _deliver(app)
    [message] = smtp.inbox.to("member@example.org")
    assert message["Subject"] == "Your post in “Naming the assembly” was sent back"
    assert "Please take out the resident's name & address." in _text(message)
    assert "resident&#39;s name &amp; address" in _html(message)


def test_unsubscribe_link_works_without_signing_in(app, world, client, smtp):
    first = _post(app, world, world.member.id, status=PostStatus.PENDING)
    _approve(app, first, world.moderator.id)
    _deliver(app)
    [message] = smtp.inbox.to("member@example.org")
    path = _path(_unsubscribe_url(message))

    page = client.get(path)
    assert page.status_code == 200
    assert "Stop emails about moderators’ decisions on your posts" in page.get_data(as_text=True)
    done = client.post(path)
    assert "Emails stopped" in done.get_data(as_text=True)
    with app.app_context():
        saved = db.session.get(NotificationPreference, world.member.id)
        assert saved.decisions == EmailMode.OFF
        assert saved.waiting == EmailMode.IMMEDIATELY  # only the one kind of email stops

    second = _post(app, world, world.member.id, status=PostStatus.PENDING)
    _approve(app, second, world.moderator.id)
    _deliver(app)
    assert len(smtp.inbox.to("member@example.org")) == 1


def test_unsubscribe_confirmation_without_a_valid_form_changes_nothing(app, world, client):
    with app.app_context():
        token = preferences.unsubscribe_token(_user(world.member.id), None)
    response = client.post(f"/notifications/unsubscribe/{token}", csrf=False)
    assert response.status_code == 200
    assert "There is a problem" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(NotificationPreference, world.member.id) is None


def test_email_turned_off_in_settings_sends_nothing_but_still_notifies_in_app(
        app, world, client, smtp):
    client.sign_in_as(world.member)
    client.post("/notifications/settings", data={"decisions": "off", "replies": "off",
                                                    "meetings": "immediately", "events": "off"})
    post_id = _post(app, world, world.member.id, status=PostStatus.PENDING)
    _approve(app, post_id, world.moderator.id)
    _deliver(app)
    assert smtp.inbox.to("member@example.org") == []
    assert _outbox(app) == []
    assert "approved your post" in client.get("/notifications").get_data(as_text=True)


def test_email_queued_before_unsubscribing_is_not_sent(app, world, client, smtp):
    post_id = _post(app, world, world.member.id, status=PostStatus.PENDING)
    _approve(app, post_id, world.moderator.id)
    client.sign_in_as(world.member)
    client.post("/notifications/settings", data={"decisions": "off", "replies": "off",
                                                    "meetings": "immediately", "events": "off"})
    report = _deliver(app)
    assert (report.sent, report.skipped) == (0, 1)
    assert smtp.inbox.messages == []
    [row] = _outbox(app)
    assert row.sent_at is None and row.given_up_at is not None


# --- moderators: batched emails about waiting posts ------------------------------------------

def test_two_waiting_posts_within_15_minutes_make_one_email_per_moderator(app, world, smtp):
    _waiting(app, _post(app, world, world.member.id, status=PostStatus.PENDING))
    _deliver(app)
    _waiting(app, _post(app, world, world.member.id, status=PostStatus.PENDING))
    _deliver(app)
    _deliver(app, minutes_later=14)

    for address in ("moderator@example.org", "facilitator@example.org"):
        [message] = smtp.inbox.to(address)
        assert message["Subject"] == "1 post is waiting for approval in Communicating assemblies"
        assert "http://localhost/moderation/?set=comms" in _text(message)
    assert smtp.inbox.to("member@example.org") == []

    _deliver(app, minutes_later=16)
    for address in ("moderator@example.org", "facilitator@example.org"):
        later = smtp.inbox.to(address)[1]
        assert later["Subject"] == "2 posts are waiting for approval in Communicating assemblies"


def test_waiting_posts_queued_together_are_counted_in_one_email(app, world, smtp):
    for _ in range(3):
        _waiting(app, _post(app, world, world.member.id, status=PostStatus.PENDING))
    _deliver(app)
    [message] = smtp.inbox.to("moderator@example.org")
    assert message["Subject"] == "3 posts are waiting for approval in Communicating assemblies"


def test_no_batched_email_when_nothing_waits_any_more(app, world, smtp):
    first = _post(app, world, world.member.id, status=PostStatus.PENDING)
    _waiting(app, first)
    _deliver(app)
    second = _post(app, world, world.member.id, status=PostStatus.PENDING)
    _waiting(app, second)
    for post_id in (first, second):
        _approve(app, post_id, world.moderator.id)
    _deliver(app, minutes_later=16)
    assert len(smtp.inbox.to("moderator@example.org")) == 1


# --- daily digest ----------------------------------------------------------------------------

def test_daily_digest_sends_unread_notifications_once(app, world, runner, smtp):
    # Replies default to the daily summary.
    reply_id = _post(app, world, world.moderator.id, parent_id=_opening_post_id(app, world),
                     body="We called ours the People's Panel.")
    with app.app_context():
        service.notify_reply(db.session, db.session.get(Post, reply_id))
        db.session.commit()
    _deliver(app)
    assert smtp.inbox.messages == []

    result = runner.invoke(args=["notifications", "send-digests"])
    assert result.exit_code == 0, result.output
    assert "Queued 1 daily summary." in result.output
    [message] = smtp.inbox.to("member@example.org")
    assert message["Subject"] == "Your daily summary: 1 new notification"
    text = _text(message)
    assert "Mia Moderator replied to your post in “Naming the assembly”." in text
    assert f"http://localhost/threads/{world.thread.id}?post={reply_id}#post-{reply_id}" in text
    assert _unsubscribe_url(message)

    runner.invoke(args=["notifications", "send-digests"])
    assert len(smtp.inbox.to("member@example.org")) == 1



def test_a_digest_run_while_the_person_saves_their_settings_goes_on(app, world, runner, smtp):
    """The daily run finds no stored settings for someone who saves theirs at that moment:
    their digest is still sent and recorded on their one row, and the run goes on (it stopped
    with a 500-like error for everyone after them)."""
    from sqlalchemy import insert

    reply_id = _post(app, world, world.moderator.id, parent_id=_opening_post_id(app, world))
    with app.app_context():
        service.notify_reply(db.session, db.session.get(Post, reply_id))
        db.session.commit()

    from sqlalchemy import event
    from sqlalchemy.orm import Session

    lookups = []

    def saved_meanwhile(state):
        # The run looks the person's settings up twice (to read, then to store); the person's
        # own save commits just after the second lookup found none.
        if not (state.is_select and any(mapper.class_ is NotificationPreference
                                        for mapper in state.all_mappers)):
            return None
        lookups.append(state)
        if len(lookups) != 2:
            return None
        found = state.invoke_statement().freeze()
        defaults = preferences.default_preferences(world.member.id)
        state.session.connection().execute(insert(NotificationPreference).values(
            {column.key: getattr(defaults, column.key)
             for column in NotificationPreference.__table__.columns
             if getattr(defaults, column.key) is not None}))
        return found()

    event.listen(Session, "do_orm_execute", saved_meanwhile)
    try:
        result = runner.invoke(args=["notifications", "send-digests"])
    finally:
        event.remove(Session, "do_orm_execute", saved_meanwhile)
    assert result.exit_code == 0, result.output
    assert len(smtp.inbox.to("member@example.org")) == 1
    with app.app_context():
        [saved] = db.session.scalars(select(NotificationPreference)).all()
        assert saved.user_id == world.member.id and saved.last_digest_at is not None

def test_digest_leaves_out_notifications_already_read(app, world, client, runner, smtp):
    reply_id = _post(app, world, world.moderator.id, parent_id=_opening_post_id(app, world))
    with app.app_context():
        service.notify_reply(db.session, db.session.get(Post, reply_id))
        db.session.commit()
    client.sign_in_as(world.member)
    client.post("/notifications/mark-all-read")
    result = runner.invoke(args=["notifications", "send-digests"])
    assert "Queued 0 daily summaries." in result.output
    assert smtp.inbox.messages == []


# --- failures --------------------------------------------------------------------------------

def _add_approve_route(app: Flask) -> None:
    """A stand-in for the moderation view: change the post, notify, commit once."""
    from flask import redirect

    def approve(post_id: int):
        post = db.session.get(Post, post_id)
        post.status = PostStatus.APPROVED
        moderator = db.session.scalar(select(User).where(User.email == "moderator@example.org"))
        service.notify_post_approved(db.session, post, moderator)
        db.session.commit()
        return redirect(f"/threads/{post.thread_id}")

    app.add_url_rule("/test/approve/<int:post_id>", "test_approve", approve, methods=["POST"])


def test_web_request_only_queues_and_the_background_sender_delivers(app, world, client, smtp):
    _add_approve_route(app)
    sender = BackgroundSender(app, interval=60)
    app.extensions[SENDER_KEY] = sender
    post_id = _post(app, world, world.member.id, status=PostStatus.PENDING)
    try:
        client.sign_in_as(world.moderator)
        response = client.post(f"/test/approve/{post_id}")
        assert response.status_code == 302
        deadline = time.monotonic() + 10
        while not smtp.inbox.to("member@example.org") and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        sender.stop(timeout=10)
    assert len(smtp.inbox.to("member@example.org")) == 1
    [row] = _outbox(app)
    assert row.sent_at is not None and row.attempts == 1


def test_smtp_failure_keeps_the_email_retries_it_and_the_request_still_succeeds(
        app, world, client, smtp, caplog):
    _add_approve_route(app)
    smtp.stop()
    post_id = _post(app, world, world.member.id, status=PostStatus.PENDING)

    client.sign_in_as(world.moderator)
    response = client.post(f"/test/approve/{post_id}")
    assert response.status_code == 302
    with app.app_context():
        assert db.session.get(Post, post_id).status == PostStatus.APPROVED
        assert db.session.scalar(select(Notification.id)) is not None
    [row] = _outbox(app)
    assert row.sent_at is None and row.attempts == 0  # the request never tried to send

    assert _deliver(app).failed == 1
    [row] = _outbox(app)
    assert row.sent_at is None and row.given_up_at is None
    assert row.attempts == 1
    assert "ConnectionRefusedError" in row.last_error
    assert "Could not send outbox email" in caplog.text

    smtp.start()
    assert _deliver(app).sent == 0  # not due yet: retried after a pause
    assert _deliver(app, minutes_later=2).sent == 1
    [message] = smtp.inbox.to("member@example.org")
    assert "was approved" in message["Subject"]
    [row] = _outbox(app)
    assert row.sent_at is not None and row.attempts == 2


def test_send_pending_command_retries_failed_emails(app, world, runner, smtp):
    """A run that could not send exits non-zero (a systemd timer's unit shows as failed) with
    one line on stderr saying how many and why; the email stays queued and the next run, the
    server back, sends it and exits 0."""
    smtp.stop()
    post_id = _post(app, world, world.member.id, status=PostStatus.PENDING)
    _approve(app, post_id, world.moderator.id)
    result = runner.invoke(args=["notifications", "send-pending"])
    assert result.exit_code == 1 and result.stdout == ""
    [line] = result.stderr.splitlines()
    assert line.startswith("Error: Could not send 1 of 1 due email (")
    assert "refused" in line.lower() or "connect" in line.lower(), line
    assert line.endswith("it stays queued and is retried later. Sent 0, skipped 0."), line
    smtp.start()
    with app.app_context():
        db.session.execute(QueuedEmail.__table__.update().values(next_attempt_at=utcnow()))
        db.session.commit()
    result = runner.invoke(args=["notifications", "send-pending"])
    assert result.exit_code == 0 and "Sent 1, failed 0" in result.output
    assert len(smtp.inbox.to("member@example.org")) == 1


def test_send_pending_says_when_a_failed_email_is_given_up(app, world, runner, smtp):
    from forum.outbox import MAX_ATTEMPTS

    smtp.stop()
    post_id = _post(app, world, world.member.id, status=PostStatus.PENDING)
    _approve(app, post_id, world.moderator.id)
    with app.app_context():
        db.session.execute(QueuedEmail.__table__.update().values(attempts=MAX_ATTEMPTS - 1))
        db.session.commit()
    result = runner.invoke(args=["notifications", "send-pending"])
    assert result.exit_code == 1
    [line] = result.stderr.splitlines()
    assert f"1 was given up after {MAX_ATTEMPTS} attempts" in line
    assert "notifications retry-given-up" in line and "retried later" not in line


def test_email_is_given_up_after_many_failures_but_the_row_is_kept(app, world, smtp):
    from forum.outbox import MAX_ATTEMPTS

    smtp.stop()
    post_id = _post(app, world, world.member.id, status=PostStatus.PENDING)
    _approve(app, post_id, world.moderator.id)
    for attempt in range(MAX_ATTEMPTS + 2):
        _deliver(app, minutes_later=60 * 24 * (attempt + 1))
    [row] = _outbox(app)
    assert row.attempts == MAX_ATTEMPTS
    assert row.given_up_at is not None and row.sent_at is None
    assert re.search(r"Connection", row.last_error)


def test_email_settings_saved_twice_at_once_keep_the_second_choice(app, world, client,
                                                                    monkeypatch):
    """Both saves find no stored settings before either is written (the button pressed
    twice, or the email's unsubscribe link with it): the second is saved too (not a 500 from
    the primary key), on the one row."""
    from sqlalchemy import insert

    def saved_meanwhile(session, user_id):
        defaults = preferences.default_preferences(user_id)
        session.execute(insert(NotificationPreference).values(
            {column.key: getattr(defaults, column.key)
             for column in NotificationPreference.__table__.columns
             if getattr(defaults, column.key) is not None}))
        return None

    monkeypatch.setattr(preferences, "_stored_preferences", saved_meanwhile)
    client.sign_in_as(world.member)
    response = client.post("/notifications/settings", data={
        "decisions": "off", "replies": "off", "meetings": "off", "events": "off"})
    assert response.status_code == 302
    assert "Your email settings are saved." in client.get(response.headers["Location"]).text
    with app.app_context():
        [saved] = db.session.scalars(select(NotificationPreference)).all()
        assert (saved.user_id, saved.meetings) == (world.member.id, EmailMode.OFF)
