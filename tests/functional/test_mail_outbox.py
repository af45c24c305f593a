"""No request waits on the mail server, and no email is lost while it is away.

A "hanging" server accepts connections and never answers (the kernel completes the handshake
from the listen backlog), which is what made each email cost a request 10 seconds.
"""

from __future__ import annotations

import socket
import time
from collections.abc import Callable
from collections.abc import Iterator

import pytest
from flask import Flask
from sqlalchemy import select
from sqlalchemy import update

from forum.extensions import db
from forum.models import Post
from forum.models import PostStatus
from forum.models import QueuedEmail
from forum.models import Thread
from forum.models import User
from forum.models import utcnow
from forum.outbox import SENDER_KEY
from forum.outbox import BackgroundSender
from forum.outbox import deliver_pending
from tests import factories
from tests.mailbox import sent_messages

SMTP_TIMEOUT = 5  # seconds; every request below must answer well within it


@pytest.fixture
def hanging_smtp(app: Flask) -> Iterator[int]:
    """A mail server that accepts connections and never says a word."""
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen(64)
        port = server.getsockname()[1]
        app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=port, MAIL_TIMEOUT=SMTP_TIMEOUT)
        yield port


@pytest.fixture
def background_sender(app: Flask) -> Iterator[BackgroundSender]:
    """The web process's sender thread, as in development and production (off in tests)."""
    sender = BackgroundSender(app, interval=60)
    app.extensions[SENDER_KEY] = sender
    yield sender
    sender.stop(timeout=SMTP_TIMEOUT * 3)


def _pending_posts(app: Flask, world, count: int) -> list[int]:
    with app.app_context():
        thread = db.session.get(Thread, world.thread.id)
        member = db.session.get(User, world.member.id)
        ids = [factories.make_post(thread, member, body=f"Waiting post {n}.",
                                   status=PostStatus.PENDING).id for n in range(count)]
        db.session.commit()
        return ids


def _queued(app: Flask) -> list[QueuedEmail]:
    with app.app_context():
        rows = list(db.session.scalars(select(QueuedEmail).order_by(QueuedEmail.id)))
        for row in rows:
            db.session.expunge(row)
        return rows


def _timed(send: Callable[[], object]) -> tuple[float, object]:
    start = time.perf_counter()
    result = send()
    return time.perf_counter() - start, result


def _mail_server_answers_again(app: Flask) -> None:
    """The server is fixed: fall back to the outbox folder, and make every retry due now."""
    app.config["MAIL_SERVER"] = None
    with app.app_context():
        db.session.execute(update(QueuedEmail).where(QueuedEmail.sent_at.is_(None))
                           .values(next_attempt_at=utcnow()))
        db.session.commit()


def test_bulk_approval_of_ten_posts_answers_at_once_while_the_mail_server_hangs(
        app, client, world, hanging_smtp, background_sender, runner):
    post_ids = _pending_posts(app, world, 10)
    client.sign_in_as(world.moderator)
    # Each post's version travels with it: the moderator approves the text they saw.
    seen = {"post_ids": post_ids, **{f"version-{post_id}": "1" for post_id in post_ids}}
    elapsed, response = _timed(lambda: client.post("/moderation/approve-selected", data=seen))
    assert response.status_code in (302, 303)
    assert elapsed < SMTP_TIMEOUT / 2
    with app.app_context():
        statuses = db.session.scalars(select(Post.status).where(Post.id.in_(post_ids))).all()
    assert statuses == [PostStatus.APPROVED] * 10
    assert len(_queued(app)) == 10  # one "your post was approved" email per post

    background_sender.stop(timeout=SMTP_TIMEOUT * 3)
    _mail_server_answers_again(app)
    result = runner.invoke(args=["notifications", "send-pending"])
    assert "Sent 10, failed 0" in result.output
    assert [m["To"] for m in sent_messages(app)] == ["member@example.org"] * 10


@pytest.mark.parametrize("path, data, recipient", [
    ("/password/forgot", {"email": "member@example.org"}, "member@example.org"),
    ("/sets/comms/invitations", {"email": "guest@council.gov.uk", "role": "member"},
     "guest@council.gov.uk"),
])
def test_emailing_pages_answer_at_once_and_their_email_is_sent_once_the_server_answers(
        app, client, world, hanging_smtp, background_sender, path, data, recipient):
    client.sign_in_as(world.facilitator)
    second = {**data, "email": data["email"].replace("guest", "guest2")}
    for form in (data, second):  # the second comes while the sender hangs on the first email
        elapsed, response = _timed(lambda form=form: client.post(path, data=form))
        assert response.status_code in (200, 302)
        assert elapsed < SMTP_TIMEOUT / 2
    background_sender.stop(timeout=SMTP_TIMEOUT * 3)
    assert sent_messages(app) == []  # nothing was lost on the way: it all waits in the outbox
    _mail_server_answers_again(app)
    messages = sent_messages(app)
    assert recipient in [m["To"] for m in messages]
    assert all(row.sent_at is not None for row in _queued(app) if row.to_address == recipient)


@pytest.mark.parametrize("path, data, link", [
    ("/password/forgot", {"email": "member@example.org"}, "/password/reset/"),
    ("/sets/comms/invitations", {"email": "guest@council.gov.uk", "role": "member"},
     "/invitations/"),
])
def test_email_refused_by_the_server_is_retried_with_a_working_link(app, client, world, path,
                                                                    data, link):
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=closed.getsockname()[1])
    client.sign_in_as(world.facilitator)
    client.post(path, data=data)
    assert deliver_pending(app).failed == 1
    [row] = _queued(app)
    assert row.sent_at is None and row.given_up_at is None and row.attempts == 1
    assert row.next_attempt_at > utcnow()  # backs off before the next try

    _mail_server_answers_again(app)
    [message] = sent_messages(app)
    text = message.get_body(preferencelist=("plain",)).get_content()
    url = next(word for word in text.split() if link in word)
    client.sign_out()
    assert client.get(url.removeprefix("http://localhost")).status_code == 200


def test_forgot_password_takes_as_long_for_an_unknown_address_as_for_a_member(
        app, client, world, hanging_smtp, background_sender):
    def best_of_three(email: str) -> float:
        return min(_timed(lambda: client.post("/password/forgot", data={"email": email}))[0]
                   for _ in range(3))

    known = best_of_three("member@example.org")
    unknown = best_of_three("nobody@example.org")
    assert known < 0.5 and unknown < 0.5
    assert known < unknown * 10 and unknown < known * 10


def test_reset_email_for_an_unknown_or_disabled_address_is_not_sent(app, client, world):
    with app.app_context():
        db.session.get(User, world.moderator.id).is_disabled = True
        db.session.commit()
    for email in ("nobody@example.org", "moderator@example.org"):
        client.post("/password/forgot", data={"email": email})
    assert deliver_pending(app).skipped == 2
    assert sent_messages(app) == []
    assert all(row.given_up_at is not None for row in _queued(app))


def test_no_usable_link_is_stored_in_the_outbox(app, client, world):
    client.sign_in_as(world.facilitator)
    client.post("/sets/comms/invitations", data={"email": "guest@council.gov.uk",
                                                 "role": "member"})
    client.post("/password/forgot", data={"email": "member@example.org"})
    sent_messages(app)
    for row in _queued(app):
        assert row.sent_at is not None
        assert "/invitations/" not in row.text_body and "/password/" not in row.text_body


def test_an_email_composed_while_the_site_writes_is_sent_at_once(app, world, monkeypatch):
    """The sender composes an email (reading) and records the subject it composed (writing).
    A page that commits meanwhile, as any sign-in does, must not make SQLite refuse the
    sender's write ("database is locked") and hold the email back for minutes: one of the two
    waits for the other, and both get done."""
    import threading

    from sqlalchemy import text

    from forum import outbox

    page_done: list[bool] = []

    def a_page_writes() -> None:  # a request in another thread of the web process
        with app.app_context(), db.engine.begin() as page:
            page.execute(text("UPDATE users SET display_name = 'Changed meanwhile' "
                              "WHERE id = :id"), {"id": world.member.id})
        page_done.append(True)

    page = threading.Thread(target=a_page_writes)

    def compose_while_a_page_writes(session, row, user):
        session.scalar(select(Post.id))  # what is waiting, who may read it...
        page.start()
        page.join(timeout=1)  # on PostgreSQL, or before the fix, the page is done at once
        return "Composed when sent", "Text", None

    monkeypatch.setitem(outbox._PREPARERS, "walk-test", compose_while_a_page_writes)
    with app.app_context():
        outbox.queue_email(db.session, kind="walk-test", to="someone@example.org",
                           subject="Queued")
        db.session.commit()

    report = deliver_pending(app)
    page.join(timeout=30)

    assert (report.sent, report.failed) == (1, 0)
    assert page_done == [True]
    [row] = _queued(app)
    assert row.sent_at is not None and row.last_error is None
    assert row.subject == "Composed when sent"
