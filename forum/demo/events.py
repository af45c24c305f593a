"""The network's own history as demo events: four workshops and its annual conference in
Manchester over the last few months, with notes and a recording link, plus an upcoming webinar
open for sign-up (moved by half an hour after people signed up, so they were told) and a
workshop that was cancelled. Every date is counted from the day the demo is loaded, so the demo
never looks stale. Invented but true to form; loaded idempotently (events are looked up by
title)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from datetime import time
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from forum.demo.days import working_day
from forum.events import service
from forum.models import Event
from forum.models import EventAudience
from forum.models import EventKind
from forum.models import EventMaterial
from forum.models import MaterialKind
from forum.models import User
from forum.text import render_markdown
from forum.times import to_local
from forum.times import to_utc


@dataclass(frozen=True)
class Material:
    kind: MaterialKind
    title: str
    body: str
    url: str = ""


@dataclass(frozen=True)
class EventSpec:
    kind: EventKind
    title: str
    days_from_now: int  # negative: already held; moved to the Monday when it falls at a weekend
    hours: tuple[int, int]
    place: str
    description: str
    materials: tuple[Material, ...] = ()
    audience: EventAudience = EventAudience.NETWORK


HISTORY = (
    EventSpec(EventKind.WORKSHOP, "Introductions and planning", -168, (10, 15),
              "Birmingham Council House",
              "The first meeting of the network: who we are, what our councils are planning, "
              "and how the learning sets will work.",
              (Material(MaterialKind.NOTES, "What councils hoped to learn",
                        "# What we heard\n\n- How to **recruit** a representative assembly "
                        "without a large budget\n- How to get **councillors** to own the "
                        "results\n- How to **tell the story** to residents who were not "
                        "there\n\n# Agreed next steps\n\n1. Three learning sets, meeting "
                        "monthly online\n2. A workshop each quarter, topics proposed by "
                        "members"),)),
    EventSpec(EventKind.WORKSHOP, "Bringing councillors on board", -126, (10, 15),
              "Leeds Civic Hall",
              "Topics proposed by councils: cross-party briefings, the role of the "
              "oversight panel, and what to do when recommendations are uncomfortable.",
              (Material(MaterialKind.NOTES, "Table discussions",
                        "Group leaders briefed **before** the assembly were far more likely "
                        "to champion its results. Several councils now brief each group "
                        "separately and invite councillors to observe a session."),)),
    EventSpec(EventKind.CONFERENCE, "Deliberative democracy in local government: "
              "the network's annual conference", -91, (9, 17), "Manchester Central",
              "Our first conference: 150 officers, councillors and practitioners from "
              "across the UK, with talks from councils that have run assemblies and "
              "discussions on what comes next.",
              (Material(MaterialKind.RECORDING, "Opening plenary: what assemblies changed",
                        "A summary of the talks: three councils on what their assemblies "
                        "changed, and what they would do differently.",
                        "https://video.example.org/network/annual-conference-plenary"),
               Material(MaterialKind.NOTES, "Notes from the afternoon discussions",
                        "# Recruitment\n\nStratified random selection by post is now the "
                        "norm; paying participants and covering care costs widened who "
                        "came.\n\n# After the assembly\n\nPublish a formal response within "
                        "three months, and report back to members in person.")),
              EventAudience.PUBLIC),
    EventSpec(EventKind.WORKSHOP, "Disseminating the learning", -56, (10, 15),
              "Online",
              "How to share what the sets have learnt with the wider network: guides, "
              "case studies and short videos.",
              (Material(MaterialKind.NOTES, "Ideas for sharing",
                        "Short guides built from the sets' own words were the favourite: "
                        "see *Telling the story of an assembly*."),)),
    EventSpec(EventKind.WORKSHOP, "Evaluating the programme", -21, (10, 13),
              "Online",
              "What worked, what did not, and what the network should do next year."),
)


# A demo loaded before the conference's date followed the day of loading: loading again adds
# no second conference.
FORMER_TITLES = {
    "Deliberative democracy in local government: the network's annual conference": (
        "Deliberative democracy in local government: the 2020 conference",),
}
WEBINAR = "Webinar: paying assembly members"
CANCELLED = "Workshop: recruiting by post"


def ensure_demo_events(session: Session, admin: User, now: datetime,
                       people: dict[str, User] | None = None) -> int:
    """Create whatever demo events are missing; returns how many were made."""
    created = 0
    specs = HISTORY + (EventSpec(
        EventKind.WEBINAR, WEBINAR, 30, (12, 13), "",
        "A lunchtime webinar: how councils set and pay honoraria, and what it does for "
        "who takes part."), EventSpec(
        EventKind.WORKSHOP, CANCELLED, 45, (10, 15), "Kingsford Town Hall",
        "Sending invitations by post to a random sample of households: response rates, "
        "reminders, and stratifying who is selected."))
    made: dict[str, Event] = {}
    for spec in specs:
        titles = (spec.title, *FORMER_TITLES.get(spec.title, ()))
        if session.scalar(select(Event.id).where(Event.title.in_(titles))) is not None:
            continue
        day = working_day((to_local(now) + timedelta(days=spec.days_from_now)).date())
        event = Event(kind=spec.kind, title=spec.title,
                      starts_at=to_utc(day, time(spec.hours[0])),
                      ends_at=to_utc(day, time(spec.hours[1])),
                      place=spec.place if spec.place != "Online" else "",
                      online_url="https://meet.example.org/network"
                      if spec.place in ("Online", "") else "",
                      description_source=spec.description,
                      description_html=render_markdown(spec.description),
                      audience=spec.audience, sequence=0, created_by_id=admin.id,
                      signup_open=spec.title in (WEBINAR, CANCELLED),
                      capacity=100 if spec.kind == EventKind.WEBINAR else 30
                      if spec.title == CANCELLED else None)
        event.materials = [
            EventMaterial(kind=material.kind, title=material.title, url=material.url,
                          body_source=material.body, body_html=render_markdown(material.body),
                          added_by_id=admin.id)
            for material in spec.materials]
        session.add(event)
        made[spec.title] = event
        created += 1
    session.flush()
    if people:
        _show_changes(session, admin, made, people)
    return created


def _show_changes(session: Session, admin: User, made: dict[str, Event],
                  people: dict[str, User]) -> None:
    """People sign up; the webinar then moves by half an hour and the workshop is cancelled,
    so their notifications (and the outbox) show what they are told."""
    webinar, cancelled = made.get(WEBINAR), made.get(CANCELLED)
    if webinar is not None:
        for key in ("aisha", "tom", "claire"):
            service.sign_up(session, people[key], webinar)
        service.update_event(session, admin, webinar, service.EventDetails(
            kind=webinar.kind, title=webinar.title,
            starts_at=webinar.starts_at + timedelta(minutes=30),
            ends_at=webinar.ends_at + timedelta(minutes=30), place=webinar.place,
            online_url=webinar.online_url, description=webinar.description_source,
            audience=webinar.audience, sets=[], signup_open=True, capacity=webinar.capacity))
    if cancelled is not None:
        for key in ("dev", "siobhan", "aisha"):
            service.sign_up(session, people[key], cancelled)
        service.cancel_event(session, admin, cancelled,
                             "Kingsford Town Hall is closed for repairs that week. We will "
                             "set a new date at the next webinar.")
