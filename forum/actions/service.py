"""Lists of committed actions: a set's Actions page and a member's own open actions.

Each list is one query, whatever its length, and asks :func:`forum.permissions.
visible_actions_filter` which actions the reader may see.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import Select
from sqlalchemy import select
from sqlalchemy.orm import Session

from forum import permissions
from forum.actions.states import ActionStatus
from forum.actions.states import action_status
from forum.actions.states import status_filter
from forum.models import Action
from forum.models import ActionState
from forum.models import LearningSet
from forum.models import Post
from forum.models import PostStatus
from forum.models import Thread
from forum.models import User
from forum.text import excerpt

WHAT_LENGTH = 160
FORMER_MEMBER = "A former member"


@dataclass(frozen=True)
class ActionRow:
    id: int
    post_id: int
    thread_id: int
    thread_title: str
    what: str
    holder_id: int | None
    holder_name: str
    due_on: date
    status: ActionStatus
    waiting: bool             # its post waits for a moderator (shown to its holder only)
    set_name: str = ""
    set_slug: str = ""


def _rows_query() -> Select:
    return (select(Action.id, Action.post_id, Action.holder_id, Action.due_on, Action.state,
                   Post.thread_id, Post.body_html, Post.status, Thread.title,
                   User.display_name, LearningSet.name, LearningSet.slug)
            .join(Post, Post.id == Action.post_id)
            .join(Thread, Thread.id == Post.thread_id)
            .join(LearningSet, LearningSet.id == Action.learning_set_id)
            .outerjoin(User, User.id == Action.holder_id))


def _row(values, today: date) -> ActionRow:
    (action_id, post_id, holder_id, due_on, state, thread_id, body_html, post_status, title,
     holder_name, set_name, set_slug) = values
    return ActionRow(id=action_id, post_id=post_id, thread_id=thread_id, thread_title=title,
                     what=excerpt(body_html, WHAT_LENGTH), holder_id=holder_id,
                     holder_name=holder_name or FORMER_MEMBER, due_on=due_on,
                     status=action_status(state, due_on, today),
                     waiting=post_status == PostStatus.PENDING,
                     set_name=set_name, set_slug=set_slug)


def set_actions(session: Session, user: object, learning_set: LearningSet, *, today: date,
                holder_id: int | None = None,
                status: ActionStatus | None = None) -> list[ActionRow]:
    """The set's actions the reader may see, soonest due first, optionally of one holder or in
    one status."""
    query = _rows_query().where(Action.learning_set_id == learning_set.id,
                                permissions.visible_actions_filter(user))
    if holder_id is not None:
        query = query.where(Action.holder_id == holder_id)
    if status is not None:
        query = query.where(status_filter(status, today))
    rows = session.execute(query.order_by(Action.due_on, Action.id)).all()
    return [_row(values, today) for values in rows]


def holders_in(session: Session, user: object, learning_set: LearningSet) -> list[tuple[int, str]]:
    """The people holding actions the reader can see in the set (for the filter), by name."""
    return [(holder_id, name) for holder_id, name in session.execute(
        select(User.id, User.display_name).where(User.id.in_(
            select(Action.holder_id).where(Action.learning_set_id == learning_set.id,
                                           permissions.visible_actions_filter(user))))
        .order_by(User.display_name, User.id))]


def open_actions_of(session: Session, user: User, *, today: date) -> list[ActionRow]:
    """The user's own actions still open, in every set they can still read, soonest due first."""
    rows = session.execute(
        _rows_query().where(Action.holder_id == user.id, Action.state == ActionState.OPEN,
                            permissions.visible_actions_filter(user))
        .order_by(Action.due_on, Action.id)).all()
    return [_row(values, today) for values in rows]
