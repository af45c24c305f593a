"""Compose notification emails (plain text plus HTML) with absolute links.

Links are absolute (:func:`forum.urls.external_url`), so these work from a web request, the
background sender and the command line alike.
"""

from __future__ import annotations

from collections.abc import Sequence

from flask import render_template
from werkzeug.routing import BuildError

from forum.models import LearningSet
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
    actor = notification.actor.display_name if notification.actor is not None else "Someone"
    subjects = {
        NotificationKind.POST_APPROVED: f"Your post in “{title}” was approved",
        NotificationKind.POST_REJECTED: f"Your post in “{title}” was sent back",
        NotificationKind.POST_EDITED: f"A moderator edited your post in “{title}”",
        NotificationKind.REPLY: f"{actor} replied to your post in “{title}”",
        NotificationKind.POST_WAITING: f"A post is waiting for approval in “{title}”",
    }
    return subjects[notification.kind]


def compose_event_email(notification: Notification, *, post: Post,
                        unsubscribe_url: str) -> Composed:
    """The email for one notification (approved, sent back, edited, replied to)."""
    context = {
        "notification": notification,
        "url": post_url(post.thread_id, post.id),
        "post_excerpt": excerpt(post.body_html, EXCERPT_LENGTH),
        "unsubscribe_url": unsubscribe_url,
        "settings_url": settings_url(),
    }
    subject = _subject(notification)
    return (subject,
            render_template("email/notification_event.txt", subject=subject, **context),
            render_template("email/notification_event.html", subject=subject, **context))


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


def compose_digest(user: User, notifications: Sequence[Notification], *,
                   unsubscribe_url: str) -> Composed:
    """One email listing the day's unread notifications, newest first."""
    count = len(notifications)
    subject = f"Your daily summary: {count} new notification{'' if count == 1 else 's'}"
    items = [{"text": n.text, "reason": n.reason, "created_at": n.created_at,
              "url": post_url(n.thread_id, n.post_id) if n.thread_id is not None
              else external_url("notifications.index")}
             for n in notifications]
    context = {
        "user": user, "items": items, "subject": subject,
        "notifications_url": external_url("notifications.index"),
        "unsubscribe_url": unsubscribe_url, "settings_url": settings_url(),
    }
    return (subject,
            render_template("email/notification_digest.txt", **context),
            render_template("email/notification_digest.html", **context))
