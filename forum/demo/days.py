"""Demo dates, placed relative to the day the demo is loaded, land on working days and in office
hours: a council's lunchtime webinar or a reply on a Sunday, or a reply at 05:15, makes the demo
look invented."""

from __future__ import annotations

from datetime import date
from datetime import datetime
from datetime import time
from datetime import timedelta

from forum.times import to_local
from forum.times import to_utc

# Threads open at this time (UK) on their day; their posts follow from it.
OPENS = time(9, 15)
CLOSES = time(17, 30)


def working_day(day: date) -> date:
    """``day``, or the Monday after it when it falls at a weekend."""
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return day


def working_days_from(day: date, count: int) -> date:
    """The working day ``count`` working days after ``day`` (before it when negative)."""
    step = 1 if count >= 0 else -1
    for _ in range(abs(count)):
        day += timedelta(days=step)
        while day.weekday() >= 5:
            day += timedelta(days=step)
    return day


def office_time(now: datetime, days_ago: float, hours: float = 0,
                opens: time = OPENS) -> datetime:
    """Naive UTC: ``opens`` (UK time) ``days_ago`` working days before the UK date of ``now``,
    then ``hours`` later counted with the weekends left out, so that 24 hours after a Friday
    morning is the Monday morning and the time of day is kept."""
    start = working_days_from(to_local(now).date(), -round(days_ago))
    while start.weekday() >= 5:  # no days back from a weekend: the Friday before
        start -= timedelta(days=1)
    whole_days = int(hours // 24)
    local = datetime.combine(working_days_from(start, whole_days), opens) + timedelta(
        hours=hours - 24 * whole_days)
    day = working_day(local.date())
    return to_utc(day, local.time())


def office_present(now: datetime) -> datetime:
    """Naive UTC: ``now`` when it is in a working day (09:00 to 17:30 UK time), otherwise the
    end of the last working day before it: when the demo's own doings (reports, notifications,
    the guide's publication) are dated."""
    local = to_local(now).replace(tzinfo=None)
    if local.weekday() < 5 and time(9) <= local.time() <= CLOSES:
        return now
    day = local.date()
    if local.weekday() >= 5 or local.time() < time(9):
        day = working_days_from(day, -1)
    return to_utc(day, CLOSES)
