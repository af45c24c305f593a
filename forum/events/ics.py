"""An event as an iCalendar file (:mod:`forum.calendar`)."""

from __future__ import annotations

from forum.calendar import CalendarEntry
from forum.calendar import calendar_file
from forum.models import Event
from forum.text import plain_text


def event_calendar(event: Event, *, url: str, site_name: str, host: str) -> bytes:
    """A calendar with the one event, its times in its own zone (with the zone's rules)."""
    location = ", ".join(part for part in (event.place, event.online_url) if part)
    return calendar_file(CalendarEntry(
        uid=f"event-{event.id}@{host}", stamp=event.created_at, sequence=event.sequence or 0,
        summary=event.title, starts_at=event.starts_at, ends_at=event.ends_at,
        zone=event.timezone, location=location, url=url,
        description=plain_text(event.description_html) if event.description_html else ""),
        product=f"{site_name}//Events")
