"""Sending email: SMTP when ``MAIL_SERVER`` is set, otherwise ``.eml`` files in the outbox.

The outbox (``<instance_path>/outbox/``) lets a demo or a development install work without a
mail server: every message is written there and the log says where. Sending never raises to the
caller; a failure is logged and reported as ``False`` so a page never fails with a 500 because
mail is down.
"""

from __future__ import annotations

import logging
import secrets
import smtplib
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from email.utils import formatdate
from email.utils import make_msgid
from pathlib import Path
from typing import Any

from flask import current_app
from flask import render_template

log = logging.getLogger(__name__)


def outbox_dir() -> Path:
    return Path(current_app.instance_path) / "outbox"


def public_url(endpoint: str, **values: Any) -> str:
    """An absolute URL for links in emails, built from ``PUBLIC_BASE_URL``.

    Works inside a request and from the command line alike, and ignores the host the request
    happened to arrive on (which a visitor controls).
    """
    adapter = current_app.url_map.bind("localhost", script_name="/")
    path = adapter.build(endpoint, values, force_external=False)
    base = str(current_app.config["PUBLIC_BASE_URL"]).rstrip("/")
    return base + path


def build_message(*, to: str, subject: str, text_body: str,
                  html_body: str | None = None) -> EmailMessage:
    config = current_app.config
    message = EmailMessage()
    message["From"] = config["MAIL_DEFAULT_SENDER"]
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = formatdate(localtime=False, usegmt=True)
    sender = str(config["MAIL_DEFAULT_SENDER"])
    domain = sender.rsplit("@", 1)[-1].strip(" >") if "@" in sender else None
    message["Message-ID"] = make_msgid(domain=domain)
    message.set_content(text_body)
    if html_body is not None:
        message.add_alternative(html_body, subtype="html")
    return message


def _send_smtp(message: EmailMessage) -> None:
    config = current_app.config
    with smtplib.SMTP(config["MAIL_SERVER"], int(config["MAIL_PORT"]), timeout=10) as smtp:
        if config["MAIL_USE_TLS"]:
            smtp.starttls()
        if config["MAIL_USERNAME"]:
            smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"] or "")
        smtp.send_message(message)


def _write_to_outbox(message: EmailMessage) -> Path:
    directory = outbox_dir()
    directory.mkdir(parents=True, exist_ok=True)
    from forum.models import utcnow

    name = f"{utcnow():%Y%m%d-%H%M%S}-{secrets.token_hex(4)}.eml"
    path = directory / name
    path.write_bytes(message.as_bytes())
    return path


def outbox_messages() -> list[EmailMessage]:
    """The messages written to the outbox, oldest first (for the demo and for tests)."""
    directory = outbox_dir()
    if not directory.is_dir():
        return []
    paths = sorted(directory.glob("*.eml"), key=lambda p: (p.stat().st_mtime_ns, p.name))
    parser = BytesParser(policy=policy.default)
    messages = []
    for path in paths:
        with path.open("rb") as handle:
            messages.append(parser.parse(handle))
    return messages  # type: ignore[return-value]


def send_email(*, to: str, subject: str, text_body: str, html_body: str | None = None) -> bool:
    """Send one message; ``True`` if it was handed over (to SMTP or the outbox)."""
    message = build_message(to=to, subject=subject, text_body=text_body, html_body=html_body)
    try:
        send_message(message)
    except (OSError, smtplib.SMTPException):
        log.exception("Could not send email %r to %s", subject, to)
        return False
    return True


def send_templated_email(template: str, *, to: str, subject: str, **context: Any) -> bool:
    """:func:`send_email` with bodies from ``email/<template>.txt`` and ``.html``.

    The templates get ``site_name`` unless the caller passes it.
    """
    context.setdefault("site_name", current_app.config["SITE_NAME"])
    return send_email(to=to, subject=subject,
                      text_body=render_template(f"email/{template}.txt", **context),
                      html_body=render_template(f"email/{template}.html", **context))


def send_message(message: EmailMessage) -> None:
    """Hand over a built message (SMTP or the outbox directory), raising if that fails.

    For callers that keep the message and retry later (the notifications outbox); everyone
    else wants :func:`send_email`, which never raises.
    """
    if current_app.config.get("MAIL_SERVER"):
        _send_smtp(message)
        log.info("Sent email %r to %s", message["Subject"], message["To"])
    else:
        path = _write_to_outbox(message)
        log.info("MAIL_SERVER is not set: wrote email %r to %s", message["Subject"], path)
