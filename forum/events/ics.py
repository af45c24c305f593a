"""An event as an iCalendar file (:mod:`forum.calendar`)."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import current_app

from forum import calendar
from forum.models import Event
from forum.text import plain_text
from forum.urls import external_url


def event_calendar(event: Event, *, url: str, site_name: str, host: str) -> bytes:
    """A calendar with the one event, its times in its own zone (with the zone's rules).

    ``SEQUENCE`` grows with each change to the time or place, so calendars that imported an
    earlier copy update it rather than adding a second.
    """
    location = ", ".join(part for part in (event.place, event.online_url) if part)
    return calendar.calendar_file(calendar.CalendarEntry(
        uid=f"event-{event.id}@{host}", stamp=event.created_at, sequence=event.sequence or 0,
        summary=event.title, starts_at=event.starts_at, ends_at=event.ends_at,
        zone=event.timezone, location=location, url=url,
        description=plain_text(event.description_html) if event.description_html else "",
        cancelled=event.cancelled_at is not None),
        product=f"{site_name}//Events")


def calendar_file(event: Event) -> bytes:
    """The event's calendar, with the same UID wherever it is made (a download, an email),
    taken from the site's public address (never from a request's Host header)."""
    url = external_url("events.show", event_id=event.id)
    return event_calendar(event, url=url, site_name=current_app.config["SITE_NAME"],
                          host=urlsplit(url).hostname or "localhost")
