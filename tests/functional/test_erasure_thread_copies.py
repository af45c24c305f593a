"""Erasing an account keeps the threads' copies of their posts (forum.models.thread:
opening status, counts) right, so every route that reads them agrees with the thread page.

Runs on SQLite by default and on PostgreSQL with ``FORUM_TEST_DATABASE_URL``.
"""

from __future__ import annotations

from forum.extensions import db
from forum.guides.export.storage import storage_for
from forum.models import Challenge
from forum.models import ChallengeStatus
from forum.models import LearningSet
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


def test_removing_their_text_takes_the_closing_summary_they_wrote(app, world):
    """A closing summary is the closer's text: "remove my posts' text" takes it too, and
    only theirs (a summary someone else wrote stays)."""
    with app.app_context():
        learning_set = db.session.get(LearningSet, world.learning_set.id)
        eve = factories.make_user(display_name="Eve Erased")
        factories.add_member(eve, learning_set)
        hers = factories.make_challenge(learning_set, eve, title="Eve's challenge 5c1e")
        theirs = factories.make_challenge(learning_set, eve, title="Closed by a facilitator")
        hers.status = theirs.status = ChallengeStatus.CLOSED
        hers.closing_summary, hers.closed_by_id = SUMMARY_TEXT, eve.id
        theirs.closing_summary = "Summed up by the facilitator 5c1e"
        theirs.closed_by_id = world.facilitator.id
        db.session.commit()
        hers_id, theirs_id, thread_id = hers.id, theirs.id, hers.thread_id
        erasure.erase(db.session, storage_for(), db.session.get(User, eve.id),
                      by=db.session.get(User, world.admin.id), remove_text=True)
        db.session.commit()
        assert db.session.get(Challenge, hers_id).closing_summary == erasure.REMOVED_SUMMARY
        assert db.session.get(Challenge, theirs_id).closing_summary == (
            "Summed up by the facilitator 5c1e")
    client = app.test_client()
    client.sign_in_as(world.facilitator)  # a moderator still opens the withdrawn thread
    response = client.get(f"/threads/{thread_id}")
    assert response.status_code == 200
    assert erasure.REMOVED_SUMMARY in response.text and SUMMARY_TEXT not in response.text
