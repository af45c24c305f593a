"""Following a thread: writers follow what they write in, followers hear of each new post once
a moderator approved it and only while they can read it; "mute" silences even replies."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from forum.extensions import db
from forum.models import FollowLevel
from forum.models import LearningSet
from forum.models import ModerationPolicy
from forum.models import Notification
from forum.models import NotificationKind
from forum.models import Post
from forum.models import Thread
from forum.models import ThreadFollow
from forum.models import User
from forum.moderation import service as moderation
from forum.threads import service as threads


def _policy(app, world, policy: ModerationPolicy) -> None:
    with app.app_context():
        db.session.get(LearningSet, world.learning_set.id).moderation_policy = policy
        db.session.commit()


def _reply(app, world, role: str, body: str, *, to_opening: bool = True) -> int:
    with app.app_context():
        thread = db.session.get(Thread, world.thread.id)
        parent = thread.posts[0] if to_opening else thread.posts[-1]
        post = threads.reply_to(db.session, db.session.get(User, world.user(role).id), parent,
                                body=body)
        db.session.commit()
        return post.id


def _told(app, user, kind=NotificationKind.NEW_POST) -> list[str]:
    with app.app_context():
        return list(db.session.scalars(select(Notification.text).where(
            Notification.user_id == user.id, Notification.kind == kind)))


def _follow(app, world, role: str, level: FollowLevel) -> None:
    with app.app_context():
        db.session.merge(ThreadFollow(user_id=world.user(role).id, thread_id=world.thread.id,
                                      level=level))
        db.session.commit()


def test_replying_follows_the_thread_and_followers_hear_of_each_new_post(app, world):
    _policy(app, world, ModerationPolicy.AFTER_THE_FACT)
    _reply(app, world, "moderator", "I follow now.")
    _reply(app, world, "facilitator", "A second voice.", to_opening=False)
    # The moderator wrote the post replied to: told of the reply, not twice.
    assert _told(app, world.moderator) == []
    assert len(_told(app, world.moderator, NotificationKind.REPLY)) == 1
    _reply(app, world, "member", "And the member again.")
    assert _told(app, world.moderator) == [
        "Mo Member posted in “Naming the assembly”, a thread you follow."]
    assert _told(app, world.outsider) == []


def test_a_waiting_post_is_told_to_followers_only_once_approved(app, world):
    _follow(app, world, "facilitator", FollowLevel.WATCHING)
    _policy(app, world, ModerationPolicy.EVERY_POST)
    waiting = _reply(app, world, "member", "UNAPPROVEDWORDS in a waiting reply.")
    assert _told(app, world.facilitator) == []
    with app.app_context():
        moderation.reject(db.session, db.session.get(User, world.moderator.id),
                          db.session.get(Post, waiting), "Please add a source.")
        db.session.commit()
    assert _told(app, world.facilitator) == []
    second = _reply(app, world, "member", "A reply worth approving.")
    assert _told(app, world.facilitator) == []
    with app.app_context():
        moderation.approve(db.session, db.session.get(User, world.moderator.id),
                           db.session.get(Post, second))
        db.session.commit()
    assert len(_told(app, world.facilitator)) == 1


def test_a_follower_who_can_no_longer_read_the_set_hears_nothing(app, world):
    _policy(app, world, ModerationPolicy.AFTER_THE_FACT)
    _follow(app, world, "outsider", FollowLevel.WATCHING)  # never a member
    _reply(app, world, "moderator", "Members only.")
    assert _told(app, world.outsider) == []


def test_mute_silences_replies_to_your_own_posts(app, world):
    _policy(app, world, ModerationPolicy.AFTER_THE_FACT)
    _follow(app, world, "member", FollowLevel.MUTED)
    _reply(app, world, "moderator", "A reply to the opening post.")
    assert _told(app, world.member, NotificationKind.REPLY) == []
    assert _told(app, world.member) == []


def test_a_member_chooses_on_the_thread_page(app, client, world):
    client.sign_in_as(world.member)
    page = client.get(f"/threads/{world.thread.id}").text
    assert "Notifications about this thread" in page
    assert 'value="normal" checked' in page
    response = client.post(f"/threads/{world.thread.id}/follow", data={"level": "watching"})
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).text
    assert "You will hear about every new post in this thread." in page
    assert 'value="watching" checked' in page


@pytest.mark.parametrize("data", [{}, {"level": "everything"}])
def test_a_bad_choice_gets_a_message_and_changes_nothing(app, client, world, data):
    client.sign_in_as(world.member)
    response = client.post(f"/threads/{world.thread.id}/follow", data=data)
    assert response.status_code == 200
    assert "Choose what to hear about this thread" in response.text or "Not a valid choice" \
        in response.text
    with app.app_context():
        assert db.session.scalar(select(ThreadFollow)) is None


def test_visitors_and_outsiders_cannot_follow(app, client, world):
    # A visitor is asked to sign in (the same answer for any address); an outsider finds nothing.
    assert client.post(f"/threads/{world.thread.id}/follow",
                       data={"level": "watching"}).status_code == 401
    client.sign_in_as(world.outsider)
    assert client.post(f"/threads/{world.thread.id}/follow",
                       data={"level": "watching"}).status_code == 404
    with app.app_context():
        assert db.session.scalar(select(ThreadFollow)) is None


def test_starting_a_thread_follows_it(app, world):
    with app.app_context():
        learning_set = db.session.get(LearningSet, world.learning_set.id)
        _thread, opening = threads.start_thread(
            db.session, db.session.get(User, world.facilitator.id), learning_set,
            title="Budgets", body="How much did yours cost?")
        db.session.commit()
        assert db.session.get(ThreadFollow, (world.facilitator.id, opening.thread_id)).level \
            == FollowLevel.WATCHING


def _made_meanwhile(monkeypatch) -> None:
    """The next look for a person's row for a thread finds none, as when another request of
    theirs (the same button pressed twice, another post) makes it a moment later."""
    from forum.threads import following

    real, stale = following._saved_follow, [None]
    monkeypatch.setattr(following, "_saved_follow", lambda session, user_id, thread_id: stale.pop()
                        if stale else real(session, user_id, thread_id))


def test_the_follow_button_pressed_twice_at_once_saves_the_choice(app, client, world,
                                                                   monkeypatch):
    """Both presses find no row before either saves: the second is told its choice is saved
    (not a 500 from the primary key), and there is one row with it."""
    client.sign_in_as(world.member)
    assert client.post(f"/threads/{world.thread.id}/follow",
                       data={"level": "watching"}).status_code == 302
    _made_meanwhile(monkeypatch)
    response = client.post(f"/threads/{world.thread.id}/follow", data={"level": "muted"})
    assert response.status_code == 302
    assert "You will hear nothing more about this thread." in client.get(
        response.headers["Location"]).text
    with app.app_context():
        assert list(db.session.scalars(select(ThreadFollow.level))) == [FollowLevel.MUTED]


def test_a_post_sent_while_another_of_theirs_follows_the_thread_is_saved(app, client, world,
                                                                        monkeypatch):
    """Two posts by one person in one thread at once: both find them not following it; the
    second's post is saved (not a 500), and they follow the thread once."""
    _reply(app, world, "member", "My first reply.")
    _made_meanwhile(monkeypatch)
    client.sign_in_as(world.member)
    with app.app_context():
        opening = db.session.get(Thread, world.thread.id).posts[0].id
    response = client.post(f"/posts/{opening}/reply", data={"body": "My second reply, kept."})
    assert response.status_code == 302
    with app.app_context():
        assert db.session.scalar(select(Post.id).where(
            Post.body_source == "My second reply, kept.")) is not None
        assert list(db.session.scalars(select(ThreadFollow.level))) == [FollowLevel.WATCHING]
