"""A set's meetings: scheduling, the agenda, the .ics invitation, what is due for review and,
afterwards, the notes."""

from flask import Blueprint

bp = Blueprint("meetings", __name__)

from forum.meetings import views  # noqa: E402,F401
