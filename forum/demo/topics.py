"""Demo discussion topics for the network's workshops: the past workshops show the agenda the
coordinators chose from members' proposals; an upcoming workshop is open for proposals, with
published topics people support, one on the agenda already, and one proposal waiting for a
coordinator's approval (its proposer sees it marked waiting; Rosa, the coordinator, is told).
Invented but true to form; loaded idempotently (topics are looked up by title)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from datetime import time
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from forum.demo.days import office_time
from forum.demo.days import working_day
from forum.events import topics as topic_service
from forum.models import Event
from forum.models import EventAudience
from forum.models import EventKind
from forum.models import EventTopic
from forum.models import TopicStatus
from forum.models import TopicSupport
from forum.models import User
from forum.text import render_markdown
from forum.times import to_utc

UPCOMING = "Keeping assemblies going after the pilot"


@dataclass(frozen=True)
class TopicSpec:
    proposer: str
    title: str
    description: str
    supporters: tuple[str, ...] = ()
    on_agenda: bool = False
    waiting: bool = False


PAST: dict[str, tuple[TopicSpec, ...]] = {
    "Bringing councillors on board": (
        TopicSpec("claire", "Briefing every political group before the assembly",
                  "Eastmoor briefed cabinet only, and the opposition called the results "
                  "a stitch-up. Who has briefed **each group** separately, and how?",
                  ("tom", "aisha", "dev", "siobhan"), on_agenda=True),
        TopicSpec("aisha", "What an oversight panel is for",
                  "Should councillors sit on it, or only observe?",
                  ("gareth", "claire"), on_agenda=True),
        TopicSpec("tom", "When the recommendations are uncomfortable",
                  "Kingsford's assembly asked for a workplace parking levy. How do you "
                  "respond honestly when the answer is *not yet*?",
                  ("marcus", "nadia", "claire"), on_agenda=True),
        TopicSpec("dev", "Inviting councillors to observe a session", "", ("siobhan",)),
    ),
    "Disseminating the learning": (
        TopicSpec("siobhan", "Short guides built from the sets' own words",
                  "Could the sets' threads become guides other councils can use?",
                  ("tom", "claire", "nadia"), on_agenda=True),
        TopicSpec("nadia", "Two-minute videos of assembly members", "",
                  ("aisha",), on_agenda=True),
        TopicSpec("marcus", "A shared library of recruitment letters", "", ("gareth",)),
    ),
    "Evaluating the programme": (
        TopicSpec("gareth", "What counts as success for a learning set?",
                  "Attendance, actions completed, or something residents would notice?",
                  ("claire", "dev", "tom"), on_agenda=True),
        TopicSpec("claire", "Following up actions six months on", "", ("aisha", "siobhan"),
                  on_agenda=True),
    ),
}

OPEN: tuple[TopicSpec, ...] = (
    TopicSpec("rosa", "Budgets after the pilot funding ends",
              "Which councils kept a line in the base budget for deliberation, and how "
              "did they argue for it?", ("tom", "claire", "siobhan", "nadia"), on_agenda=True),
    TopicSpec("claire", "Recalling assembly members a year later",
              "Eastmoor is thinking of inviting members back to hear what happened to their "
              "recommendations. Has anyone done this, and who came?",
              ("aisha", "dev", "marcus")),
    TopicSpec("tom", "Running a smaller assembly in-house",
              "Without an external facilitator: what did you lose, and what did you keep?",
              ("siobhan",)),
    TopicSpec("dev", "Youth assemblies alongside the main one",
              "A parallel assembly of 14 to 18 year olds: worth the effort?",
              waiting=True),
)


def _topic(session: Session, event: Event, spec: TopicSpec, users: dict[str, User],
           created_at: datetime) -> None:
    topic = EventTopic(
        event_id=event.id, proposer_id=users[spec.proposer].id, title=spec.title,
        description_source=spec.description,
        description_html=render_markdown(spec.description) if spec.description else "",
        status=TopicStatus.WAITING if spec.waiting else TopicStatus.APPROVED,
        on_agenda=spec.on_agenda, created_at=created_at,
        decided_by_id=None if spec.waiting else users["rosa"].id,
        decided_at=None if spec.waiting else created_at + timedelta(hours=3))
    topic.supports = [TopicSupport(user_id=users[key].id,
                                   created_at=created_at + timedelta(hours=4 + n))
                      for n, key in enumerate(spec.supporters)]
    session.add(topic)


def ensure_demo_topics(session: Session, users: dict[str, User], now: datetime) -> int:
    """Create whatever demo topics (and the upcoming workshop) are missing; returns how many
    topics were made."""
    made = 0
    for title, specs in PAST.items():
        event = session.scalar(select(Event).where(Event.title == title))
        if event is None:
            continue
        for n, spec in enumerate(specs):
            if session.scalar(select(EventTopic.id).where(
                    EventTopic.event_id == event.id, EventTopic.title == spec.title)) is None:
                _topic(session, event, spec, users,
                       office_time(event.starts_at, 15 - n, opens=time(10)))
                made += 1
    workshop = session.scalar(select(Event).where(Event.title == UPCOMING))
    if workshop is None:
        day = working_day((now + timedelta(days=60)).date())
        description = ("A workshop for councils whose first assembly is over: how to keep "
                       "deliberation going once the pilot money has gone. **Propose the topics "
                       "you want to discuss below**; the coordinators set the agenda a week "
                       "before.")
        workshop = Event(kind=EventKind.WORKSHOP, title=UPCOMING,
                         starts_at=to_utc(day, time(10)), ends_at=to_utc(day, time(15)),
                         place="Northbridge Town Hall", description_source=description,
                         description_html=render_markdown(description),
                         audience=EventAudience.NETWORK, sequence=0,
                         created_by_id=users["rosa"].id, signup_open=True, capacity=40)
        session.add(workshop)
        session.flush()
    for n, spec in enumerate(OPEN):
        if session.scalar(select(EventTopic.id).where(
                EventTopic.event_id == workshop.id, EventTopic.title == spec.title)) is not None:
            continue
        if spec.waiting:
            # Through the service, so the coordinator is told as they would be.
            topic = topic_service.propose(session, users[spec.proposer], workshop,
                                          title=spec.title, description=spec.description)
            # Sent yesterday from work, whenever the demo is loaded.
            topic.created_at = office_time(now, 1, opens=time(11, 20))
        else:
            _topic(session, workshop, spec, users, office_time(now, 8 - n, opens=time(10)))
        made += 1
    session.flush()
    return made
