"""Erasing an account keeps the threads' copies of their posts (forum.models.thread:
opening status, counts) right, so every route that reads them agrees with the thread page.

Runs on SQLite by default and on PostgreSQL with ``FORUM_TEST_DATABASE_URL``.
"""

from __future__ import annotations

from sqlalchemy import select

from forum.challenges import service as challenges
from forum.extensions import db
from forum.guides.export.storage import storage_for
from forum.models import ChallengeStatus
from forum.models import LearningSet
from forum.models import ModerationPolicy
from forum.models import Post
from forum.models import PostKind
from forum.models import PostStatus
from forum.models import Thread
from forum.models import User
from forum.people import erasure
from tests import factories

REPLY_TEXT = "Bob's published reply in an erased thread 7f3a"


def test_erasing_with_the_text_takes_the_thread_from_readers_on_every_route(app, world):
    with app.app_context():
        learning_set = db.session.get(LearningSet, world.learning_set.id)
        eve = factories.make_user(display_name="Eve Erased")
        bob = factories.make_user(display_name="Bob Replier")
        factories.add_member(eve, learning_set)
        factories.add_member(bob, learning_set)
        thread = factories.make_thread(learning_set, eve, title="Eve's question 7f3a")
        reply = factories.make_post(thread, bob, parent=thread.posts[0], body=REPLY_TEXT)
        db.session.commit()
        thread_id, reply_id, slug = thread.id, reply.id, learning_set.slug
        erasure.erase(db.session, storage_for(), db.session.get(User, eve.id),
                      by=db.session.get(User, world.admin.id), remove_text=True)
        db.session.commit()
        # Its opening post is withdrawn now, and the thread's copy of it says so.
        stored = db.session.get(Thread, thread_id)
        assert stored.opening_status is not None and stored.opening_status.value == "withdrawn"

    client = app.test_client()
    client.sign_in_as(world.member)
    # The thread page shows a thread whose opening post was withdrawn to nobody but
    # moderators; its other pages, the set's list and search agree.
    assert client.get(f"/threads/{thread_id}").status_code == 404
    assert client.get(f"/posts/{reply_id}/reply").status_code == 404
    assert f"/threads/{thread_id}" not in client.get(f"/sets/{slug}").text
    assert REPLY_TEXT not in client.get("/search", query_string={"q": "7f3a"}).text


SUMMARY_TEXT = "What we learnt about telling the story 5c1e"
WAITING_SUMMARY = "Eve's closing summary no moderator approved 9d2b"


def _close(learning_set, holder, closer, title, text, policy):
    """A challenge of ``holder`` closed by ``closer`` with ``text`` under ``policy``."""
    learning_set.moderation_policy = ModerationPolicy.AFTER_THE_FACT
    challenge = factories.make_challenge(learning_set, holder, title=title)
    learning_set.moderation_policy = policy
    db.session.flush()
    challenges.set_status(db.session, closer, challenge, ChallengeStatus.CLOSED, text)
    return challenge


def test_erasing_an_account_takes_its_waiting_closing_summary(app, world):
    """A waiting summary is text no moderator approved: erasing its writer takes it even when
    they keep their published posts' text, and the moderators' queue no longer holds it."""
    with app.app_context():
        learning_set = db.session.get(LearningSet, world.learning_set.id)
        eve = factories.make_user(display_name="Eve Erased")
        factories.add_member(eve, learning_set)
        challenge = _close(learning_set, eve, eve, "Eve's challenge 9d2b", WAITING_SUMMARY,
                           ModerationPolicy.EVERY_POST)
        summary = db.session.scalar(select(Post).where(Post.kind == PostKind.SUMMARY.value))
        assert summary.status == PostStatus.PENDING
        db.session.commit()
        thread_id, summary_id = challenge.thread_id, summary.id
        erasure.erase(db.session, storage_for(), db.session.get(User, eve.id),
                      by=db.session.get(User, world.admin.id), remove_text=False)
        db.session.commit()
        erased = db.session.get(Post, summary_id)
        assert erased.body_source == "" and erased.status == PostStatus.WITHDRAWN
    client = app.test_client()
    client.sign_in_as(world.moderator)
    assert WAITING_SUMMARY not in client.get("/moderation/").text
    assert WAITING_SUMMARY not in client.get(f"/threads/{thread_id}").text


def test_removing_their_text_takes_the_closing_summary_they_wrote(app, world):
    """A closing summary is the closer's post: "remove my posts' text" takes it too, and
    only theirs (a summary someone else wrote stays)."""
    with app.app_context():
        learning_set = db.session.get(LearningSet, world.learning_set.id)
        eve = factories.make_user(display_name="Eve Erased")
        factories.add_member(eve, learning_set)
        facilitator = db.session.get(User, world.facilitator.id)
        hers = _close(learning_set, eve, eve, "Eve's challenge 5c1e", SUMMARY_TEXT,
                      ModerationPolicy.AFTER_THE_FACT)
        theirs = _close(learning_set, eve, facilitator, "Closed by a facilitator",
                        "Summed up by the facilitator 5c1e", ModerationPolicy.AFTER_THE_FACT)
        db.session.commit()
        thread_id, theirs_thread = hers.thread_id, theirs.thread_id
        erasure.erase(db.session, storage_for(), db.session.get(User, eve.id),
                      by=db.session.get(User, world.admin.id), remove_text=True)
        db.session.commit()
    client = app.test_client()
    client.sign_in_as(world.facilitator)  # a moderator still opens the withdrawn thread
    response = client.get(f"/threads/{thread_id}")
    assert response.status_code == 200
    assert SUMMARY_TEXT not in response.text
    assert "Summed up by the facilitator 5c1e" in client.get(f"/threads/{theirs_thread}").text
