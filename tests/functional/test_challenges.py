"""Challenges: bringing one, the kinds each person may post, actions and their updates under
moderation, closing, re-labelling, and the thread page's filter by kind.

Runs on SQLite by default and on PostgreSQL with ``FORUM_TEST_DATABASE_URL``.
"""

from __future__ import annotations

import html
import re
from datetime import date
from datetime import timedelta

import pytest
from sqlalchemy import delete
from sqlalchemy import select

from forum.challenges.service import today
from forum.extensions import db
from forum.models import Action
from forum.models import ActionKind
from forum.models import ActionState
from forum.models import ActionUpdate
from forum.models import Challenge
from forum.models import ChallengeStatus
from forum.models import LearningSet
from forum.models import Membership
from forum.models import ModerationAction
from forum.models import ModerationPolicy
from forum.models import Post
from forum.models import PostKind
from forum.models import PostStatus
from forum.models import Thread
from forum.models import User
from forum.models import Visibility
from forum.moderation import service as moderation
from tests import factories
from tests.htmlcheck import assert_valid_html
from tests.htmlcheck import require_checker
from tests.querycount import count_page_queries

ISSUE = "The assembly made 14 recommendations; cabinet noted them and moved on."
AIM = "Two cabinet members who speak for the recommendations in public."


def _policy(app, world, policy: ModerationPolicy) -> None:
    with app.app_context():
        db.session.get(LearningSet, world.learning_set.id).moderation_policy = policy
        db.session.commit()


@pytest.fixture
def open_set(app, world):
    """Posts publish at once (the tests about waiting set their own policy)."""
    _policy(app, world, ModerationPolicy.AFTER_THE_FACT)
    return world


def _bring(client, world, title="How do I get councillors to champion the results?"):
    client.sign_in_as(world.member)
    return client.post("/sets/comms/challenges/new",
                       data={"title": title, "body": ISSUE, "aim": AIM})


def _challenge(app) -> Challenge:
    with app.app_context():
        challenge = db.session.scalars(select(Challenge).order_by(Challenge.id.desc())).first()
        db.session.expunge(challenge)
        return challenge


def _opening_id(app, challenge: Challenge) -> int:
    with app.app_context():
        return db.session.scalar(select(Post.id).where(Post.thread_id == challenge.thread_id,
                                                       Post.parent_id.is_(None)))


def _reply(client, app, challenge, **data):
    return client.post(f"/posts/{_opening_id(app, challenge)}/challenge-reply", data=data)


def _field_error(page: str, field: str) -> str:
    """The error message shown beside the field ``field`` (GOV.UK's error message)."""
    match = re.search(rf'<p id="{field}-error" class="govuk-error-message">\s*'
                      rf'<span class="govuk-visually-hidden">Error:</span>\s*(.*?)\s*</p>',
                      page, re.S)
    assert match, f"no error beside {field}"
    return match.group(1)


def _action(app, world, client, challenge, due: date | None = None) -> int:
    """The holder commits to an action (published at once); returns the action's id."""
    client.sign_in_as(world.member)
    response = _reply(client, app, challenge, kind="action",
                      body="Brief the cabinet lead before the June meeting.",
                      due_on=(due or today() + timedelta(days=14)).isoformat())
    assert response.status_code == 302, response.text
    with app.app_context():
        return db.session.scalar(select(Action.id).order_by(Action.id.desc()))


def _state(app, action_id: int) -> ActionState:
    with app.app_context():
        return db.session.get(Action, action_id).state


def _moderators_reply(app, client, world, challenge, kind: str, body: str) -> int:
    """The set's moderator replies in the challenge (published at once); returns its id."""
    client.sign_in_as(world.moderator)
    _reply(client, app, challenge, kind=kind, body=body)
    with app.app_context():
        return db.session.scalar(select(Post.id).order_by(Post.id.desc()))


# --- bringing a challenge ------------------------------------------------------------


def test_a_member_brings_a_challenge_and_the_set_page_lists_it_apart(app, client, open_set):
    response = _bring(client, open_set)
    assert response.status_code == 302
    challenge = _challenge(app)
    assert challenge.holder_id == open_set.member.id
    assert challenge.status == ChallengeStatus.OPEN
    assert challenge.aim == AIM
    with app.app_context():
        opening = db.session.get(Post, _opening_id(app, challenge))
        assert opening.kind == PostKind.CHALLENGE
    page = client.get(response.headers["Location"]).text
    assert "What they want to achieve" in page and AIM in page
    assert "Challenge held by" in page and "Mo Member" in page

    set_page = client.get("/sets/comms/").text
    challenges, others = set_page.split("Other threads</h2>")
    assert "How do I get councillors to champion the results?" in challenges
    assert "How do I get councillors" not in others
    assert "Naming the assembly" in others
    assert "Mo Member" in challenges and ">Open</strong>" in challenges


def test_a_waiting_challenge_is_listed_only_to_its_holder_and_moderators(app, client, world):
    _policy(app, world, ModerationPolicy.EVERY_POST)
    _bring(client, world, title="A challenge still waiting")
    assert "Awaiting approval" in client.get("/sets/comms/").text.split("Other threads")[0]
    for viewer in (world.moderator, world.facilitator, world.admin):
        client.sign_in_as(viewer)
        assert "A challenge still waiting" in client.get("/sets/comms/").text
    # Another member of the set: neither listed nor reachable.
    with app.app_context():
        other = factories.make_user(display_name="Olu Other")
        factories.add_member(other, db.session.get(LearningSet, world.learning_set.id))
        db.session.commit()
        client.sign_in_as(other)
    assert "A challenge still waiting" not in client.get("/sets/comms/").text
    assert client.get(f"/threads/{_challenge(app).thread_id}").status_code == 404


def test_a_challenge_without_an_aim_comes_back_with_the_text_kept(client, open_set):
    client.sign_in_as(open_set.member)
    response = client.post("/sets/comms/challenges/new",
                           data={"title": "Keeping momentum", "body": ISSUE, "aim": "  "})
    assert response.status_code == 200
    assert _field_error(response.text, "aim") == "Say what you want to achieve"
    assert ISSUE in response.text and "Keeping momentum" in response.text


# --- kinds and who may post which --------------------------------------------------


def _offered(page: str) -> list[str]:
    return re.findall(r'name="kind" type="radio" value="(\w+)"', page)


def _checked(page: str) -> str | None:
    match = re.search(r'name="kind" type="radio" value="(\w+)" checked', page)
    return match.group(1) if match else None


def test_others_are_offered_questions_by_default_with_the_reminder(app, client, open_set):
    _bring(client, open_set)
    challenge = _challenge(app)
    client.sign_in_as(open_set.moderator)
    page = client.get(f"/threads/{challenge.thread_id}").text
    assert _offered(page) == ["question", "learning"]
    assert _checked(page) == "question"
    assert "Ask an open question, not advice" in page


def test_the_holder_is_offered_reflection_by_default_and_actions(app, client, open_set):
    _bring(client, open_set)
    page = client.get(f"/threads/{_challenge(app).thread_id}").text
    assert _offered(page) == ["reflection", "action", "update", "learning"]
    assert _checked(page) == "reflection"
    assert "Ask an open question, not advice" not in page
    assert "Due date" in page


def test_suggestions_are_offered_only_when_the_facilitator_allows_them(app, client, open_set):
    _bring(client, open_set)
    challenge = _challenge(app)
    client.sign_in_as(open_set.moderator)
    refused = _reply(client, app, challenge, kind="suggestion", body="Try a cabinet briefing.")
    assert refused.status_code == 200
    assert "Try a cabinet briefing." in refused.text

    client.sign_in_as(open_set.facilitator)
    response = client.post("/sets/comms/settings", data={
        "name": "Communicating assemblies", "purpose": "For testing.", "visibility": "private",
        "allow_suggestions": "y"})
    assert response.status_code == 302
    with app.app_context():
        assert db.session.get(LearningSet, open_set.learning_set.id).allow_suggestions
    client.sign_in_as(open_set.moderator)
    assert _offered(client.get(f"/threads/{challenge.thread_id}").text) == [
        "question", "learning", "suggestion"]
    assert _reply(client, app, challenge, kind="suggestion",
                  body="Try a cabinet briefing.").status_code == 302
    with app.app_context():
        assert db.session.scalar(select(Post.kind).order_by(Post.id.desc())) == "suggestion"


@pytest.mark.parametrize(("who", "kind"), [("moderator", "action"), ("moderator", "reflection"),
                                           ("facilitator", "update"), ("member", "question")])
def test_a_kind_the_user_may_not_post_is_refused_with_the_text_kept(app, client, open_set,
                                                                     who, kind):
    _bring(client, open_set)
    challenge = _challenge(app)
    client.sign_in_as(getattr(open_set, who))
    before = _count_posts(app)
    response = _reply(client, app, challenge, kind=kind, body="My words stay here.",
                      due_on=(today() + timedelta(days=3)).isoformat())
    assert response.status_code == 200
    assert "My words stay here." in response.text
    assert "kind-error" in response.text
    assert _count_posts(app) == before


def _count_posts(app) -> int:
    with app.app_context():
        return len(db.session.scalars(select(Post.id)).all())


def test_a_question_is_posted_with_its_kind_and_shown_as_a_tag(app, client, open_set):
    _bring(client, open_set)
    challenge = _challenge(app)
    client.sign_in_as(open_set.moderator)
    response = _reply(client, app, challenge, kind="question",
                      body="What would a champion do differently?")
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).text
    assert re.search(r'<strong class="govuk-tag govuk-tag--light-blue">\s*Question\s*</strong>',
                     page)


def test_threads_reply_in_a_challenge_goes_to_the_challenge_form(app, client, open_set):
    _bring(client, open_set)
    challenge = _challenge(app)
    opening = _opening_id(app, challenge)
    response = client.get(f"/posts/{opening}/reply")
    assert response.status_code == 307
    assert response.headers["Location"].endswith(f"/posts/{opening}/challenge-reply")


# --- actions -----------------------------------------------------------------------


def test_an_action_needs_a_due_date_today_or_later(app, client, open_set):
    _bring(client, open_set)
    challenge = _challenge(app)
    body = "Ask the leader for ten minutes at cabinet."
    for due, message in (("", "Enter the date you will do it by"),
                         ("31/02/2027", "Enter a real date, like 2026-03-31"),
                         ((today() - timedelta(days=1)).isoformat(),
                          "The due date must be today or later")):
        response = _reply(client, app, challenge, kind="action", body=body, due_on=due)
        assert response.status_code == 200
        assert _field_error(response.text, "due_on") == message
        assert body in response.text
    with app.app_context():
        assert db.session.scalar(select(Action.id)) is None
    action_id = _action(app, open_set, client, challenge, due=today())
    with app.app_context():
        action = db.session.get(Action, action_id)
        assert action.due_on == today()
        assert action.state == ActionState.OPEN
        assert action.holder_id == open_set.member.id
        assert action.post.kind == PostKind.ACTION


def test_a_waiting_action_cannot_be_reported_on(app, client, world):
    _policy(app, world, ModerationPolicy.EVERY_POST)
    _bring(client, world)
    challenge = _challenge(app)
    with app.app_context():
        moderator = db.session.get(User, world.moderator.id)
        moderation.approve(db.session, moderator, db.session.get(Post, _opening_id(app,
                                                                                   challenge)))
        db.session.commit()
    action_id = _action(app, world, client, challenge)
    with app.app_context():
        assert db.session.get(Action, action_id).post.status == PostStatus.PENDING
    page = client.get(f"/threads/{challenge.thread_id}").text
    assert "You have no open actions to report on" in page
    response = _reply(client, app, challenge, kind="update", body="Done.",
                      action_id=str(action_id), outcome="done")
    assert response.status_code == 200
    assert "Choose one of your open actions" in response.text
    assert _state(app, action_id) == ActionState.OPEN


def _update(app, client, challenge, action_id, outcome="done", body="It went well: "
            "the lead asked for a paper."):
    return _reply(client, app, challenge, kind="update", body=body,
                  action_id=str(action_id), outcome=outcome)


def test_an_update_published_at_once_settles_its_action(app, client, open_set):
    _bring(client, open_set)
    challenge = _challenge(app)
    action_id = _action(app, open_set, client, challenge)
    assert _update(app, client, challenge, action_id, "partly_done").status_code == 302
    assert _state(app, action_id) == ActionState.PARTLY_DONE
    with app.app_context():
        action = db.session.get(Action, action_id)
        assert action.settled_by_post_id == db.session.scalar(select(ActionUpdate.post_id))


def _waiting_update(app, client, world, outcome="done"):
    """An approved action and a waiting update on it (every post waits in the set)."""
    _policy(app, world, ModerationPolicy.AFTER_THE_FACT)
    _bring(client, world)
    challenge = _challenge(app)
    action_id = _action(app, world, client, challenge)
    _policy(app, world, ModerationPolicy.EVERY_POST)
    assert _update(app, client, challenge, action_id, outcome).status_code == 302
    with app.app_context():
        update_post = db.session.scalar(select(Post).order_by(Post.id.desc()))
        assert update_post.kind == PostKind.UPDATE
        assert update_post.status == PostStatus.PENDING
        return action_id, update_post.id


def test_an_update_changes_its_action_only_once_approved(app, client, world):
    action_id, update_id = _waiting_update(app, client, world, "done")
    assert _state(app, action_id) == ActionState.OPEN
    client.sign_in_as(world.moderator)
    response = client.post(f"/moderation/posts/{update_id}/approve",
                           data={f"version-{update_id}": "1"})
    assert response.status_code == 303
    assert _state(app, action_id) == ActionState.DONE


def test_a_rejected_update_leaves_its_action_open(app, client, world):
    action_id, update_id = _waiting_update(app, client, world, "dropped")
    client.sign_in_as(world.moderator)
    client.post(f"/moderation/posts/{update_id}/reject", data={"reason": "Say more."})
    with app.app_context():
        assert db.session.get(Post, update_id).status == PostStatus.REJECTED
    assert _state(app, action_id) == ActionState.OPEN


def test_an_update_approved_with_a_moderators_edit_settles_its_action(app, client, world):
    action_id, update_id = _waiting_update(app, client, world, "done")
    client.sign_in_as(world.moderator)
    response = client.post(f"/moderation/posts/{update_id}/edit",
                           data={"body": "Done, with the paper attached."})
    assert response.status_code in (302, 303)
    assert _state(app, action_id) == ActionState.DONE


def test_not_done_keeps_the_action_open_and_reportable(app, client, open_set):
    _bring(client, open_set)
    challenge = _challenge(app)
    action_id = _action(app, open_set, client, challenge)
    _update(app, client, challenge, action_id, "not_done")
    assert _state(app, action_id) == ActionState.OPEN
    assert f'value="{action_id}"' in client.get(f"/threads/{challenge.thread_id}").text
    _update(app, client, challenge, action_id, "done")
    assert _state(app, action_id) == ActionState.DONE
    assert "You have no open actions to report on" in client.get(
        f"/threads/{challenge.thread_id}").text


# --- status and closing --------------------------------------------------------------


def test_the_holder_closes_the_challenge_with_a_summary(app, client, open_set):
    _bring(client, open_set)
    challenge = _challenge(app)
    url = f"/threads/{challenge.thread_id}/challenge-status"
    response = client.post(url, data={"status": "closed", "closing_summary": ""})
    assert response.status_code == 200
    assert _field_error(response.text, "closing_summary").startswith("Write a closing summary")
    assert client.post(url, data={"status": "in_progress"}).status_code == 302
    assert _challenge(app).status == ChallengeStatus.IN_PROGRESS
    summary = "Cabinet now reports on each recommendation quarterly."
    assert client.post(url, data={"status": "closed",
                                  "closing_summary": summary}).status_code == 302
    closed = _challenge(app)
    assert closed.status == ChallengeStatus.CLOSED
    assert closed.closed_by_id == open_set.member.id and closed.closed_at is not None
    page = client.get(f"/threads/{challenge.thread_id}").text
    assert summary in page and ">Closed</strong>" in page
    # The holder's posts publish at once here: so does their summary, a post of the thread
    # (tests/functional/test_closing_summary.py: where they wait, it waits).
    with app.app_context():
        post = db.session.scalar(select(Post).where(Post.kind == PostKind.SUMMARY.value))
        assert (post.status, post.author_id) == (PostStatus.APPROVED, open_set.member.id)


@pytest.mark.parametrize(("who", "status"), [("member", 302), ("moderator", 403),
                                             ("facilitator", 302), ("admin", 302)])
def test_only_the_holder_and_facilitators_change_the_status(app, client, open_set, who,
                                                             status):
    _bring(client, open_set)
    challenge = _challenge(app)
    client.sign_in_as(getattr(open_set, who))
    response = client.post(f"/threads/{challenge.thread_id}/challenge-status",
                           data={"status": "in_progress"})
    assert response.status_code == status


@pytest.mark.parametrize("kind", ["action", "update"])
def test_actions_and_updates_in_a_closed_challenge_are_refused_with_the_text_kept(
        app, client, open_set, kind):
    _bring(client, open_set)
    challenge = _challenge(app)
    action_id = _action(app, open_set, client, challenge)
    client.post(f"/threads/{challenge.thread_id}/challenge-status",
                data={"status": "closed", "closing_summary": "Done and dusted."})
    before = _count_posts(app)
    body = "One more thing I will try."
    response = _reply(client, app, challenge, kind=kind, body=body,
                      due_on=(today() + timedelta(days=5)).isoformat(),
                      action_id=str(action_id), outcome="done")
    assert response.status_code == 200
    assert _field_error(response.text, "kind").startswith("This challenge is closed")
    assert body in response.text
    assert _count_posts(app) == before
    # A reflection is still welcome.
    assert _reply(client, app, challenge, kind="reflection", body=body).status_code == 302


# --- re-labelling ------------------------------------------------------------------


def test_a_facilitator_relabels_a_post_and_the_log_records_it(app, client, open_set):
    _bring(client, open_set)
    challenge = _challenge(app)
    client.sign_in_as(open_set.moderator)
    _reply(client, app, challenge, kind="question",
           body="Champions need something to champion: what is the one ask?")
    with app.app_context():
        post_id = db.session.scalar(select(Post.id).order_by(Post.id.desc()))
    page = client.get(f"/threads/{challenge.thread_id}").text
    assert f"/posts/{post_id}/kind" not in page  # moderators do not re-label

    client.sign_in_as(open_set.facilitator)
    assert f"/posts/{post_id}/kind" in client.get(f"/threads/{challenge.thread_id}").text
    response = client.post(f"/posts/{post_id}/kind", data={"kind": "learning"})
    assert response.status_code == 302
    with app.app_context():
        assert db.session.get(Post, post_id).kind == "learning"
        row = db.session.scalar(select(ModerationAction).where(
            ModerationAction.action == ActionKind.CHANGE_KIND))
        assert (row.post_id, row.moderator_id, row.reason) == (
            post_id, open_set.facilitator.id, "Question → Learning")
    log = client.get("/sets/comms/moderation-log").text
    assert "Changed a post&#39;s kind" in log or "Changed a post’s kind" in log \
        or "Changed a post's kind" in log
    assert "Question → Learning" in log


@pytest.mark.parametrize("who", ["member", "moderator"])
def test_others_may_not_relabel(app, client, open_set, who):
    _bring(client, open_set)
    challenge = _challenge(app)
    client.sign_in_as(open_set.facilitator)
    _reply(client, app, challenge, kind="question", body="What is in your gift?")
    with app.app_context():
        post_id = db.session.scalar(select(Post.id).order_by(Post.id.desc()))
    client.sign_in_as(getattr(open_set, who))
    assert client.post(f"/posts/{post_id}/kind", data={"kind": "learning"}).status_code == 403
    with app.app_context():
        assert db.session.get(Post, post_id).kind == "question"


def test_actions_and_the_opening_post_cannot_be_relabelled(app, client, open_set):
    _bring(client, open_set)
    challenge = _challenge(app)
    action_id = _action(app, open_set, client, challenge)
    with app.app_context():
        action_post = db.session.get(Action, action_id).post_id
    client.sign_in_as(open_set.facilitator)
    for post_id in (action_post, _opening_id(app, challenge)):
        assert client.post(f"/posts/{post_id}/kind",
                           data={"kind": "learning"}).status_code == 403


# --- filtering by kind ---------------------------------------------------------------


def test_the_thread_page_filters_by_kind_without_javascript(app, client, open_set):
    _bring(client, open_set)
    challenge = _challenge(app)
    client.sign_in_as(open_set.moderator)
    _reply(client, app, challenge, kind="question", body="Who already agrees with you?")
    _reply(client, app, challenge, kind="learning", body="Name the ask before the meeting.")
    url = f"/threads/{challenge.thread_id}"
    everything = client.get(url).text
    assert "Who already agrees with you?" in everything
    assert "Name the ask before the meeting." in everything
    learnings = client.get(url, query_string={"kind": "learning"}).text
    assert "Name the ask before the meeting." in learnings
    assert "Who already agrees with you?" not in learnings
    assert "Replies of kind “Learning”" in learnings
    assert '<option value="learning" selected>' in learnings
    # The opening post stays, so the page still says what the challenge is.
    assert ISSUE in learnings
    for odd in ("nonsense", "", "%00"):
        assert client.get(url, query_string={"kind": odd}).status_code == 200


# --- the guide curation page ---------------------------------------------------------


def _guide_of_challenge(app, client, world) -> tuple[str, dict[str, int]]:
    """A challenge with a question, a learning and a waiting learning, and a guide of it."""
    _bring(client, world)
    challenge = _challenge(app)
    client.sign_in_as(world.moderator)
    _reply(client, app, challenge, kind="question", body="Who is your ally in cabinet?")
    _reply(client, app, challenge, kind="learning", body="Bring one clear ask, not fourteen.")
    _policy(app, world, ModerationPolicy.EVERY_POST)
    client.sign_in_as(world.member)
    _reply(client, app, challenge, kind="learning", body="A learning still waiting.")
    with app.app_context():
        from forum.guides import service as guides

        guide = guides.create_guide(
            db.session, learning_set=db.session.get(LearningSet, world.learning_set.id),
            creator=db.session.get(User, world.facilitator.id), title="Champions",
            thread_ids=[challenge.thread_id])
        db.session.commit()
        return f"/sets/comms/guides/{guide.id}/", {}


def test_curation_lists_learnings_first_and_filters_by_kind(app, client, open_set):
    url, _ = _guide_of_challenge(app, client, open_set)
    client.sign_in_as(open_set.facilitator)
    page = client.get(url).text
    posts = page.split('id="posts-title"')[1]
    assert "Marked as learning by the set" in posts
    # The learning, then the challenge's thread in reading order (its title, the question).
    assert posts.index("Bring one clear ask") \
        < posts.index("How do I get councillors to champion the results?</h3>") \
        < posts.index("Who is your ally in cabinet?")
    assert "A learning still waiting." not in page

    questions = client.get(url, query_string={"kind": "question"}).text.split(
        'id="posts-title"')[1]
    assert "Who is your ally in cabinet?" in questions
    assert "Bring one clear ask" not in questions
    assert f"<p>{ISSUE}</p>" not in questions  # only quoted as what the question answers
    assert '<option value="question" selected>' in questions
    none = client.get(url, query_string={"kind": "suggestion"}).text
    assert "No approved posts of kind “Suggestion”" in none
    assert client.get(url, query_string={"kind": "<nonsense>"}).status_code == 200


def test_curation_filters_closing_summaries_as_the_thread_page_does(app, client, open_set):
    """What happened and what was learnt is what a guide most often quotes: the filter offers
    it, as the thread page's does."""
    url, _ = _guide_of_challenge(app, client, open_set)
    thread_id = _challenge(app).thread_id
    client.sign_in_as(open_set.facilitator)
    client.post(f"/threads/{thread_id}/challenge-status",
                data={"status": "closed", "closing_summary": "One ask, two champions."})
    assert '<option value="summary">Closing summary</option>' in client.get(url).text
    summaries = client.get(url, query_string={"kind": "summary"}).text
    assert '<option value="summary" selected>Closing summary</option>' in summaries
    posts = summaries.split('id="posts-title"')[1]
    assert "One ask, two champions." in posts
    assert "Who is your ally in cabinet?" not in posts


# --- the demo ------------------------------------------------------------------------


def test_the_demo_set_has_a_challenge_mid_cycle(app, runner, client):
    result = runner.invoke(args=["demo", "--password", "velvet-harbour-sixteen-crane"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        challenge = db.session.scalar(select(Challenge).order_by(Challenge.id))
        assert challenge.status == ChallengeStatus.IN_PROGRESS
        assert challenge.holder.display_name == "Claire Whitfield"
        kinds = [post.kind for post in challenge.thread.posts]
        assert kinds.count("question") >= 3 and kinds.count("reflection") >= 2
        assert kinds.count("learning") == 1 and kinds[0] == "challenge"
        actions = db.session.scalars(select(Action).order_by(Action.due_on)).all()
        assert [a.state for a in actions] == [ActionState.DONE, ActionState.OPEN]
        assert actions[1].due_on < today()  # overdue
        update = db.session.scalar(select(ActionUpdate))
        assert update.action_id == actions[0].id and update.post.status == PostStatus.APPROVED
        assert actions[0].settled_by_post_id == update.post_id
        holder = db.session.get(User, challenge.holder_id)
        thread_id = challenge.thread_id
    assert runner.invoke(args=["demo", "--password", "velvet-harbour-sixteen-crane"]
                         ).exit_code == 0
    with app.app_context():
        # Claire's, and Gareth's closed one whose summary waits (tests/functional/test_demo.py).
        assert len(db.session.scalars(select(Challenge)).all()) == 2
        assert len(db.session.scalars(select(Action)).all()) == 2
    client.sign_in_as(holder)
    page = client.get(f"/threads/{thread_id}").text
    assert "How do I get councillors to champion the assembly&#39;s results?" in page
    assert "Due " in page and "done" in page


def test_the_relabel_form_shows_the_posts_current_kind(app, client, open_set):
    _bring(client, open_set)
    challenge = _challenge(app)
    post_id = _moderators_reply(app, client, open_set, challenge, "learning", "Slice by ward.")
    client.sign_in_as(open_set.facilitator)
    page = client.get(f"/threads/{challenge.thread_id}").text
    form = page.split(f'action="/posts/{post_id}/kind"')[1].split("</form>")[0]
    assert '<option value="learning" selected>' in form
    assert '<option value="action"' not in form


def test_challenge_pages_are_valid_html_for_every_role(app, client, open_set):
    require_checker()
    _bring(client, open_set)
    challenge = _challenge(app)
    action_id = _action(app, open_set, client, challenge)
    _update(app, client, challenge, action_id, "partly_done")
    client.sign_in_as(open_set.moderator)
    _reply(client, app, challenge, kind="question", body="What is the *one* ask?")
    opening = _opening_id(app, challenge)
    documents = {}
    for who in ("member", "moderator", "facilitator", "admin"):
        client.sign_in_as(getattr(open_set, who))
        for url in (f"/threads/{challenge.thread_id}",
                    f"/threads/{challenge.thread_id}?kind=question",
                    f"/posts/{opening}/challenge-reply", "/sets/comms/",
                    "/sets/comms/challenges/new"):
            response = client.get(url)
            assert response.status_code == 200, (who, url)
            documents[f"{who} {url}"] = response.text
        # Forms re-shown with their errors.
        documents[f"{who} past due"] = _reply(client, app, challenge, kind="action", body="x",
                                              due_on="2001-01-01").text
    # A refusal that says why, with its way back and the typed text kept.
    client.sign_in_as(open_set.moderator)
    refused = client.post(f"/threads/{challenge.thread_id}/challenge-status",
                          data={"status": "closed", "closing_summary": "Typed summary."})
    assert refused.status_code == 403
    documents["moderator refused"] = refused.text
    assert_valid_html(documents.items())


def test_the_moderation_queue_says_what_kind_of_post_waits(app, client, world):
    _policy(app, world, ModerationPolicy.EVERY_POST)
    _bring(client, world, title="A challenge waiting for a moderator")
    client.sign_in_as(world.moderator)
    queue = client.get("/moderation/").text
    assert "New challenge" in queue


# --- turning a thread into a challenge -------------------------------------------------


def test_a_facilitator_makes_a_thread_a_challenge_held_by_its_author(app, client, open_set):
    with app.app_context():
        thread = db.session.get(Thread, open_set.thread.id)
        opening = thread.posts[0]
        factories.make_post(thread, db.session.get(User, open_set.moderator.id), parent=opening,
                            body="What did residents call it?")
        factories.make_post(thread, db.session.get(User, open_set.member.id), parent=opening,
                            body="They called it the panel.")
        db.session.commit()
    url = f"/threads/{open_set.thread.id}/make-challenge"
    client.sign_in_as(open_set.member)
    assert "make-challenge" not in client.get(f"/threads/{open_set.thread.id}").text
    assert client.post(url, data={"aim": "A name people use."}).status_code == 403
    client.sign_in_as(open_set.facilitator)
    assert url in client.get(f"/threads/{open_set.thread.id}").text
    refused = client.post(url, data={"aim": " "})
    assert _field_error(refused.text, "aim") == "Say what the holder wants to achieve"
    assert client.post(url, data={"aim": "A name people use."}).status_code == 302
    with app.app_context():
        challenge = db.session.scalar(select(Challenge))
        assert (challenge.holder_id, challenge.aim) == (open_set.member.id, "A name people use.")
        kinds = [post.kind for post in db.session.get(Thread, open_set.thread.id).posts]
        assert kinds == ["challenge", "question", "reflection"]
    assert "Other threads" in client.get("/sets/comms/").text
    assert "Naming the assembly" in client.get("/sets/comms/").text.split("Other threads")[0]
    assert client.get(url).status_code == 404  # already a challenge


def test_the_thread_page_says_an_action_past_its_date_is_overdue_as_the_actions_page_does(
        app, client, open_set):
    _bring(client, open_set)
    challenge = _challenge(app)
    action_id = _action(app, open_set, client, challenge, due=today() + timedelta(days=20))
    with app.app_context():
        db.session.get(Action, action_id).due_on = today() - timedelta(days=3)
        db.session.commit()
    due = (today() - timedelta(days=3)).strftime("%-d %B %Y")
    thread_page = client.get(f"/threads/{challenge.thread_id}").text
    assert f"Due {due}: overdue" in " ".join(thread_page.split())
    actions_page = client.get("/sets/comms/actions").text
    assert "Overdue" in actions_page


def test_a_challenges_page_sends_as_many_queries_however_long_its_thread(app, client, open_set):
    """The challenge's header (aim, status, the closing summary) and each post's kind, action
    and update are read once per page, not once per post: an open or a closed challenge's
    page sends the same number of statements with two actions as with eight, and with many
    more replies."""
    _bring(client, open_set)
    challenge = _challenge(app)
    url = f"/threads/{challenge.thread_id}"
    readers = (open_set.member, open_set.facilitator, open_set.moderator)
    summary = "Cabinet now reports on each recommendation quarterly."

    def grow(actions: int, questions: int) -> None:
        for _ in range(actions):  # each action with a published update on it
            action_id = _action(app, open_set, client, challenge)
            assert _update(app, client, challenge, action_id).status_code == 302
        client.sign_in_as(open_set.facilitator)
        for n in range(questions):
            assert _reply(client, app, challenge, kind="question",
                          body=f"What would change if question {n} were answered?"
                          ).status_code == 302

    def counts(status: ChallengeStatus) -> dict[tuple[int, str], int]:
        with app.app_context():
            db.session.get(Challenge, challenge.id).status = status
            db.session.commit()
        found = {}
        for reader in readers:
            client.sign_in_as(reader)
            page = client.get(url).text
            # The header shows the summary (also a post of the thread) once it is closed.
            assert ("See the summary in the thread" in page) == (status == ChallengeStatus.CLOSED)
            found[reader.email, status.value] = count_page_queries(app, client, url)
        return found

    grow(2, 2)
    client.sign_in_as(open_set.member)
    assert client.post(f"/threads/{challenge.thread_id}/challenge-status",
                       data={"status": "closed", "closing_summary": summary}).status_code == 302
    few = counts(ChallengeStatus.IN_PROGRESS) | counts(ChallengeStatus.CLOSED)
    counts(ChallengeStatus.IN_PROGRESS)  # more actions and replies, as if before it closed
    grow(6, 12)
    many = counts(ChallengeStatus.IN_PROGRESS) | counts(ChallengeStatus.CLOSED)
    client.sign_in_as(open_set.member)
    assert client.get(url).text.count("forum-post__body") >= 30
    assert many == few


def _aim_kept(page: str, aim: str) -> bool:
    """The typed aim is back in a text box on the page (the form's, or the error page's)."""
    return re.search(r"<textarea[^>]*>\s*" + re.escape(aim) + r"\s*</textarea>", page) is not None


def test_a_thread_made_a_challenge_while_the_aim_was_typed_keeps_the_aim(app, client, open_set):
    url = f"/threads/{open_set.thread.id}/make-challenge"
    client.sign_in_as(open_set.facilitator)
    assert client.get(url).status_code == 200
    other = app.test_client()
    other.sign_in_as(open_set.admin)
    assert other.post(url, data={"aim": "Theirs, saved first."}).status_code == 302
    mine = "A name residents use, agreed with the holder."
    response = client.post(url, data={"aim": mine})
    assert response.status_code == 200
    assert "Someone made this thread a challenge while you were writing" in response.text
    assert _field_error(response.text, "aim").startswith("Someone made this thread")
    assert _aim_kept(response.text, mine)
    assert _challenge(app).aim == "Theirs, saved first."


def test_two_facilitators_making_a_challenge_at_once_get_no_error_page(app, client, open_set,
                                                                         monkeypatch):
    """Both pass the "not a challenge yet" check before either saves: the second is refused
    by the database, and is told so with the aim kept (not a 500)."""
    from forum.challenges import service

    url = f"/threads/{open_set.thread.id}/make-challenge"
    client.sign_in_as(open_set.facilitator)
    assert client.post(url, data={"aim": "Theirs, saved first."}).status_code == 302
    monkeypatch.setattr(service, "load_challenge", lambda session, thread_id: None)
    mine = "A name residents use, agreed with the holder."
    response = client.post(url, data={"aim": mine})
    assert response.status_code == 200
    assert _field_error(response.text, "aim").startswith("Someone made this thread")
    assert _aim_kept(response.text, mine)
    with app.app_context():
        assert [c.aim for c in db.session.scalars(select(Challenge))] == ["Theirs, saved first."]


def test_a_thread_gone_while_the_aim_was_typed_says_so_and_keeps_the_aim(app, client, open_set):
    client.sign_in_as(open_set.facilitator)
    thread_id = open_set.thread.id
    assert client.get(f"/threads/{thread_id}/make-challenge").status_code == 200
    with app.app_context():
        db.session.delete(db.session.get(Thread, thread_id))
        db.session.commit()
    mine = "A name residents use, agreed with the holder."
    response = client.post(f"/threads/{thread_id}/make-challenge", data={"aim": mine})
    assert response.status_code == 404
    assert "This thread is not there now" in response.text
    assert "it was not made a challenge" in response.text
    assert _aim_kept(response.text, mine)



def test_a_thread_whose_author_deleted_their_account_while_the_aim_was_typed_says_so(
        app, client, open_set):
    """Not a bare 403: the facilitator is told why (a challenge is held by the thread's
    author, who is gone) with the aim they typed kept; nothing is made. Others still get 403."""
    from forum.guides.export.storage import storage_for
    from forum.people import erasure

    url = f"/threads/{open_set.thread.id}/make-challenge"
    client.sign_in_as(open_set.facilitator)
    assert client.get(url).status_code == 200
    with app.app_context():
        author = db.session.get(Thread, open_set.thread.id).author
        assert author.id != open_set.moderator.id
        erasure.erase(db.session, storage_for(), author, by=None)
        db.session.commit()
    mine = "A name residents use, agreed with the holder."
    response = client.post(url, data={"aim": mine})
    assert response.status_code == 200
    assert "author has deleted their account" in _field_error(response.text, "aim")
    assert _aim_kept(response.text, mine)
    with app.app_context():
        assert db.session.scalar(select(Challenge.id)) is None
    client.sign_in_as(open_set.moderator)
    assert client.post(url, data={"aim": mine}).status_code == 403


# --- refusals say why -----------------------------------------------------------------


def _leave(app, world, user) -> None:
    """``user`` is removed from the set (as a facilitator would, while they were writing)."""
    with app.app_context():
        db.session.execute(delete(Membership).where(Membership.user_id == user.id,
                                                    Membership.learning_set_id
                                                    == world.learning_set.id))
        db.session.commit()


def _refusal(response) -> tuple[str, list[tuple[str, str]]]:
    """A refusal page's words and its links (text, address), as a reader gets them."""
    assert response.status_code == 403, response.status_code
    page = html.unescape(re.sub(r"<[^>]+>", " ", response.text))
    links = [(html.unescape(text).strip(), href) for href, text in
             re.findall(r'<a class="govuk-link" href="([^"]+)">([^<]+)</a>', response.text)]
    return re.sub(r"\s+", " ", page), links


def _network_wide(app, world) -> None:
    """The set is read by everyone signed in, so those not in it (any more) still read it."""
    with app.app_context():
        db.session.get(LearningSet, world.learning_set.id).visibility = Visibility.NETWORK
        db.session.commit()


def test_a_non_member_asked_to_bring_a_challenge_is_told_how_to_join(app, client, open_set):
    """Not a bare 403: who may bring one, how to become one of them, and the way to the set."""
    _network_wide(app, open_set)
    client.sign_in_as(open_set.outsider)
    words, links = _refusal(client.get("/sets/comms/challenges/new"))
    assert ("Only members of “Communicating assemblies” can bring a challenge to it, and you "
            "are not a member of it. You can ask to join it from its page.") in words
    assert ("Go to “Communicating assemblies”", "/sets/comms/") in links


def test_a_member_removed_while_writing_a_challenge_is_told_why_and_keeps_the_text(
        app, client, open_set):
    _network_wide(app, open_set)
    client.sign_in_as(open_set.member)
    assert client.get("/sets/comms/challenges/new").status_code == 200
    _leave(app, open_set, open_set.member)
    words, _links = _refusal(client.post("/sets/comms/challenges/new", data={
        "title": "Champions", "body": ISSUE, "aim": AIM}))
    assert "Only members of “Communicating assemblies” can bring a challenge to it" in words
    assert ISSUE in words and AIM in words


def test_a_member_removed_while_writing_a_question_is_told_why_and_keeps_the_text(
        app, client, open_set):
    _network_wide(app, open_set)
    _bring(client, open_set)
    challenge = _challenge(app)
    client.sign_in_as(open_set.moderator)
    _leave(app, open_set, open_set.moderator)
    question = "What would a champion need from you?"
    words, _links = _refusal(_reply(client, app, challenge, kind="question", body=question))
    assert "Only members of “Communicating assemblies” can reply in it" in words
    assert question in words


def test_a_reply_to_a_hidden_post_says_it_cannot_be_answered(app, client, open_set):
    _bring(client, open_set)
    challenge = _challenge(app)
    post_id = _moderators_reply(app, client, open_set, challenge, "question",
                                "Who decides the agenda?")
    with app.app_context():
        db.session.get(Post, post_id).status = PostStatus.HIDDEN
        db.session.commit()
    client.sign_in_as(open_set.member)
    words, links = _refusal(client.post(f"/posts/{post_id}/challenge-reply",
                                        data={"kind": "reflection", "body": "Cabinet does."}))
    assert "This post was hidden by a moderator or withdrawn by its author" in words
    assert "Cabinet does." in words
    assert ("Go back to the thread", f"/threads/{challenge.thread_id}") in links


def test_a_member_who_may_not_change_the_status_is_told_who_may(app, client, open_set):
    _bring(client, open_set)
    challenge = _challenge(app)
    client.sign_in_as(open_set.moderator)
    words, links = _refusal(client.get(f"/threads/{challenge.thread_id}/challenge-status"))
    assert ("Only the member who brought this challenge, or a facilitator of the set, can "
            "change where it stands.") in words
    assert ("Go back to the challenge", f"/threads/{challenge.thread_id}") in links


def test_a_holder_removed_while_writing_the_summary_is_told_why_and_keeps_it(
        app, client, open_set):
    _network_wide(app, open_set)
    _bring(client, open_set)
    challenge = _challenge(app)
    url = f"/threads/{challenge.thread_id}/challenge-status"
    assert client.get(url).status_code == 200
    _leave(app, open_set, open_set.member)
    summary = "Two cabinet members now speak for the recommendations."
    words, _links = _refusal(client.post(url, data={"status": "closed",
                                                    "closing_summary": summary}))
    assert ("Only members of “Communicating assemblies” can change where a challenge in it "
            "stands") in words
    assert summary in words
    assert _challenge(app).status == ChallengeStatus.OPEN


def test_relabelling_refused_says_who_may_and_which_kinds_keep_theirs(app, client, open_set):
    _bring(client, open_set)
    challenge = _challenge(app)
    action_id = _action(app, open_set, client, challenge)
    question_id = _moderators_reply(app, client, open_set, challenge, "question",
                                    "What is in your gift?")
    with app.app_context():
        action_post = db.session.get(Action, action_id).post_id
    words, links = _refusal(client.post(f"/posts/{question_id}/kind",
                                        data={"kind": "learning"}))
    assert "Only the set's facilitators can change the kind of a reply." in words
    assert ("Go back to the challenge", f"/threads/{challenge.thread_id}") in links
    client.sign_in_as(open_set.facilitator)
    words, _links = _refusal(client.post(f"/posts/{action_post}/kind",
                                         data={"kind": "learning"}))
    assert ("Actions, updates, closing summaries and the challenge itself keep their kind"
            in words)
