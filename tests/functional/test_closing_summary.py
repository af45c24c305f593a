"""A challenge's closing summary waits for a moderator like any post, instead of being refused.

The holder whose posts wait closes their own challenge at once; the summary (a post of kind
"summary") reaches only them and the set's moderators until one approves it, and a moderator
approves it, returns it or edits it as any post. A facilitator's summary is published at once.

Runs on SQLite by default and on PostgreSQL with ``FORUM_TEST_DATABASE_URL``.
"""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from forum.extensions import db
from forum.models import Challenge
from forum.models import ChallengeStatus
from forum.models import LearningSet
from forum.models import ModerationPolicy
from forum.models import Post
from forum.models import PostKind
from forum.models import PostStatus
from forum.models import User
from forum.moderation import service as moderation
from tests import factories
from tests.htmlcheck import assert_valid_html
from tests.htmlcheck import require_checker

ISSUE = "The assembly made 14 recommendations; cabinet noted them and moved on."
AIM = "Two cabinet members who speak for the recommendations in public."
SUMMARY = "Cabinet now reports on each recommendation quarterly, sumwordk7q."
WORD = "sumwordk7q"
NO_RESULTS = re.compile(r'id="results-heading">\s*No results')


def _policy(app, world, policy: ModerationPolicy) -> None:
    with app.app_context():
        db.session.get(LearningSet, world.learning_set.id).moderation_policy = policy
        db.session.commit()


@pytest.fixture
def waiting_holder(app, client, world):
    """A challenge brought while posts publish at once; then the set makes every post wait.
    ``world.reader`` is another member of the set."""
    with app.app_context():
        reader = factories.make_user(display_name="Rhys Reader")
        factories.add_member(reader, db.session.get(LearningSet, world.learning_set.id))
        db.session.commit()
        db.session.refresh(reader)
        db.session.expunge(reader)
    world.reader = reader
    _policy(app, world, ModerationPolicy.AFTER_THE_FACT)
    client.sign_in_as(world.member)
    assert client.post("/sets/comms/challenges/new", data={
        "title": "How do I get councillors to champion the results?", "body": ISSUE,
        "aim": AIM}).status_code in (302, 303)
    _policy(app, world, ModerationPolicy.EVERY_POST)
    return world


def _challenge(app) -> Challenge:
    with app.app_context():
        challenge = db.session.scalars(select(Challenge).order_by(Challenge.id.desc())).first()
        db.session.expunge(challenge)
        return challenge


def _summaries(app) -> list[Post]:
    with app.app_context():
        posts = list(db.session.scalars(select(Post).where(
            Post.kind == PostKind.SUMMARY.value).order_by(Post.id)))
        for post in posts:
            db.session.expunge(post)
        return posts


def _status_url(challenge: Challenge) -> str:
    return f"/threads/{challenge.thread_id}/challenge-status"


def _close(client, challenge, text=SUMMARY):
    return client.post(_status_url(challenge), data={"status": "closed",
                                                     "closing_summary": text})


def _header(page: str) -> str:
    """The challenge's summary list above the thread (holder, aim, status, summary)."""
    match = re.search(r'<dl class="govuk-summary-list">.*?</dl>', page, re.S)
    assert match, "no challenge header"
    return match.group(0)


def test_a_holder_whose_posts_wait_closes_and_the_summary_waits(app, client, waiting_holder):
    world = waiting_holder
    challenge = _challenge(app)
    # The form says so before they write it.
    assert "and so does your closing summary" in client.get(_status_url(challenge)).text
    response = _close(client, challenge)
    assert response.status_code in (302, 303)
    closed = _challenge(app)
    assert closed.status == ChallengeStatus.CLOSED and closed.closed_by_id == world.member.id
    [summary] = _summaries(app)
    assert summary.status == PostStatus.PENDING and summary.author_id == world.member.id
    page = client.get(response.location).text
    assert "Your closing summary waits for a moderator" in page
    # The holder sees their own summary on the challenge, marked as waiting.
    header = _header(client.get(f"/threads/{challenge.thread_id}").text)
    assert WORD in header and "Awaiting" in header and ">Closed</strong>" in header
    # The form shows the summary they wrote, to change it.
    assert WORD in client.get(_status_url(challenge)).text
    # Everyone else sees the challenge closed, with no summary, anywhere.
    for reader in (world.reader, world.outsider):
        client.sign_in_as(reader)
        for url in (f"/threads/{challenge.thread_id}", "/sets/comms/",
                    f"/threads/{challenge.thread_id}?kind=summary"):
            text = client.get(url).text
            assert WORD not in text, (reader, url)
        assert NO_RESULTS.search(client.get(f"/search?q={WORD}").text)
    client.sign_in_as(world.reader)
    assert ">Closed</strong>" in client.get(f"/threads/{challenge.thread_id}").text


def test_the_moderator_sees_the_summary_in_the_queue_and_approving_publishes_it(
        app, client, waiting_holder):
    world = waiting_holder
    challenge = _challenge(app)
    _close(client, challenge)
    [summary] = _summaries(app)
    client.sign_in_as(world.moderator)
    queue = client.get("/moderation/").text
    assert WORD in queue and "Closing summary" in queue
    assert "The closing summary of the challenge held by" in queue
    assert "How do I get councillors to champion the results?" in queue
    assert client.post(f"/moderation/posts/{summary.id}/approve",
                       data={f"version-{summary.id}": summary.version}).status_code in (302, 303)
    assert _summaries(app)[0].status == PostStatus.APPROVED
    client.sign_in_as(world.reader)
    header = _header(client.get(f"/threads/{challenge.thread_id}").text)
    assert WORD in header and "Awaiting" not in header
    # Published like any post: search finds it for a reader of the set, and its author is
    # told it was approved.
    assert f"/threads/{challenge.thread_id}" in client.get(f"/search?q={WORD}").text
    client.sign_in_as(world.member)
    assert "approved your closing summary of “" in client.get("/notifications").text


def test_a_returned_summary_goes_back_to_the_moderators_when_the_holder_rewrites_it(
        app, client, waiting_holder):
    world = waiting_holder
    challenge = _challenge(app)
    _close(client, challenge)
    [summary] = _summaries(app)
    client.sign_in_as(world.moderator)
    assert client.post(f"/moderation/posts/{summary.id}/reject",
                       data={"reason": "Say what you learnt, not only what happened"}
                       ).status_code in (302, 303)
    client.sign_in_as(world.member)
    header = _header(client.get(f"/threads/{challenge.thread_id}").text)
    assert WORD in header and "Returned" in header
    rewritten = "We learnt to ask cabinet early, sumwordk7q."
    assert _close(client, challenge, rewritten).status_code in (302, 303)
    [again] = _summaries(app)  # the same post, sent back to the moderators
    assert again.id == summary.id and again.status == PostStatus.PENDING
    assert again.body_source == rewritten
    client.sign_in_as(world.reader)
    assert WORD not in client.get(f"/threads/{challenge.thread_id}").text


def test_changing_a_published_summary_waits_and_readers_keep_the_approved_text(
        app, client, waiting_holder):
    world = waiting_holder
    challenge = _challenge(app)
    _close(client, challenge)
    [summary] = _summaries(app)
    with app.app_context():
        moderation.approve(db.session, db.session.get(User, world.moderator.id),
                           db.session.get(Post, summary.id))
        db.session.commit()
    assert _close(client, challenge, "A changed summary, zqchangedk7q.").status_code in (302, 303)
    [edited] = _summaries(app)
    assert edited.status == PostStatus.APPROVED and edited.has_pending_edit
    client.sign_in_as(world.reader)
    page = client.get(f"/threads/{challenge.thread_id}").text
    assert WORD in _header(page) and "zqchangedk7q" not in page


def test_a_facilitators_summary_is_published_at_once(app, client, waiting_holder):
    world = waiting_holder
    challenge = _challenge(app)
    client.sign_in_as(world.facilitator)
    assert "so does your closing summary" not in client.get(_status_url(challenge)).text
    assert _close(client, challenge).status_code in (302, 303)
    [summary] = _summaries(app)
    assert summary.status == PostStatus.APPROVED
    client.sign_in_as(world.reader)
    assert WORD in _header(client.get(f"/threads/{challenge.thread_id}").text)
    # The holder is told, as of any reply to their challenge's opening post.
    client.sign_in_as(world.member)
    assert "wrote a closing summary in your challenge “" in client.get("/notifications").text


def test_a_withdrawn_summary_leaves_the_challenge_closed_and_a_new_one_can_be_written(
        app, client, waiting_holder):
    world = waiting_holder
    challenge = _challenge(app)
    _close(client, challenge)
    [summary] = _summaries(app)
    assert client.post(f"/posts/{summary.id}/withdraw").status_code in (302, 303)
    assert WORD not in _header(client.get(f"/threads/{challenge.thread_id}").text)
    assert _challenge(app).status == ChallengeStatus.CLOSED
    assert _close(client, challenge, "A second try, sumwordk7q.").status_code in (302, 303)
    first, second = _summaries(app)
    assert first.status == PostStatus.WITHDRAWN and second.status == PostStatus.PENDING
    client.sign_in_as(world.moderator)
    assert "A second try" in client.get("/moderation/").text


def test_pages_with_a_waiting_summary_are_valid_html(app, client, waiting_holder):
    require_checker()
    world = waiting_holder
    challenge = _challenge(app)
    _close(client, challenge)
    documents = {"holder's challenge": client.get(f"/threads/{challenge.thread_id}").text,
                 "holder's status form": client.get(_status_url(challenge)).text,
                 "form re-shown with its error": client.post(_status_url(challenge), data={
                     "status": "closed", "closing_summary": ""}).text}
    client.sign_in_as(world.moderator)
    documents["moderator's challenge"] = client.get(f"/threads/{challenge.thread_id}").text
    documents["queue"] = client.get("/moderation/").text
    client.sign_in_as(world.facilitator)
    documents["facilitator's status form, warned"] = client.get(_status_url(challenge)).text
    assert 'id="summary-not-yours"' in documents["facilitator's status form, warned"]
    client.sign_in_as(world.reader)
    documents["reader's challenge"] = client.get(f"/threads/{challenge.thread_id}").text
    # The checked pages hold the waiting summary where it is shown (and not for the reader).
    assert all(WORD in documents[name] for name in (
        "holder's challenge", "holder's status form", "moderator's challenge", "queue"))
    assert WORD not in documents["reader's challenge"]
    assert_valid_html(documents.items())


def test_a_facilitator_shown_the_holders_waiting_summary_is_told_whose_it_is(
        app, client, waiting_holder):
    """The status form shows a moderating facilitator the holder's waiting summary: saving a
    changed copy would publish it under the facilitator's name, so the form says so."""
    world = waiting_holder
    challenge = _challenge(app)
    assert _close(client, challenge).status_code in (302, 303)
    client.sign_in_as(world.facilitator)
    page = client.get(_status_url(challenge)).text
    assert WORD in page and 'id="summary-not-yours"' in page
    assert "approve it from the" in page and 'href="/moderation/"' in page
    # Their own summary, once published, carries no such warning.
    client.sign_in_as(world.member)
    assert 'id="summary-not-yours"' not in client.get(_status_url(challenge)).text
