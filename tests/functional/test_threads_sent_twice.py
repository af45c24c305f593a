"""A posting form sent twice (a double click, a retry after a dropped connection) posts once."""

from __future__ import annotations

import re
import threading

import pytest
from sqlalchemy import func
from sqlalchemy import select

from forum.extensions import db
from forum.models import LearningSet
from forum.models import ModerationPolicy
from forum.models import Post
from forum.models import Thread

KEY = re.compile(r'name="submission_key" type="hidden" value="([A-Za-z0-9_-]+)"')


@pytest.fixture(autouse=True)
def posts_publish_at_once(app, world):
    with app.app_context():
        db.session.get(LearningSet, world.learning_set.id).moderation_policy = (
            ModerationPolicy.AFTER_THE_FACT)
        db.session.commit()


def _counts(app) -> tuple[int, int]:
    with app.app_context():
        return (db.session.scalar(select(func.count(Thread.id))),
                db.session.scalar(select(func.count(Post.id))))


def _opening_post_id(app, world) -> int:
    with app.app_context():
        return db.session.scalar(select(func.min(Post.id)).where(
            Post.thread_id == world.thread.id))


def _key(client, url: str) -> str:
    match = KEY.search(client.get(url).text)
    assert match, f"{url} has no one-time key"
    return match.group(1)


def test_every_posting_form_carries_a_fresh_one_time_key(app, client, world):
    client.sign_in_as(world.member)
    opening = _opening_post_id(app, world)
    for url in ("/sets/comms/threads/new", f"/posts/{opening}/reply",
                f"/threads/{world.thread.id}"):
        assert _key(client, url) != _key(client, url)


def test_a_reply_sent_twice_is_posted_once_and_both_answers_show_it(app, client, world):
    client.sign_in_as(world.member)
    opening = _opening_post_id(app, world)
    data = {"body": "Citizens' jury, in the end.",
            "submission_key": _key(client, f"/posts/{opening}/reply")}
    before = _counts(app)
    first = client.post(f"/posts/{opening}/reply", data=data)
    again = client.post(f"/posts/{opening}/reply", data=data)
    assert first.status_code == again.status_code == 302
    assert again.location == first.location
    assert _counts(app) == (before[0], before[1] + 1)
    assert "nothing was posted twice" in client.get(again.location).text


def test_a_new_thread_sent_twice_is_started_once(app, client, world):
    client.sign_in_as(world.member)
    data = {"title": "Paying participants", "body": "Did you pay everyone?",
            "submission_key": _key(client, "/sets/comms/threads/new")}
    before = _counts(app)
    first = client.post("/sets/comms/threads/new", data=data)
    again = client.post("/sets/comms/threads/new", data=data)
    assert again.location == first.location
    assert _counts(app) == (before[0] + 1, before[1] + 1)


def test_two_forms_with_the_same_words_are_two_posts(app, client, world):
    client.sign_in_as(world.member)
    opening = _opening_post_id(app, world)
    before = _counts(app)
    for _ in range(2):
        client.post(f"/posts/{opening}/reply", data={
            "body": "Agreed.", "submission_key": _key(client, f"/posts/{opening}/reply")})
    assert _counts(app) == (before[0], before[1] + 2)


def test_the_key_of_another_author_reveals_and_blocks_nothing(app, client, world):
    opening = _opening_post_id(app, world)
    client.sign_in_as(world.member)
    key = _key(client, f"/posts/{opening}/reply")
    client.post(f"/posts/{opening}/reply", data={"body": "Mine.", "submission_key": key})
    client.sign_in_as(world.moderator)
    before = _counts(app)
    response = client.post(f"/posts/{opening}/reply",
                           data={"body": "Also mine.", "submission_key": key})
    assert response.status_code == 302
    assert _counts(app) == (before[0], before[1] + 1)


@pytest.mark.parametrize("key", [None, "", "short", "x" * 65, "<script>0123456789abcdef"])
def test_a_form_without_a_usable_key_still_posts(app, client, world, key):
    client.sign_in_as(world.member)
    opening = _opening_post_id(app, world)
    data = {"body": "From a page opened before the upgrade."}
    if key is not None:
        data["submission_key"] = key
    before = _counts(app)
    assert client.post(f"/posts/{opening}/reply", data=data).status_code == 302
    assert _counts(app) == (before[0], before[1] + 1)


def test_duplicates_arriving_at_the_same_moment_make_one_post(app, world):
    """The unique key in the database decides, not a check before the insert."""
    opening = _opening_post_id(app, world)
    clients = [app.test_client() for _ in range(4)]
    for each in clients:
        each.sign_in_as(world.member)
    data = {"body": "Sent by an impatient double click.", "submission_key": "k" * 24}
    tokens = [each.csrf_token() for each in clients]
    barrier = threading.Barrier(len(clients))
    responses: list = [None] * len(clients)

    def send(index: int) -> None:
        barrier.wait()
        responses[index] = clients[index].post(
            f"/posts/{opening}/reply", data={**data, "csrf_token": tokens[index]})

    before = _counts(app)
    workers = [threading.Thread(target=send, args=(i,)) for i in range(len(clients))]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert [r.status_code for r in responses] == [302] * len(clients)
    assert len({r.location for r in responses}) == 1
    assert _counts(app) == (before[0], before[1] + 1)
