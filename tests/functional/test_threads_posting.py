"""Starting threads and replying: validation, expired forms, locked threads, moderation status."""

from __future__ import annotations

import pytest
from sqlalchemy import func
from sqlalchemy import select

from forum.extensions import db
from forum.forms import EXPIRED_FORM_MESSAGE
from forum.models import LearningSet
from forum.models import ModerationPolicy
from forum.models import Post
from forum.models import PostStatus
from forum.models import Thread
from forum.models import utcnow
from tests import factories

HINT = "You can use Markdown: **bold**, *italic*, lists, links"


@pytest.fixture(autouse=True)
def posts_publish_at_once(app, world):
    """These tests are about posting itself, so the set publishes without waiting."""
    with app.app_context():
        db.session.get(LearningSet, world.learning_set.id).moderation_policy = (
            ModerationPolicy.AFTER_THE_FACT)
        db.session.commit()


def _opening_post_id(app, thread_id: int) -> int:
    with app.app_context():
        return db.session.scalar(select(func.min(Post.id)).where(Post.thread_id == thread_id))


def _counts(app) -> tuple[int, int]:
    with app.app_context():
        return (db.session.scalar(select(func.count(Thread.id))),
                db.session.scalar(select(func.count(Post.id))))


def test_member_starts_a_thread_and_lands_on_it(app, client, world):
    client.sign_in_as(world.member)
    response = client.post("/sets/comms/threads/new", data={
        "title": "  Paying   participants ", "body": "Did you pay **everyone**?"},
        follow_redirects=True)
    assert response.status_code == 200
    assert "<h1 class=\"govuk-heading-l\">Paying participants</h1>" in response.text
    assert "<strong>everyone</strong>" in response.text
    assert "Your thread has been started." in response.text


def test_new_thread_form_shows_the_markdown_hint_and_links_back_to_the_set(client, world):
    client.sign_in_as(world.member)
    page = client.get("/sets/comms/threads/new").text
    assert HINT in page
    assert 'href="/sets/comms/"' in page


LONG_TITLE = "t" * 201
LONG_BODY = "b" * 20_001


@pytest.mark.parametrize(("title", "body", "message"), [
    ("", "A body", "Enter a title"),
    ("   \t ", "A body", "Enter a title"),
    ("\x00\x00", "A body", "Enter a title"),
    (LONG_TITLE, "A body", "Title must be 200 characters or fewer"),
    ("A title", "", "Enter your post"),
    ("A title", " \r\n\t  ", "Enter your post"),
    ("A title", LONG_BODY, "Your post must be 20,000 characters or fewer"),
])
def test_invalid_new_thread_is_refused_with_a_message_and_the_text_kept(
        app, client, world, title, body, message):
    client.sign_in_as(world.member)
    before = _counts(app)
    response = client.post("/sets/comms/threads/new", data={"title": title, "body": body})
    assert response.status_code == 200
    assert message in response.text
    assert "govuk-error-summary" in response.text
    assert response.text.count("<title>Error: ") == 1
    assert _counts(app) == before
    if body.strip():
        assert body[:100] in response.text
    if title.strip(" \t\x00"):
        assert title[:100] in response.text


@pytest.mark.parametrize(("body", "message"), [
    ("", "Enter your reply"),
    ("\n\n   \n", "Enter your reply"),
    (LONG_BODY, "Your reply must be 20,000 characters or fewer"),
])
def test_invalid_reply_is_refused_with_a_message(app, client, world, body, message):
    client.sign_in_as(world.member)
    post_id = _opening_post_id(app, world.thread.id)
    before = _counts(app)
    response = client.post(f"/posts/{post_id}/reply", data={"body": body})
    assert response.status_code == 200
    assert message in response.text
    assert _counts(app) == before


@pytest.mark.parametrize("csrf", ["missing", "bogus"])
def test_expired_form_keeps_everything_typed_and_saves_nothing(app, client, world, csrf):
    client.sign_in_as(world.member)
    post_id = _opening_post_id(app, world.thread.id)
    extra = {} if csrf == "missing" else {"csrf_token": "not-a-real-token"}
    before = _counts(app)
    responses = [
        client.post("/sets/comms/threads/new", csrf=False,
                    data={"title": "Lost title", "body": "Lost opening words", **extra}),
        client.post(f"/posts/{post_id}/reply", csrf=False,
                    data={"body": "Lost reply words", **extra}),
        client.post(f"/posts/{post_id}/edit", csrf=False,
                    data={"title": "Naming the assembly", "body": "Lost edit words", **extra}),
    ]
    for response, typed in zip(responses, ["Lost opening words", "Lost reply words",
                                           "Lost edit words"], strict=True):
        assert response.status_code == 200
        assert EXPIRED_FORM_MESSAGE in response.text
        assert typed in response.text
    assert 'value="Lost title"' in responses[0].text
    assert _counts(app) == before
    with app.app_context():
        assert db.session.get(Post, post_id).body_source == "What did you call yours?"


def test_nul_characters_are_dropped_from_what_is_saved(app, client, world):
    client.sign_in_as(world.member)
    client.post("/sets/comms/threads/new", data={"title": "Nul\x00l", "body": "a\x00b"})
    with app.app_context():
        thread = db.session.scalar(select(Thread).order_by(Thread.id.desc()))
        assert thread.title == "Null"
        assert thread.posts[0].body_source == "ab"


def test_reply_page_shows_the_post_being_answered(app, client, world):
    client.sign_in_as(world.moderator)
    post_id = _opening_post_id(app, world.thread.id)
    page = client.get(f"/posts/{post_id}/reply").text
    assert "Reply to Mo Member" in page
    assert "What did you call yours?" in page
    assert HINT in page


def test_reply_to_a_reply_is_nested_under_it_and_links_back(app, client, world):
    client.sign_in_as(world.moderator)
    opening_id = _opening_post_id(app, world.thread.id)
    first = client.post(f"/posts/{opening_id}/reply", data={"body": "Citizens' jury."})
    first_id = int(first.location.rsplit("post-", 1)[1])
    client.sign_in_as(world.member)
    second = client.post(f"/posts/{first_id}/reply", data={"body": "Why jury?"})
    assert second.status_code == 302
    second_id = int(second.location.rsplit("post-", 1)[1])
    assert second.location.endswith(
        f"/threads/{world.thread.id}?post={second_id}#post-{second_id}")
    with app.app_context():
        reply = db.session.get(Post, second_id)
        assert (reply.parent_id, reply.depth, reply.thread_id) == (first_id, 2, world.thread.id)
    page = client.get(f"/threads/{world.thread.id}").text
    assert f'In reply to <a class="govuk-link" href="#post-{first_id}">Mia Moderator</a>' in page


def test_reply_page_for_a_reply_names_the_post_it_answers_with_a_link_into_the_thread(
        app, client, world):
    client.sign_in_as(world.moderator)
    opening_id = _opening_post_id(app, world.thread.id)
    first = client.post(f"/posts/{opening_id}/reply", data={"body": "Citizens' jury."})
    first_id = int(first.location.rsplit("post-", 1)[1])
    client.sign_in_as(world.member)
    page = client.get(f"/posts/{first_id}/reply").text
    assert "a post that is not shown" not in page
    link = f'href="/threads/{world.thread.id}?post={opening_id}#post-{opening_id}"'
    assert f'In reply to <a class="govuk-link" {link}>Mo Member</a>' in page


def test_approved_reply_moves_the_thread_to_the_top_of_recent_activity(app, client, world):
    with app.app_context():
        thread = db.session.get(Thread, world.thread.id)
        thread.last_activity_at = thread.last_activity_at.replace(year=2020)
        db.session.commit()
    client.sign_in_as(world.member)
    client.post(f"/posts/{_opening_post_id(app, world.thread.id)}/reply", data={"body": "Bump"})
    with app.app_context():
        assert db.session.get(Thread, world.thread.id).last_activity_at.year == utcnow().year


def test_post_awaiting_approval_says_so_and_does_not_count_as_activity(
        app, client, world, monkeypatch):
    monkeypatch.setattr("forum.threads.service.initial_status",
                        lambda session, author, learning_set: PostStatus.PENDING)
    with app.app_context():
        thread = db.session.get(Thread, world.thread.id)
        thread.last_activity_at = thread.last_activity_at.replace(year=2020)
        db.session.commit()
    client.sign_in_as(world.member)
    response = client.post(f"/posts/{_opening_post_id(app, world.thread.id)}/reply",
                           data={"body": "Please approve me"}, follow_redirects=True)
    assert "once a moderator of the set approves it" in response.text
    assert "Awaiting approval" in response.text
    assert "0 replies" in response.text
    with app.app_context():
        assert db.session.get(Thread, world.thread.id).last_activity_at.year == 2020
        post = db.session.scalar(select(Post).where(Post.body_source == "Please approve me"))
        assert post.status == PostStatus.PENDING


@pytest.fixture
def locked(app, world):
    with app.app_context():
        db.session.get(Thread, world.thread.id).is_locked = True
        db.session.commit()


def test_locked_thread_shows_a_banner_and_no_reply_form_to_members(client, world, locked):
    client.sign_in_as(world.member)
    page = client.get(f"/threads/{world.thread.id}").text
    assert "This thread is locked" in page
    assert "Reply to this thread" not in page
    assert ">Reply<" not in page


def test_locked_thread_refuses_a_members_reply(app, client, world, locked):
    client.sign_in_as(world.member)
    before = _counts(app)
    response = client.post(f"/posts/{_opening_post_id(app, world.thread.id)}/reply",
                           data={"body": "Sneaking in"})
    assert response.status_code == 403
    assert _counts(app) == before


def test_moderator_can_still_answer_in_a_locked_thread(app, client, world, locked):
    client.sign_in_as(world.moderator)
    response = client.post(f"/posts/{_opening_post_id(app, world.thread.id)}/reply",
                           data={"body": "Closing note"})
    assert response.status_code == 302


def test_readers_who_cannot_post_are_told_how_to(app, client, world):
    with app.app_context():
        db.session.get(LearningSet, world.learning_set.id).visibility = "public"
        db.session.commit()
    anonymous_page = client.get(f"/threads/{world.thread.id}").text
    assert "Sign in to reply" in anonymous_page
    client.sign_in_as(world.outsider)
    assert "Only members of this set can reply." in client.get(f"/threads/{world.thread.id}").text


def test_a_reader_who_is_not_a_member_asked_to_start_a_thread_is_told_how_to_join(
        app, client, world):
    with app.app_context():
        db.session.get(LearningSet, world.learning_set.id).visibility = "network"
        db.session.commit()
    client.sign_in_as(world.outsider)
    response = client.get(f"/sets/{world.learning_set.slug}/threads/new")
    assert response.status_code == 403
    assert (f"Only members of “{world.learning_set.name}” can start a thread in it, and you "
            "are not a member of it. You can ask to join it from its page.") in response.text


def test_replies_to_hidden_posts_are_refused(app, client, world):
    with app.app_context():
        thread = db.session.get(Thread, world.thread.id)
        hidden = factories.make_post(thread, db.session.get(type(world.member), world.member.id),
                                     parent=thread.posts[0], status=PostStatus.HIDDEN)
        db.session.commit()
        hidden_id = hidden.id
    client.sign_in_as(world.moderator)
    assert client.post(f"/posts/{hidden_id}/reply", data={"body": "x"}).status_code == 403
    client.sign_in_as(world.facilitator)
    assert client.get(f"/posts/{hidden_id}/reply").status_code == 403
