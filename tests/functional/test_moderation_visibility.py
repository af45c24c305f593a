"""A waiting post is seen by its author and the set's moderators, and by nobody else."""

from __future__ import annotations

import pytest

from forum.extensions import db
from forum.models import LearningSet
from forum.models import PostStatus
from forum.models import Thread
from forum.models import Visibility
from tests import factories

SECRET_REPLY = "Reply text that must not leak 7f3a"
SECRET_TITLE = "Thread title that must not leak 91bc"
SECRET_OPENING = "Opening text that must not leak c2d4"


@pytest.fixture
def waiting(app, world):
    """A pending reply in the world's thread and a thread whose opening post is pending."""
    with app.app_context():
        learning_set = db.session.get(LearningSet, world.learning_set.id)
        learning_set.visibility = Visibility.PUBLIC  # so even anonymous visitors read the set
        thread = db.session.get(Thread, world.thread.id)
        reply = factories.make_post(thread, world.member, parent=thread.posts[0],
                                    body=SECRET_REPLY, status=PostStatus.PENDING)
        hidden_thread = factories.make_thread(learning_set, world.member, title=SECRET_TITLE,
                                              body=SECRET_OPENING)
        hidden_thread.posts[0].status = PostStatus.PENDING
        reader = factories.make_user(display_name="Rita Reader")
        factories.add_member(reader, learning_set)
        db.session.commit()
        db.session.refresh(reader)
        db.session.expunge(reader)
        return {"reply": reply.id, "thread": hidden_thread.id,
                "opening": hidden_thread.posts[0].id, "reader": reader}


def _pages(world, waiting):
    return ["/", "/sets/", "/sets/comms/", f"/threads/{world.thread.id}",
            f"/threads/{waiting['thread']}", "/notifications",
            f"/posts/{waiting['reply']}/report", f"/posts/{waiting['reply']}/revisions",
            f"/posts/{waiting['opening']}/reply"]


@pytest.mark.parametrize("who", ["anonymous", "reader", "outsider"])
def test_waiting_text_and_threads_never_reach_other_people(app, client, world, waiting, who):
    if who == "reader":
        client.sign_in_as(waiting["reader"])
    elif who == "outsider":
        client.sign_in_as(world.outsider)
    readable = {"/", "/sets/comms/", f"/threads/{world.thread.id}"}
    for url in _pages(world, waiting):
        response = client.get(url)
        page = response.get_data(as_text=True)
        if url in readable:
            assert response.status_code == 200, url  # the page itself is shown
        for secret in (SECRET_REPLY, SECRET_TITLE, SECRET_OPENING):
            assert secret not in page, (url, secret)
    assert client.get(f"/threads/{waiting['thread']}").status_code == 404


def test_waiting_posts_do_not_count_as_replies(app, client, world, waiting):
    client.sign_in_as(waiting["reader"])
    page = client.get(f"/threads/{world.thread.id}").get_data(as_text=True)
    assert "0 replies" in page


def test_the_author_sees_their_waiting_post_marked_and_may_withdraw_it(app, client, world,
                                                                      waiting):
    client.sign_in_as(world.member)
    page = client.get(f"/threads/{world.thread.id}").get_data(as_text=True)
    assert SECRET_REPLY in page
    assert "Awaiting approval" in page
    assert f'action="/posts/{waiting["reply"]}/withdraw"' in page
    assert SECRET_OPENING in client.get(f"/threads/{waiting['thread']}").get_data(as_text=True)


@pytest.mark.parametrize("role", ["moderator", "facilitator", "admin"])
def test_moderators_see_waiting_posts_with_their_actions(app, client, world, waiting, role):
    client.sign_in_as(world.user(role))
    page = client.get(f"/threads/{world.thread.id}").get_data(as_text=True)
    assert SECRET_REPLY in page
    assert f'action="/moderation/posts/{waiting["reply"]}/approve"' in page
    assert SECRET_OPENING in client.get(f"/threads/{waiting['thread']}").get_data(as_text=True)


def test_moderation_routes_do_not_reveal_a_waiting_post_to_members(app, client, world, waiting):
    client.sign_in_as(waiting["reader"])
    reply = waiting["reply"]
    for url in (f"/moderation/posts/{reply}/reject", f"/moderation/posts/{reply}/edit",
                f"/moderation/posts/{reply}/hide", f"/posts/{reply}/report"):
        assert client.get(url).status_code == 404, url
    assert client.post(f"/moderation/posts/{reply}/approve").status_code == 404
    assert client.post(f"/posts/{reply}/withdraw").status_code == 404
