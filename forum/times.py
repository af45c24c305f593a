"""Local wall-clock times (Europe/London by default) to stored naive UTC, and back, refusing the
times a clock change skips or repeats."""

from __future__ import annotations

from datetime import UTC
from datetime import date
from datetime import datetime
from datetime import time
from zoneinfo import ZoneInfo

DEFAULT_ZONE = "Europe/London"

# The years a date typed into a form may be in: wide enough for any meeting, event or action,
# and narrow enough that every moment in them can be read on any clocks (midnight UTC on
# 1 January of year 1 is in the year before on UK clocks: a server error on every page that
# showed it).
FIRST_YEAR = 1901
LAST_YEAR = 2999


class OutOfYears(ValueError):
    """A real date outside the years :data:`FIRST_YEAR` to :data:`LAST_YEAR`."""


def read_day(value: str) -> date:
    """The date typed as ``YYYY-MM-DD``: ``ValueError`` if it is no real date, :class:`OutOfYears`
    if it is outside the years every date typed in may be in (the one check of a typed date:
    forms and query strings alike)."""
    day = date.fromisoformat(value)
    if not FIRST_YEAR <= day.year <= LAST_YEAR:
        raise OutOfYears(f"Enter a date in the years {FIRST_YEAR} to {LAST_YEAR}")
    return day


class TimeProblem(ValueError):
    """A local time that does not exist, or happens twice; the message says which."""


def to_utc(day: date, at: time, zone: str = DEFAULT_ZONE) -> datetime:
    """The naive UTC instant of ``day`` at ``at`` on the clocks of ``zone``."""
    tz = ZoneInfo(zone)
    first = datetime.combine(day, at, tzinfo=tz)
    second = first.replace(fold=1)
    if first.utcoffset() != second.utcoffset():
        # The same wall time twice (clocks go back) or never (clocks go forward).
        roundtrip = first.astimezone(UTC).astimezone(tz)
        if roundtrip.replace(tzinfo=None) != first.replace(tzinfo=None):
            raise TimeProblem(f"{at:%H:%M} on {day:%-d %B %Y} does not exist in the UK: the "
                              "clocks go forward then. Choose a time an hour later.")
        raise TimeProblem(f"{at:%H:%M} on {day:%-d %B %Y} happens twice in the UK: the clocks "
                          "go back then. Choose a time outside 1am to 2am.")
    return first.astimezone(UTC).replace(tzinfo=None)


def to_local(moment: datetime, zone: str = DEFAULT_ZONE) -> datetime:
    """A stored naive UTC instant on the clocks of ``zone`` (aware)."""
    return moment.replace(tzinfo=UTC).astimezone(ZoneInfo(zone))


def zone_name(moment: datetime, zone: str = DEFAULT_ZONE) -> str:
    """What the page says the times are in: "UK time (GMT)" or "UK time (BST)"."""
    abbreviation = to_local(moment, zone).tzname()
    return f"UK time ({abbreviation})" if zone == DEFAULT_ZONE else f"{zone} ({abbreviation})"


def describe_when(starts_at: datetime, ends_at: datetime, zone: str = DEFAULT_ZONE) -> str:
    """When an event is, in words for notifications and emails:
    "Wednesday 12 March 2031, 10:00 to 15:30 (UK time, GMT)"."""
    starts, ends = to_local(starts_at, zone), to_local(ends_at, zone)
    end = f"{ends:%H:%M}" if ends.date() == starts.date() else f"{ends:%A %-d %B %Y, %H:%M}"
    where = "UK time" if zone == DEFAULT_ZONE else zone
    return f"{starts:%A %-d %B %Y, %H:%M} to {end} ({where}, {starts.tzname()})"
