"""The list of threads on a set page: order, visibility, reply counts and paging."""

from __future__ import annotations

from datetime import timedelta

import pytest
from flask_login import AnonymousUserMixin

from forum.models import LearningSet
from forum.models import PostStatus
from forum.models import User
from forum.models import Visibility
from forum.models import utcnow
from forum.permissions import forget_roles
from forum.sets.summaries import thread_summaries
from tests import factories
from tests.querycount import recording_statements


@pytest.fixture
def people(db_session):
    author = factories.make_user(display_name="Alex Author")
    moderator = factories.make_user(display_name="Mina Mod")
    member = factories.make_user(display_name="Max Member")
    learning_set = factories.make_set(visibility=Visibility.NETWORK, facilitator=author)
    factories.add_member(moderator, learning_set, role="moderator")
    factories.add_member(member, learning_set)
    return learning_set, author, moderator, member


def _titles(page) -> list[str]:
    return [item.title for item in page.items]


def test_pinned_threads_come_first_then_latest_activity(db_session, people):
    learning_set, author, _, member = people
    now = utcnow()
    for title, minutes_ago, pinned in [("Old", 30, False), ("Pinned old", 60, True),
                                       ("New", 1, False), ("Middle", 10, False)]:
        thread = factories.make_thread(learning_set, author, title=title)
        thread.last_activity_at = now - timedelta(minutes=minutes_ago)
        thread.is_pinned = pinned
    db_session.flush()
    page = thread_summaries(db_session, member, learning_set, page=1, per_page=10)
    assert _titles(page) == ["Pinned old", "New", "Middle", "Old"]
    assert page.items[0].is_pinned and not page.items[1].is_pinned
    assert page.items[0].author_name == "Alex Author"


def test_reply_count_counts_approved_replies_only(db_session, people):
    learning_set, author, _, member = people
    thread = factories.make_thread(learning_set, author)
    opening = thread.posts[0]
    for status in PostStatus:
        factories.make_post(thread, member, parent=opening, status=status)
    factories.make_post(thread, member, parent=opening)
    [summary] = thread_summaries(db_session, member, learning_set, page=1, per_page=10).items
    assert summary.reply_count == 2


@pytest.mark.parametrize(("viewer", "listed"), [
    ("author", True), ("moderator", True), ("member", False), ("anonymous", False),
])
def test_thread_awaiting_approval_is_listed_to_its_author_and_moderators_only(
        db_session, people, viewer, listed):
    learning_set, author, moderator, member = people
    learning_set.visibility = Visibility.PUBLIC
    factories.make_thread(learning_set, author, title="Visible")
    waiting = factories.make_thread(learning_set, member if viewer != "author" else author,
                                    title="Waiting")
    waiting.posts[0].status = PostStatus.PENDING
    db_session.flush()
    other_member = factories.make_user()
    factories.add_member(other_member, learning_set)
    user = {"author": author, "moderator": moderator, "member": other_member,
            "anonymous": AnonymousUserMixin()}[viewer]
    page = thread_summaries(db_session, user, learning_set, page=1, per_page=10)
    assert ("Waiting" in _titles(page)) == listed
    assert page.total == (2 if listed else 1)


def test_threads_from_other_sets_are_not_listed(db_session, people):
    learning_set, author, _, member = people
    other = factories.make_set()
    factories.make_thread(other, author, title="Elsewhere")
    factories.make_thread(learning_set, author, title="Here")
    assert _titles(thread_summaries(db_session, member, learning_set, page=1,
                                    per_page=10)) == ["Here"]


@pytest.mark.parametrize(("page", "expected_page"), [(0, 1), (-5, 1), (2, 2), (3, 3),
                                                      (99, 3), (10**12, 3)])
def test_pages_are_clamped_to_those_that_exist(db_session, people, page, expected_page):
    learning_set, author, _, member = people
    for n in range(7):
        factories.make_thread(learning_set, author, title=f"T{n}")
    result = thread_summaries(db_session, member, learning_set, page=page, per_page=3)
    assert (result.page, result.pages, result.total) == (expected_page, 3, 7)
    assert len(result.items) == (1 if expected_page == 3 else 3)


def test_empty_set_has_one_empty_page(db_session, people):
    learning_set, _, _, member = people
    assert thread_summaries(db_session, member, learning_set, page=1, per_page=20) == \
        type(thread_summaries(db_session, member, learning_set, page=1, per_page=20))(
            items=[], page=1, pages=1, total=0)


def test_listing_uses_the_same_number_of_queries_whatever_the_page_size(db_session, people):
    learning_set, author, moderator, member = people
    for n in range(30):
        thread = factories.make_thread(learning_set, author, title=f"T{n}")
        factories.make_post(thread, member, parent=thread.posts[0])
    db_session.commit()
    counts = []
    for per_page in (2, 30):
        db_session.expire_all()
        forget_roles()
        learning_set = db_session.get(LearningSet, learning_set.id)
        viewer = db_session.get(User, member.id)
        with recording_statements() as statements:
            page = thread_summaries(db_session, viewer, learning_set, page=1, per_page=per_page)
            [(item.title, item.author_name, item.reply_count) for item in page.items]
        counts.append(len(statements))
        assert len(page.items) == per_page
    assert counts[0] == counts[1]
    assert counts[0] <= 3
