"""Where an action stands on a given day: open, due soon, overdue, done, partly done, dropped.

The stored :class:`~forum.models.ActionState` says what the holder's approved updates settled;
for an action still open, the day (in the UK, where the sets meet) decides whether it is due
soon or overdue. One function answers for one action and one builds the same rule as SQL, so
the page's filter and its tags never disagree.
"""

from __future__ import annotations

import enum
from datetime import UTC
from datetime import date
from datetime import datetime
from datetime import timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement
from sqlalchemy import and_

from forum.models import Action
from forum.models import ActionState
from forum.models import utcnow

DUE_SOON_DAYS = 7
# Where the sets meet. (Not forum.events.times: importing the events area loads its views, and
# this module is imported by the notifications area, which must not load the areas above it.)
UK = ZoneInfo("Europe/London")


class ActionStatus(enum.StrEnum):
    OPEN = "open"
    DUE_SOON = "due_soon"
    OVERDUE = "overdue"
    DONE = "done"
    PARTLY_DONE = "partly_done"
    DROPPED = "dropped"

    @property
    def label(self) -> str:
        return LABELS[self]

    @property
    def tag_class(self) -> str:
        return TAG_CLASSES[self]


LABELS = {
    ActionStatus.OPEN: "Open",
    ActionStatus.DUE_SOON: "Due soon",
    ActionStatus.OVERDUE: "Overdue",
    ActionStatus.DONE: "Done",
    ActionStatus.PARTLY_DONE: "Partly done",
    ActionStatus.DROPPED: "Dropped",
}
TAG_CLASSES = {
    ActionStatus.OPEN: "govuk-tag--blue",
    ActionStatus.DUE_SOON: "govuk-tag--yellow",
    ActionStatus.OVERDUE: "govuk-tag--red",
    ActionStatus.DONE: "govuk-tag--green",
    ActionStatus.PARTLY_DONE: "govuk-tag--turquoise",
    ActionStatus.DROPPED: "govuk-tag--grey",
}
SETTLED = {ActionState.DONE: ActionStatus.DONE, ActionState.PARTLY_DONE: ActionStatus.PARTLY_DONE,
           ActionState.DROPPED: ActionStatus.DROPPED}


def uk_today(now: datetime | None = None) -> date:
    """Today's date on UK clocks (``now`` is naive UTC, as stored)."""
    return (now or utcnow()).replace(tzinfo=UTC).astimezone(UK).date()


def action_status(state: ActionState, due_on: date, today: date) -> ActionStatus:
    """The status shown for an action: settled by an update, or open and placed by its date."""
    if state in SETTLED:
        return SETTLED[state]
    if due_on < today:
        return ActionStatus.OVERDUE
    if due_on <= today + timedelta(days=DUE_SOON_DAYS):
        return ActionStatus.DUE_SOON
    return ActionStatus.OPEN


def status_filter(status: ActionStatus, today: date) -> ColumnElement[bool]:
    """:func:`action_status` equals ``status``, as a WHERE clause over :class:`Action`."""
    for state, settled in SETTLED.items():
        if settled == status:
            return Action.state == state
    still_open = Action.state == ActionState.OPEN
    soon = today + timedelta(days=DUE_SOON_DAYS)
    if status == ActionStatus.OVERDUE:
        return and_(still_open, Action.due_on < today)
    if status == ActionStatus.DUE_SOON:
        return and_(still_open, Action.due_on >= today, Action.due_on <= soon)
    return and_(still_open, Action.due_on > soon)
