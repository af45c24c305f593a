"""Moderation as seen from a set: links for those allowed, the policy, waiting threads marked,
and "latest activity" that only published threads move."""

from __future__ import annotations

from datetime import datetime

import pytest

from forum.extensions import db
from forum.models import LearningSet
from forum.models import ModerationPolicy
from forum.models import PostStatus
from forum.models import Thread
from tests import factories

QUEUE_LINK = 'href="/moderation/?set=comms"'
LOG_LINK = 'href="/sets/comms/moderation-log"'
POLICY_LINK = 'href="/sets/comms/moderation-policy"'


@pytest.mark.parametrize(("role", "links"), [
    ("member", set()),
    ("moderator", {QUEUE_LINK, LOG_LINK}),
    ("facilitator", {QUEUE_LINK, LOG_LINK, POLICY_LINK}),
    ("admin", {QUEUE_LINK, LOG_LINK, POLICY_LINK}),
])
def test_set_page_links_to_the_queue_log_and_policy_for_those_allowed(client, world, role,
                                                                       links):
    client.sign_in_as(world.user(role))
    page = client.get("/sets/comms/").get_data(as_text=True)
    for link in (QUEUE_LINK, LOG_LINK, POLICY_LINK):
        assert (link in page) == (link in links), link
    for link in links:  # and each link leads somewhere this person may go
        assert client.get(link[len('href="'):-1].replace("&amp;", "&")).status_code == 200


@pytest.mark.parametrize(("policy", "threshold", "sentence"), [
    (ModerationPolicy.EVERY_POST, 3, "Every post waits for approval"),
    (ModerationPolicy.NEW_MEMBERS, 3, "Each member's first 3 posts wait for approval"),
    (ModerationPolicy.NEW_MEMBERS, 1, "Each member's first post waits for approval"),
    (ModerationPolicy.AFTER_THE_FACT, 3, "Posts appear at once and can be reported"),
])
def test_set_page_tells_members_when_their_posts_wait(app, client, world, policy, threshold,
                                                      sentence):
    with app.app_context():
        learning_set = db.session.get(LearningSet, world.learning_set.id)
        learning_set.moderation_policy = policy
        learning_set.new_member_post_threshold = threshold
        db.session.commit()
    client.sign_in_as(world.member)
    page = client.get("/sets/comms/").get_data(as_text=True)
    assert sentence.replace("'", "&#39;") in page


@pytest.fixture
def waiting_thread(app, world):
    """A thread by the member whose opening post waits, and another member to look at it."""
    with app.app_context():
        learning_set = db.session.get(LearningSet, world.learning_set.id)
        thread = factories.make_thread(learning_set, world.member, title="Waiting thread 4e1")
        thread.posts[0].status = PostStatus.PENDING
        other = factories.make_user(display_name="Olu Other")
        factories.add_member(other, learning_set)
        db.session.commit()
        db.session.refresh(other)
        db.session.expunge(other)
        return other


@pytest.mark.parametrize("who", ["member", "moderator", "facilitator"])
def test_a_waiting_thread_is_marked_in_the_thread_list_for_its_author_and_moderators(
        client, world, waiting_thread, who):
    client.sign_in_as(world.user(who))
    page = client.get("/sets/comms/").get_data(as_text=True)
    row = page[page.index("Waiting thread 4e1"):]
    row = row[:row.index("</tr>")]
    assert "Awaiting approval" in row
    published = page[page.index("Naming the assembly"):]
    assert "Awaiting approval" not in published[:published.index("</tr>")]


def test_other_members_do_not_see_the_waiting_thread_or_its_marking(client, waiting_thread):
    client.sign_in_as(waiting_thread)
    page = client.get("/sets/comms/").get_data(as_text=True)
    assert "Waiting thread 4e1" not in page
    assert "Awaiting approval" not in page


@pytest.mark.parametrize("status", [PostStatus.PENDING, PostStatus.REJECTED,
                                    PostStatus.WITHDRAWN])
@pytest.mark.parametrize("url", ["/", "/sets/"])
def test_a_thread_nobody_else_can_see_does_not_move_the_sets_latest_activity(
        app, client, world, waiting_thread, status, url):
    with app.app_context():
        db.session.get(Thread, world.thread.id).last_activity_at = datetime(2025, 3, 7, 14, 5)
        waiting = db.session.scalar(db.select(Thread).where(Thread.title == "Waiting thread 4e1"))
        waiting.posts[0].status = status
        waiting.last_activity_at = datetime(2025, 6, 1, 9, 30)
        db.session.commit()
    client.sign_in_as(waiting_thread)
    page = client.get(url).get_data(as_text=True)
    assert "Latest activity 7 March 2025 at 14:05" in page
    assert "1 June 2025" not in page


def test_once_approved_the_thread_is_the_sets_latest_activity(app, client, world,
                                                              waiting_thread):
    with app.app_context():
        db.session.get(Thread, world.thread.id).last_activity_at = datetime(2025, 3, 7, 14, 5)
        db.session.commit()
        opening_id = db.session.scalar(
            db.select(Thread).where(Thread.title == "Waiting thread 4e1")).posts[0].id
    client.sign_in_as(world.moderator)
    client.post(f"/moderation/posts/{opening_id}/approve",
                data={f"version-{opening_id}": "1"})
    client.sign_in_as(waiting_thread)
    page = client.get("/").get_data(as_text=True)
    assert "Latest activity 7 March 2025" not in page
    assert "Waiting thread 4e1" in client.get("/sets/comms/").get_data(as_text=True)


def test_a_set_whose_only_thread_waits_has_no_threads_yet_for_other_members(app, client, world):
    with app.app_context():
        learning_set = factories.make_set("quiet", name="Quiet set")
        factories.add_member(db.session.get(type(world.member), world.member.id), learning_set)
        reader = factories.make_user(display_name="Rae Reader")
        factories.add_member(reader, learning_set)
        thread = factories.make_thread(learning_set, world.member, title="Not yet")
        thread.posts[0].status = PostStatus.PENDING
        db.session.commit()
        db.session.refresh(reader)
        db.session.expunge(reader)
    client.sign_in_as(reader)
    page = client.get("/").get_data(as_text=True)
    quiet = page[page.index("Quiet set"):]
    assert "No threads yet." in quiet[:quiet.index("</li>")]
