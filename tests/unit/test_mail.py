"""Sending email through SMTP, or into the outbox folder when no mail server is configured."""

from __future__ import annotations

import socket
from email import message_from_bytes
from email import policy
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller

from forum.mail import outbox_messages
from forum.mail import public_url
from forum.mail import send_email


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


def test_without_a_mail_server_messages_land_in_the_outbox(app):
    with app.app_context():
        assert send_email(to="fran@example.org", subject="Hello",
                          text_body="Plain words", html_body="<p>Rich words</p>")
        files = list((Path(app.instance_path) / "outbox").glob("*.eml"))
        assert len(files) == 1
        (message,) = outbox_messages()
    assert message["To"] == "fran@example.org"
    assert message["From"] == app.config["MAIL_DEFAULT_SENDER"]
    assert message["Subject"] == "Hello"
    assert message.get_body(preferencelist=("plain",)).get_content().strip() == "Plain words"
    assert "<p>Rich words</p>" in message.get_body(preferencelist=("html",)).get_content()


def test_text_only_message_has_no_html_part(app):
    with app.app_context():
        send_email(to="fran@example.org", subject="Plain", text_body="Only text")
        (message,) = outbox_messages()
    assert not message.is_multipart()
    assert message.get_content_type() == "text/plain"


def test_with_a_mail_server_messages_go_over_smtp(app, smtp_server):
    controller, collector = smtp_server
    app.config.update(MAIL_SERVER=controller.hostname, MAIL_PORT=controller.port)
    with app.app_context():
        assert send_email(to="fran@example.org", subject="Über hello",
                          text_body="Plain words – with a dash", html_body="<p>Rich</p>")
        assert outbox_messages() == []
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
    (envelope,) = collector.envelopes
    message = message_from_bytes(envelope.content, policy=policy.default)
    assert envelope.rcpt_tos == ["member@example.org"]
    text = message.get_body(preferencelist=("plain",)).get_content()
    link = next(word for word in text.split() if "/password/reset/" in word)
    assert link.startswith("http://localhost/password/reset/")
    assert client.get(link.removeprefix("http://localhost")).status_code == 200


def test_mail_server_failure_is_logged_not_raised(app, caplog):
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=_free_port())
    with app.app_context():
        assert send_email(to="fran@example.org", subject="Lost", text_body="x") is False
    assert "Could not send email" in caplog.text


def test_pages_still_answer_when_the_mail_server_is_down(app, client, world):
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=_free_port())
    response = client.post("/password/forgot", data={"email": "member@example.org"})
    assert response.status_code == 200
    assert "Check your email" in response.get_data(as_text=True)


def test_links_in_emails_use_the_public_base_url(app):
    app.config["PUBLIC_BASE_URL"] = "https://forum.example.org/"
    with app.app_context():
        assert public_url("auth.sign_in") == "https://forum.example.org/sign-in"
