"""Demo dates placed relative to today land on working days: a council's lunchtime webinar or
set meeting on a Sunday makes the demo look invented."""

from __future__ import annotations

from datetime import date
from datetime import timedelta


def working_day(day: date) -> date:
    """``day``, or the Monday after it when it falls at a weekend."""
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return day
