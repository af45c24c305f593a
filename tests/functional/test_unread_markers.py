"""Unread markers: what is new to a member since they last read a thread, counting only what a
moderator approved, with the set page's query count fixed and no write on a plain re-read."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from forum.extensions import db
from forum.models import LearningSet
from forum.models import Post
from forum.models import PostStatus
from forum.models import Thread
from forum.models import ThreadRead
from forum.models import User
from forum.models import utcnow
from forum.moderation import service as moderation
from tests import factories
from tests.querycount import page_statements


def _new_tag(page: str, thread_id: int) -> str | None:
    """The "N new" link of a thread on the set page: its count and where it goes."""
    match = re.search(rf'href="/threads/{thread_id}\?post=(\d+)#post-(\d+)"><strong '
                      r'class="govuk-tag govuk-tag--green">(\d+\+?) new</strong>', page)
    if match is None or match.group(1) != match.group(2):
        return None
    # The link opens the page of a long thread that shows the post (?post=), at the post.
    return f"{match.group(3)} new -> post-{match.group(2)}"


def _reply(app, world, *, author: str = "moderator", status=PostStatus.APPROVED,
           body: str = "A new reply.", age: timedelta = timedelta(0)) -> int:
    with app.app_context():
        thread = db.session.get(Thread, world.thread.id)
        post = factories.make_post(thread, db.session.get(User, world.user(author).id),
                                   parent=thread.posts[0], status=status, body=body)
        post.created_at = utcnow() - age
        db.session.commit()
        return post.id


def _read(client, world) -> str:
    return client.get(f"/threads/{world.thread.id}").text


def test_a_reply_after_reading_shows_one_new_on_the_set_page_and_on_the_thread(
        app, client, world):
    client.sign_in_as(world.member)
    _read(client, world)
    assert _new_tag(client.get("/sets/comms/").text, world.thread.id) is None
    reply = _reply(app, world)
    assert _new_tag(client.get("/sets/comms/").text, world.thread.id) == f"1 new -> post-{reply}"
    page = _read(client, world)
    assert page.count("forum-post__new") == 1
    assert re.search(rf'id="post-{reply}-heading">.*?New</strong>', page, re.S)
    assert f'<a class="govuk-link" href="#post-{reply}">1 new since you last read it</a>' in page
    # Read now: nothing new on the set page, and nothing marked on the next visit.
    assert _new_tag(client.get("/sets/comms/").text, world.thread.id) is None
    assert "forum-post__new" not in _read(client, world)


def test_a_thread_never_opened_counts_every_published_post_of_others(app, client, world):
    _reply(app, world)
    client.sign_in_as(world.moderator)  # wrote the reply; the opening post is the member's
    assert _new_tag(client.get("/sets/comms/").text, world.thread.id).startswith("1 new")
    client.sign_in_as(world.facilitator)
    assert _new_tag(client.get("/sets/comms/").text, world.thread.id).startswith("2 new")


@pytest.mark.parametrize("status", [PostStatus.PENDING, PostStatus.REJECTED, PostStatus.HIDDEN,
                                    PostStatus.WITHDRAWN])
def test_posts_no_moderator_approved_never_count_not_even_for_moderators(app, client, world,
                                                                         status):
    for role in ("member", "moderator"):
        client.sign_in_as(world.user(role))
        _read(client, world)
    _reply(app, world, author="facilitator", status=status, body="Secret unapproved words.")
    for role in ("member", "moderator"):
        client.sign_in_as(world.user(role))
        assert _new_tag(client.get("/sets/comms/").text, world.thread.id) is None, role


def test_a_post_approved_after_the_member_read_the_thread_is_new_then(app, client, world):
    waiting = _reply(app, world, author="member", status=PostStatus.PENDING,
                     age=timedelta(hours=1))
    client.sign_in_as(world.facilitator)
    _read(client, world)  # read after the post was written, before it was approved
    assert _new_tag(client.get("/sets/comms/").text, world.thread.id) is None
    with app.app_context():
        moderation.approve(db.session, db.session.get(User, world.moderator.id),
                           db.session.get(Post, waiting))
        db.session.commit()
    assert _new_tag(client.get("/sets/comms/").text,
                    world.thread.id) == f"1 new -> post-{waiting}"


def test_your_own_posts_are_never_new_to_you(app, client, world):
    client.sign_in_as(world.member)
    _read(client, world)
    _reply(app, world, author="member")
    assert _new_tag(client.get("/sets/comms/").text, world.thread.id) is None


def test_visitors_get_no_markers_and_nothing_is_recorded(app, client, world):
    with app.app_context():
        db.session.get(LearningSet, world.learning_set.id).visibility = "public"
        db.session.commit()
    page = client.get("/sets/comms/").text
    assert _new_tag(page, world.thread.id) is None
    assert "Mark all as read" not in page
    _read(client, world)
    with app.app_context():
        assert db.session.scalar(select(ThreadRead)) is None


def _writes(statements: list[str]) -> list[str]:
    return [s for s in statements if s.lstrip().upper().startswith(("INSERT", "UPDATE"))]


def test_reading_writes_once_when_the_place_moves_and_not_on_a_plain_re_read(
        app, client, world):
    client.sign_in_as(world.member)
    url = f"/threads/{world.thread.id}"
    _reply(app, world)
    assert len(_writes(page_statements(app, client, url))) == 1   # first read
    assert _writes(page_statements(app, client, url)) == []       # nothing new: no write
    _reply(app, world)
    assert len(_writes(page_statements(app, client, url))) == 1   # moved forward


def test_the_set_page_query_count_does_not_grow_with_threads_or_unread_markers(
        app, client, world):
    client.sign_in_as(world.member)
    before = len(page_statements(app, client, "/sets/comms/"))
    with app.app_context():
        learning_set = db.session.get(LearningSet, world.learning_set.id)
        moderator = db.session.get(User, world.moderator.id)
        for number in range(25):
            thread = factories.make_thread(learning_set, moderator, title=f"Thread {number}")
            factories.make_post(thread, moderator, parent=thread.posts[0])
        db.session.commit()
    assert len(page_statements(app, client, "/sets/comms/")) == before
    page = client.get("/sets/comms/").text
    assert page.count("govuk-tag--green") >= 20  # the markers really are on the page


def test_mark_all_as_read(app, client, world):
    _reply(app, world)
    client.sign_in_as(world.member)
    page = client.get("/sets/comms/").text
    assert "Mark all as read" in page
    response = client.post("/sets/comms/read", data={})
    assert response.status_code == 302
    page = client.get("/sets/comms/").text
    assert "Every thread in Communicating assemblies is marked as read." in page
    assert _new_tag(page, world.thread.id) is None
    assert "Mark all as read" not in page
    reply = _reply(app, world)
    assert _new_tag(client.get("/sets/comms/").text, world.thread.id) == f"1 new -> post-{reply}"


def test_mark_all_as_read_needs_the_form_token(app, client, world):
    _reply(app, world)
    client.sign_in_as(world.member)
    client.post("/sets/comms/read", data={}, csrf=False)
    assert _new_tag(client.get("/sets/comms/").text, world.thread.id) is not None


def test_markers_on_a_later_page_of_the_set_count_that_pages_threads(app, client, world):
    """The set page counts new posts for the threads it shows (not for every thread of the
    set): a thread on page 2 still gets its own count and link, and only there."""
    reply = _reply(app, world)  # the moderator's reply; the opening post is the member's
    with app.app_context():
        learning_set = db.session.get(LearningSet, world.learning_set.id)
        moderator = db.session.get(User, world.moderator.id)
        now = utcnow()
        db.session.get(Thread, world.thread.id).last_activity_at = now - timedelta(days=30)
        newer = []
        for number in range(25):
            thread = factories.make_thread(learning_set, moderator, title=f"Newer {number}")
            factories.make_post(thread, moderator, parent=thread.posts[0])
            thread.last_activity_at = now - timedelta(minutes=number)
            newer.append((thread.id, thread.posts[0].id))
        db.session.commit()
        opening = db.session.get(Thread, world.thread.id).posts[0].id
    client.sign_in_as(world.facilitator)
    first, second = (client.get("/sets/comms/").text,
                     client.get("/sets/comms/?page=2").text)
    assert _new_tag(first, world.thread.id) is None
    assert _new_tag(second, world.thread.id) == f"2 new -> post-{opening}"
    assert reply > opening
    newest_id, newest_opening = newer[0]
    assert _new_tag(first, newest_id) == f"2 new -> post-{newest_opening}"
    oldest_id, oldest_opening = newer[-1]
    assert _new_tag(second, oldest_id) == f"2 new -> post-{oldest_opening}"
    assert first.count("govuk-tag--green") >= 20


def _replies(app, world, count: int, *, after: timedelta) -> list[int]:
    """``count`` replies by the moderator, published one second apart from ``after`` ago."""
    with app.app_context():
        thread = db.session.get(Thread, world.thread.id)
        moderator = db.session.get(User, world.moderator.id)
        start = utcnow() - after
        ids = []
        for number in range(count):
            post = factories.make_post(thread, moderator, parent=thread.posts[0],
                                       body=f"Reply {number}.")
            post.created_at = start + timedelta(seconds=number)
            ids.append(post.id)
        db.session.commit()
        return ids


def test_a_long_run_of_new_posts_reads_99_plus_and_links_to_the_first_new_one(
        app, client, world):
    """The count stops at 99 ("99+ new"), so a long thread is not read to the end for it, and
    the link still opens the first post published since the member last read."""
    client.sign_in_as(world.member)
    _read(client, world)
    replies = _replies(app, world, 99, after=timedelta(0))
    assert _new_tag(client.get("/sets/comms/").text,
                    world.thread.id) == f"99 new -> post-{replies[0]}"
    _replies(app, world, 1, after=timedelta(seconds=-120))
    assert _new_tag(client.get("/sets/comms/").text,
                    world.thread.id) == f"99+ new -> post-{replies[0]}"
    assert "100 new" not in client.get("/sets/comms/").text


def test_the_first_new_post_is_the_first_published_since_the_member_read(app, client, world):
    """A reply written before the member read, but approved after, comes first: it is the
    first they have not seen, though newer replies were written after it."""
    waiting = _reply(app, world, author="facilitator", status=PostStatus.PENDING,
                     age=timedelta(hours=2))
    client.sign_in_as(world.member)
    _read(client, world)
    with app.app_context():
        moderation.approve(db.session, db.session.get(User, world.moderator.id),
                           db.session.get(Post, waiting))
        db.session.commit()
    later = _replies(app, world, 120, after=timedelta(seconds=-60))
    assert waiting < later[0]
    assert _new_tag(client.get("/sets/comms/").text,
                    world.thread.id) == f"99+ new -> post-{waiting}"
