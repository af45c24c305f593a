"""The facilitator's participation page: numbers on known data, the charts, who may see it."""

from __future__ import annotations

from datetime import date
from datetime import datetime
from datetime import timedelta

import pytest

from forum.actions.participation import duration
from forum.actions.participation import participation
from forum.actions.participation import percentile
from forum.extensions import db
from forum.models import ActionKind
from forum.models import ActionState
from forum.models import LearningSet
from forum.models import ModerationAction
from forum.models import Post
from forum.models import PostKind
from forum.models import PostStatus
from forum.models import Role
from forum.models import UpdateOutcome
from forum.models import User
from forum.models import utcnow
from tests import factories
from tests.querycount import count_page_queries

# Wednesday 11 March 2026, 12:00 UTC (GMT): this week began on Monday 9 March.
NOW = datetime(2026, 3, 11, 12, 0)
APPROVED_AT = datetime(2026, 3, 10, 10, 0)


# The page test runs at the real time: every moment moves by the same amount.
_shift = [timedelta(0)]


def _at(post: Post, moment: datetime, kind: PostKind | None = None) -> Post:
    post.created_at = moment + _shift[0]
    if kind is not None:
        post.kind = kind.value
    return post


def _approve(post: Post, moment: datetime, action: ActionKind = ActionKind.APPROVE) -> None:
    db.session.add(ModerationAction(action=action, learning_set_id=post.thread.learning_set_id,
                                    post_id=post.id, created_at=moment + _shift[0]))


def _known_set() -> int:
    """Mo holds a challenge; Mia asks questions; Fran shares a learning; Ann's posts waited."""
    fran = factories.make_user(display_name="Fran Facilitator")
    learning_set = factories.make_set(facilitator=fran)
    mo, mia, ann, zed = (factories.make_user(display_name=name)
                         for name in ("Mo Member", "Mia Moderator", "Ann Author", "Zed Quiet"))
    factories.add_member(mo, learning_set)
    factories.add_member(mia, learning_set, Role.MODERATOR)
    factories.add_member(ann, learning_set)
    factories.add_member(zed, learning_set)

    challenge = factories.make_challenge(learning_set, mo)
    _at(challenge.thread.posts[0], NOW - timedelta(days=50))
    opening = challenge.thread.posts[0]
    overdue = factories.make_action(challenge, date(2026, 3, 1))
    factories.make_action(challenge, date(2026, 4, 1))
    done = factories.make_action(challenge, date(2026, 3, 5))
    waiting = factories.make_action(challenge, date(2026, 3, 2), status=PostStatus.PENDING)
    for action in (overdue, done, waiting):
        _at(action.post, NOW - timedelta(days=2))
    _at(db.session.get(Post, overdue.post_id + 1), NOW - timedelta(days=2))  # the April one
    update = factories.make_update(done, UpdateOutcome.DONE)
    _at(update.post, NOW - timedelta(days=1))
    _at(factories.make_post(challenge.thread, mo, parent=opening), NOW - timedelta(days=40),
        PostKind.REFLECTION)
    for _ in range(2):
        _at(factories.make_post(challenge.thread, mia, parent=opening), NOW - timedelta(days=3),
            PostKind.QUESTION)
    _at(factories.make_post(challenge.thread, mia, parent=opening, status=PostStatus.PENDING),
        NOW - timedelta(days=1), PostKind.QUESTION)                       # waiting: not counted
    _at(factories.make_post(challenge.thread, fran, parent=opening), NOW - timedelta(days=10),
        PostKind.LEARNING)

    old = factories.make_thread(learning_set, mo, title="Long ago")
    _at(old.posts[0], NOW - timedelta(days=100))
    _approve(old.posts[0], NOW - timedelta(days=99))                     # outside 12 weeks

    # Ann's eleven posts waited: 1 to 10 hours this week, 30 minutes last week.
    thread = factories.make_thread(learning_set, ann, title="Ann's")
    posts = [thread.posts[0]] + [factories.make_post(thread, ann, parent=thread.posts[0])
                                 for _ in range(10)]
    for hours, post in enumerate(posts[:10], start=1):
        _at(post, APPROVED_AT - timedelta(hours=hours))
        _approve(post, APPROVED_AT)
    _at(posts[10], datetime(2026, 3, 4, 9, 30))
    _approve(posts[10], datetime(2026, 3, 4, 10, 0), ActionKind.EDIT_AND_APPROVE)
    _approve(posts[10], datetime(2026, 3, 5, 10, 0))                     # only the first counts
    _approve(posts[0], NOW, ActionKind.HIDE)                             # not an approval
    db.session.commit()
    return learning_set.id


def test_participation_numbers_on_known_data(app):
    with app.app_context():
        set_id = _known_set()
        numbers = participation(db.session, db.session.get(LearningSet, set_id), now=NOW)
    by_name = {member.name: member for member in numbers.members}
    assert list(by_name) == ["Ann Author", "Fran Facilitator", "Mia Moderator", "Mo Member",
                             "Zed Quiet"]
    mo = by_name["Mo Member"]
    assert mo.short == {"action": 3, "update": 1}
    assert mo.long == {"action": 3, "update": 1, "challenge": 1, "reflection": 1}
    assert (mo.short_total, mo.long_total) == (4, 6)
    assert mo.last_contribution == NOW - timedelta(days=1)
    assert (mo.open_actions, mo.overdue_actions) == (2, 1)
    mia = by_name["Mia Moderator"]
    assert mia.short == mia.long == {"question": 2}
    assert by_name["Fran Facilitator"].long == {"learning": 1}
    assert by_name["Ann Author"].short == {"discussion": 11}
    zed = by_name["Zed Quiet"]
    assert (zed.long_total, zed.last_contribution, zed.open_actions) == (0, None, 0)
    assert numbers.kinds == ["challenge", "question", "reflection", "action", "update",
                             "learning", "discussion"]

    this_week, last_week, *older = numbers.weeks
    assert (this_week.week_of, this_week.approved) == (date(2026, 3, 9), 10)
    assert this_week.median == timedelta(hours=5, minutes=30)
    assert this_week.p90 == timedelta(hours=9)
    assert (last_week.week_of, last_week.approved) == (date(2026, 3, 2), 1)
    assert last_week.median == last_week.p90 == timedelta(minutes=30)
    assert len(older) == 10 and all(week.approved == 0 and week.median is None
                                    for week in older)


@pytest.mark.parametrize(("values", "fraction", "expected"), [
    ([5], 0.9, 5), ([1, 2], 0.5, 1), ([1, 2], 0.9, 2), (list(range(1, 11)), 0.9, 9),
    (list(range(1, 101)), 0.9, 90), ([3, 1, 2], 0.5, 2),
])
def test_nearest_rank_percentile(values, fraction, expected):
    assert percentile(values, fraction) == expected


def test_durations_read_as_words():
    assert duration(None) == "–"
    assert duration(timedelta(minutes=1)) == "1 minute"
    assert duration(timedelta(hours=5, minutes=30)) == "5 hours 30 minutes"
    assert duration(timedelta(hours=2)) == "2 hours"
    assert duration(timedelta(days=2, hours=1)) == "2 days 1 hour"


def _make_known(app) -> str:
    _shift[0] = utcnow() - NOW
    try:
        with app.app_context():
            return db.session.get(LearningSet, _known_set()).slug
    finally:
        _shift[0] = timedelta(0)


def _facilitator_of(app, slug: str) -> User:
    with app.app_context():
        user = db.session.scalar(db.select(User).where(User.display_name == "Fran Facilitator")
                                 .order_by(User.id.desc()))
        db.session.expunge(user)
        return user


def test_the_page_shows_the_table_and_charts_with_text_alternatives(app, client):
    slug = _make_known(app)
    client.sign_in_as(_facilitator_of(app, slug))
    page = client.get(f"/sets/{slug}/participation").text
    assert "Zed Quiet" in page and "None yet" in page
    assert f'src="/sets/{slug}/participation/posts.svg"' in page
    assert 'alt="Bar chart of approved posts' in page
    assert "5 hours 30 minutes" in page and "9 hours" in page
    svg = client.get(f"/sets/{slug}/participation/posts.svg")
    assert svg.status_code == 200 and svg.mimetype == "image/svg+xml"
    body = svg.text
    assert "<script" not in body and "Mo Member" in body and "<desc>" in body
    policy = svg.headers["Content-Security-Policy"]
    assert "default-src 'none'" in policy and "script-src" not in policy
    # The page itself keeps the strict policy: no inline styles.
    assert "unsafe-inline" not in client.get(f"/sets/{slug}/participation") \
        .headers["Content-Security-Policy"]
    waits = client.get(f"/sets/{slug}/participation/waits.svg")
    assert waits.status_code == 200 and "90th percentile" in waits.text


def test_only_facilitators_and_admins_see_participation(app, client, world):
    for user, code in ((world.member, 403), (world.moderator, 403), (world.outsider, 404),
                       (world.facilitator, 200), (world.admin, 200)):
        client.sign_in_as(user)
        for url in ("/sets/comms/participation", "/sets/comms/participation/posts.svg",
                    "/sets/comms/participation/waits.svg"):
            assert client.get(url).status_code == code, (user.display_name, url)


def test_the_participation_page_costs_a_fixed_number_of_queries(app, client, world):
    client.sign_in_as(world.facilitator)
    few = count_page_queries(app, client, "/sets/comms/participation")
    with app.app_context():
        learning_set = db.session.get(LearningSet, world.learning_set.id)
        for _ in range(30):
            member = factories.make_user()
            factories.add_member(member, learning_set)
            challenge = factories.make_challenge(learning_set, member)
            factories.make_action(challenge, date(2026, 1, 1))
            factories.make_action(challenge, date(2026, 1, 2), state=ActionState.DONE)
        db.session.commit()
    many = count_page_queries(app, client, "/sets/comms/participation")
    assert few == many, (few, many)
