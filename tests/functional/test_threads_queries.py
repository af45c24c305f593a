"""The thread page costs the same number of SQL queries whether it has 5 posts or 200."""

from __future__ import annotations

import itertools

import pytest

from forum.extensions import db
from forum.models import LearningSet
from forum.models import PostStatus
from forum.models import User
from forum.models import Visibility
from forum.models import utcnow
from tests import factories
from tests.querycount import count_page_queries
from tests.querycount import recording_statements

# Every status comes first, so even the 5-post thread takes every per-status path.
STATUSES = [PostStatus.PENDING, PostStatus.HIDDEN, PostStatus.REJECTED,
            PostStatus.WITHDRAWN] + [PostStatus.APPROVED] * 6


def _make_thread(app, world, size: int) -> int:
    """A thread of ``size`` posts by many authors, nested up to 12 deep, some edited."""
    with app.app_context():
        learning_set = db.session.get(LearningSet, world.learning_set.id)
        authors = [db.session.get(User, world.member.id)]
        # More posts, more people: lazy-loading authors one by one would show in the count.
        for _ in range(max(1, size // 10)):
            author = factories.make_user()
            factories.add_member(author, learning_set)
            authors.append(author)
        thread = factories.make_thread(learning_set, authors[0], title=f"Thread of {size}")
        posts = [thread.posts[0]]
        cycle = itertools.cycle(STATUSES)
        for n in range(1, size):
            parent = posts[n - 1] if n % 12 else posts[0]
            # The member writes the first posts (one in each status), then everyone joins in.
            author = authors[0] if n <= len(STATUSES) else authors[n % len(authors)]
            post = factories.make_post(thread, author, parent=parent,
                                       status=next(cycle), body=f"Post **{n}**")
            if n % 7 == 0:
                post.edited_at = utcnow()
            posts.append(post)
        db.session.commit()
        return thread.id


@pytest.mark.parametrize("role", ["anonymous", "member", "moderator", "admin"])
def test_thread_page_query_count_does_not_grow_with_posts(app, client, world, role):
    # All 200 posts on one page (a page holds 50 replies by default), so each is drawn.
    app.config["THREAD_POSTS_PER_PAGE"] = 1000
    with app.app_context():
        db.session.get(LearningSet, world.learning_set.id).visibility = Visibility.PUBLIC
        db.session.commit()
    small = _make_thread(app, world, 5)
    large = _make_thread(app, world, 200)
    user = world.user(role)
    if user is not None:
        client.sign_in_as(user)
    small_count = count_page_queries(app, client, f"/threads/{small}")
    with recording_statements(app) as statements:
        large_page = client.get(f"/threads/{large}").text
    large_count = len(statements)
    assert large_page.count("<article") > 100  # the posts really were rendered
    assert "Post <strong>195</strong>" in large_page
    assert small_count == large_count, f"{small_count} queries for 5 posts, {large_count} for 200"
