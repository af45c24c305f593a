"""An event as an iCalendar file, made with the ``icalendar`` library."""

from __future__ import annotations

from datetime import UTC
from urllib.parse import urlsplit

from flask import current_app
from icalendar import Calendar
from icalendar import Event as CalendarEvent
from icalendar import vText

from forum.events.times import to_local
from forum.models import Event
from forum.text import plain_text
from forum.urls import external_url


def event_calendar(event: Event, *, url: str, site_name: str, host: str) -> bytes:
    """A calendar with the one event, its times in its own zone (with the zone's rules).

    ``SEQUENCE`` grows with each change to the time or place, so calendars that imported an
    earlier copy update it rather than adding a second.
    """
    calendar = Calendar()
    calendar.add("prodid", f"-//{site_name}//Events//EN")
    calendar.add("version", "2.0")
    calendar.add("method", "PUBLISH")
    entry = CalendarEvent()
    entry.add("uid", f"event-{event.id}@{host}")
    entry.add("dtstamp", event.created_at.replace(tzinfo=UTC))
    entry.add("sequence", event.sequence or 0)
    entry.add("summary", event.title)
    if event.cancelled_at is not None:
        entry.add("status", "CANCELLED")
    entry.add("dtstart", to_local(event.starts_at, event.timezone))
    entry.add("dtend", to_local(event.ends_at, event.timezone))
    location = ", ".join(part for part in (event.place, event.online_url) if part)
    if location:
        entry.add("location", vText(location))
    description = plain_text(event.description_html) if event.description_html else ""
    entry.add("description", f"{description}\n\n{url}".strip())
    entry.add("url", url)
    calendar.add_component(entry)
    calendar.add_missing_timezones()
    return calendar.to_ical()


def calendar_file(event: Event) -> bytes:
    """The event's calendar, with the same UID wherever it is made (a download, an email),
    taken from the site's public address (never from a request's Host header)."""
    url = external_url("events.show", event_id=event.id)
    return event_calendar(event, url=url, site_name=current_app.config["SITE_NAME"],
                          host=urlsplit(url).hostname or "localhost")
