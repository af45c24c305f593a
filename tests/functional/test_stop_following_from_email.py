"""An email about a followed thread carries a signed link (and List-Unsubscribe) that stops
that thread's notifications without signing in: the link asks, the button (with its form
token) does it; a forged, altered or expired link does nothing."""

from __future__ import annotations

import re
from unittest import mock
from urllib.parse import urlsplit

from sqlalchemy import select

from forum.extensions import db
from forum.models import EmailMode
from forum.models import FollowLevel
from forum.models import LearningSet
from forum.models import ModerationPolicy
from forum.models import Notification
from forum.models import NotificationKind
from forum.models import NotificationPreference
from forum.models import Thread
from forum.models import ThreadFollow
from forum.models import User
from forum.notifications import preferences
from forum.threads import service as threads
from tests.mailbox import sent_messages


def _setup(app, world) -> None:
    """The facilitator follows the thread and wants reply emails at once."""
    with app.app_context():
        db.session.get(LearningSet, world.learning_set.id).moderation_policy = \
            ModerationPolicy.AFTER_THE_FACT
        db.session.add(ThreadFollow(user_id=world.facilitator.id, thread_id=world.thread.id,
                                    level=FollowLevel.WATCHING))
        db.session.add(NotificationPreference(user_id=world.facilitator.id,
                                              replies=EmailMode.IMMEDIATELY))
        db.session.commit()


def _reply(app, world, body: str) -> None:
    with app.app_context():
        thread = db.session.get(Thread, world.thread.id)
        threads.reply_to(db.session, db.session.get(User, world.moderator.id), thread.posts[0],
                         body=body)
        db.session.commit()


def _new_posts(app, world) -> int:
    with app.app_context():
        return len(db.session.scalars(select(Notification).where(
            Notification.user_id == world.facilitator.id,
            Notification.kind == NotificationKind.NEW_POST)).all())


def _level(app, world):
    with app.app_context():
        return db.session.get(ThreadFollow, (world.facilitator.id, world.thread.id)).level


def test_the_email_link_stops_the_thread_after_a_confirming_button(app, client, world):
    _setup(app, world)
    _reply(app, world, "First news.")
    [message] = [m for m in sent_messages(app) if m["To"] == "facilitator@example.org"]
    assert message["Subject"] == "Mia Moderator posted in “Naming the assembly”"
    text = message.get_body(preferencelist=("plain",)).get_content()
    url = re.search(r"Stop following this thread \(no sign-in needed\): (\S+)", text).group(1)
    assert str(message["List-Unsubscribe"]) == f"<{url}>"
    path = urlsplit(url).path

    page = client.get(path)  # a mail scanner opening the link changes nothing
    assert page.status_code == 200
    assert "Stop following “<bdi>Naming the assembly</bdi>”" in page.text
    assert _level(app, world) == FollowLevel.WATCHING
    assert client.post(path, csrf=False).status_code == 200  # no form token: nothing done
    assert _level(app, world) == FollowLevel.WATCHING

    done = client.post(path)
    assert "You no longer follow the thread" in done.text
    assert _level(app, world) == FollowLevel.MUTED
    _reply(app, world, "Second news.")
    assert _new_posts(app, world) == 1  # only the first


def test_an_altered_or_other_purpose_token_is_refused(app, client, world):
    with app.app_context():
        facilitator = db.session.get(User, world.facilitator.id)
        url = preferences.unfollow_url(facilitator, world.thread.id)
        topic_token = preferences.unsubscribe_token(facilitator, None)
    token = urlsplit(url).path.rsplit("/", 1)[1]
    assert client.get(f"/notifications/stop-following/{token}x").status_code == 404
    # The email-settings token is signed for another purpose: it does not work here.
    assert client.get(f"/notifications/stop-following/{topic_token}").status_code == 404


def test_an_expired_link_says_so_and_does_nothing(app, client, world):
    _setup(app, world)
    with app.app_context():
        url = preferences.unfollow_url(db.session.get(User, world.facilitator.id), world.thread.id)
    path = urlsplit(url).path
    later = app.config["UNFOLLOW_LINK_DAYS"] * 86400 + 60
    with mock.patch("itsdangerous.timed.time.time", return_value=__import__("time").time()
                    + later):
        page = client.get(path)
        assert page.status_code == 410
        assert "This link has expired" in page.text
        assert client.post(path).status_code == 410
    assert _level(app, world) == FollowLevel.WATCHING


def test_someone_who_left_the_set_is_not_shown_the_thread_title(app, client, world):
    from forum.models import Membership

    with app.app_context():
        url = preferences.unfollow_url(db.session.get(User, world.member.id), world.thread.id)
        db.session.query(Membership).filter_by(user_id=world.member.id).delete()
        db.session.commit()
    page = client.get(urlsplit(url).path)
    assert page.status_code == 200
    assert "Naming the assembly" not in page.text
    assert "Stop following this thread" in page.text


def test_a_link_to_a_waiting_thread_shows_its_title_only_to_who_may_open_it(app, client, world):
    """A moderator who answered a thread still waiting for approval has its link in an email;
    made a plain member, they may no longer read the thread (its opening post waits): the
    link's page must not show the title, renamed since by its author."""
    from forum.models import Membership
    from forum.models import Role

    with app.app_context():
        learning_set = db.session.get(LearningSet, world.learning_set.id)
        learning_set.moderation_policy = ModerationPolicy.EVERY_POST
        thread, opening = threads.start_thread(db.session, db.session.get(User, world.member.id),
                                               learning_set, title="Waiting title",
                                               body="Waiting opening.")
        url = preferences.unfollow_url(db.session.get(User, world.moderator.id), thread.id)
        db.session.query(Membership).filter_by(
            user_id=world.moderator.id, learning_set_id=learning_set.id).update(
            {"role": Role.MEMBER})
        threads.edit_post(db.session, db.session.get(User, world.member.id), opening,
                          body="Waiting opening.", title="Renamed while waiting")
        db.session.commit()
    page = client.get(urlsplit(url).path)
    assert page.status_code == 200
    assert "Renamed while waiting" not in page.text and "Waiting title" not in page.text
    assert "Stop following this thread" in page.text


def test_the_link_followed_while_the_thread_is_followed_at_the_same_moment_mutes_it(
        app, client, world, monkeypatch):
    """Someone who never chose how to follow the thread presses the link's button while
    another request of theirs follows it (the button pressed twice, a post of theirs): both
    find no row; the second mutes the thread instead of a 500 from the primary key."""
    from sqlalchemy import insert

    def followed_meanwhile(session, user_id, thread_id):
        session.execute(insert(ThreadFollow).values(user_id=user_id, thread_id=thread_id,
                                                    level=FollowLevel.WATCHING))
        return None

    with app.test_request_context():
        path = urlsplit(preferences.unfollow_url(world.member, world.thread.id)).path
    monkeypatch.setattr(preferences, "_thread_follow", followed_meanwhile)
    done = client.post(path)
    assert "You no longer follow the thread" in done.text
    with app.app_context():
        assert list(db.session.scalars(select(ThreadFollow.level))) == [FollowLevel.MUTED]
