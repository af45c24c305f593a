"""Emails about an event (sent by the notifications area) carry its calendar file, made when
the email is sent so it holds the event as it is then (its latest SEQUENCE)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from forum import outbox
from forum.events.ics import calendar_file
from forum.models import Event
from forum.models import QueuedEmail
from forum.models.notification import EVENT_KINDS


def _attach_calendar(session: Session, row: QueuedEmail) -> list[outbox.Attachment]:
    event = session.get(Event, row.event_id) if row.event_id is not None else None
    if event is None:
        return []
    return [(f"event-{event.id}.ics", "text/calendar", calendar_file(event))]


for _kind in EVENT_KINDS:
    outbox.register_attacher(_kind.value, _attach_calendar)
