"""The queue page counts what waits up to a cap and pages within it (issue 16).

An admin moderates every set: counting and paging through the site's whole backlog made the
admin's queue cost what the backlog holds. Past the cap the page says "more than" and how to
reach the rest; below it, everything reads as before. The cap is lowered here so that a test
needs dozens of posts, not a thousand.
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from forum.extensions import db
from forum.models import Post
from forum.models import PostStatus
from forum.models import Report
from forum.models import Thread
from forum.models import utcnow
from forum.moderation import queue
from tests import factories
from tests.querycount import recording_statements

CAP = 40  # two pages of 20


@pytest.fixture
def small_cap(monkeypatch):
    monkeypatch.setattr(queue, "QUEUE_COUNT_CAP", CAP)


def _waiting(app, world, count: int, *, first: int = 0) -> None:
    """``count`` waiting replies, oldest first by number, two at a time sharing a date (then
    ordered by id); from ``first`` on, so a later call adds newer ones."""
    with app.app_context():
        thread = db.session.get(Thread, world.thread.id)
        opening = thread.posts[0]
        now = utcnow()
        for n in range(first, first + count):
            post = factories.make_post(thread, world.member, parent=opening,
                                       body=f"Waiting {n}", status=PostStatus.PENDING)
            post.created_at = now - timedelta(days=1) + timedelta(minutes=n // 2)
        db.session.commit()


def _ordered(page: str) -> list[str]:
    return re.findall(r"(Waiting \d+|Edited \d+|Reported \d+)<", page)


def test_an_admin_with_more_waiting_than_the_cap_sees_more_than_and_pages_within_it(
        app, client, world, small_cap):
    _waiting(app, world, CAP + 5)
    client.sign_in_as(world.admin)
    first = client.get("/moderation/").get_data(as_text=True)
    assert f"More than <strong>{CAP}</strong> items waiting." in first
    assert (f"The pages below list the oldest {CAP}. To reach the rest, work from the oldest"
            in first)
    assert _ordered(first) == [f"Waiting {n}" for n in range(20)]
    assert "/moderation/?page=2" in first and "/moderation/?page=3" not in first
    second = client.get("/moderation/?page=2").get_data(as_text=True)
    assert _ordered(second) == [f"Waiting {n}" for n in range(20, 40)]
    # Past the pages offered: the last of them, not an empty page or an error.
    beyond = client.get("/moderation/?page=3")
    assert beyond.status_code == 200
    assert _ordered(beyond.get_data(as_text=True)) == _ordered(second)


def test_past_the_cap_the_filter_is_offered_as_the_way_to_one_sets_items(
        app, client, world, small_cap):
    _waiting(app, world, CAP + 1)
    with app.app_context():
        factories.make_set(name="Another set")  # the admin moderates two sets: the filter is shown
        db.session.commit()
    client.sign_in_as(world.admin)
    page = client.get("/moderation/").get_data(as_text=True)
    assert "or choose one set in “Show the queue for” above" in page
    chosen = client.get(f"/moderation/?set={world.learning_set.slug}").get_data(as_text=True)
    assert f"More than <strong>{CAP}</strong> items waiting in" in chosen


def test_below_the_cap_the_count_is_exact_and_reads_as_before(app, client, world, small_cap):
    _waiting(app, world, CAP)
    client.sign_in_as(world.admin)
    page = client.get("/moderation/").get_data(as_text=True)
    assert f"<strong>{CAP}</strong> items waiting." in page
    assert "More than" not in page and "To reach the rest" not in page
    assert "/moderation/?page=2" in page


def test_an_admins_whole_queue_is_in_the_order_a_sets_moderator_sees(app, world):
    """The admin's page merges waiting posts, waiting edits and reported posts, each read in
    date order; the set's moderator's page sorts the set's items. Same items, same order:
    oldest first, then by post id."""
    _waiting(app, world, 6)
    with app.app_context():
        thread = db.session.get(Thread, world.thread.id)
        opening = thread.posts[0]
        start = utcnow() - timedelta(days=1)
        for n in range(3):
            edited = factories.make_post(thread, world.outsider, parent=opening,
                                         body=f"Published {n}")
            factories.propose_edit(edited, f"Edited {n}")
            edited.pending_at = start + timedelta(minutes=n, seconds=30)
            reported = factories.make_post(thread, world.outsider, parent=opening,
                                           body=f"Reported {n}")
            db.session.add(Report(post_id=reported.id, reporter_id=world.member.id,
                                  reason="Names a resident.",
                                  created_at=start + timedelta(minutes=n + 1)))
        # The same date as "Waiting 2", "Waiting 3" and "Reported 0": after them by id.
        tie = factories.make_post(thread, world.outsider, parent=opening, body="Reported 3")
        db.session.add(Report(post_id=tie.id, reporter_id=world.member.id,
                              reason="Again.", created_at=start + timedelta(minutes=1)))
        db.session.commit()
    pages = {}
    for who in ("admin", "moderator"):
        client = app.test_client()
        client.sign_in_as(getattr(world, who))
        pages[who] = _ordered(client.get("/moderation/").get_data(as_text=True))
    assert pages["admin"] == pages["moderator"] == [
        "Waiting 0", "Waiting 1", "Edited 0", "Waiting 2", "Waiting 3", "Reported 0",
        "Reported 3", "Edited 1", "Waiting 4", "Waiting 5", "Reported 1", "Edited 2",
        "Reported 2"]


def _admin_queue_queries(app, world, waiting: int) -> int:
    _waiting(app, world, waiting, first=1000)
    client = app.test_client()
    client.sign_in_as(world.admin)
    with recording_statements(app) as statements:
        assert client.get("/moderation/").status_code == 200
    return len(statements)


def test_an_admins_queue_costs_the_same_statements_below_and_past_the_cap(
        app, world, small_cap):
    below = _admin_queue_queries(app, world, 10)
    past = _admin_queue_queries(app, world, CAP + 10)
    assert below == past
    with app.app_context():
        assert db.session.query(Post).filter(Post.status == PostStatus.PENDING).count() == (
            CAP + 20)


def test_a_queue_of_many_sets_says_to_choose_one_for_its_log_link(app, client, world,
                                                                  monkeypatch):
    """Each set's log link is listed up to a number of sets; past it (an admin's queue shows
    every set of the site) the page says how to get one, and a chosen set's is linked."""
    from forum.moderation import views

    monkeypatch.setattr(views, "QUEUE_LOG_LINKS", 1)
    with app.app_context():
        factories.make_set("budgets", name="Participatory budgets")
        db.session.commit()
    client.sign_in_as(world.admin)
    page = client.get("/moderation/").get_data(as_text=True)
    assert "/moderation-log" not in page
    assert "choose a set below to see a link to its log" in page
    chosen = client.get("/moderation/?set=budgets").get_data(as_text=True)
    assert 'href="/sets/budgets/moderation-log"' in chosen
    assert "choose a set below" not in chosen
