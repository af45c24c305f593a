"""Sending queued email through SMTP, or into the outbox folder when no mail server is set."""

from __future__ import annotations

import socket
from email import message_from_bytes
from email import policy
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import select

from forum.extensions import db
from forum.mail import outbox_messages
from forum.models import QueuedEmail
from forum.outbox import deliver_pending
from forum.outbox import queue_email
from forum.urls import external_url
from tests.mailbox import sent_messages


def _free_port() -> int:
    # aiosmtpd's Controller(port=0) cannot check that it started, so choose a port ourselves.
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Collector:
    def __init__(self) -> None:
        self.envelopes: list = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's name)
        self.envelopes.append(envelope)
        return "250 Message accepted for delivery"


@pytest.fixture
def smtp_server():
    collector = Collector()
    controller = Controller(collector, hostname="127.0.0.1", port=_free_port())
    controller.start()
    try:
        yield controller, collector
    finally:
        controller.stop()


def _queue(app, **values) -> None:
    with app.app_context():
        queue_email(db.session, kind="test", **values)
        db.session.commit()


def test_without_a_mail_server_messages_land_in_the_outbox(app):
    _queue(app, to="fran@example.org", subject="Hello", text_body="Plain words",
           html_body="<p>Rich words</p>")
    assert deliver_pending(app).sent == 1
    with app.app_context():
        files = list((Path(app.instance_path) / "outbox").glob("*.eml"))
        assert len(files) == 1
        (message,) = outbox_messages()
    assert message["To"] == "fran@example.org"
    assert message["From"] == app.config["MAIL_DEFAULT_SENDER"]
    assert message["Subject"] == "Hello"
    assert message.get_body(preferencelist=("plain",)).get_content().strip() == "Plain words"
    assert "<p>Rich words</p>" in message.get_body(preferencelist=("html",)).get_content()


def test_text_only_message_has_no_html_part(app):
    _queue(app, to="fran@example.org", subject="Plain", text_body="Only text")
    (message,) = sent_messages(app)
    assert not message.is_multipart()
    assert message.get_content_type() == "text/plain"


def test_with_a_mail_server_messages_go_over_smtp(app, smtp_server):
    controller, collector = smtp_server
    app.config.update(MAIL_SERVER=controller.hostname, MAIL_PORT=controller.port)
    _queue(app, to="fran@example.org", subject="Über hello",
           text_body="Plain words – with a dash", html_body="<p>Rich</p>")
    assert sent_messages(app) == []  # nothing in the folder: it went over SMTP
    (envelope,) = collector.envelopes
    assert envelope.rcpt_tos == ["fran@example.org"]
    message = message_from_bytes(envelope.content, policy=policy.default)
    assert message["Subject"] == "Über hello"
    assert "with a dash" in message.get_body(preferencelist=("plain",)).get_content()


def test_password_reset_email_arrives_over_smtp_with_a_working_link(app, client, world,
                                                                    smtp_server):
    controller, collector = smtp_server
    app.config.update(MAIL_SERVER=controller.hostname, MAIL_PORT=controller.port)
    client.post("/password/forgot", data={"email": "member@example.org"})
    assert collector.envelopes == []  # the request only queued it
    deliver_pending(app)
    (envelope,) = collector.envelopes
    message = message_from_bytes(envelope.content, policy=policy.default)
    assert envelope.rcpt_tos == ["member@example.org"]
    text = message.get_body(preferencelist=("plain",)).get_content()
    link = next(word for word in text.split() if "/password/reset/" in word)
    assert link.startswith("http://localhost/password/reset/")
    assert client.get(link.removeprefix("http://localhost")).status_code == 200


def test_mail_server_failure_is_logged_and_kept_not_raised(app, caplog):
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=_free_port())
    _queue(app, to="fran@example.org", subject="Lost", text_body="x")
    assert deliver_pending(app).failed == 1
    assert "Could not send outbox email" in caplog.text
    with app.app_context():
        row = db.session.scalar(select(QueuedEmail))
        assert row.sent_at is None and row.given_up_at is None and row.last_error


def test_pages_still_answer_when_the_mail_server_is_down(app, client, world):
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=_free_port())
    response = client.post("/password/forgot", data={"email": "member@example.org"})
    assert response.status_code == 200
    assert "Check your email" in response.get_data(as_text=True)


def test_links_in_emails_use_the_public_base_url(app):
    app.config["PUBLIC_BASE_URL"] = "https://forum.example.org/"
    with app.app_context():
        assert external_url("auth.sign_in") == "https://forum.example.org/sign-in"
        assert external_url("threads.show", thread_id=3, _anchor="post-4") == (
            "https://forum.example.org/threads/3#post-4")


def test_without_a_public_base_url_links_follow_the_development_server_port(app, client):
    """`flask run --port 5187`: the served port, from the server's socket, not the Host header."""
    app.config["PUBLIC_BASE_URL"] = None
    with app.app_context():
        assert external_url("auth.sign_in") == "http://127.0.0.1:5000/sign-in"
    client.get("/", headers={"Host": "evil.example"}, environ_overrides={
        "SERVER_SOFTWARE": "Werkzeug/3.1", "SERVER_NAME": "127.0.0.1", "SERVER_PORT": "5187"})
    with app.app_context():
        assert external_url("auth.sign_in") == "http://127.0.0.1:5187/sign-in"


def test_other_servers_never_set_the_address_from_a_request(app, client):
    app.config["PUBLIC_BASE_URL"] = None
    client.get("/", headers={"Host": "evil.example:8443"},
               environ_overrides={"SERVER_SOFTWARE": "gunicorn/23",
                                  "SERVER_NAME": "evil.example", "SERVER_PORT": "8443"})
    with app.app_context():
        assert "evil" not in external_url("auth.sign_in")
