"""Building and handing over one email: SMTP when ``MAIL_SERVER`` is set, else ``.eml`` files.

The folder (``<instance_path>/outbox/``) lets a demo or a development install work without a
mail server: every message is written there and the log says where. Nothing here is called
from a request: emails are queued in the database outbox (:mod:`forum.outbox`) and handed over
after the response, by a background thread or ``flask notifications send-pending``.

``smtplib`` and the email parser are imported where they are used: a web worker that sends no
mail does not hold them (0.7 MiB; issue 16).
"""

from __future__ import annotations

import logging
import secrets
from email.message import EmailMessage
from email.utils import formatdate
from email.utils import make_msgid
from pathlib import Path
from typing import Any

from flask import current_app
from flask import render_template

from forum.urls import external_url

log = logging.getLogger(__name__)


def outbox_dir() -> Path:
    return Path(current_app.instance_path) / "outbox"


# Older name of :func:`forum.urls.external_url`, kept for callers not yet moved.
public_url = external_url


def render_email(template: str, **context: Any) -> tuple[str, str]:
    """The text and HTML bodies from ``email/<template>.txt`` and ``.html``.

    The templates get ``site_name`` unless the caller passes it.
    """
    context.setdefault("site_name", current_app.config["SITE_NAME"])
    return (render_template(f"email/{template}.txt", **context),
            render_template(f"email/{template}.html", **context))


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
    import smtplib

    config = current_app.config
    timeout = float(config.get("MAIL_TIMEOUT") or 10)
    with smtplib.SMTP(config["MAIL_SERVER"], int(config["MAIL_PORT"]), timeout=timeout) as smtp:
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
    from email import policy
    from email.parser import BytesParser

    parser = BytesParser(policy=policy.default)
    messages = []
    for path in paths:
        with path.open("rb") as handle:
            messages.append(parser.parse(handle))
    return messages  # type: ignore[return-value]


def send_message(message: EmailMessage) -> None:
    """Hand over a built message (SMTP or the outbox directory), raising if that fails.

    Only the outbox (:func:`forum.outbox.deliver_pending`) calls this: it keeps the message's
    row and retries it later.
    """
    if current_app.config.get("MAIL_SERVER"):
        _send_smtp(message)
        log.info("Sent email %r to %s", message["Subject"], message["To"])
    else:
        path = _write_to_outbox(message)
        log.info("MAIL_SERVER is not set: wrote email %r to %s", message["Subject"], path)
