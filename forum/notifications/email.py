"""Compose notification emails (plain text plus HTML) with absolute links.

Links are absolute (:func:`forum.urls.external_url`), so these work from a web request, the
background sender and the command line alike.
"""

from __future__ import annotations

from collections.abc import Sequence

from flask import current_app
from flask import render_template
from werkzeug.routing import BuildError

from forum.models import Event
from forum.models import LearningSet
from forum.models import Meeting
from forum.models import Notification
from forum.models import NotificationKind
from forum.models import Post
from forum.models import User
from forum.text import excerpt
from forum.urls import external_url

Composed = tuple[str, str, str]  # subject, text body, HTML body

EXCERPT_LENGTH = 300


def post_url(thread_id: int, post_id: int | None) -> str:
    if post_id is None:
        return external_url("threads.show", thread_id=thread_id)
    # ?post= opens the page of a long thread that shows the post.
    return external_url("threads.show", thread_id=thread_id, post=post_id) + f"#post-{post_id}"


def queue_url(learning_set: LearningSet) -> str:
    """The moderation queue filtered to the set, or the set's page if there is no queue."""
    try:
        return external_url("moderation.queue", set=learning_set.slug)
    except BuildError:
        return external_url("sets.show", slug=learning_set.slug)


def settings_url() -> str:
    return external_url("notifications.settings")


def _subject(notification: Notification) -> str:
    title = notification.thread.title if notification.thread is not None else "a thread"
    subjects = {
        NotificationKind.POST_WAITING: f"A post is waiting for approval in “{title}”",
        NotificationKind.ACTION_DUE: f"Your action in “{title}” is due: how did it go?",
        NotificationKind.GUIDE_RECREDITED: "A guide’s credits changed",
    }
    return subjects[notification.kind]


def event_url(event_id: int) -> str:
    return external_url("events.show", event_id=event_id)


def compose_event_email(notification: Notification, *, post: Post, unsubscribe_url: str,
                        url: str | None = None, link_text: str | None = None,
                        unfollow_url: str | None = None, subject: str | None = None) -> Composed:
    """The email for one notification (approved, sent back, edited, replied to, an action due);
    its link goes to the post unless ``url`` says where. ``subject`` is the notification's
    wording (:mod:`forum.notifications.wording`), else one by its kind."""
    context = {
        "notification": notification,
        "url": url or post_url(post.thread_id, post.id),
        "link_text": link_text,
        "post_excerpt": excerpt(post.body_html, EXCERPT_LENGTH),
        "unsubscribe_url": unsubscribe_url,
        "unfollow_url": unfollow_url,
        "settings_url": settings_url(),
    }
    subject = subject or _subject(notification)
    return (subject,
            render_template("email/notification_event.txt", subject=subject, **context),
            render_template("email/notification_event.html", subject=subject, **context))


def meeting_url(meeting: Meeting) -> str:
    return external_url("meetings.show", slug=meeting.learning_set.slug, meeting_id=meeting.id)


def compose_meeting_email(notification: Notification, meeting: Meeting, *,
                          unsubscribe_url: str) -> Composed:
    """The email about a set's meeting scheduled, moved or cancelled."""
    subjects = {
        NotificationKind.MEETING_SCHEDULED: f"New meeting of {meeting.learning_set.name}",
        NotificationKind.MEETING_MOVED: f"A meeting of {meeting.learning_set.name} has moved",
        NotificationKind.MEETING_CANCELLED:
            f"A meeting of {meeting.learning_set.name} is cancelled",
    }
    subject = subjects[notification.kind]
    context = {"notification": notification, "url": meeting_url(meeting), "post_excerpt": "",
               "unsubscribe_url": unsubscribe_url, "settings_url": settings_url(),
               "subject": subject}
    return (subject,
            render_template("email/notification_event.txt", **context),
            render_template("email/notification_event.html", **context))


def _item_url(notification: Notification) -> str:
    if notification.thread_id is not None:
        return post_url(notification.thread_id, notification.post_id)
    if notification.meeting is not None:
        return meeting_url(notification.meeting)
    if notification.event_id is not None:
        return event_url(notification.event_id)
    if notification.learning_set is not None:
        return external_url("sets.show", slug=notification.learning_set.slug)
    if notification.kind == NotificationKind.NETWORK_REQUEST:
        return external_url("network.queue")
    return external_url("notifications.index")


def compose_event_notice(notification: Notification, *, event: Event,
                         unsubscribe_url: str) -> Composed:
    """The email about an event someone signed up to (changed, cancelled, a place came free).

    The outbox attaches the event's calendar file when it sends it (:mod:`forum.events.mail`).
    """
    subjects = {
        NotificationKind.EVENT_CHANGED: f"Changed: {event.title}",
        NotificationKind.EVENT_CANCELLED: f"Cancelled: {event.title}",
        NotificationKind.EVENT_PLACE: f"You have a place: {event.title}",
    }
    cancelled = notification.kind == NotificationKind.EVENT_CANCELLED
    return _compose_notice(
        notification, subject=subjects[notification.kind], url=event_url(event.id),
        link_text=f"See the event on {current_app.config['SITE_NAME']}",
        reason_label="The organiser's message", unsubscribe_url=unsubscribe_url,
        note="The calendar file attached " + (
            "removes it from your calendar" if cancelled
            else "updates the event in your calendar") + " if you added it.")


def compose_set_notice(notification: Notification, *, learning_set: LearningSet,
                       unsubscribe_url: str) -> Composed:
    """The email about a request to join a set (to its facilitators, or to the person)."""
    name = learning_set.name
    subjects = {
        NotificationKind.JOIN_REQUESTED: f"Someone asks to join {name}",
        NotificationKind.JOIN_ACCEPTED: f"You have joined {name}",
        NotificationKind.JOIN_DECLINED: f"Your request to join {name}",
    }
    endpoint = ("sets.members" if notification.kind == NotificationKind.JOIN_REQUESTED
                else "sets.show")
    return _compose_notice(
        notification, subject=subjects[notification.kind],
        url=external_url(endpoint, slug=learning_set.slug),
        link_text=f"Open the set on {current_app.config['SITE_NAME']}",
        reason_label="The reason given", unsubscribe_url=unsubscribe_url)


def _compose_notice(notification: Notification, *, subject: str, url: str, link_text: str,
                    reason_label: str, unsubscribe_url: str, note: str = "") -> Composed:
    context = {
        "notification": notification, "subject": subject, "url": url, "link_text": link_text,
        "reason_label": reason_label, "note": note,
        "unsubscribe_url": unsubscribe_url, "settings_url": settings_url(),
    }
    return (subject,
            render_template("email/notice.txt", **context),
            render_template("email/notice.html", **context))


def compose_waiting_email(learning_set: LearningSet, count: int, *,
                          unsubscribe_url: str) -> Composed:
    """The batched email to a moderator: how many posts wait in one set."""
    noun = "post is" if count == 1 else "posts are"
    subject = f"{count} {noun} waiting for approval in {learning_set.name}"
    context = {
        "learning_set": learning_set, "count": count, "url": queue_url(learning_set),
        "unsubscribe_url": unsubscribe_url, "settings_url": settings_url(), "subject": subject,
    }
    return (subject,
            render_template("email/notification_waiting.txt", **context),
            render_template("email/notification_waiting.html", **context))


def compose_network_requests_email(count: int, *, unsubscribe_url: str) -> Composed:
    """The batched email to an admin or coordinator: how many visitors' requests to join the
    network wait (never who sent them: that is on the queue page, behind sign-in)."""
    site_name = current_app.config["SITE_NAME"]
    subject = (f"A request to join {site_name} is waiting" if count == 1
               else f"{count} requests to join {site_name} are waiting")
    context = {
        "count": count, "subject": subject, "url": external_url("network.queue"),
        "unsubscribe_url": unsubscribe_url, "settings_url": settings_url(),
    }
    return (subject,
            render_template("email/network_requests_waiting.txt", **context),
            render_template("email/network_requests_waiting.html", **context))


def compose_digest(user: User, notifications: Sequence[Notification], *,
                   unsubscribe_url: str) -> Composed:
    """One email listing the day's unread notifications, newest first."""
    count = len(notifications)
    subject = f"Your daily summary: {count} new notification{'' if count == 1 else 's'}"
    items = [{"text": n.text, "reason": n.reason, "created_at": n.created_at,
              "url": _item_url(n)}
             for n in notifications]
    context = {
        "user": user, "items": items, "subject": subject,
        "notifications_url": external_url("notifications.index"),
        "unsubscribe_url": unsubscribe_url, "settings_url": settings_url(),
    }
    return (subject,
            render_template("email/notification_digest.txt", **context),
            render_template("email/notification_digest.html", **context))
