"""Notifications about challenge posts say what happened in the set's words: a challenge
approved, a question asked in your challenge, an action reported back on. The same wording in
the notifications list, the email's subject and body, and the daily summary; never the post's
text."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from forum.extensions import db
from forum.models import EmailMode
from forum.models import FollowLevel
from forum.models import LearningSet
from forum.models import ModerationPolicy
from forum.models import Notification
from forum.models import NotificationPreference
from forum.models import Post
from forum.models import PostKind
from forum.models import PostStatus
from forum.models import QueuedEmail
from forum.models import ThreadFollow
from forum.models import User
from forum.notifications import service
from tests import factories

TITLE = "Champions for the results"
SECRET = "zqwordingsecretk7"  # a word of a post's text: never in a notification or subject


def _challenge(app, world, *, status: PostStatus = PostStatus.APPROVED) -> tuple[int, int]:
    """A challenge held by Mo Member: (its opening post's id, its thread's id)."""
    with app.app_context():
        challenge = factories.make_challenge(db.session.get(LearningSet, world.learning_set.id),
                                             db.session.get(User, world.member.id), title=TITLE)
        opening = challenge.thread.posts[0]
        opening.body_source = f"My presenting issue, {SECRET}."
        opening.status = status
        db.session.commit()
        return opening.id, challenge.thread_id


def _kind_post(opening_id: int, author_id: int, kind: PostKind, *, parent_id: int | None = None,
               status: PostStatus = PostStatus.APPROVED) -> Post:
    """A post of ``kind`` in the challenge (in reply to its opening post unless ``parent_id``)."""
    parent = db.session.get(Post, parent_id or opening_id)
    post = factories.make_post(parent.thread, db.session.get(User, author_id), parent=parent,
                               body=SECRET, status=status)
    post.kind = kind.value
    return post


def _emails_to(app, address: str) -> list[QueuedEmail]:
    with app.app_context():
        rows = db.session.scalars(select(QueuedEmail).where(QueuedEmail.to_address == address)
                                  .order_by(QueuedEmail.id)).all()
        for row in rows:
            db.session.expunge(row)
        return list(rows)


def _texts(app, user_id: int) -> list[str]:
    with app.app_context():
        return list(db.session.scalars(select(Notification.text)
                                       .where(Notification.user_id == user_id)
                                       .order_by(Notification.id)))


def _no_post_text_anywhere(app) -> None:
    with app.app_context():
        texts = db.session.scalars(select(Notification.text)).all()
        subjects = db.session.scalars(select(QueuedEmail.subject)).all()
    assert texts and not [t for t in [*texts, *subjects] if SECRET in t]


def test_approving_a_challenge_tells_its_holder_their_challenge_was_approved(
        app, client, world):
    with app.app_context():
        db.session.get(LearningSet, world.learning_set.id).moderation_policy = (
            ModerationPolicy.EVERY_POST)
        db.session.commit()
    opening_id, _ = _challenge(app, world, status=PostStatus.PENDING)
    with app.app_context():
        service.notify_post_waiting(db.session, db.session.get(Post, opening_id))
        db.session.commit()
        version = db.session.get(Post, opening_id).version
    assert _texts(app, world.moderator.id) == [
        f"A new challenge “{TITLE}” by Mo Member is waiting for approval in "
        f"{world.learning_set.name}."]

    client.sign_in_as(world.moderator)
    assert client.post(f"/moderation/posts/{opening_id}/approve",
                       data={f"version-{opening_id}": version}).status_code in (302, 303)

    sentence = f"Mia Moderator approved your challenge “{TITLE}”."
    client.sign_in_as(world.member)
    assert sentence in client.get("/notifications").text
    [email] = _emails_to(app, "member@example.org")  # decisions are emailed at once
    assert email.subject == f"Your challenge “{TITLE}” was approved"
    assert sentence in email.text_body
    assert _texts(app, world.moderator.id) == [
        f"A new challenge “{TITLE}” by Mo Member was approved by Mia Moderator."]
    _no_post_text_anywhere(app)


def _ask_a_question(app, client, world, opening_id: int) -> None:
    client.sign_in_as(world.facilitator)
    response = client.post(f"/posts/{opening_id}/challenge-reply",
                           data={"kind": "question", "body": f"What would {SECRET} change?"})
    assert response.status_code in (302, 303)
    with app.app_context():
        [question] = db.session.scalars(select(Post).where(Post.parent_id == opening_id)).all()
        assert question.status == PostStatus.APPROVED and question.kind == PostKind.QUESTION


QUESTION_ASKED = f"Fran Facilitator asked a question in your challenge “{TITLE}”"


def test_a_question_in_your_challenge_is_told_as_a_question_in_the_list_and_email(
        app, client, world):
    with app.app_context():
        db.session.add(NotificationPreference(user_id=world.member.id,
                                              replies=EmailMode.IMMEDIATELY))
        db.session.commit()
    opening_id, _ = _challenge(app, world)
    _ask_a_question(app, client, world, opening_id)

    client.sign_in_as(world.member)
    assert f"{QUESTION_ASKED}." in client.get("/notifications").text
    [email] = _emails_to(app, "member@example.org")
    assert email.subject == QUESTION_ASKED
    assert f"{QUESTION_ASKED}." in email.text_body
    _no_post_text_anywhere(app)


def test_the_daily_summary_tells_a_question_in_your_challenge_as_a_question(
        app, client, world, runner):
    opening_id, _ = _challenge(app, world)
    _ask_a_question(app, client, world, opening_id)  # replies go in the daily summary
    assert _emails_to(app, "member@example.org") == []

    result = runner.invoke(args=["notifications", "send-digests"])
    assert result.exit_code == 0, result.output
    [digest] = _emails_to(app, "member@example.org")
    assert f"{QUESTION_ASKED}." in digest.text_body
    assert f"{QUESTION_ASKED}." in (digest.html_body or "")
    assert SECRET not in digest.subject


# Each kind of reply to the challenge's opening post, as its holder is told of it.
REPLIES = [
    (PostKind.QUESTION, f"Mia Moderator asked a question in your challenge “{TITLE}”."),
    (PostKind.LEARNING, f"Mia Moderator shared a learning in your challenge “{TITLE}”."),
    (PostKind.SUGGESTION, f"Mia Moderator made a suggestion in your challenge “{TITLE}”."),
    (PostKind.SUMMARY, f"Mia Moderator wrote a closing summary in your challenge “{TITLE}”."),
]


@pytest.mark.parametrize(("kind", "expected"), REPLIES, ids=[k for k, _ in REPLIES])
def test_the_holder_is_told_what_kind_of_reply_came_to_their_challenge(
        app, world, kind, expected):
    opening_id, _ = _challenge(app, world)
    with app.app_context():
        reply = _kind_post(opening_id, world.moderator.id, kind)
        service.notify_reply(db.session, reply)
        db.session.commit()
    assert _texts(app, world.member.id) == [expected]


def test_a_reply_to_a_question_names_the_question_and_its_kind(app, world):
    opening_id, _ = _challenge(app, world)
    with app.app_context():
        question = _kind_post(opening_id, world.moderator.id, PostKind.QUESTION)
        answer = _kind_post(opening_id, world.member.id, PostKind.REFLECTION,
                            parent_id=question.id)
        service.notify_reply(db.session, answer)
        db.session.commit()
    assert _texts(app, world.moderator.id) == [
        f"Mo Member added a reflection in reply to your question in “{TITLE}”."]


def test_followers_read_that_the_holder_reported_back_on_an_action(app, world):
    opening_id, thread_id = _challenge(app, world)
    with app.app_context():
        db.session.add(ThreadFollow(user_id=world.facilitator.id, thread_id=thread_id,
                                    level=FollowLevel.WATCHING))
        update = _kind_post(opening_id, world.member.id, PostKind.UPDATE)
        service.notify_followers(db.session, update)
        db.session.commit()
    assert _texts(app, world.facilitator.id) == [
        f"Mo Member reported back on an action in “{TITLE}”, a challenge you follow."]


def test_a_returned_action_names_the_action(app, world):
    opening_id, _ = _challenge(app, world)
    with app.app_context():
        action = _kind_post(opening_id, world.member.id, PostKind.ACTION,
                            status=PostStatus.REJECTED)
        service.notify_post_rejected(db.session, action, db.session.get(User, world.moderator.id),
                                     "Say by when.")
        db.session.commit()
    assert _texts(app, world.member.id) == [
        f"Mia Moderator sent back your action in “{TITLE}”. You can edit it and send it again."]
    [email] = _emails_to(app, "member@example.org")
    assert email.subject == f"Your action in “{TITLE}” was sent back"


def test_posts_in_ordinary_threads_keep_the_plain_wording(app, world):
    with app.app_context():
        thread = db.session.get(Post, db.session.scalar(
            select(Post.id).where(Post.thread_id == world.thread.id,
                                  Post.parent_id.is_(None))))
        reply = factories.make_post(thread.thread, db.session.get(User, world.moderator.id),
                                    parent=thread, body=SECRET)
        service.notify_reply(db.session, reply)
        db.session.commit()
    assert _texts(app, world.member.id) == [
        "Mia Moderator replied to your post in “Naming the assembly”."]


def test_an_approved_edit_of_an_action_says_so_in_the_email_subject(app, world):
    opening_id, _ = _challenge(app, world)
    with app.app_context():
        action = _kind_post(opening_id, world.member.id, PostKind.ACTION)
        service.notify_edit_approved(db.session, action, db.session.get(User, world.moderator.id))
        db.session.commit()
    assert _texts(app, world.member.id) == [
        f"Mia Moderator approved your edit of your action in “{TITLE}”."]
    [email] = _emails_to(app, "member@example.org")
    assert email.subject == f"Your edit of your action in “{TITLE}” was approved"
