"""Reading the email a test caused: deliver the outbox as the background sender would."""

from __future__ import annotations

from email.message import EmailMessage

from flask import Flask

from forum.mail import outbox_messages
from forum.outbox import deliver_pending


def sent_messages(app: Flask) -> list[EmailMessage]:
    """Send what is due in the outbox (into the folder), then every message there, oldest first."""
    deliver_pending(app)
    with app.app_context():
        return outbox_messages()
