"""Challenges: bringing one, replying with a kind, committing to actions and reporting on
them, moving a challenge on, and re-labelling a reply.

Every post goes through :mod:`forum.threads.service`, so moderation applies to each kind as
to any post. An action post creates its :class:`Action` row at once, but a waiting action is
not an action yet: lists join it to the posts the viewer may see. An update changes its
action's state only once its post is published (at once, or when a moderator approves it:
:func:`subscribe`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC
from datetime import date
from functools import cache
from zoneinfo import ZoneInfo

from flask import Flask
from flask_login import AnonymousUserMixin
from sqlalchemy import Integer
from sqlalchemy import Select
from sqlalchemy import bindparam
from sqlalchemy import case
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm import joinedload

from forum import permissions
from forum import signals
from forum.models import Action
from forum.models import ActionKind
from forum.models import ActionState
from forum.models import ActionUpdate
from forum.models import Challenge
from forum.models import ChallengeStatus
from forum.models import LearningSet
from forum.models import ModerationAction
from forum.models import Post
from forum.models import PostKind
from forum.models import PostStatus
from forum.models import Thread
from forum.models import UpdateOutcome
from forum.models import User
from forum.models import utcnow
from forum.threads import service as threads

HOLDER_GONE = ("The thread's author has deleted their account, so it cannot become a challenge: "
               "a challenge is held by the person who wrote it.")
ALREADY_A_CHALLENGE = ("Someone made this thread a challenge while you were writing: its aim is "
                       "on the thread's page.")


class ChallengeError(Exception):
    """Something the rules of a challenge refuse."""


class NotAllowed(ChallengeError):
    """The acting user may not do this."""


class FieldProblem(ChallengeError):
    """A refusal that belongs beside one field of the form (``field`` names it)."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


CLOSED_MESSAGE = ("This challenge is closed, so no more actions or updates can be posted "
                  "in it. Post it as a reflection or a learning, or ask a facilitator to "
                  "reopen the challenge.")
PAST_DUE_MESSAGE = "The due date must be today or later"
# What an approved update makes of its action.
OUTCOME_STATES = {
    UpdateOutcome.DONE: ActionState.DONE,
    UpdateOutcome.PARTLY_DONE: ActionState.PARTLY_DONE,
    UpdateOutcome.NOT_DONE: ActionState.OPEN,
    UpdateOutcome.DROPPED: ActionState.DROPPED,
}
OUTCOME_LABELS = {
    UpdateOutcome.DONE: "Done",
    UpdateOutcome.PARTLY_DONE: "Partly done",
    UpdateOutcome.NOT_DONE: "Not done yet",
    UpdateOutcome.DROPPED: "Dropped",
}


def today() -> date:
    """Today's date on UK clocks (due dates are UK dates)."""
    return utcnow().replace(tzinfo=UTC).astimezone(ZoneInfo("Europe/London")).date()


# --- reading -------------------------------------------------------------------------


def load_challenge(session: Session, thread_id: int) -> Challenge | None:
    """The challenge of a thread, if the thread is one."""
    return session.scalar(select(Challenge).options(joinedload(Challenge.holder))
                          .where(Challenge.thread_id == thread_id))


@dataclass(frozen=True)
class ChallengeSummary:
    challenge: Challenge
    title: str
    holder_name: str
    reply_count: int
    opening_status: PostStatus

    @property
    def opening_tag(self) -> threads.StatusTag | None:
        return threads.status_tag(self.opening_status)


STATUS_ORDER = case({ChallengeStatus.OPEN.value: 0, ChallengeStatus.IN_PROGRESS.value: 1},
                    value=Challenge.status, else_=2)


def _summaries_statement(viewer: object) -> Select:
    """:func:`challenge_summaries`' statement, built once per process and kind of viewer
    (:func:`forum.permissions.for_viewer`), the set as the parameter ``set_id``."""
    return (select(Challenge, Thread.title, User.display_name, Thread.reply_count,
                   Thread.opening_status)
            .join(Thread, Thread.id == Challenge.thread_id)
            .outerjoin(User, User.id == Challenge.holder_id)
            .where(Challenge.learning_set_id == bindparam("set_id", type_=Integer),
                   permissions.visible_challenges_filter(viewer))
            .order_by(STATUS_ORDER, Challenge.created_at.desc(), Challenge.id.desc()))


@cache
def _visitor_summaries_statement() -> Select:
    return _summaries_statement(AnonymousUserMixin())


def challenge_summaries(session: Session, viewer: object,
                        learning_set: LearningSet) -> list[ChallengeSummary]:
    """The set's challenges the viewer may see: live ones first, newest first. One query.

    The reply count and the opening post's status are the thread's copies of its posts
    (:func:`forum.models.thread.refresh_threads`): grouping every post of the site per thread
    made this query read the whole posts table (a scan of a million posts per set page)."""
    if permissions.is_signed_in(viewer):
        statement, values = permissions.for_viewer(_summaries_statement, viewer)
    else:
        statement, values = _visitor_summaries_statement(), {}
    rows = session.execute(statement, {**values, "set_id": learning_set.id}).all()
    return [ChallengeSummary(challenge, title, holder or "A former member", int(count),
                             status or PostStatus.APPROVED)
            for challenge, title, holder, count, status in rows]


def open_actions(session: Session, holder: User, challenge: Challenge) -> list[Action]:
    """The holder's actions in this challenge that an update can report on: still open, and
    published (a waiting action is not an action yet)."""
    return list(session.scalars(
        select(Action).options(joinedload(Action.post))
        .join(Post, Post.id == Action.post_id)
        .where(Action.challenge_id == challenge.id, Action.holder_id == holder.id,
               Action.state == ActionState.OPEN, Post.status == PostStatus.APPROVED)
        .order_by(Action.due_on, Action.id)))


def post_details(session: Session, posts: list[Post]) -> dict[int, Action | ActionUpdate]:
    """The action or update row behind each of ``posts`` that has one, by post id (two
    queries, whatever the number of posts)."""
    ids = [post.id for post in posts if post.kind in (PostKind.ACTION, PostKind.UPDATE)]
    if not ids:
        return {}
    details: dict[int, Action | ActionUpdate] = {}
    for action in session.scalars(select(Action).where(Action.post_id.in_(ids))):
        details[action.post_id] = action
    for update in session.scalars(select(ActionUpdate).options(joinedload(ActionUpdate.action))
                                  .where(ActionUpdate.post_id.in_(ids))):
        details[update.post_id] = update
    return details


# --- writing -------------------------------------------------------------------------


def start_challenge(session: Session, holder: User, learning_set: LearningSet, *, title: str,
                    body: str, aim: str, key: str | None = None) -> tuple[Challenge, Post]:
    """A challenge: a thread whose opening post is the presenting issue, held by its author.
    The opening post waits for a moderator exactly as a new thread's would."""
    if not permissions.can_bring_challenge(holder, learning_set):
        raise NotAllowed("Only members of this set can bring a challenge.")
    thread, post = threads.start_thread(session, holder, learning_set, title=title, body=body,
                                        key=key, kind=PostKind.CHALLENGE.value)
    challenge = Challenge(thread=thread, learning_set_id=learning_set.id, holder_id=holder.id,
                          aim=aim.strip(), status=ChallengeStatus.OPEN, created_at=utcnow())
    session.add(challenge)
    session.flush()
    return challenge, post


def make_challenge(session: Session, actor: User, thread: Thread, *, aim: str) -> Challenge:
    """Turn a thread into a challenge held by its author. The opening post becomes the
    challenge; earlier replies become the holder's reflections and others' questions, which a
    facilitator can re-label."""
    if thread.author_id is None and permissions.makes_challenges_of_threads(actor, thread):
        raise NotAllowed(HOLDER_GONE)
    if not permissions.can_make_challenge(actor, thread):
        raise NotAllowed("Only the set's facilitators can make a thread a challenge.")
    if load_challenge(session, thread.id) is not None:
        raise NotAllowed(ALREADY_A_CHALLENGE)
    for post in thread.posts:
        if post.parent_id is None and post.kind is None:
            post.kind = PostKind.CHALLENGE.value
        elif post.kind is None:
            post.kind = (PostKind.REFLECTION if post.author_id == thread.author_id
                         else PostKind.QUESTION).value
    challenge = Challenge(thread=thread, learning_set_id=thread.learning_set_id,
                          holder_id=thread.author_id, aim=aim.strip(),
                          status=ChallengeStatus.OPEN, created_at=utcnow())
    try:
        with session.begin_nested():
            session.add(challenge)
    except IntegrityError as error:  # another facilitator made it one at the same moment
        raise NotAllowed(ALREADY_A_CHALLENGE) from error
    return challenge


def reply(session: Session, author: User, parent: Post, challenge: Challenge, *,
          kind: PostKind, body: str, key: str | None = None, due_on: date | None = None,
          action_id: int | None = None, outcome: UpdateOutcome | None = None) -> Post:
    """A reply of ``kind`` in the challenge. An action needs ``due_on`` (today or later); an
    update names one of the author's open actions and its ``outcome``. Both are refused in a
    closed challenge (:class:`FieldProblem`, naming the field to show the message beside)."""
    if kind not in permissions.reply_kinds(author, challenge):
        raise FieldProblem("kind", "Choose one of the kinds of reply offered")
    action = None
    if kind in (PostKind.ACTION, PostKind.UPDATE) and challenge.status == ChallengeStatus.CLOSED:
        raise FieldProblem("kind", CLOSED_MESSAGE)
    if kind == PostKind.ACTION:
        if due_on is None:
            raise FieldProblem("due_on", "Enter the date you will do it by")
        if due_on < today():
            raise FieldProblem("due_on", PAST_DUE_MESSAGE)
    elif kind == PostKind.UPDATE:
        action = next((a for a in open_actions(session, author, challenge)
                       if a.id == action_id), None)
        if action is None:
            raise FieldProblem("action_id", "Choose one of your open actions")
        if outcome is None:
            raise FieldProblem("outcome", "Choose how the action went")
    post = threads.reply_to(session, author, parent, body=body, key=key, kind=kind.value)
    if kind == PostKind.ACTION:
        session.add(Action(post_id=post.id, challenge_id=challenge.id,
                           learning_set_id=challenge.learning_set_id, holder_id=author.id,
                           due_on=due_on, state=ActionState.OPEN, created_at=utcnow()))
    elif action is not None and outcome is not None:
        update = ActionUpdate(post_id=post.id, action=action, outcome=outcome,
                              created_at=utcnow())
        session.add(update)
        if post.status == PostStatus.APPROVED:
            _settle(update)
    session.flush()
    return post


def _settle(update: ActionUpdate) -> None:
    """Give the update's action the state the update reports."""
    action = update.action
    action.state = OUTCOME_STATES[update.outcome]
    action.settled_by_post_id = update.post_id


def settle_approved_update(session: Session, post: Post) -> None:
    """An update post was approved: its action now stands as the update says."""
    if post.kind != PostKind.UPDATE or post.status != PostStatus.APPROVED:
        return
    update = session.scalar(select(ActionUpdate).options(joinedload(ActionUpdate.action))
                            .where(ActionUpdate.post_id == post.id))
    if update is not None:
        _settle(update)
        session.flush()


# A summary that is not withdrawn or hidden: the one the challenge page shows (waiting and
# returned ones only to those who may read them, :func:`permissions.visible_summaries_filter`).
SHOWN_SUMMARY_STATUSES = (PostStatus.APPROVED, PostStatus.PENDING, PostStatus.REJECTED)


def closing_summary(session: Session, viewer: object, challenge: Challenge) -> Post | None:
    """The newest closing summary of the challenge that ``viewer`` may read: readers see the
    newest approved one; its author and the set's moderators also a waiting or returned one."""
    return session.scalar(
        select(Post).where(permissions.visible_summaries_filter(viewer, challenge.thread_id),
                           Post.status.in_(SHOWN_SUMMARY_STATUSES))
        .order_by(Post.id.desc()).limit(1))


def summary_source(viewer: object, summary: Post | None) -> str:
    """The summary's text as ``viewer`` would change it: its author's waiting edit if they have
    one, else its text."""
    if summary is None:
        return ""
    if summary.has_pending_edit and permissions.can_edit_post(viewer, summary):
        return summary.pending_source or ""
    return summary.body_source


def _write_summary(session: Session, actor: User, challenge: Challenge, text: str) -> bool:
    """Make ``text`` the challenge's closing summary: an edit of the actor's own summary (which
    waits where their edits wait, and goes back to the moderators if it was returned), else a
    new summary post by the actor (which waits where their posts wait). Whether it changed."""
    current = closing_summary(session, actor, challenge)
    if current is not None and text == summary_source(actor, current):
        return False
    if current is not None and permissions.can_edit_post(actor, current):
        try:
            result = threads.edit_post(session, actor, current, body=text)
        except threads.EditConflict as conflict:
            raise FieldProblem("closing_summary", str(conflict)) from conflict
        return result != threads.EditResult.UNCHANGED
    opening = permissions.opening_post(challenge.thread)
    if opening is None:
        raise NotAllowed("This challenge has no opening post to close.")
    threads.add_reply(session, actor, opening, body=text, kind=PostKind.SUMMARY.value)
    return True


def set_status(session: Session, actor: User, challenge: Challenge, status: ChallengeStatus,
               closing_summary: str = "") -> bool:
    """Move the challenge on (or back); closing needs a summary. Returns whether it changed.

    The summary is a post of the thread (:func:`_write_summary`): where the set's policy makes
    the actor's posts wait, the challenge closes at once and the summary waits for a
    moderator, like any post; nobody else reads it until one approves it."""
    if not permissions.can_change_challenge_status(actor, challenge):
        raise NotAllowed("Only the challenge's holder and the set's facilitators can do that.")
    text = (closing_summary or "").strip()
    if status == ChallengeStatus.CLOSED:
        if not text:
            raise FieldProblem("closing_summary",
                               "Write a closing summary: what happened and what was learnt")
        if not permissions.can_write_closing_summary(actor, challenge):
            raise NotAllowed("Only the challenge's holder and the set's facilitators can "
                             "close it.")
        wrote = _write_summary(session, actor, challenge, text)
        if challenge.status == status and not wrote:
            return False
        if challenge.status != status:
            challenge.closed_at = utcnow()
            challenge.closed_by_id = actor.id
    else:
        if challenge.status == status:
            return False
        challenge.closed_at = None
        challenge.closed_by_id = None
    challenge.status = status
    session.flush()
    return True


def change_kind(session: Session, actor: User, post: Post, kind: PostKind) -> bool:
    """Re-label a reply, logged like a moderation action (old → new in the reason)."""
    if not permissions.can_change_post_kind(actor, post):
        raise NotAllowed("Only the set's facilitators can change a post's kind.")
    if kind not in permissions.RELABEL_KINDS:
        raise FieldProblem("kind", "Choose one of the kinds offered")
    old = PostKind(post.kind)
    if old == kind:
        return False
    post.kind = kind.value
    session.add(ModerationAction(moderator_id=actor.id, action=ActionKind.CHANGE_KIND,
                                 learning_set_id=post.thread.learning_set_id, post_id=post.id,
                                 reason=f"{old.label} → {kind.label}", created_at=utcnow()))
    session.flush()
    return True


# --- signals -------------------------------------------------------------------------


def _on_post_approved(sender: Flask, *, session: Session, post: Post, **extra: object) -> None:
    settle_approved_update(session, post)


def subscribe(app: Flask) -> None:
    """Settle actions when their update posts are approved in ``app``."""
    signals.post_approved.connect(_on_post_approved, sender=app)
