"""The demo's dates read like a network in use, whenever and whatever day it is loaded: posts on
working days in office hours, the network's events and the set's meetings around the day it is
loaded, and every timestamp after the one it answers."""

from __future__ import annotations

from datetime import UTC
from datetime import date
from datetime import datetime
from datetime import timedelta

import pytest
from sqlalchemy import select

from forum.demo import load_demo
from forum.demo.days import office_time
from forum.demo.days import working_days_from
from forum.extensions import db
from forum.models import Action
from forum.models import ActionState
from forum.models import ActionUpdate
from forum.models import Event
from forum.models import Meeting
from forum.models import ModerationAction
from forum.models import NetworkRequest
from forum.models import Post
from forum.models import Thread
from forum.times import to_local


def _to_come(moment: datetime) -> datetime:
    """``moment``, or the same date and weekday 28 years on (the calendar repeats) once it has
    passed: the demo's people sign up for its coming events on the real clock, which refuses
    an event already held, so a fixed date in the past failed every load from that day on."""
    while moment <= datetime.now(UTC).replace(tzinfo=None):
        moment = moment.replace(year=moment.year + 28)
    return moment


# A Wednesday afternoon, a Saturday before dawn, a Monday before work, a Sunday in summer, and
# the mornings after the clocks change (an Easter Monday, then an autumn Monday).
LOADED_AT = [_to_come(moment) for moment in (
    datetime(2026, 12, 2, 14, 30), datetime(2026, 12, 5, 3, 20), datetime(2027, 3, 8, 7, 0),
    datetime(2027, 7, 18, 22, 45), datetime(2027, 3, 29, 8, 20), datetime(2026, 10, 26, 9, 20))]


@pytest.fixture(params=LOADED_AT, ids=lambda at: f"{at:%a-%Y-%m-%d-%H%M}")
def loaded(app, request):
    now = request.param
    with app.app_context():
        load_demo(db.session, "velvet-harbour-sixteen-crane", now=now)
        db.session.flush()
        yield now
        db.session.rollback()


def _local(moment: datetime) -> datetime:
    return to_local(moment).replace(tzinfo=None)


def test_every_demo_post_is_written_on_a_working_day_in_office_hours(loaded):
    posts = db.session.scalars(select(Post)).all()
    weekend = [f"{_local(post.created_at):%A %H:%M} {post.body_source[:30]!r}"
               for post in posts if _local(post.created_at).weekday() >= 5]
    assert weekend == []
    hours = [_local(post.created_at).hour for post in posts]
    assert all(8 <= hour < 20 for hour in hours), sorted(hours)
    # A few replies in the early evening are fine; most are sent in the working day.
    assert sum(9 <= hour < 18 for hour in hours) >= 0.9 * len(hours)
    assert max(post.created_at for post in posts) <= loaded


def test_requests_to_join_and_topics_are_sent_on_working_days(loaded):
    from forum.models import EventTopic
    times = db.session.scalars(select(NetworkRequest.created_at)).all()
    times += db.session.scalars(select(EventTopic.created_at)).all()
    assert times and all(_local(at).weekday() < 5 and 8 <= _local(at).hour < 20 for at in times)


def test_what_the_demo_itself_did_is_dated_in_office_hours_before_it_was_loaded(loaded):
    """A report, notifications and the guide's publication were stamped with the clock: on a
    Saturday night load, "5 December 2026 at 03:37" beside posts written in office hours."""
    from forum.models import GuideVersion
    from forum.models import Notification
    from forum.models import Report
    times = db.session.scalars(select(Report.created_at)).all()
    times += db.session.scalars(select(Notification.created_at)).all()
    times += db.session.scalars(select(GuideVersion.published_at)).all()
    assert len(times) >= 3
    odd = sorted({f"{_local(at):%A %H:%M}" for at in times if _local(at).weekday() >= 5
                  or not 9 <= _local(at).hour < 18 or at > loaded})
    assert odd == []


def test_the_networks_events_sit_around_the_day_the_demo_is_loaded(loaded):
    events = db.session.scalars(select(Event)).all()
    past = [event for event in events if event.starts_at < loaded]
    upcoming = [event for event in events if event.starts_at > loaded]
    # Held within the last six months, most with their notes or a recording...
    assert len(past) >= 4
    assert all(loaded - event.starts_at <= timedelta(days=190) for event in past)
    assert sum(bool(event.materials) for event in past) >= 4
    assert any(loaded - event.starts_at <= timedelta(days=31) for event in past)
    # ...and some still to come, within the next few months.
    assert len(upcoming) >= 2
    assert all(event.starts_at - loaded <= timedelta(days=75) for event in upcoming)
    assert all(_local(event.starts_at).weekday() < 5 for event in events)


def test_the_sets_meetings_are_one_just_held_with_notes_and_one_ahead(loaded):
    meetings = db.session.scalars(select(Meeting).order_by(Meeting.starts_at)).all()
    held, ahead = meetings
    assert timedelta(0) < loaded - held.starts_at <= timedelta(days=21) and held.notes_source
    assert timedelta(0) < ahead.starts_at - loaded <= timedelta(days=21)
    assert held.ends_at < held.notes_at <= loaded


def test_demo_timestamps_keep_their_order(loaded):
    posts = {post.id: post for post in db.session.scalars(select(Post))}
    for post in posts.values():
        if post.parent_id is not None:
            assert post.created_at > posts[post.parent_id].created_at, post.body_source[:40]
    for thread in db.session.scalars(select(Thread)):
        assert thread.created_at <= thread.last_activity_at <= loaded
    for action in db.session.scalars(select(ModerationAction)):
        target = posts[action.post_id].created_at if action.post_id else (
            db.session.get(Thread, action.thread_id).created_at)
        assert target < action.created_at <= loaded, action.action
    from forum.models import Report
    for report in db.session.scalars(select(Report)):
        assert posts[report.post_id].created_at < report.created_at <= loaded
    for update in db.session.scalars(select(ActionUpdate)):
        action = db.session.get(Action, update.action_id)
        assert action.created_at < update.created_at <= loaded
        # Reported done before it was due: the demo's done action is not a late one.
        assert _local(update.created_at).date() <= action.due_on
    # The open action was due a few working days ago: the challenge shows it overdue.
    overdue = db.session.scalars(select(Action).where(Action.state == ActionState.OPEN)).all()
    assert overdue and all(action.due_on < _local(loaded).date() for action in overdue)
    assert all(action.due_on.weekday() < 5 for action in db.session.scalars(select(Action)))


@pytest.mark.parametrize(("day", "count", "expected"), [
    (date(2026, 12, 7), -1, date(2026, 12, 4)),   # Monday, one working day back: Friday
    (date(2026, 12, 4), 1, date(2026, 12, 7)),    # Friday, one on: Monday
    (date(2026, 12, 5), -1, date(2026, 12, 4)),   # Saturday, one back: Friday
    (date(2026, 12, 2), -5, date(2026, 11, 25)),  # a working week back: the same weekday
])
def test_working_days_skip_weekends(day, count, expected):
    assert working_days_from(day, count) == expected


def test_a_reply_a_day_after_a_friday_post_comes_on_monday_at_the_same_time():
    now = datetime(2026, 12, 9, 15, 0)  # Wednesday
    friday = office_time(now, 3)
    monday = office_time(now, 3, 24)
    assert f"{_local(friday):%A %H:%M}" == "Friday 09:15"
    assert f"{_local(monday):%A %H:%M}" == "Monday 09:15"
