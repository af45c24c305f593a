"""Notifications: in-app notices, email preferences, the email outbox and digests."""

from flask import Blueprint

bp = Blueprint("notifications", __name__)

from forum.notifications import cli  # noqa: E402,F401
from forum.notifications import views  # noqa: E402,F401
