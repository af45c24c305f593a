"""Where an action stands on known dates, and the SQL form of the same rule agreeing."""

from __future__ import annotations

from datetime import date
from datetime import datetime

import pytest
from sqlalchemy import select

from forum.actions.states import ActionStatus
from forum.actions.states import action_status
from forum.actions.states import status_filter
from forum.actions.states import uk_today
from forum.extensions import db
from forum.models import Action
from forum.models import ActionState
from tests import factories

TODAY = date(2026, 3, 10)


@pytest.mark.parametrize(("state", "due_on", "expected"), [
    (ActionState.OPEN, date(2026, 4, 1), ActionStatus.OPEN),
    (ActionState.OPEN, date(2026, 3, 18), ActionStatus.OPEN),        # 8 days away
    (ActionState.OPEN, date(2026, 3, 17), ActionStatus.DUE_SOON),    # 7 days away
    (ActionState.OPEN, date(2026, 3, 10), ActionStatus.DUE_SOON),    # due today
    (ActionState.OPEN, date(2026, 3, 9), ActionStatus.OVERDUE),      # due yesterday
    (ActionState.DONE, date(2026, 3, 1), ActionStatus.DONE),         # done late: still done
    (ActionState.PARTLY_DONE, date(2026, 4, 1), ActionStatus.PARTLY_DONE),
    (ActionState.DROPPED, date(2026, 3, 9), ActionStatus.DROPPED),
])
def test_action_status_on_known_dates(state, due_on, expected):
    assert action_status(state, due_on, TODAY) == expected


def test_today_is_the_uk_date():
    # 23:30 UTC on 31 March 2026 is already 1 April in London (BST); in January it is not.
    assert uk_today(datetime(2026, 3, 31, 23, 30)) == date(2026, 4, 1)
    assert uk_today(datetime(2026, 1, 31, 23, 30)) == date(2026, 1, 31)


def test_the_status_filter_agrees_with_action_status(app):
    with app.app_context():
        holder = factories.make_user()
        learning_set = factories.make_set(facilitator=holder)
        challenge = factories.make_challenge(learning_set, holder)
        cases = [(state, date(2026, 3, day)) for state in ActionState for day in (1, 9, 10, 17,
                                                                                   18, 31)]
        actions = [factories.make_action(challenge, due_on, state=state)
                   for state, due_on in cases]
        for status in ActionStatus:
            expected = {a.id for a in actions if action_status(a.state, a.due_on, TODAY) == status}
            found = set(db.session.scalars(select(Action.id).where(status_filter(status, TODAY))))
            assert found == expected, status
        db.session.rollback()
