""""My sets" says, per set, how many posts are new to the member and in how many threads,
counting only what they may read, in a query count that does not grow with the sets."""

from __future__ import annotations

import re

from forum.extensions import db
from forum.models import LearningSet
from forum.models import PostStatus
from forum.models import Role
from forum.models import Thread
from forum.models import User
from tests import factories
from tests.querycount import count_page_queries


def _news(page: str, slug: str) -> str | None:
    match = re.search(rf'<a class="govuk-link" href="/sets/{slug}/"><strong>(\d+\+? new posts?)'
                      r'</strong> in (\d+ threads?)', page)
    return f"{match.group(1)} in {match.group(2)}" if match else None


def test_my_sets_counts_new_posts_and_threads_with_a_link(app, client, world):
    client.sign_in_as(world.member)
    client.get(f"/threads/{world.thread.id}")  # read: nothing new
    assert _news(client.get("/sets/").text, "comms") is None
    with app.app_context():
        thread = db.session.get(Thread, world.thread.id)
        moderator = db.session.get(User, world.moderator.id)
        factories.make_post(thread, moderator, parent=thread.posts[0], body="One.")
        factories.make_post(thread, moderator, parent=thread.posts[0], body="Two.")
        factories.make_post(thread, moderator, parent=thread.posts[0], body="Waiting.",
                            status=PostStatus.PENDING)
        second = factories.make_thread(db.session.get(LearningSet, world.learning_set.id),
                                       moderator, title="Another")
        hidden = factories.make_thread(db.session.get(LearningSet, world.learning_set.id),
                                       moderator, title="Waiting thread")
        factories.make_post(hidden, moderator, parent=hidden.posts[0], body="In hiding.")
        hidden.posts[0].status = PostStatus.PENDING
        factories.make_post(second, db.session.get(User, world.member.id),
                            parent=second.posts[0], body="My own.")
        db.session.commit()
    # Two approved replies, and the other thread's opening post (own posts and waiting ones
    # never count; nor a reply in a thread whose opening post waits).
    assert _news(client.get("/sets/").text, "comms") == "3 new posts in 2 threads"


def test_my_sets_query_count_does_not_grow_with_sets(app, client, world):
    client.sign_in_as(world.member)
    before = count_page_queries(app, client, "/sets/")
    with app.app_context():
        member = db.session.get(User, world.member.id)
        moderator = db.session.get(User, world.moderator.id)
        for number in range(6):
            learning_set = factories.make_set(f"extra-{number}", name=f"Extra {number}",
                                              facilitator=moderator)
            factories.add_member(member, learning_set, Role.MEMBER)
            factories.make_thread(learning_set, moderator, title=f"News {number}")
        db.session.commit()
    assert count_page_queries(app, client, "/sets/") == before
    page = client.get("/sets/").text
    assert all(_news(page, f"extra-{n}") == "1 new post in 1 thread" for n in range(6))


def test_my_sets_caps_the_count_at_99_plus_as_the_set_page_does(app, client, world):
    client.sign_in_as(world.member)
    client.get(f"/threads/{world.thread.id}")
    with app.app_context():
        thread = db.session.get(Thread, world.thread.id)
        moderator = db.session.get(User, world.moderator.id)
        for number in range(100):
            factories.make_post(thread, moderator, parent=thread.posts[0], body=f"R{number}.")
        db.session.commit()
    assert _news(client.get("/sets/").text, "comms") == "99+ new posts in 1 thread"
