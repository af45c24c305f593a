"""Create notifications for moderation decisions, replies and changes to events people signed
up to, and queue their emails.

Each ``notify_*`` function adds rows to the caller's session, inside the caller's transaction:
it never commits and never sends mail inline. Emails are queued in the outbox
(:class:`forum.models.QueuedEmail`) and sent after the response (:mod:`forum.outbox`). Nobody
is told about a post they cannot see on its thread page
(:func:`forum.permissions.can_view_post`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Flask
from sqlalchemy import func
from sqlalchemy import select
from sqlalchemy import update
from sqlalchemy.orm import Session

from forum import outbox
from forum import permissions
from forum import signals
from forum.mentions import handle_of
from forum.mentions import mentioned_handles
from forum.models import Action
from forum.models import EmailMode
from forum.models import Event
from forum.models import EventSignup
from forum.models import EventTopic
from forum.models import FollowLevel
from forum.models import JoinRequest
from forum.models import LearningSet
from forum.models import Meeting
from forum.models import NetworkRequest
from forum.models import Notification
from forum.models import NotificationKind
from forum.models import Post
from forum.models import PostStatus
from forum.models import RequestStatus
from forum.models import SignupStatus
from forum.models import ThreadFollow
from forum.models import TopicStatus
from forum.models import User
from forum.models import utcnow
from forum.notifications import delivery
from forum.notifications import email
from forum.notifications import wording
from forum.notifications.preferences import preferences_for
from forum.notifications.preferences import unfollow_url
from forum.notifications.preferences import unsubscribe_url
from forum.notifications.wording import Moment
from forum.times import to_local
from forum.times import zone_name

TEXT_MAX = 500
# The emails about a thread carry a link that stops them; the kinds that are about a thread.
THREAD_KINDS = frozenset({NotificationKind.NEW_POST, NotificationKind.MENTION,
                          NotificationKind.REPLY})


# --- the interface other areas call ------------------------------------------------------

def notify_post_approved(session: Session, post: Post, moderator: User) -> None:
    """Tell the author their post was approved; if it is a reply, also tell the parent's author.

    The moderators' "waiting for approval" notifications about it now say it was handled.
    """
    settle_waiting(session, post, f"was approved by {moderator.display_name}")
    author = post.author
    if author is not None and author.id != moderator.id:
        _notify(session, author, NotificationKind.POST_APPROVED, post, actor=moderator,
                moment=Moment.APPROVED)
    notify_published(session, post)


def notify_post_rejected(session: Session, post: Post, moderator: User, reason: str) -> None:
    """Tell the author their post was sent back, with the moderator's reason."""
    settle_waiting(session, post, f"was sent back to its author by {moderator.display_name}")
    author = post.author
    if author is None or author.id == moderator.id:
        return
    _notify(session, author, NotificationKind.POST_REJECTED, post, actor=moderator,
            moment=Moment.SENT_BACK, reason=reason)


def notify_post_edited_by_moderator(session: Session, post: Post, moderator: User) -> None:
    """Tell the author a moderator edited their post (the old text is kept as a revision)."""
    author = post.author
    if author is None or author.id == moderator.id:
        return
    _notify(session, author, NotificationKind.POST_EDITED, post, actor=moderator,
            moment=Moment.EDITED)


def notify_post_waiting(session: Session, post: Post) -> None:
    """Tell the set's moderators and facilitators (not the author) that a post waits.

    Their email is batched: at most one per set per 15 minutes, saying how many posts wait.
    """
    if post.status != PostStatus.PENDING:
        return
    _tell_moderators(session, post)


def notify_edit_waiting(session: Session, post: Post) -> None:
    """Tell the set's moderators that an edit of a published post waits (never its text)."""
    if not post.has_pending_edit:
        return
    _tell_moderators(session, post)


def _tell_moderators(session: Session, post: Post) -> None:
    # One notification per post, whether the post or an edit of it waits: approving or
    # returning either settles it (:func:`settle_waiting`).
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
    return wording.waiting_sentence(post, state)

def notify_edit_approved(session: Session, post: Post, moderator: User) -> None:
    """Tell the author a moderator published their edit."""
    author = post.author
    if author is None or author.id == moderator.id:
        return
    _notify(session, author, NotificationKind.POST_APPROVED, post, actor=moderator,
            moment=Moment.EDIT_APPROVED)


def notify_edit_returned(session: Session, post: Post, moderator: User, reason: str) -> None:
    """Tell the author their edit was sent back, with the reason (the approved text stays)."""
    author = post.author
    if author is None or author.id == moderator.id:
        return
    _notify(session, author, NotificationKind.POST_REJECTED, post, actor=moderator,
            moment=Moment.EDIT_SENT_BACK, reason=reason)


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
    _notify(session, parent.author, NotificationKind.REPLY, reply, actor=reply.author,
            moment=Moment.REPLY)


def notify_action_due(session: Session, action: Action, *, update_url: str) -> bool:
    """Ask the holder of an action that falls due how it went, linking to the update form.

    Returns whether they were told: not if they can no longer read the action's post (they
    left a private set, or it was hidden), as for every notification.
    """
    holder = action.holder
    if holder is None:
        return False
    post = action.post
    notification = _notify(
        session, holder, NotificationKind.ACTION_DUE, post, actor=None,
        text=f"Your action in “{post.thread.title}” was due on {action.due_on:%-d %B %Y}. "
             "How did it go? Post an update for your set.",
        url=update_url, link_text="Post an update")
    return notification is not None
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
    members = session.scalars(permissions.members_of(post.thread.learning_set_id)).all()
    told = set()
    for member in members:
        if member.id in skip or handle_of(member.display_name) not in handles:
            continue
        if _follow_level(session, member.id, post.thread_id) == FollowLevel.MUTED:
            continue
        if _notify(session, member, NotificationKind.MENTION, post, actor=post.author,
                   moment=Moment.MENTION) is not None:
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
    for follower in followers:
        if told and follower.id in told:
            continue
        _notify(session, follower, NotificationKind.NEW_POST, post, actor=post.author,
                moment=Moment.NEW_POST)


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


_MEETING_NEWS = {
    NotificationKind.MEETING_SCHEDULED: "{actor} scheduled a meeting of {set}: “{title}”, {when}.",
    NotificationKind.MEETING_MOVED: "{actor} moved the meeting of {set} “{title}”: it is now "
                                    "{when}.",
    NotificationKind.MEETING_CANCELLED: "{actor} cancelled the meeting of {set} “{title}” "
                                        "({when}).",
}


def notify_meeting(session: Session, meeting: Meeting, kind: NotificationKind,
                   actor: User) -> None:
    """Tell the set's members (not the facilitator who did it) that a meeting was scheduled,
    moved or cancelled; email them per their choice for meetings."""
    learning_set = meeting.learning_set
    members = session.scalars(
        permissions.members_of(learning_set.id).where(User.id != actor.id)).all()
    text = _MEETING_NEWS[kind].format(actor=actor.display_name, set=learning_set.name,
                                      title=meeting.title, when=_meeting_when(meeting))
    for member in members:
        if member.is_disabled or not permissions.can_view_meeting(member, meeting):
            continue
        notification = Notification(
            user_id=member.id, kind=kind, actor_id=actor.id, learning_set_id=learning_set.id,
            meeting_id=meeting.id, text=_clip(text), created_at=utcnow())
        session.add(notification)
        session.flush()
        _email_notice(session, member, notification,
                      lambda stop, notice=notification: email.compose_meeting_email(
                          notice, meeting, unsubscribe_url=stop),
                      learning_set_id=learning_set.id)


def _meeting_when(meeting: Meeting) -> str:
    starts = to_local(meeting.starts_at, meeting.timezone)
    return f"{starts:%A %-d %B %Y at %H:%M} {zone_name(meeting.starts_at, meeting.timezone)}"
# --- events: people who signed up are told when one changes ------------------------------

def _signed_up(session: Session, event: Event, *, besides: User | None) -> list[User]:
    """Everyone with a place or on the waiting list (but ``besides``, who made the change)."""
    users = session.scalars(
        select(User).join(EventSignup, EventSignup.user_id == User.id)
        .where(EventSignup.event_id == event.id,
               EventSignup.status.in_([SignupStatus.PLACE, SignupStatus.WAITING]))
        .order_by(User.id))
    return [user for user in users if besides is None or user.id != besides.id]


def _where(event: Event) -> str:
    parts = [part for part in (event.place, event.online_url) if part]
    return " and ".join(parts) or "a place to be confirmed"


def notify_event_changed(session: Session, event: Event, actor: User, changes: list[str],
                         when: str) -> None:
    """Tell the people signed up that the event's title, time or place changed."""
    what = " and ".join(changes)
    for user in _signed_up(session, event, besides=actor):
        _notify_about_event(
            session, user, NotificationKind.EVENT_CHANGED, event, actor=actor,
            text=f"The {what} of “{event.title}” changed: it is now {when}, at {_where(event)}.")


def notify_event_cancelled(session: Session, event: Event, actor: User, reason: str,
                           when: str) -> None:
    """Tell the people signed up that the event was cancelled, with the organiser's message."""
    for user in _signed_up(session, event, besides=actor):
        _notify_about_event(
            session, user, NotificationKind.EVENT_CANCELLED, event, actor=actor,
            text=f"“{event.title}” ({when}) is cancelled.", reason=reason or None)


def notify_places_given(session: Session, event: Event, signups: list[EventSignup],
                        when: str) -> None:
    """Tell people on the waiting list that they now have a place."""
    for signup in signups:
        user = signup.user if signup.user is not None else session.get(User, signup.user_id)
        if user is None:
            continue
        _notify_about_event(
            session, user, NotificationKind.EVENT_PLACE, event, actor=None,
            text=f"A place came free: you now have a place at “{event.title}”, {when}. "
                 "If you cannot come after all, cancel on the event’s page so someone else "
                 "can have it.")


def _notify_about_event(session: Session, recipient: User, kind: NotificationKind, event: Event,
                        *, actor: User | None, text: str,
                        reason: str | None = None) -> Notification | None:
    if recipient.is_disabled or not permissions.can_view_event(recipient, event):
        return None
    # A second change to the same event updates the notification (and makes it unread again).
    notification = _renew(session, recipient, kind, Notification.event_id, event.id,
                          actor=actor, text=text, reason=reason)
    return _email_notice(session, recipient, notification,
                         lambda stop: email.compose_event_notice(
                             notification, event=event, unsubscribe_url=stop),
                         event_id=event.id)


def notify_topic_proposed(session: Session, event: Event, topic: EventTopic) -> None:
    """Tell the network coordinators (or, if there are none, the admins) that a proposed
    topic waits for their approval. The text names the workshop, not the waiting proposal."""
    coordinators = (session.scalars(permissions.network_coordinators()).all()
                    or session.scalars(permissions.site_admins()).all())
    waiting = session.scalar(select(func.count(EventTopic.id)).where(
        EventTopic.event_id == event.id, EventTopic.status == TopicStatus.WAITING)) or 0
    text = (f"{waiting} proposed topics for “{event.title}” wait for approval. Approve or "
            "hide them on the event’s page." if waiting > 1
            else f"A proposed topic for “{event.title}” waits for approval. Approve or hide it "
                 "on the event’s page.")
    for coordinator in coordinators:
        if coordinator.id == topic.proposer_id or not permissions.can_view_event(coordinator,
                                                                                 event):
            continue
        # In the site only (written as already emailed); repeated proposals renew one notice.
        notification = _renew(session, coordinator, NotificationKind.TOPIC_PROPOSED,
                              Notification.event_id, event.id, actor=None,
                              text=text,
                              reason=None)
        notification.emailed_at = utcnow()


def notify_organisation_requested(session: Session, user: User, name: str) -> None:
    """Tell the admins that someone asks for their organisation to be added to the list."""
    for admin in session.scalars(permissions.site_admins()):
        session.add(Notification(
            user_id=admin.id, kind=NotificationKind.ORGANISATION_REQUEST, actor_id=user.id,
            text=_clip(f"{user.display_name} asks for “{name}” to be added to the list of "
                       "organisations. Add it (or correct their spelling) on the admin "
                       "organisations page."),
            created_at=utcnow(), emailed_at=utcnow()))
    session.flush()


# --- requests to join a set ------------------------------------------------------------------

def notify_join_requested(session: Session, request: JoinRequest) -> None:
    """Tell the set's facilitators (not its moderators: they do not decide who joins); a set
    with no facilitator able to sign in has its request told to the admins, who decide then."""
    learning_set, asker = request.learning_set, request.user
    deciders = list(session.scalars(permissions.facilitators_of(learning_set.id)))
    if not deciders:
        deciders = list(session.scalars(permissions.site_admins()))
    for facilitator in deciders:
        _notify_about_set(session, facilitator, NotificationKind.JOIN_REQUESTED, learning_set,
                          actor=asker, text=f"{asker.display_name} asks to join "
                                            f"{learning_set.name}. Accept or decline on the "
                                            "set’s people page.")


def notify_join_decided(session: Session, request: JoinRequest, actor: User) -> None:
    """Tell the person the decision; the facilitators' notices of the request are settled."""
    learning_set = request.learning_set
    session.execute(
        update(Notification).where(Notification.kind == NotificationKind.JOIN_REQUESTED,
                                   Notification.learning_set_id == learning_set.id,
                                   Notification.actor_id == request.user_id)
        .values(read_at=func.coalesce(Notification.read_at, utcnow()))
        .execution_options(synchronize_session=False))
    if request.status == RequestStatus.ACCEPTED:
        _notify_about_set(session, request.user, NotificationKind.JOIN_ACCEPTED, learning_set,
                          actor=actor, text=f"{actor.display_name} accepted your request: you "
                                            f"are now a member of {learning_set.name}.")
    else:
        _notify_about_set(session, request.user, NotificationKind.JOIN_DECLINED, learning_set,
                          actor=actor, text=f"{actor.display_name} declined your request to "
                                            f"join {learning_set.name}.",
                          reason=request.reason or None)


# --- visitors' requests to join the network ---------------------------------------------------

def _network_requests_text(waiting: int) -> str:
    if waiting == 1:
        return "A request to join the network is waiting for a decision."
    return f"{waiting} requests to join the network are waiting for a decision."


def notify_network_request(session: Session) -> None:
    """Tell the admins and network coordinators that a visitor's request waits.

    Each gets one notice, renewed (unread again) with how many wait, never who asked: the
    request's details stay on the queue page, which only they can open, and are deleted once
    decided. Their email is batched like the moderators': at most one every 15 minutes,
    composed when sent (:mod:`forum.notifications.delivery`).
    """
    waiting = session.scalar(select(func.count(NetworkRequest.id)).where(
        NetworkRequest.status == RequestStatus.PENDING)) or 0
    if waiting == 0:
        return
    text = _network_requests_text(waiting)
    for handler in session.scalars(permissions.network_request_handlers()).all():
        notification = session.scalar(select(Notification).where(
            Notification.user_id == handler.id,
            Notification.kind == NotificationKind.NETWORK_REQUEST,
            Notification.read_at.is_(None)).order_by(Notification.id.desc()).limit(1))
        if notification is None:
            notification = Notification(user_id=handler.id,
                                        kind=NotificationKind.NETWORK_REQUEST)
            session.add(notification)
        notification.text = text
        notification.created_at = utcnow()
        notification.emailed_at = None
        session.flush()
        if _emailed_now(session, handler, notification):
            delivery.queue_network_requests_email(session, handler)
            notification.emailed_at = utcnow()


def settle_network_requests(session: Session) -> None:
    """After a decision: the unread notices say how many still wait, or are marked read once
    none do."""
    waiting = session.scalar(select(func.count(NetworkRequest.id)).where(
        NetworkRequest.status == RequestStatus.PENDING)) or 0
    unread = update(Notification).where(
        Notification.kind == NotificationKind.NETWORK_REQUEST, Notification.read_at.is_(None))
    if waiting:
        session.execute(unread.values(text=_network_requests_text(waiting))
                        .execution_options(synchronize_session=False))
    else:
        session.execute(unread.values(
            text="Every request to join the network has been decided.", read_at=utcnow())
            .execution_options(synchronize_session=False))


def _notify_about_set(session: Session, recipient: User, kind: NotificationKind,
                      learning_set: LearningSet, *, actor: User | None, text: str,
                      reason: str | None = None) -> Notification | None:
    if recipient.is_disabled or not permissions.can_view_set(recipient, learning_set):
        return None
    notification = Notification(user_id=recipient.id, kind=kind, learning_set_id=learning_set.id,
                                actor_id=actor.id if actor is not None else None,
                                text=_clip(text), reason=reason, created_at=utcnow())
    session.add(notification)
    session.flush()
    return _email_notice(session, recipient, notification,
                         lambda stop: email.compose_set_notice(
                             notification, learning_set=learning_set, unsubscribe_url=stop),
                         learning_set_id=learning_set.id)


def _email_notice(session: Session, recipient: User, notification: Notification,
                  compose: Callable[[str], email.Composed], **about: int) -> Notification:
    """Queue the notification's email now if the recipient wants this topic immediately
    (``compose`` gets the unsubscribe address; ``about`` names the event or set)."""
    if not _emailed_now(session, recipient, notification):
        return notification
    stop_url = unsubscribe_url(recipient, notification.topic)
    subject, text_body, html_body = compose(stop_url)
    outbox.queue_email(session, kind=notification.kind.value, to=recipient.email,
                       user=recipient, subject=subject, text_body=text_body,
                       html_body=html_body, unsubscribe_url=stop_url, **about)
    notification.emailed_at = utcnow()
    return notification


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


def _on_meeting(kind: NotificationKind) -> Any:
    def receiver(sender: Flask, *, session: Session, meeting: Meeting, actor: User,
                 **_: Any) -> None:
        notify_meeting(session, meeting, kind, actor)
    return receiver
def _on_event_changed(sender: Flask, *, session: Session, event: Event, actor: User,
                      changes: list[str], when: str, **_: Any) -> None:
    notify_event_changed(session, event, actor, changes, when)


def _on_event_cancelled(sender: Flask, *, session: Session, event: Event, actor: User,
                        reason: str, when: str, **_: Any) -> None:
    notify_event_cancelled(session, event, actor, reason, when)


def _on_event_places_given(sender: Flask, *, session: Session, event: Event,
                           signups: list[EventSignup], when: str, **_: Any) -> None:
    notify_places_given(session, event, signups, when)


def _on_topic_proposed(sender: Flask, *, session: Session, event: Event, topic: EventTopic,
                       **_: Any) -> None:
    notify_topic_proposed(session, event, topic)


def _on_organisation_requested(sender: Flask, *, session: Session, user: User, name: str,
                               **_: Any) -> None:
    notify_organisation_requested(session, user, name)


def _on_join_requested(sender: Flask, *, session: Session, request: JoinRequest,
                       **_: Any) -> None:
    notify_join_requested(session, request)


def _on_join_decided(sender: Flask, *, session: Session, request: JoinRequest, actor: User,
                     **_: Any) -> None:
    notify_join_decided(session, request, actor)


def _on_network_request(sender: Flask, *, session: Session, **_: Any) -> None:
    notify_network_request(session)


def _on_network_request_decided(sender: Flask, *, session: Session, **_: Any) -> None:
    settle_network_requests(session)


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
    (signals.meeting_scheduled, _on_meeting(NotificationKind.MEETING_SCHEDULED)),
    (signals.meeting_moved, _on_meeting(NotificationKind.MEETING_MOVED)),
    (signals.meeting_cancelled, _on_meeting(NotificationKind.MEETING_CANCELLED)),
    (signals.event_changed, _on_event_changed),
    (signals.event_cancelled, _on_event_cancelled),
    (signals.event_places_given, _on_event_places_given),
    (signals.join_requested, _on_join_requested),
    (signals.topic_proposed, _on_topic_proposed),
    (signals.organisation_requested, _on_organisation_requested),
    (signals.join_request_decided, _on_join_decided),
    (signals.network_request_received, _on_network_request),
    (signals.network_request_decided, _on_network_request_decided),
)


def subscribe(app: Flask) -> None:
    """Tell people about what the threads and moderation services announce in ``app``."""
    for signal, receiver in RECEIVERS:
        signal.connect(receiver, sender=app)


# --- creating one notification -------------------------------------------------------------

def _notify(session: Session, recipient: User, kind: NotificationKind, post: Post, *,
            actor: User | None, moment: Moment | None = None, text: str = "",
            reason: str | None = None, url: str | None = None,
            link_text: str | None = None) -> Notification | None:
    """Tell ``recipient`` about ``post``: in the words of ``moment``
    (:mod:`forum.notifications.wording`), or ``text`` for one no moment describes."""
    if recipient.is_disabled or not permissions.can_view_post(recipient, post):
        return None
    subject = None
    if moment is not None:
        name = actor.display_name if actor is not None else None
        text = wording.sentence(moment, post, name)
        subject = wording.subject(moment, post, name)
    thread = post.thread
    # A repeated event about the same post (a resubmission, a second decision) updates the
    # recipient's notification and makes it unread again, rather than listing it twice.
    notification = _renew(session, recipient, kind, Notification.post_id, post.id,
                          actor=actor, text=text, reason=reason,
                          learning_set_id=thread.learning_set_id, thread_id=thread.id)
    if not _emailed_now(session, recipient, notification):
        return notification
    if kind == NotificationKind.POST_WAITING:
        delivery.queue_waiting_email(session, recipient, thread.learning_set)
    else:
        stop_url = unsubscribe_url(recipient, notification.topic)
        unfollow = unfollow_url(recipient, thread.id) if kind in THREAD_KINDS else None
        subject, text_body, html_body = email.compose_event_email(
            notification, post=post, unsubscribe_url=stop_url, url=url, link_text=link_text,
            unfollow_url=unfollow, subject=subject)
        # For a thread's emails, the mail program's "Unsubscribe" stops that thread's.
        outbox.queue_email(session, kind=kind.value, to=recipient.email, user=recipient,
                           subject=subject, text_body=text_body, html_body=html_body,
                           unsubscribe_url=unfollow or stop_url,
                           learning_set_id=thread.learning_set_id, post_id=post.id)
    notification.emailed_at = utcnow()
    return notification


def _renew(session: Session, recipient: User, kind: NotificationKind, about: Any, about_id: int,
           *, actor: User | None, text: str, reason: str | None,
           **columns: Any) -> Notification:
    """The recipient's latest notification of ``kind`` where ``about`` (a column: the post or
    the event) is ``about_id``, made new and unread with this text; or a new one."""
    notification = session.scalar(select(Notification).where(
        Notification.user_id == recipient.id, Notification.kind == kind, about == about_id)
        .order_by(Notification.id.desc()).limit(1))
    if notification is None:
        notification = Notification(user_id=recipient.id, kind=kind, **{about.key: about_id})
        session.add(notification)
    for name, value in columns.items():
        setattr(notification, name, value)
    notification.actor_id = actor.id if actor is not None else None
    notification.text = _clip(text)
    notification.reason = reason
    notification.created_at = utcnow()
    notification.read_at = None
    notification.emailed_at = None
    session.flush()
    return notification


def _emailed_now(session: Session, recipient: User, notification: Notification) -> bool:
    return (preferences_for(session, recipient).mode_for(notification.topic)
            == EmailMode.IMMEDIATELY)


def _clip(text: str) -> str:
    return text if len(text) <= TEXT_MAX else text[: TEXT_MAX - 1] + "…"
