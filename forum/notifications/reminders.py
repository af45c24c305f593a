"""Reminders of actions that fall due: each holder is asked for an update once.

Run on a timer by ``flask --app forum notifications send-reminders`` (and by
``send-digests`` before it builds the daily summaries, so a reminder for someone who chose
a daily email goes in that day's summary). An action falls due on its due date in the UK;
it is reminded about only once a moderator approved it (a waiting action is not an action
yet), only while it is still open, and only to a holder who can still read it.
"""

from __future__ import annotations

from datetime import datetime

from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.routing import BuildError

from forum.actions.states import uk_today
from forum.extensions import writer_session
from forum.models import Action
from forum.models import ActionState
from forum.models import Post
from forum.models import PostStatus
from forum.models import utcnow
from forum.outbox import app_context
from forum.outbox import deliver_pending
from forum.urls import external_url


def update_form_url(action: Action) -> str:
    """The reply form under the action's post, set to post an update on that action: the
    challenge reply form (``kind`` and ``action_id`` are its fields), or the plain reply form
    where challenges are not served."""
    args = {"post_id": action.post_id, "kind": "update", "action_id": action.id}
    try:
        return external_url("challenges.reply", **args)
    except BuildError:
        return external_url("threads.reply", **args)


def due_actions(session: Session, *, now: datetime) -> list[Action]:
    """Approved, still open, due today or earlier on UK clocks, and not yet reminded about."""
    today = uk_today(now)
    return list(session.scalars(
        select(Action).join(Post, Post.id == Action.post_id)
        .where(Action.state == ActionState.OPEN, Action.reminded_at.is_(None),
               Action.due_on <= today, Post.status == PostStatus.APPROVED,
               Action.holder_id.is_not(None))
        .order_by(Action.due_on, Action.id)))


def send_due_reminders(app: Flask, *, now: datetime | None = None) -> int:
    """Tell each holder of an action that fell due, once; returns how many were told.

    An action whose holder cannot read it now is left unmarked, so they are asked if they
    can read it again later (say, invited back to the set) while it is still open.
    """
    from forum.notifications.service import notify_action_due

    told = 0
    with app_context(app), writer_session() as session:
        now = now or utcnow()
        for action in due_actions(session, now=now):
            if notify_action_due(session, action, update_url=update_form_url(action)):
                action.reminded_at = now
                told += 1
            session.commit()
    deliver_pending(app, now=now)
    return told
