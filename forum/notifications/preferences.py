"""What email a person wants, and the signed links in each email that change it without
signing in: turning a topic (or all email) off, and muting one thread.

Below :mod:`forum.notifications.service` and :mod:`forum.notifications.delivery`, which both
ask it.
"""

from __future__ import annotations

from flask import current_app
from itsdangerous import BadSignature
from itsdangerous import SignatureExpired
from itsdangerous import URLSafeSerializer
from itsdangerous import URLSafeTimedSerializer
from sqlalchemy.orm import Session

from forum.extensions import added_unless_made_meanwhile
from forum.models import EmailMode
from forum.models import EmailTopic
from forum.models import FollowLevel
from forum.models import NotificationPreference
from forum.models import Thread
from forum.models import ThreadFollow
from forum.models import User
from forum.models import utcnow
from forum.urls import external_url

UNSUBSCRIBE_SALT = "notifications-unsubscribe"
UNFOLLOW_SALT = "notifications-stop-following-thread"
ALL_TOPICS = "all"


class InvalidUnsubscribeLink(Exception):
    """The unsubscribe token was altered or belongs to no one."""


class ExpiredUnfollowLink(Exception):
    """A genuine link to stop following a thread, but older than the links last."""


# --- preferences ---------------------------------------------------------------------------

DEFAULT_MODES: dict[EmailTopic, EmailMode] = {
    EmailTopic.DECISIONS: EmailMode.IMMEDIATELY,
    EmailTopic.REPLIES: EmailMode.DAILY,
    EmailTopic.WAITING: EmailMode.IMMEDIATELY,
    EmailTopic.MEETINGS: EmailMode.IMMEDIATELY,
    EmailTopic.EVENTS: EmailMode.IMMEDIATELY,
}


def default_preferences(user_id: int) -> NotificationPreference:
    """A transient row holding the defaults (not added to any session)."""
    return NotificationPreference(user_id=user_id, **{t.value: m for t, m in DEFAULT_MODES.items()})


def preferences_for(session: Session, user: User) -> NotificationPreference:
    """The user's saved preferences, or the defaults when they never changed them."""
    saved = session.get(NotificationPreference, user.id)
    return saved if saved is not None else default_preferences(user.id)


def _stored_preferences(session: Session, user_id: int) -> NotificationPreference | None:
    return session.get(NotificationPreference, user_id)


def saved_preferences(session: Session, user: User) -> NotificationPreference:
    """The person's stored email settings, made (with the defaults) if they have none; safe
    when another request makes them at the same moment."""
    saved = _stored_preferences(session, user.id)
    if saved is None:
        saved = default_preferences(user.id)
        if not added_unless_made_meanwhile(session, saved):
            saved = session.get_one(NotificationPreference, user.id)
    return saved


def update_preferences(session: Session, user: User, modes: dict[EmailTopic, EmailMode]) -> None:
    saved = saved_preferences(session, user)
    for topic, mode in modes.items():
        setattr(saved, topic.value, mode)


def unsubscribe(session: Session, user: User, topic: EmailTopic | None) -> None:
    """Turn email off for one topic, or for every topic when ``topic`` is ``None``."""
    topics = [topic] if topic is not None else list(EmailTopic)
    update_preferences(session, user, dict.fromkeys(topics, EmailMode.OFF))


# --- unsubscribe links ---------------------------------------------------------------------

def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.secret_key, salt=UNSUBSCRIBE_SALT)


def unsubscribe_token(user: User, topic: EmailTopic | None) -> str:
    """A signed token naming the user and topic; it does not expire, as such links must not."""
    return _serializer().dumps({"u": user.id, "t": topic.value if topic else ALL_TOPICS})


def unsubscribe_url(user: User, topic: EmailTopic | None) -> str:
    return external_url("notifications.unsubscribe", token=unsubscribe_token(user, topic))


def read_unsubscribe_token(session: Session, token: str) -> tuple[User, EmailTopic | None]:
    try:
        data = _serializer().loads(token)
        user_id = int(data["u"])
        topic = None if data["t"] == ALL_TOPICS else EmailTopic(data["t"])
    except (BadSignature, KeyError, TypeError, ValueError) as exc:
        raise InvalidUnsubscribeLink from exc
    user = session.get(User, user_id)
    if user is None:
        raise InvalidUnsubscribeLink
    return user, topic


# --- stop following a thread from its emails -------------------------------------------------

def _unfollow_serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.secret_key, salt=UNFOLLOW_SALT)


def unfollow_url(user: User, thread_id: int) -> str:
    """A signed link that mutes the thread for ``user`` without signing in; it expires after
    ``UNFOLLOW_LINK_DAYS`` (an old email's link then asks them to sign in instead)."""
    token = _unfollow_serializer().dumps({"u": user.id, "th": thread_id})
    return external_url("notifications.stop_following", token=token)


def read_unfollow_token(session: Session, token: str) -> tuple[User, Thread]:
    max_age = int(current_app.config["UNFOLLOW_LINK_DAYS"]) * 24 * 3600
    try:
        data = _unfollow_serializer().loads(token, max_age=max_age)
        user_id, thread_id = int(data["u"]), int(data["th"])
    except SignatureExpired as exc:
        raise ExpiredUnfollowLink from exc
    except (BadSignature, KeyError, TypeError, ValueError) as exc:
        raise InvalidUnsubscribeLink from exc
    user, thread = session.get(User, user_id), session.get(Thread, thread_id)
    if user is None or thread is None or user.is_disabled:
        raise InvalidUnsubscribeLink
    return user, thread


def _thread_follow(session: Session, user_id: int, thread_id: int) -> ThreadFollow | None:
    return session.get(ThreadFollow, (user_id, thread_id))


def stop_following(session: Session, user: User, thread: Thread) -> None:
    """Mute the thread for ``user``: no more notifications or emails about it."""
    row = _thread_follow(session, user.id, thread.id)
    if row is None:
        if added_unless_made_meanwhile(session, ThreadFollow(
                user_id=user.id, thread_id=thread.id, level=FollowLevel.MUTED)):
            return
        row = session.get_one(ThreadFollow, (user.id, thread.id))
    row.level = FollowLevel.MUTED
    row.updated_at = utcnow()
    session.flush()
