"""The demo set's meetings: one held a fortnight ago with its notes, and the next one in a
fortnight with its agenda. Times are relative to now (10:00 to 12:00 UK time); loaded
idempotently (meetings are looked up by set and title)."""

from __future__ import annotations

from datetime import datetime
from datetime import time
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from forum.demo.days import working_day
from forum.models import LearningSet
from forum.models import Meeting
from forum.models import User
from forum.text import render_markdown
from forum.times import to_local
from forum.times import to_utc

PAST_TITLE = "Set meeting 3: naming, recruitment and the press"
NEXT_TITLE = "Set meeting 4: reviewing our actions"
ONLINE_URL = "https://meet.example.org/comms-assemblies-set"

PAST_AGENDA = """\
1. Check-in: one sentence each on where your assembly is up to
2. **Claire's challenge**: how do I get councillors to champion the assembly's results?
   Questions only for the first twenty minutes, then Claire reflects
3. Review of the actions from meeting 2
4. What we want to share with the wider network
"""

PAST_NOTES = """\
## Present

Rosa (facilitating), Tom, Aisha, Gareth, Claire, Dev and Siobhan. Apologies from Marcus and Nadia.

## Claire's challenge

Cabinet "noted" the assembly's recommendations and no councillor has spoken for them since. The
questions that helped most were *"what could a councillor say to their own residents if they
backed one?"* and *"if nobody champions them, who will notice, and when?"*

Claire is working on the two actions she committed to in the challenge's thread:

- a one-page note to every ward councillor on the recommendations that touch their ward, with
  the names of assembly members who live there;
- twenty minutes with the transport portfolio holder before the next cabinet briefing, with
  two assembly members.

## Actions from meeting 2

- Gareth's press briefing on the recruitment letters went out: the local paper ran it on page 5
  and 41 more people registered in the following week. **Done.**
- Dev's plain-English summary of the commissioning brief is half written. **Partly done**,
  carried over.

## To share with the network

Briefing group leaders one at a time, before anything is public, came up in three councils'
stories; Aisha shared her one-page note (attached). Rosa will draft a learning post for the
guide.
"""

NEXT_AGENDA = """\
1. Check-in
2. Review of the actions due: Claire's meeting with the transport portfolio holder, and Dev's
   commissioning summary (carried over)
3. **Claire's challenge**: what the ward notes showed, and what she will ask the portfolio
   holder for now
4. Planning the joint session with the evaluating-deliberation set

Please read the latest posts in Claire's challenge before the meeting.
"""


def _at_ten(day_offset: int, now: datetime) -> tuple[datetime, datetime]:
    """10:00 to 12:00 UK time, ``day_offset`` days from today (UK date)."""
    day = working_day((to_local(now) + timedelta(days=day_offset)).date())
    return to_utc(day, time(10)), to_utc(day, time(12))


def ensure_demo_meetings(session: Session, learning_set: LearningSet, facilitator: User,
                         now: datetime) -> int:
    """Add the demo set's meetings that are missing; returns how many were added."""
    specs = (
        (PAST_TITLE, -14, PAST_AGENDA, PAST_NOTES),
        (NEXT_TITLE, 14, NEXT_AGENDA, ""),
    )
    created = 0
    for title, day_offset, agenda, notes in specs:
        exists = session.scalar(select(Meeting.id).where(
            Meeting.learning_set_id == learning_set.id, Meeting.title == title))
        if exists is not None:
            continue
        starts_at, ends_at = _at_ten(day_offset, now)
        session.add(Meeting(
            learning_set_id=learning_set.id, title=title, starts_at=starts_at, ends_at=ends_at,
            online_url=ONLINE_URL, agenda_source=agenda, agenda_html=render_markdown(agenda),
            notes_source=notes, notes_html=render_markdown(notes) if notes else "",
            notes_at=ends_at + timedelta(hours=3) if notes else None, sequence=0,
            created_by_id=facilitator.id, created_at=starts_at - timedelta(days=21)))
        created += 1
    session.flush()
    return created
