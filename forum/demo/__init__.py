"""Demo content: people, three learning sets and realistic threads, loaded idempotently.

Everything is looked up before it is created (users by email, sets by slug, threads by set and
title), so loading twice adds nothing. The loader assumes the schema exists and does not commit.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy import update
from sqlalchemy.orm import Session
from werkzeug.security import generate_password_hash

from forum.demo.challenge import CHALLENGE_SPEC
from forum.demo.challenge import CLOSED_CHALLENGE_SPEC
from forum.demo.challenge import ensure_closed_challenge
from forum.demo.challenge import ensure_demo_challenge
from forum.demo.content import COMMS_SLUG
from forum.demo.content import EVALUATION_SLUG
from forum.demo.content import PEOPLE
from forum.demo.content import SETS
from forum.demo.content import THREADS
from forum.demo.content import Msg
from forum.demo.content import ThreadSpec
from forum.demo.data_request import ensure_demo_data_request
from forum.demo.days import office_present
from forum.demo.days import office_time
from forum.demo.events import ensure_demo_events
from forum.demo.files import ensure_demo_files
from forum.demo.guide import ensure_demo_guide
from forum.demo.history import ensure_demo_history
from forum.demo.meetings import ensure_demo_meetings
from forum.demo.network import ensure_demo_network_requests
from forum.demo.network import ensure_demo_organisations
from forum.demo.network import ensure_demo_requests
from forum.demo.reading import ensure_demo_reading
from forum.demo.report import ensure_demo_report
from forum.demo.topics import ensure_demo_topics
from forum.models import GuideVersion
from forum.models import LearningSet
from forum.models import Membership
from forum.models import Notification
from forum.models import Post
from forum.models import PostStatus
from forum.models import Report
from forum.models import Thread
from forum.models import User
from forum.models import utcnow
from forum.text import render_markdown

# A long passphrase: strong by length, easy to type from the printed list.
DEFAULT_PASSWORD = "orchard-lantern-tidal-seven-quietly"


@dataclass(frozen=True)
class DemoAccount:
    email: str
    name: str
    organisation: str
    roles: str  # e.g. "facilitator of communicating-citizens-assemblies; site admin"


@dataclass(frozen=True)
class DemoSummary:
    accounts: list[DemoAccount]
    password: str
    created_users: int
    created_sets: int
    created_threads: int
    created_posts: int
    created_guides: int = 0
    created_events: int = 0
    created_meetings: int = 0


def load_demo(session: Session, password: str = DEFAULT_PASSWORD,
              now: datetime | None = None) -> DemoSummary:
    """Create whatever of the demo is missing; demo accounts get ``password``."""
    started = utcnow()  # what the services called below stamp their rows from
    now = now or started
    users, created_users = _ensure_users(session, password)
    sets, created_sets = _ensure_sets(session, users)
    created_threads = created_posts = 0
    for spec in THREADS:
        posts = _ensure_thread(session, spec, sets[spec.set_slug], users, now)
        if posts:
            created_threads += 1
            created_posts += posts
    for spec in (CHALLENGE_SPEC, CLOSED_CHALLENGE_SPEC):
        posts = _ensure_thread(session, spec, sets[spec.set_slug], users, now)
        if posts:
            created_threads += 1
            created_posts += posts
    session.flush()
    ensure_demo_challenge(session, sets[CHALLENGE_SPEC.set_slug], users, now)
    ensure_closed_challenge(session, sets[CLOSED_CHALLENGE_SPEC.set_slug], users, now)
    ensure_demo_reading(session, users, now)
    created_guides = ensure_demo_guide(session, users, sets)
    created_meetings = ensure_demo_meetings(session, sets[COMMS_SLUG], users["rosa"], now)
    created_events = ensure_demo_events(session, users["admin"], now, users)
    ensure_demo_topics(session, users, now)
    ensure_demo_files(session, users)
    ensure_demo_organisations(session, users)
    ensure_demo_requests(session, users, sets[EVALUATION_SLUG])
    ensure_demo_network_requests(session, now)
    ensure_demo_data_request(session, users, now)
    ensure_demo_report(session, users)
    ensure_demo_history(session, users, sets, now)
    _date_in_office_hours(session, since=started, at=office_present(now))
    return DemoSummary(_accounts(users), password, created_users, created_sets,
                       created_threads, created_posts, created_guides, created_events,
                       created_meetings)


def _date_in_office_hours(session: Session, since: datetime, at: datetime) -> None:
    """What the services stamped with the clock while loading (a report, notifications, the
    guide's publication), dated ``at`` instead: loaded on a Saturday night, they read "Saturday
    at 03:20" beside posts written in office hours."""
    session.flush()
    for column in (Report.created_at, Notification.created_at, GuideVersion.published_at):
        session.execute(update(column.class_).where(column >= since).values({column.key: at})
                        .execution_options(synchronize_session=False))
    session.expire_all()


def _ensure_users(session: Session, password: str) -> tuple[dict[str, User], int]:
    users: dict[str, User] = {}
    created = 0
    # Hashing is deliberately slow; the accounts share a published password, so share one hash.
    password_hash = generate_password_hash(password)
    for person in PEOPLE:
        user = session.scalar(select(User).where(User.email == person.email))
        if user is None:
            user = User(email=person.email, display_name=person.name,
                        organisation=person.organisation, is_admin=person.is_admin,
                        is_network_coordinator=person.is_network_coordinator)
            session.add(user)
            created += 1
        # Reset every time so the password printed afterwards is the one that works.
        if not user.password_hash or not user.check_password(password):
            user.password_hash = password_hash
        users[person.key] = user
    session.flush()
    return users, created


def _ensure_sets(session: Session,
                 users: dict[str, User]) -> tuple[dict[str, LearningSet], int]:
    sets: dict[str, LearningSet] = {}
    created = 0
    for spec in SETS:
        learning_set = session.scalar(select(LearningSet).where(LearningSet.slug == spec.slug))
        if learning_set is None:
            learning_set = LearningSet(slug=spec.slug, name=spec.name, purpose=spec.purpose,
                                       visibility=spec.visibility)
            if spec.policy is not None:
                learning_set.moderation_policy = spec.policy
            session.add(learning_set)
            session.flush()
            created += 1
        for key, role in spec.members.items():
            user = users[key]
            exists = session.scalar(select(Membership.id).where(
                Membership.user_id == user.id, Membership.learning_set_id == learning_set.id))
            if exists is None:
                session.add(Membership(user_id=user.id, learning_set_id=learning_set.id,
                                       role=role))
        sets[spec.slug] = learning_set
    session.flush()
    return sets, created


def _flatten(msg: Msg, parent: Msg | None = None) -> list[tuple[Msg, Msg | None]]:
    """Every post of a thread with its parent, depth first."""
    result = [(msg, parent)]
    for reply in msg.replies:
        if reply.hours <= msg.hours:
            raise ValueError(f"a reply must come after its parent: {reply.body[:40]!r}")
        result.extend(_flatten(reply, msg))
    return result


def _ensure_thread(session: Session, spec: ThreadSpec, learning_set: LearningSet,
                   users: dict[str, User], now: datetime) -> int:
    """Create the thread with all its posts unless it exists; return the number of posts."""
    exists = session.scalar(select(Thread.id).where(
        Thread.learning_set_id == learning_set.id, Thread.title == spec.title))
    if exists is not None:
        return 0
    # Threads open at 09:15 on a working day and their posts follow in office hours.
    start = office_time(now, spec.days_ago)
    # Insert in time order so that ids ascend with dates, as they would in real use.
    entries = sorted(_flatten(spec.opening), key=lambda entry: entry[0].hours)
    times = [min(office_time(now, spec.days_ago, msg.hours), now) for msg, _ in entries]
    approved = [t for (msg, _), t in zip(entries, times, strict=True)
                if msg.status == PostStatus.APPROVED]
    thread = Thread(learning_set_id=learning_set.id, author_id=users[spec.opening.author].id,
                    title=spec.title, created_at=start,
                    # A thread whose opening post still waits has had no visible activity.
                    last_activity_at=max(approved, default=start),
                    is_pinned=spec.pinned, is_locked=spec.locked)
    session.add(thread)
    session.flush()
    posts: dict[int, Post] = {}  # keyed by id() of the Msg: Msg is hashable but not unique
    for (msg, parent), created_at in zip(entries, times, strict=True):
        parent_post = posts[id(parent)] if parent is not None else None
        post = Post(thread_id=thread.id, author_id=users[msg.author].id,
                    parent_id=parent_post.id if parent_post else None,
                    depth=parent_post.depth + 1 if parent_post else 0,
                    body_source=msg.body, body_html=render_markdown(msg.body),
                    status=msg.status, created_at=created_at, kind=msg.kind)
        session.add(post)
        session.flush()
        posts[id(msg)] = post
    return len(entries)


def _accounts(users: dict[str, User]) -> list[DemoAccount]:
    roles: dict[str, list[str]] = {person.key: [] for person in PEOPLE}
    for spec in SETS:
        for key, role in spec.members.items():
            roles[key].append(f"{role.value} of {spec.slug}")
    accounts = []
    for person in PEOPLE:
        described = (roles[person.key] + (["site admin"] if person.is_admin else [])
                     + (["network coordinator"] if person.is_network_coordinator else []))
        if not described:
            described = ["in no set: reads the network and public sets, and can ask to join"]
        accounts.append(DemoAccount(person.email, person.name, person.organisation,
                                    "; ".join(described)))
    return accounts


def format_accounts(summary: DemoSummary, url: str = "http://127.0.0.1:5000") -> str:
    """The account list, the password and where to go, as printed by the CLI."""
    width = max(len(account.email) for account in summary.accounts)
    lines = ["Demo accounts:", ""]
    for account in summary.accounts:
        lines.append(f"  {account.email:<{width}}  {account.roles}")
        lines.append(f"  {'':<{width}}  {account.name}, {account.organisation}")
    lines += ["", f"Password for every demo account: {summary.password}", "",
              f"Open {url} and sign in."]
    return "\n".join(lines)
