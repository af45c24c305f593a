"""Create notifications for moderation events and replies, and queue their emails.

Each ``notify_*`` function adds rows to the caller's session, inside the caller's transaction:
it never commits and never sends mail inline. Emails are queued in the outbox
(:class:`forum.models.QueuedEmail`) and sent after the response (:mod:`forum.outbox`). Nobody
is told about a post they cannot see on its thread page (:func:`can_see`).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from flask import Flask
from flask import current_app
from itsdangerous import BadSignature
from itsdangerous import URLSafeSerializer
from sqlalchemy import func
from sqlalchemy import select
from sqlalchemy import update
from sqlalchemy.orm import Session

from forum import outbox
from forum import permissions
from forum import signals
from forum.mentions import handle_of
from forum.mentions import mentioned_handles
from forum.models import EmailMode
from forum.models import EmailTopic
from forum.models import FollowLevel
from forum.models import Membership
from forum.models import Notification
from forum.models import NotificationKind
from forum.models import NotificationPreference
from forum.models import Post
from forum.models import PostStatus
from forum.models import ThreadFollow
from forum.models import User
from forum.models import utcnow
from forum.notifications import delivery
from forum.notifications import email
from forum.urls import external_url

TEXT_MAX = 500
UNSUBSCRIBE_SALT = "notifications-unsubscribe"
ALL_TOPICS = "all"


class InvalidUnsubscribeLink(Exception):
    """The unsubscribe token was altered or belongs to no one."""


# --- the interface other areas call ------------------------------------------------------

def notify_post_approved(session: Session, post: Post, moderator: User) -> None:
    """Tell the author their post was approved; if it is a reply, also tell the parent's author.

    The moderators' "waiting for approval" notifications about it now say it was handled.
    """
    settle_waiting(session, post, f"was approved by {moderator.display_name}")
    author = post.author
    if author is not None and author.id != moderator.id:
        _notify(session, author, NotificationKind.POST_APPROVED, post, actor=moderator,
                text=f"{moderator.display_name} approved your post in "
                     f"“{post.thread.title}”.")
    notify_published(session, post)


def notify_post_rejected(session: Session, post: Post, moderator: User, reason: str) -> None:
    """Tell the author their post was sent back, with the moderator's reason."""
    settle_waiting(session, post, f"was sent back to its author by {moderator.display_name}")
    author = post.author
    if author is None or author.id == moderator.id:
        return
    _notify(session, author, NotificationKind.POST_REJECTED, post, actor=moderator,
            text=f"{moderator.display_name} sent back your post in “{post.thread.title}”. "
                 "You can edit it and send it again.",
            reason=reason)


def notify_post_edited_by_moderator(session: Session, post: Post, moderator: User) -> None:
    """Tell the author a moderator edited their post (the old text is kept as a revision)."""
    author = post.author
    if author is None or author.id == moderator.id:
        return
    _notify(session, author, NotificationKind.POST_EDITED, post, actor=moderator,
            text=f"{moderator.display_name} edited your post in “{post.thread.title}”.")


def notify_post_waiting(session: Session, post: Post) -> None:
    """Tell the set's moderators and facilitators (not the author) that a post waits.

    Their email is batched: at most one per set per 15 minutes, saying how many posts wait.
    """
    if post.status != PostStatus.PENDING:
        return
    author_name = post.author.display_name if post.author is not None else "A former member"
    what = "A new thread" if post.is_opening_post else "A reply"
    _tell_moderators(session, post,
                     f"{what} by {author_name} in “{post.thread.title}” is waiting for "
                     f"approval in {post.thread.learning_set.name}.")


def notify_edit_waiting(session: Session, post: Post) -> None:
    """Tell the set's moderators that an edit of a published post waits (never its text)."""
    if not post.has_pending_edit:
        return
    author_name = post.author.display_name if post.author is not None else "A former member"
    _tell_moderators(session, post,
                     f"An edit by {author_name} of their post in “{post.thread.title}” is "
                     f"waiting for approval in {post.thread.learning_set.name}.")


def _tell_moderators(session: Session, post: Post, text: str) -> None:
    learning_set = post.thread.learning_set
    moderators = session.scalars(
        permissions.moderators_of(learning_set.id).where(User.id != post.author_id)).all()
    text = _waiting_text(post, f"is waiting for approval in {learning_set.name}")
    for moderator in moderators:
        _notify(session, moderator, NotificationKind.POST_WAITING, post, actor=post.author,
                text=text)


def settle_waiting(session: Session, post: Post, outcome: str) -> None:
    """Mark the "waiting for approval" notifications about ``post`` read, saying what happened.

    ``outcome`` finishes the sentence, e.g. "was approved by Mia". If the post waits again
    (resubmitted), :func:`notify_post_waiting` makes the same notifications unread again.
    """
    session.execute(
        update(Notification).where(Notification.kind == NotificationKind.POST_WAITING,
                                   Notification.post_id == post.id)
        .values(text=_clip(_waiting_text(post, outcome)),
                read_at=func.coalesce(Notification.read_at, utcnow()))
        .execution_options(synchronize_session=False))


def _waiting_text(post: Post, state: str) -> str:
    author_name = post.author.display_name if post.author is not None else "A former member"
    what = "A new thread" if post.is_opening_post else "A reply"
    return f"{what} by {author_name} in “{post.thread.title}” {state}."
def notify_edit_approved(session: Session, post: Post, moderator: User) -> None:
    """Tell the author a moderator published their edit."""
    author = post.author
    if author is None or author.id == moderator.id:
        return
    _notify(session, author, NotificationKind.POST_APPROVED, post, actor=moderator,
            text=f"{moderator.display_name} approved your edit of your post in "
                 f"“{post.thread.title}”.")


def notify_edit_returned(session: Session, post: Post, moderator: User, reason: str) -> None:
    """Tell the author their edit was sent back, with the reason (the approved text stays)."""
    author = post.author
    if author is None or author.id == moderator.id:
        return
    _notify(session, author, NotificationKind.POST_REJECTED, post, actor=moderator,
            text=f"{moderator.display_name} sent back your edit of your post in "
                 f"“{post.thread.title}”. The post keeps its approved text; your proposed "
                 "text is kept with its earlier versions.",
            reason=reason)


def notify_reply(session: Session, reply: Post) -> None:
    """Tell the parent post's author about an approved reply (never about their own reply).

    Does nothing for a reply that is not approved: :func:`notify_post_approved` calls this
    when a waiting reply is approved.
    """
    if reply.status != PostStatus.APPROVED or reply.parent_id is None:
        return
    parent = reply.parent if reply.parent is not None else session.get(Post, reply.parent_id)
    if parent is None or parent.author is None or parent.author_id == reply.author_id:
        return
    if _follow_level(session, parent.author_id, reply.thread_id) == FollowLevel.MUTED:
        return
    replier = reply.author.display_name if reply.author is not None else "A former member"
    _notify(session, parent.author, NotificationKind.REPLY, reply, actor=reply.author,
            text=f"{replier} replied to your post in “{reply.thread.title}”.")


def _follow_level(session: Session, user_id: int, thread_id: int) -> FollowLevel:
    level = session.scalar(select(ThreadFollow.level).where(
        ThreadFollow.user_id == user_id, ThreadFollow.thread_id == thread_id))
    return level or FollowLevel.NORMAL


def _parent_author_id(session: Session, post: Post) -> int | None:
    if post.parent_id is None:
        return None
    parent = post.parent if post.parent is not None else session.get(Post, post.parent_id)
    return parent.author_id if parent is not None else None


def notify_mentions(session: Session, post: Post) -> set[int]:
    """Tell the set's members @mentioned in a published post (not its author, nor the parent's
    author, told of the reply; only those who can read it); the ids of those told."""
    if post.status != PostStatus.APPROVED:
        return set()
    handles = mentioned_handles(post.body_source)
    if not handles:
        return set()
    skip = {post.author_id, _parent_author_id(session, post)}
    members = session.scalars(
        select(User).join(Membership, Membership.user_id == User.id)
        .where(Membership.learning_set_id == post.thread.learning_set_id)).all()
    writer = post.author.display_name if post.author is not None else "A former member"
    told = set()
    for member in members:
        if member.id in skip or handle_of(member.display_name) not in handles:
            continue
        if _follow_level(session, member.id, post.thread_id) == FollowLevel.MUTED:
            continue
        if _notify(session, member, NotificationKind.MENTION, post, actor=post.author,
                   text=f"{writer} mentioned you in “{post.thread.title}”.") is not None:
            told.add(member.id)
    return told


def notify_followers(session: Session, post: Post, *, told: set[int] | None = None) -> None:
    """Tell those who follow the thread ("every new post") about a published post: never its
    author, nor the parent's author (told of the reply), nor those already ``told`` (of a
    mention), nor anyone who cannot read it."""
    if post.status != PostStatus.APPROVED:
        return
    followers = session.scalars(
        select(User).join(ThreadFollow, ThreadFollow.user_id == User.id)
        .where(ThreadFollow.thread_id == post.thread_id,
               ThreadFollow.level == FollowLevel.WATCHING,
               User.id.is_distinct_from(post.author_id),
               User.id.is_distinct_from(_parent_author_id(session, post)))).all()
    writer = post.author.display_name if post.author is not None else "A former member"
    for follower in followers:
        if told and follower.id in told:
            continue
        _notify(session, follower, NotificationKind.NEW_POST, post, actor=post.author,
                text=f"{writer} posted in “{post.thread.title}”, a thread you follow.")


def notify_published(session: Session, post: Post) -> None:
    """A post readers can now see: its parent's author, those it mentions, the followers.
    Sent when a post is published (created so, or approved), never on an edit."""
    notify_reply(session, post)
    notify_followers(session, post, told=notify_mentions(session, post))


def notify_post_created(session: Session, post: Post) -> None:
    """For a new post: tell moderators if it waits; if published, the parent's author and the
    thread's followers."""
    if post.status == PostStatus.PENDING:
        notify_post_waiting(session, post)
    else:
        notify_published(session, post)


# --- what the other areas announce (forum.signals) --------------------------------------

def _on_post_created(sender: Flask, *, session: Session, post: Post, **_: Any) -> None:
    notify_post_created(session, post)


def _on_post_resubmitted(sender: Flask, *, session: Session, post: Post, **_: Any) -> None:
    notify_post_waiting(session, post)


def _on_post_approved(sender: Flask, *, session: Session, post: Post, moderator: User,
                      **_: Any) -> None:
    notify_post_approved(session, post, moderator)


def _on_post_rejected(sender: Flask, *, session: Session, post: Post, moderator: User,
                      reason: str, **_: Any) -> None:
    notify_post_rejected(session, post, moderator, reason)


def _on_post_edited(sender: Flask, *, session: Session, post: Post, moderator: User,
                    **_: Any) -> None:
    notify_post_edited_by_moderator(session, post, moderator)


def _on_post_withdrawn(sender: Flask, *, session: Session, post: Post, **_: Any) -> None:
    settle_waiting(session, post, "was withdrawn by its author")


def _on_edit_waiting(sender: Flask, *, session: Session, post: Post, **_: Any) -> None:
    notify_edit_waiting(session, post)


def _on_edit_approved(sender: Flask, *, session: Session, post: Post, moderator: User,
                      **_: Any) -> None:
    notify_edit_approved(session, post, moderator)


def _on_edit_returned(sender: Flask, *, session: Session, post: Post, moderator: User,
                      reason: str, **_: Any) -> None:
    notify_edit_returned(session, post, moderator, reason)


RECEIVERS = (
    (signals.post_created, _on_post_created),
    (signals.post_resubmitted, _on_post_resubmitted),
    (signals.post_approved, _on_post_approved),
    (signals.post_rejected, _on_post_rejected),
    (signals.post_edited_by_moderator, _on_post_edited),
    (signals.post_withdrawn, _on_post_withdrawn),
    (signals.edit_waiting, _on_edit_waiting),
    (signals.edit_approved, _on_edit_approved),
    (signals.edit_returned, _on_edit_returned),
)


def subscribe(app: Flask) -> None:
    """Tell people about what the threads and moderation services announce in ``app``."""
    for signal, receiver in RECEIVERS:
        signal.connect(receiver, sender=app)


# --- creating one notification -------------------------------------------------------------

def can_see(user: User, post: Post) -> bool:
    """Whether ``user`` can read ``post`` on its thread page (so a link to it works)."""
    return permissions.can_view_post(user, post)


def _notify(session: Session, recipient: User, kind: NotificationKind, post: Post, *,
            actor: User | None, text: str, reason: str | None = None) -> Notification | None:
    if recipient.is_disabled or not can_see(recipient, post):
        return None
    thread = post.thread
    # A repeated event about the same post (a resubmission, a second decision) updates the
    # recipient's notification and makes it unread again, rather than listing it twice.
    notification = session.scalar(select(Notification).where(
        Notification.user_id == recipient.id, Notification.kind == kind,
        Notification.post_id == post.id).order_by(Notification.id.desc()).limit(1))
    if notification is None:
        notification = Notification(user_id=recipient.id, kind=kind, post_id=post.id)
        session.add(notification)
    notification.actor_id = actor.id if actor is not None else None
    notification.learning_set_id = thread.learning_set_id
    notification.thread_id = thread.id
    notification.text = _clip(text)
    notification.reason = reason
    notification.created_at = utcnow()
    notification.read_at = None
    notification.emailed_at = None
    session.flush()
    if preferences_for(session, recipient).mode_for(notification.topic) != EmailMode.IMMEDIATELY:
        return notification
    if kind == NotificationKind.POST_WAITING:
        delivery.queue_waiting_email(session, recipient, thread.learning_set)
    else:
        stop_url = unsubscribe_url(recipient, notification.topic)
        subject, text_body, html_body = email.compose_event_email(
            notification, post=post, unsubscribe_url=stop_url)
        outbox.queue_email(session, kind=kind.value, to=recipient.email, user=recipient,
                           subject=subject, text_body=text_body, html_body=html_body,
                           unsubscribe_url=stop_url, learning_set_id=thread.learning_set_id,
                           post_id=post.id)
    notification.emailed_at = utcnow()
    return notification


def _clip(text: str) -> str:
    return text if len(text) <= TEXT_MAX else text[: TEXT_MAX - 1] + "…"


# --- reading and marking -------------------------------------------------------------------

def unread_count(session: Session, user: User) -> int:
    """Unread notifications about things the user can still read (see :func:`notifications_for`)."""
    return session.scalar(select(func.count(Notification.id)).where(
        Notification.user_id == user.id, Notification.read_at.is_(None),
        permissions.readable_notifications(user))) or 0


def notifications_for(session: Session, user: User, *, page: int,
                      per_page: int) -> tuple[list[Notification], int]:
    """One page of the user's notifications, newest first, and the total count.

    Readability is checked now, not only when the notification was made: after a member
    leaves a set, or a post is hidden, notifications naming it are no longer shown.
    """
    mine = (Notification.user_id == user.id, permissions.readable_notifications(user))
    total = session.scalar(select(func.count(Notification.id)).where(*mine)) or 0
    rows = session.scalars(
        select(Notification).where(*mine)
        .order_by(Notification.created_at.desc(), Notification.id.desc())
        .offset((page - 1) * per_page).limit(per_page)).all()
    return list(rows), total


def open_notification(session: Session, user: User, notification_id: int) -> Notification | None:
    """The user's own notification, marked read (``None`` if it is not theirs or is gone)."""
    notification = session.get(Notification, notification_id)
    if notification is None or notification.user_id != user.id:
        return None
    if notification.read_at is None:
        notification.read_at = utcnow()
    return notification


def mark_all_read(session: Session, user: User) -> int:
    """Mark every unread notification of the user read; returns how many changed."""
    result = session.execute(
        update(Notification).where(Notification.user_id == user.id,
                                   Notification.read_at.is_(None))
        .values(read_at=utcnow()).execution_options(synchronize_session=False))
    return int(result.rowcount or 0)


# --- preferences ---------------------------------------------------------------------------

DEFAULT_MODES: dict[EmailTopic, EmailMode] = {
    EmailTopic.DECISIONS: EmailMode.IMMEDIATELY,
    EmailTopic.REPLIES: EmailMode.DAILY,
    EmailTopic.WAITING: EmailMode.IMMEDIATELY,
}


def default_preferences(user_id: int) -> NotificationPreference:
    """A transient row holding the defaults (not added to any session)."""
    return NotificationPreference(user_id=user_id, **{t.value: m for t, m in DEFAULT_MODES.items()})


def preferences_for(session: Session, user: User) -> NotificationPreference:
    """The user's saved preferences, or the defaults when they never changed them."""
    saved = session.get(NotificationPreference, user.id)
    return saved if saved is not None else default_preferences(user.id)


def preferences_by_user(session: Session,
                        user_ids: Iterable[int]) -> dict[int, NotificationPreference]:
    ids = list(user_ids)
    saved = {p.user_id: p for p in session.scalars(
        select(NotificationPreference).where(NotificationPreference.user_id.in_(ids)))}
    return {uid: saved.get(uid) or default_preferences(uid) for uid in ids}


def _saved_preferences(session: Session, user: User) -> NotificationPreference:
    saved = session.get(NotificationPreference, user.id)
    if saved is None:
        saved = default_preferences(user.id)
        session.add(saved)
    return saved


def update_preferences(session: Session, user: User, modes: dict[EmailTopic, EmailMode]) -> None:
    saved = _saved_preferences(session, user)
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
