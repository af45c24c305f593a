"""The network's events: workshops, the conference and webinars, with sign-ups and materials."""

from flask import Blueprint

bp = Blueprint("events", __name__)

from forum.events import mail  # noqa: E402,F401
from forum.events import topic_views  # noqa: E402,F401
from forum.events import views  # noqa: E402,F401
