"""One event as an iCalendar file, made with the ``icalendar`` library (never by hand).

Used by the network's events and by a set's meetings: the times are given as stored (naive
UTC) and written in their own zone, with the zone's rules added, so a calendar shows them
right on either side of a clock change.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC
from datetime import datetime

from forum.times import DEFAULT_ZONE
from forum.times import to_local


@dataclass(frozen=True)
class CalendarEntry:
    """What goes in the file. ``uid`` stays the same for the life of the thing it names;
    ``sequence`` grows with each change of time or place, so calendars that imported an
    earlier copy update it rather than adding a second."""

    uid: str
    stamp: datetime
    sequence: int
    summary: str
    starts_at: datetime
    ends_at: datetime
    url: str
    description: str = ""
    location: str = ""
    zone: str = DEFAULT_ZONE
    cancelled: bool = False


def calendar_file(entry: CalendarEntry, *, product: str, method: str = "PUBLISH") -> bytes:
    """The entry as the bytes of a ``.ics`` file."""
    # Imported here: only calendar downloads and invitation emails need it (memory per worker).
    from icalendar import Calendar
    from icalendar import Event as CalendarEvent
    from icalendar import vText

    calendar = Calendar()
    calendar.add("prodid", f"-//{product}//EN")
    calendar.add("version", "2.0")
    calendar.add("method", method)
    event = CalendarEvent()
    event.add("uid", entry.uid)
    event.add("dtstamp", entry.stamp.replace(tzinfo=UTC))
    event.add("sequence", entry.sequence)
    event.add("summary", entry.summary)
    event.add("dtstart", to_local(entry.starts_at, entry.zone))
    event.add("dtend", to_local(entry.ends_at, entry.zone))
    if entry.location:
        event.add("location", vText(entry.location))
    event.add("description", f"{entry.description}\n\n{entry.url}".strip())
    event.add("url", entry.url)
    event.add("status", "CANCELLED" if entry.cancelled else "CONFIRMED")
    calendar.add_component(event)
    calendar.add_missing_timezones()
    return calendar.to_ical()
