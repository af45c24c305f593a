"""A set's meetings: who reads them, who schedules them and writes their notes."""

from __future__ import annotations

from sqlalchemy import ColumnElement

from forum.models import LearningSet
from forum.models import Meeting
from forum.permissions.roles import AnyUser
from forum.permissions.roles import is_facilitator
from forum.permissions.sets import can_view_set
from forum.permissions.sets import readable_filter


def can_view_meeting(user: AnyUser, meeting: Meeting) -> bool:
    """A meeting (its time, place, agenda and notes) is read by whoever may read its set."""
    return can_view_set(user, meeting.learning_set)


def visible_meetings_filter(user: AnyUser) -> ColumnElement[bool]:
    """:func:`can_view_meeting` as a WHERE clause over :class:`Meeting`."""
    return readable_filter(user, Meeting.learning_set_id)


def can_run_meetings(user: AnyUser, learning_set: LearningSet) -> bool:
    """Schedule, move and cancel a set's meetings and write their notes: its facilitators
    (and the site's admins)."""
    return is_facilitator(user, learning_set)
