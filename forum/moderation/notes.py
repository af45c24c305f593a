"""What the moderation log says about a post: who last decided on it (or its waiting edit)
and why, for its author (the reason a post was returned or hidden) and for a moderator who
arrives after someone else decided ("This post was already approved by ...")."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.orm import joinedload

from forum.models import ActionKind
from forum.models import ModerationAction
from forum.models import Post
from forum.models import PostStatus
from forum.models import User


def moderator_name(user: User | None) -> str:
    return user.display_name if user is not None else "a former moderator"


def last_action(session: Session, *, post_id: int | None = None,
                 thread_id: int | None = None,
                 kinds: Iterable[ActionKind] | None = None) -> ModerationAction | None:
    query = select(ModerationAction).options(joinedload(ModerationAction.moderator))
    if post_id is not None:
        query = query.where(ModerationAction.post_id == post_id)
    if thread_id is not None:
        query = query.where(ModerationAction.thread_id == thread_id)
    if kinds is not None:
        query = query.where(ModerationAction.action.in_(list(kinds)))
    return session.scalar(query.order_by(ModerationAction.id.desc()).limit(1))


_STATUS_ACTIONS = {
    PostStatus.APPROVED: (ActionKind.APPROVE, ActionKind.EDIT_AND_APPROVE),
    PostStatus.REJECTED: (ActionKind.REJECT,),
    PostStatus.HIDDEN: (ActionKind.HIDE,),
}


def what_happened(session: Session, post_id: int) -> str:
    """A sentence saying what state the post is now in, and who put it there."""
    status = session.scalar(select(Post.status).where(Post.id == post_id))
    if status is None:
        return "That post no longer exists."
    if status == PostStatus.WITHDRAWN:
        return "Its author withdrew this post."
    if status == PostStatus.PENDING:
        return "This post is waiting for approval again."
    kinds = _STATUS_ACTIONS[status]
    last = last_action(session, post_id=post_id, kinds=kinds)
    verb = {PostStatus.APPROVED: "approved", PostStatus.REJECTED: "returned to its author",
            PostStatus.HIDDEN: "hidden"}[status]
    if last is None:
        return f"This post has already been {verb}."
    if last.action == ActionKind.EDIT_AND_APPROVE:
        verb = "edited and approved"
    return f"This post was already {verb} by {moderator_name(last.moderator)}."


def moderation_note(session: Session, post: Post) -> ModerationAction | None:
    """The action that returned or hid the post (its reason is shown to the author)."""
    kinds = _STATUS_ACTIONS.get(post.status)
    if post.status not in (PostStatus.REJECTED, PostStatus.HIDDEN) or kinds is None:
        return None
    return last_action(session, post_id=post.id, kinds=kinds)


def returned_note(session: Session, post: Post) -> ModerationAction | None:
    """Why a moderator returned the post, or the author's last edit of it (the edit page
    shows the reason above the form); ``None`` when nothing of theirs is returned now."""
    if post.status == PostStatus.REJECTED:
        return moderation_note(session, post)
    if post.status != PostStatus.APPROVED or post.has_pending_edit:
        return None
    last = last_action(session, post_id=post.id,
                        kinds=(ActionKind.APPROVE_EDIT, ActionKind.RETURN_EDIT))
    return last if last is not None and last.action == ActionKind.RETURN_EDIT else None


def moderation_notes(session: Session, posts: Iterable[Post]) -> dict[int, ModerationAction]:
    """:func:`moderation_note` for many posts in one query (the thread page shows them all)."""
    wanted = {post.id: _STATUS_ACTIONS[post.status] for post in posts
              if post.status in (PostStatus.REJECTED, PostStatus.HIDDEN)}
    if not wanted:
        return {}
    actions = session.scalars(
        select(ModerationAction).options(joinedload(ModerationAction.moderator))
        .where(ModerationAction.post_id.in_(list(wanted)),
               ModerationAction.action.in_([ActionKind.REJECT, ActionKind.HIDE]))
        .order_by(ModerationAction.id))
    # Later actions overwrite earlier ones: each post keeps its latest matching action.
    return {action.post_id: action for action in actions
            if action.action in wanted[action.post_id]}


def what_happened_to_edit(session: Session, post_id: int) -> str:
    """A sentence saying why the post has no waiting edit any more, and who acted."""
    status = session.scalar(select(Post.status).where(Post.id == post_id))
    if status is None:
        return "That post no longer exists."
    if status != PostStatus.APPROVED:
        return what_happened(session, post_id)
    last = last_action(session, post_id=post_id,
                        kinds=(ActionKind.APPROVE_EDIT, ActionKind.RETURN_EDIT))
    if last is None:
        return "No edit of this post is waiting for approval."
    return f"This edit was already {last.action.past_tense} by {moderator_name(last.moderator)}."
