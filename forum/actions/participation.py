"""The numbers on a set's participation page: who contributes what, and how long posts wait.

Only approved posts count (a waiting or returned post is not yet a contribution), and only
committed actions (approved action posts). Five queries, whatever the set's size. Percentiles
are worked out here in Python (nearest rank), so SQLite and PostgreSQL give the same answer.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass
from dataclasses import field
from datetime import date
from datetime import datetime
from datetime import timedelta

from sqlalchemy import case
from sqlalchemy import func
from sqlalchemy import select
from sqlalchemy.orm import Session

from forum.actions.states import uk_today
from forum.models import Action
from forum.models import ActionKind
from forum.models import ActionState
from forum.models import LearningSet
from forum.models import Membership
from forum.models import ModerationAction
from forum.models import Post
from forum.models import PostKind
from forum.models import PostStatus
from forum.models import Role
from forum.models import Thread
from forum.models import User
from forum.models import utcnow

SHORT_WEEKS = 4
LONG_WEEKS = 12
# Posts in ordinary threads have no kind: they count as "discussion".
DISCUSSION = "discussion"
KINDS: list[str] = [kind.value for kind in PostKind] + [DISCUSSION]
KIND_LABELS = {**{kind.value: kind.label for kind in PostKind}, DISCUSSION: "Discussion"}
APPROVALS = (ActionKind.APPROVE, ActionKind.EDIT_AND_APPROVE)


@dataclass
class MemberActivity:
    user_id: int
    name: str
    role: Role
    short: dict[str, int] = field(default_factory=dict)   # kind -> posts in the last 4 weeks
    long: dict[str, int] = field(default_factory=dict)    # kind -> posts in the last 12 weeks
    last_contribution: datetime | None = None
    open_actions: int = 0
    overdue_actions: int = 0

    @property
    def short_total(self) -> int:
        return sum(self.short.values())

    @property
    def long_total(self) -> int:
        return sum(self.long.values())


@dataclass(frozen=True)
class WeekWait:
    week_of: date              # the Monday (UK) starting the week the posts were approved
    approved: int
    median: timedelta | None
    p90: timedelta | None


@dataclass
class Participation:
    members: list[MemberActivity]
    weeks: list[WeekWait]
    kinds: list[str]            # the kinds any member used in 12 weeks, in the method's order


def percentile(values: list[float], fraction: float) -> float:
    """The nearest-rank percentile: the smallest value with at least ``fraction`` of the values
    at or below it (so it is always one of the values)."""
    ordered = sorted(values)
    rank = max(1, math.ceil(fraction * len(ordered)))
    return ordered[rank - 1]


def _week_start(day: date) -> date:
    return day - timedelta(days=day.weekday())


def participation(session: Session, learning_set: LearningSet, *,
                  now: datetime | None = None) -> Participation:
    now = now or utcnow()
    today = uk_today(now)
    short_since = now - timedelta(weeks=SHORT_WEEKS)
    long_since = now - timedelta(weeks=LONG_WEEKS)

    members = {user_id: MemberActivity(user_id, name, role) for user_id, name, role in
               session.execute(select(User.id, User.display_name, Membership.role)
                               .join(Membership, Membership.user_id == User.id)
                               .where(Membership.learning_set_id == learning_set.id)
                               .order_by(User.display_name, User.id))}

    in_set = (Post.status == PostStatus.APPROVED,
              Post.thread_id.in_(select(Thread.id).where(
                  Thread.learning_set_id == learning_set.id)),
              Post.author_id.in_(list(members)))
    kind = func.coalesce(Post.kind, DISCUSSION)
    used: set[str] = set()
    for author_id, post_kind, short, long in session.execute(
            select(Post.author_id, kind,
                   func.sum(case((Post.created_at >= short_since, 1), else_=0)),
                   func.count(Post.id))
            .where(*in_set, Post.created_at >= long_since)
            .group_by(Post.author_id, kind)):
        member = members[author_id]
        if short:
            member.short[post_kind] = int(short)
        member.long[post_kind] = int(long)
        used.add(post_kind)

    for author_id, last in session.execute(
            select(Post.author_id, func.max(Post.created_at)).where(*in_set)
            .group_by(Post.author_id)):
        members[author_id].last_contribution = last

    committed = Action.post_id.in_(select(Post.id).where(Post.status == PostStatus.APPROVED))
    for holder_id, open_count, overdue in session.execute(
            select(Action.holder_id, func.count(Action.id),
                   func.sum(case((Action.due_on < today, 1), else_=0)))
            .where(Action.learning_set_id == learning_set.id,
                   Action.state == ActionState.OPEN, committed,
                   Action.holder_id.in_(list(members)))
            .group_by(Action.holder_id)):
        members[holder_id].open_actions = int(open_count)
        members[holder_id].overdue_actions = int(overdue or 0)

    return Participation(members=list(members.values()),
                         weeks=approval_waits(session, learning_set, now=now),
                         kinds=[k for k in KINDS if k in used])


def approval_waits(session: Session, learning_set: LearningSet, *,
                   now: datetime) -> list[WeekWait]:
    """Per week of the last 12 (newest first), how long the posts approved that week had waited
    since they were posted: the median and the 90th percentile."""
    from statistics import median  # this page only: not loaded by every worker (issue 16)

    this_week = _week_start(uk_today(now))
    first_week = this_week - timedelta(weeks=LONG_WEEKS - 1)
    since = now - timedelta(weeks=LONG_WEEKS + 1)
    first_approval = func.min(ModerationAction.created_at)
    waited: dict[date, list[float]] = defaultdict(list)
    for posted, approved in session.execute(
            select(Post.created_at, first_approval)
            .select_from(ModerationAction)
            .join(Post, Post.id == ModerationAction.post_id)
            .where(ModerationAction.learning_set_id == learning_set.id,
                   ModerationAction.action.in_(APPROVALS),
                   ModerationAction.created_at >= since)
            .group_by(Post.id, Post.created_at)):
        week = _week_start(uk_today(approved))
        if week >= first_week:
            waited[week].append(max(0.0, (approved - posted).total_seconds()))
    weeks = []
    for n in range(LONG_WEEKS):
        week = this_week - timedelta(weeks=n)
        seconds = waited.get(week, [])
        weeks.append(WeekWait(
            week_of=week, approved=len(seconds),
            median=timedelta(seconds=median(seconds)) if seconds else None,
            p90=timedelta(seconds=percentile(seconds, 0.9)) if seconds else None))
    return weeks


def duration(value: timedelta | None) -> str:
    """A wait in words a person reads at a glance: "45 minutes", "3 hours 10 minutes",
    "2 days 4 hours"."""
    if value is None:
        return "–"
    minutes = round(value.total_seconds() / 60)
    if minutes < 60:
        return f"{minutes} minute{'' if minutes == 1 else 's'}"
    hours, minutes = divmod(minutes, 60)
    if hours < 24:
        tail = f" {minutes} minute{'' if minutes == 1 else 's'}" if minutes else ""
        return f"{hours} hour{'' if hours == 1 else 's'}{tail}"
    days, hours = divmod(hours, 24)
    tail = f" {hours} hour{'' if hours == 1 else 's'}" if hours else ""
    return f"{days} day{'' if days == 1 else 's'}{tail}"
