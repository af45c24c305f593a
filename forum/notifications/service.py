"""Create notifications for moderation events and replies, and queue their emails.

Each ``notify_*`` function adds rows to the caller's session, inside the caller's transaction:
it never commits and never sends mail inline. Emails are queued in the outbox
(:class:`forum.models.QueuedEmail`) and sent after the commit by
:func:`forum.notifications.delivery.deliver_pending`. Nobody is told about a post they cannot
see (:func:`forum.permissions.can_view_post`).
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from forum.models import Post
from forum.models import User


def notify_post_approved(session: Session, post: Post, moderator: User) -> None:
    """Tell the author their post was approved; if it is a reply, also tell the parent's author."""


def notify_post_rejected(session: Session, post: Post, moderator: User, reason: str) -> None:
    """Tell the author their post was sent back, with the moderator's reason."""


def notify_post_edited_by_moderator(session: Session, post: Post, moderator: User) -> None:
    """Tell the author a moderator edited their post (the old text is kept as a revision)."""


def notify_post_waiting(session: Session, post: Post) -> None:
    """Tell the set's moderators and facilitators (not the author) that a post waits.

    Their email is batched: at most one per set per 15 minutes, saying how many posts wait.
    """


def notify_reply(session: Session, reply: Post) -> None:
    """Tell the parent post's author about an approved reply (never about their own reply).

    Does nothing for a reply that is not approved: :func:`notify_post_approved` calls this
    when a waiting reply is approved.
    """
