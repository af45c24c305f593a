"""Moderation actions: every state change is a conditional UPDATE plus an audit-log row.

Functions take the session, the acting user and the objects explicitly, raise
:class:`ModerationError` subclasses, and never commit: the view commits once, so the change,
its :class:`~forum.models.ModerationAction` row and whatever the :mod:`forum.signals` receivers
add (notifications) share one transaction.

Two moderators acting on the same post at once: the UPDATE's ``WHERE status = <expected>``
lets exactly one of them win; the other gets :class:`AlreadyHandled` saying what happened.
"""

from __future__ import annotations

from collections.abc import Iterable
from collections.abc import Mapping
from dataclasses import dataclass
from dataclasses import field

from sqlalchemy import select
from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm import joinedload
from sqlalchemy.orm.attributes import set_committed_value

from forum import permissions
from forum import signals
from forum.models import ActionKind
from forum.models import LearningSet
from forum.models import ModerationAction
from forum.models import ModerationPolicy
from forum.models import Post
from forum.models import PostRevision
from forum.models import PostStatus
from forum.models import Report
from forum.models import ReportStatus
from forum.models import Thread
from forum.models import User
from forum.models import utcnow
from forum.models.thread import refresh_threads
from forum.moderation.notes import last_action
from forum.moderation.notes import moderator_name
from forum.moderation.notes import what_happened
from forum.moderation.notes import what_happened_to_edit
from forum.text import render_markdown


class ModerationError(Exception):
    """A moderation operation that the rules refuse; the message is fit to show."""


class NotAllowed(ModerationError):
    """The acting user may not do this."""


class AlreadyHandled(ModerationError):
    """Someone acted first (or the post changed); the message says what happened."""


class ChangedMeanwhile(ModerationError):
    """The author changed the post while a moderator was editing it."""


class AlreadyReported(ModerationError):
    """The member already has an open report on this post."""


class ReasonRequired(ModerationError):
    """Rejecting or hiding needs a reason the author (or the log) can read."""


# --- helpers -----------------------------------------------------------------


def _require_moderator(user: User, learning_set: LearningSet) -> None:
    if not permissions.can_moderate(user, learning_set):
        raise NotAllowed("Only moderators of this set can do that.")


def _require_approver(user: User, post: Post) -> None:
    """Moderators decide on waiting posts and edits, but never on their own."""
    _require_moderator(user, post.thread.learning_set)
    if not permissions.can_approve_post(user, post):
        raise NotAllowed("You cannot approve or return your own post: another moderator or a "
                         "facilitator of the set will.")


def _changed_since_seen(post: Post) -> ChangedMeanwhile:
    who = post.author.display_name if post.author is not None else "its author"
    return ChangedMeanwhile(
        f"{who} changed the post in “{post.thread.title}” after you opened it, so it was "
        "not approved. Read the new text and decide again.")


def _require_reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ReasonRequired("Give a reason.")
    return reason


def _log(session: Session, moderator: User, action: ActionKind, learning_set_id: int, *,
         post: Post | None = None, thread: Thread | None = None,
         reason: str = "") -> ModerationAction:
    """Append one row to the audit log (the only write this module makes to it)."""
    row = ModerationAction(moderator_id=moderator.id, action=action,
                           learning_set_id=learning_set_id,
                           post_id=post.id if post is not None else None,
                           thread_id=thread.id if thread is not None else None,
                           reason=reason, created_at=utcnow())
    session.add(row)
    return row


def _transition(session: Session, post: Post, expected: Iterable[PostStatus],
                new: PostStatus, *, version: int | None = None, **values: object) -> bool:
    """Move ``post`` to ``new`` only if it still has one of the ``expected`` statuses (and,
    given ``version``, the author has not changed it since)."""
    conditions = [Post.id == post.id, Post.status.in_(list(expected))]
    if version is not None:
        conditions.append(Post.version == version)
    result = session.execute(
        update(Post)
        .where(*conditions)
        .values(status=new, **values)
        .execution_options(synchronize_session=False))
    if result.rowcount != 1:
        return False
    set_committed_value(post, "status", new)
    for key, value in values.items():
        set_committed_value(post, key, value)
    refresh_threads(session, [post.thread_id])
    return True


# --- posts waiting for approval ------------------------------------------------


def resubmit_after_edit(session: Session, post: Post) -> bool:
    """An author's edit of a returned post sends it back to the queue, in its old place."""
    if post.status != PostStatus.REJECTED:
        return False
    if not _transition(session, post, (PostStatus.REJECTED,), PostStatus.PENDING):
        return False
    signals.send(signals.post_resubmitted, session, post)
    return True


def approve(session: Session, moderator: User, post: Post, *,
            seen_version: int | None = None) -> None:
    """Publish a waiting post. ``seen_version`` is the version the moderator read: when the
    author changed the post since, nothing happens (:class:`ChangedMeanwhile`)."""
    learning_set = post.thread.learning_set
    _require_approver(moderator, post)
    if post.status != PostStatus.PENDING:
        raise AlreadyHandled(what_happened(session, post.id))
    if seen_version is not None and seen_version != post.version:
        raise _changed_since_seen(post)
    now = utcnow()
    if not _transition(session, post, (PostStatus.PENDING,), PostStatus.APPROVED,
                       version=seen_version):
        status = session.scalar(select(Post.status).where(Post.id == post.id))
        if status == PostStatus.PENDING:
            raise _changed_since_seen(post)
        raise AlreadyHandled(what_happened(session, post.id))
    post.thread.last_activity_at = now
    _log(session, moderator, ActionKind.APPROVE, learning_set.id, post=post)
    signals.send(signals.post_approved, session, post, moderator=moderator)


@dataclass
class BulkResult:
    approved: list[Post] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


def approve_many(session: Session, moderator: User, seen: Mapping[int, int]) -> BulkResult:
    """Approve each selected post (id -> the version the moderator read) that they may
    approve; collect what could not be, and why."""
    ids = sorted({i for i in seen if 0 < i <= 2**31 - 1})
    posts = session.scalars(
        select(Post)
        .options(joinedload(Post.thread).joinedload(Thread.learning_set))
        .where(Post.id.in_(ids))
        .order_by(Post.created_at, Post.id)).all() if ids else []
    result = BulkResult()
    for post in posts:
        if not permissions.can_moderate(moderator, post.thread.learning_set):
            continue
        try:
            approve(session, moderator, post, seen_version=seen[post.id])
        except (AlreadyHandled, ChangedMeanwhile, NotAllowed) as error:
            result.problems.append(str(error))
        else:
            result.approved.append(post)
    return result


def reject(session: Session, moderator: User, post: Post, reason: str) -> None:
    """Return a waiting post to its author with a reason; they may edit and resubmit it."""
    learning_set = post.thread.learning_set
    _require_approver(moderator, post)
    reason = _require_reason(reason)
    if not _transition(session, post, (PostStatus.PENDING,), PostStatus.REJECTED):
        raise AlreadyHandled(what_happened(session, post.id))
    _log(session, moderator, ActionKind.REJECT, learning_set.id, post=post, reason=reason)
    signals.send(signals.post_rejected, session, post, moderator=moderator, reason=reason)


def edit_and_approve(session: Session, moderator: User, post: Post, body: str,
                     seen_source: str | None = None) -> bool:
    """Approve a waiting post with the moderator's changes, keeping the old text as a revision.

    ``seen_source`` is the text the moderator started from: if the author changed the post
    since, nothing happens (:class:`ChangedMeanwhile`). Returns whether the text changed.
    """
    learning_set = post.thread.learning_set
    _require_approver(moderator, post)
    old = post.body_source if seen_source is None else seen_source
    changed = body != old
    now = utcnow()
    values: dict[str, object] = {"version": Post.version + 1}
    if changed:
        values.update(body_source=body, body_html=render_markdown(body), edited_at=now)
    result = session.execute(
        update(Post)
        .where(Post.id == post.id, Post.status == PostStatus.PENDING, Post.body_source == old)
        .values(status=PostStatus.APPROVED, **values)
        .execution_options(synchronize_session=False))
    if result.rowcount != 1:
        status = session.scalar(select(Post.status).where(Post.id == post.id))
        if status != PostStatus.PENDING:
            raise AlreadyHandled(what_happened(session, post.id))
        raise ChangedMeanwhile("The author changed this post while you were editing it, so "
                               "it was not approved. Your text is kept here: compare it with "
                               "theirs (shown above), then save again to approve it with "
                               "yours.")
    set_committed_value(post, "status", PostStatus.APPROVED)
    for key, value in values.items():
        if key != "version":
            set_committed_value(post, key, value)
    refresh_threads(session, [post.thread_id])
    session.expire(post, ["version"])
    post.thread.last_activity_at = now
    if changed:
        # The author's text was never published: only they and moderators see it.
        session.add(PostRevision(post_id=post.id, editor_id=moderator.id, created_at=now,
                                 previous_source=old, was_published=False))
        _log(session, moderator, ActionKind.EDIT_AND_APPROVE, learning_set.id, post=post)
        signals.send(signals.post_approved, session, post, moderator=moderator)
        signals.send(signals.post_edited_by_moderator, session, post, moderator=moderator)
    else:
        _log(session, moderator, ActionKind.APPROVE, learning_set.id, post=post)
        signals.send(signals.post_approved, session, post, moderator=moderator)
    return changed


# --- edits of published posts waiting for approval ------------------------------


def _settle_edit(session: Session, moderator: User, post: Post, seen_version: int | None,
                 **values: object) -> None:
    """Clear the post's waiting edit (writing ``values``) if it is still the one the moderator
    read; otherwise say what happened."""
    conditions = [Post.id == post.id, Post.status == PostStatus.APPROVED,
                  Post.pending_at.is_not(None)]
    if seen_version is not None:
        if seen_version != post.version:
            raise _changed_since_seen(post)
        conditions.append(Post.version == seen_version)
    values.update(pending_source=None, pending_html=None, pending_title=None, pending_at=None,
                  version=post.version + 1)
    result = session.execute(update(Post).where(*conditions).values(**values)
                             .execution_options(synchronize_session=False))
    if result.rowcount != 1:
        pending = session.scalar(select(Post.pending_at).where(Post.id == post.id))
        if pending is not None:
            raise _changed_since_seen(post)
        raise AlreadyHandled(what_happened_to_edit(session, post.id))
    for key, value in values.items():
        set_committed_value(post, key, value)
    refresh_threads(session, [post.thread_id])


def approve_edit(session: Session, moderator: User, post: Post, *,
                 seen_version: int | None = None) -> None:
    """Publish the waiting edit of a published post; the approved text before it is kept as a
    revision. ``seen_version`` as for :func:`approve`."""
    learning_set = post.thread.learning_set
    _require_approver(moderator, post)
    if not post.has_pending_edit:
        raise AlreadyHandled(what_happened_to_edit(session, post.id))
    now = utcnow()
    old_source, new_source, new_html = post.body_source, post.pending_source, post.pending_html
    new_title = post.pending_title
    values: dict[str, object] = {}
    if new_source is not None and new_source != old_source:
        values.update(body_source=new_source, body_html=new_html, edited_at=now)
    _settle_edit(session, moderator, post, seen_version, **values)
    if values:
        session.add(PostRevision(post_id=post.id, editor_id=post.author_id, created_at=now,
                                 previous_source=old_source, was_published=True))
    if new_title:
        post.thread.title = new_title
    _log(session, moderator, ActionKind.APPROVE_EDIT, learning_set.id, post=post)
    signals.send(signals.edit_approved, session, post, moderator=moderator)


def return_edit(session: Session, moderator: User, post: Post, reason: str, *,
                seen_version: int | None = None) -> None:
    """Send a waiting edit back to its author with a reason: the approved text stays, and the
    proposed text is kept as an unpublished revision (only the author and moderators see it)."""
    learning_set = post.thread.learning_set
    _require_approver(moderator, post)
    reason = _require_reason(reason)
    if not post.has_pending_edit:
        raise AlreadyHandled(what_happened_to_edit(session, post.id))
    proposed = post.pending_source
    _settle_edit(session, moderator, post, seen_version)
    if proposed is not None and proposed != post.body_source:
        session.add(PostRevision(post_id=post.id, editor_id=post.author_id,
                                 created_at=utcnow(), previous_source=proposed,
                                 was_published=False))
    _log(session, moderator, ActionKind.RETURN_EDIT, learning_set.id, post=post, reason=reason)
    signals.send(signals.edit_returned, session, post, moderator=moderator, reason=reason)


# --- published posts: reports and hiding ------------------------------------


def report_post(session: Session, reporter: User, post: Post, reason: str) -> Report:
    """A member flags a published post for the set's moderators."""
    if not permissions.can_report_post(reporter, post):
        raise NotAllowed("You cannot report this post.")
    reason = _require_reason(reason)
    existing = session.scalar(select(Report.id).where(
        Report.post_id == post.id, Report.reporter_id == reporter.id,
        Report.status == ReportStatus.OPEN))
    if existing is not None:
        raise AlreadyReported("You have already reported this post. A moderator will look at it.")
    report = Report(post_id=post.id, reporter_id=reporter.id, reason=reason,
                    status=ReportStatus.OPEN, created_at=utcnow())
    try:
        with session.begin_nested():
            session.add(report)
    except IntegrityError as error:  # the same member, twice at once
        raise AlreadyReported(
            "You have already reported this post. A moderator will look at it.") from error
    return report


def _close_reports(session: Session, moderator: User, post: Post,
                   outcome: ReportStatus) -> int:
    result = session.execute(
        update(Report)
        .where(Report.post_id == post.id, Report.status == ReportStatus.OPEN)
        .values(status=outcome, resolved_at=utcnow(), resolved_by_id=moderator.id)
        .execution_options(synchronize_session=False))
    return result.rowcount


def hide(session: Session, moderator: User, post: Post, reason: str) -> None:
    """Hide a published post (others see "hidden by a moderator"); closes its reports."""
    learning_set = post.thread.learning_set
    _require_moderator(moderator, learning_set)
    reason = _require_reason(reason)
    if not _transition(session, post, (PostStatus.APPROVED,), PostStatus.HIDDEN):
        raise AlreadyHandled(what_happened(session, post.id))
    _close_reports(session, moderator, post, ReportStatus.ACTIONED)
    _log(session, moderator, ActionKind.HIDE, learning_set.id, post=post, reason=reason)


def dismiss_reports(session: Session, moderator: User, post: Post) -> int:
    """Close the post's open reports, leaving it published. Returns how many were closed."""
    learning_set = post.thread.learning_set
    _require_moderator(moderator, learning_set)
    closed = _close_reports(session, moderator, post, ReportStatus.DISMISSED)
    if not closed:
        last = last_action(session, post_id=post.id,
                            kinds=(ActionKind.DISMISS_REPORTS, ActionKind.HIDE))
        if last is None:
            raise AlreadyHandled("There are no open reports about this post.")
        done = "hidden" if last.action == ActionKind.HIDE else "dismissed"
        what = "this post was already hidden" if done == "hidden" else \
            "the reports about this post were already dismissed"
        raise AlreadyHandled(f"{what[0].upper()}{what[1:]} by {moderator_name(last.moderator)}.")
    _log(session, moderator, ActionKind.DISMISS_REPORTS, learning_set.id, post=post,
         reason=f"{closed} report{'s' if closed != 1 else ''} dismissed")
    return closed


# --- authors -----------------------------------------------------------------


def withdraw(session: Session, author: User, post: Post) -> None:
    """An author takes back their own waiting (or returned) post."""
    if not permissions.can_withdraw_post(author, post):
        raise NotAllowed("You can only withdraw your own posts that are not yet published.")
    if not _transition(session, post, (PostStatus.PENDING, PostStatus.REJECTED),
                       PostStatus.WITHDRAWN):
        raise AlreadyHandled(what_happened(session, post.id))
    signals.send(signals.post_withdrawn, session, post)


# --- threads -----------------------------------------------------------------

THREAD_FLAGS: dict[ActionKind, tuple[str, bool]] = {
    ActionKind.LOCK: ("is_locked", True),
    ActionKind.UNLOCK: ("is_locked", False),
    ActionKind.PIN: ("is_pinned", True),
    ActionKind.UNPIN: ("is_pinned", False),
}


def set_thread_flag(session: Session, moderator: User, thread: Thread,
                    action: ActionKind) -> None:
    """Lock, unlock, pin or unpin a thread (only if it is not already so)."""
    _require_moderator(moderator, thread.learning_set)
    column, value = THREAD_FLAGS[action]
    attribute = getattr(Thread, column)
    result = session.execute(
        update(Thread)
        .where(Thread.id == thread.id, attribute == (not value))
        .values({column: value})
        .execution_options(synchronize_session=False))
    if result.rowcount != 1:
        last = last_action(session, thread_id=thread.id, kinds=(action,))
        by = f" by {moderator_name(last.moderator)}" if last is not None else ""
        raise AlreadyHandled(f"This thread was already {action.past_tense}{by}.")
    set_committed_value(thread, column, value)
    _log(session, moderator, action, thread.learning_set_id, thread=thread)


# --- the set's policy --------------------------------------------------------

POLICY_LABELS = {
    ModerationPolicy.EVERY_POST: "Every post waits for approval",
    ModerationPolicy.NEW_MEMBERS: "Each member's first posts wait for approval",
    ModerationPolicy.AFTER_THE_FACT: "Posts appear at once and can be reported",
}


def describe_policy(learning_set: LearningSet) -> str:
    """The set's policy in a sentence, with its number for "new members"."""
    policy = learning_set.moderation_policy
    if policy == ModerationPolicy.NEW_MEMBERS:
        threshold = learning_set.new_member_post_threshold
        if threshold == 1:
            return "Each member's first post waits for approval"
        return f"Each member's first {threshold} posts wait for approval"
    return POLICY_LABELS[policy]


def set_policy(session: Session, actor: User, learning_set: LearningSet,
               policy: ModerationPolicy, threshold: int) -> bool:
    """Change when posts in the set wait; returns whether anything changed."""
    if not permissions.can_set_moderation_policy(actor, learning_set):
        raise NotAllowed("Only the set's facilitators can change its moderation policy.")
    if policy != ModerationPolicy.NEW_MEMBERS:
        threshold = learning_set.new_member_post_threshold
    if (policy == learning_set.moderation_policy
            and threshold == learning_set.new_member_post_threshold):
        return False
    learning_set.moderation_policy = policy
    learning_set.new_member_post_threshold = threshold
    _log(session, actor, ActionKind.SET_POLICY, learning_set.id,
         reason=describe_policy(learning_set))
    session.flush()
    return True
