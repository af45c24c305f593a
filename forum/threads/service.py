"""Threads and posts: listing, starting, replying and editing, with the rules that govern them.

Functions here take the session, the acting user and the objects explicitly and raise
:class:`ThreadError` subclasses; they never commit (the view commits once).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime

from markupsafe import Markup
from sqlalchemy import func
from sqlalchemy import or_
from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.orm import joinedload
from sqlalchemy.orm import selectinload

from forum import permissions
from forum.models import LearningSet
from forum.models import Post
from forum.models import PostRevision
from forum.models import PostStatus
from forum.models import Thread
from forum.models import User
from forum.models import utcnow
from forum.moderation.policy import initial_status
from forum.moderation.service import after_post_created
from forum.moderation.service import resubmit_after_edit
from forum.permissions import AnyUser
from forum.text import render_markdown
from forum.text import safe_html
from forum.threads.tree import TreeNode
from forum.threads.tree import build_tree

# Primary keys are 32-bit integers on PostgreSQL; a larger id from a URL cannot exist.
MAX_ID = 2**31 - 1


class ThreadError(Exception):
    """A thread or post operation that the rules refuse."""


class ThreadLocked(ThreadError):
    """Replies are closed on a locked thread."""


class NotAllowed(ThreadError):
    """The acting user may not do this."""


class CannotReplyToPost(ThreadError):
    """The post being answered is hidden or withdrawn."""


# --- listing threads in a set -------------------------------------------


@dataclass(frozen=True)
class ThreadSummary:
    thread: Thread
    reply_count: int
    last_activity_at: datetime
    author_name: str
    is_pinned: bool
    is_locked: bool
    # Others never see a thread whose opening post is not approved; its author and the set's
    # moderators do, marked with this status.
    opening_status: PostStatus = PostStatus.APPROVED


@dataclass(frozen=True)
class ThreadPage:
    items: list[ThreadSummary]
    page: int
    pages: int
    total: int


def _opening_posts():
    """A subquery of each thread's opening post: (thread_id, status, author_id)."""
    first = (select(Post.thread_id, func.min(Post.id).label("post_id"))
             .where(Post.parent_id.is_(None))
             .group_by(Post.thread_id)
             .subquery("first_posts"))
    return (select(Post.thread_id, Post.status, Post.author_id)
            .join(first, first.c.post_id == Post.id)
            .subquery("opening_posts"))


def _visible_thread_filter(viewer: AnyUser, learning_set: LearningSet, opening):
    """SQL form of permissions.can_open_thread for the set's thread list."""
    if permissions.can_moderate(viewer, learning_set):
        return None
    listed = opening.c.status.in_(permissions.LISTED_OPENING_STATUSES)
    if permissions.is_signed_in(viewer):
        return or_(listed, opening.c.author_id == viewer.id)
    return listed


def thread_summaries(session: Session, viewer: AnyUser, learning_set: LearningSet, *,
                     page: int, per_page: int) -> ThreadPage:
    """One page of the set's threads the viewer may see: pinned first, then latest activity.

    Two queries (a count and the page) whatever the page size, plus the cached role lookup.
    """
    per_page = max(1, per_page)
    opening = _opening_posts()
    replies = (select(Post.thread_id, func.count(Post.id).label("reply_count"))
               .where(Post.parent_id.is_not(None), Post.status == PostStatus.APPROVED)
               .group_by(Post.thread_id)
               .subquery("approved_replies"))
    conditions = [Thread.learning_set_id == learning_set.id]
    visible = _visible_thread_filter(viewer, learning_set, opening)
    if visible is not None:
        conditions.append(visible)

    total = session.scalar(
        select(func.count(Thread.id))
        .outerjoin(opening, opening.c.thread_id == Thread.id)
        .where(*conditions)) or 0
    pages = max(1, math.ceil(total / per_page))
    page = min(max(1, page), pages)

    rows = session.execute(
        select(Thread, User.display_name, func.coalesce(replies.c.reply_count, 0),
               opening.c.status)
        .outerjoin(User, User.id == Thread.author_id)
        .outerjoin(opening, opening.c.thread_id == Thread.id)
        .outerjoin(replies, replies.c.thread_id == Thread.id)
        .where(*conditions)
        .order_by(Thread.is_pinned.desc(), Thread.last_activity_at.desc(), Thread.id.desc())
        .limit(per_page)
        .offset((page - 1) * per_page)).all()
    items = [
        ThreadSummary(thread=thread, reply_count=int(count),
                      last_activity_at=thread.last_activity_at,
                      author_name=author_name or "A former member",
                      is_pinned=thread.is_pinned, is_locked=thread.is_locked,
                      opening_status=status or PostStatus.APPROVED)
        for thread, author_name, count, status in rows
    ]
    return ThreadPage(items=items, page=page, pages=pages, total=total)


# --- reading one thread ---------------------------------------------------


def valid_id(value: int) -> bool:
    """Whether an id from a URL can name a row at all (positive, within 32 bits)."""
    return 0 < value <= MAX_ID


def opening_post(thread: Thread) -> Post | None:
    """The thread's first post (loaded with the thread's posts)."""
    roots = [post for post in thread.posts if post.parent_id is None]
    return min(roots, key=lambda post: post.id) if roots else None


def can_see_thread(viewer: AnyUser, thread: Thread, opening: Post | None) -> bool:
    """See :func:`forum.permissions.can_open_thread`."""
    return permissions.can_open_thread(viewer, thread, opening)


def load_thread(session: Session, thread_id: int) -> Thread | None:
    """The thread with its set, all its posts and their authors, in a fixed number of queries."""
    if not valid_id(thread_id):
        return None
    return session.scalar(
        select(Thread)
        .options(joinedload(Thread.learning_set),
                 selectinload(Thread.posts).joinedload(Post.author))
        .where(Thread.id == thread_id))


def load_post(session: Session, post_id: int) -> Post | None:
    """The post with its thread and set, and the thread's posts (to find the opening post)."""
    if not valid_id(post_id):
        return None
    return session.scalar(
        select(Post)
        .options(joinedload(Post.author),
                 joinedload(Post.thread).joinedload(Thread.learning_set),
                 joinedload(Post.thread).selectinload(Thread.posts))
        .where(Post.id == post_id))


@dataclass(frozen=True)
class PostView:
    """How one post appears to one viewer.

    ``mode`` is ``"full"`` (text shown), ``"hidden"`` (a placeholder) or ``"omitted"``.
    """

    post: Post
    level: int
    mode: str
    tag: str | None
    parent: Post | None
    parent_shown: bool


STATUS_TAGS = {
    PostStatus.PENDING: "Awaiting approval",
    PostStatus.REJECTED: "Returned by a moderator",
    PostStatus.HIDDEN: "Hidden by a moderator",
    PostStatus.WITHDRAWN: "Withdrawn",
}


def display_mode(viewer: AnyUser, post: Post) -> str:
    """Whether the viewer sees the post's text, a "hidden" placeholder, or nothing."""
    if post.status == PostStatus.APPROVED:
        return "full"
    if post.status == PostStatus.HIDDEN:
        return "full" if permissions.can_moderate(viewer, post.thread.learning_set) else "hidden"
    return "full" if permissions.can_view_post(viewer, post) else "omitted"


def post_view(viewer: AnyUser, post: Post) -> PostView:
    """One post shown on its own (as on the reply page), with whether its parent may be named."""
    mode = display_mode(viewer, post)
    parent = None
    if post.parent_id is not None:
        parent = next((other for other in post.thread.posts if other.id == post.parent_id), None)
    return PostView(post=post, level=0, mode=mode,
                    tag=STATUS_TAGS.get(post.status) if mode == "full" else None,
                    parent=parent,
                    parent_shown=parent is not None and display_mode(viewer, parent) != "omitted")


def thread_view(viewer: AnyUser, thread: Thread, max_indent: int) -> list[PostView]:
    """Every post of the thread in reading order, with indent level and what the viewer sees."""
    nodes: list[TreeNode[Post]] = build_tree(thread.posts)
    by_id = {post.id: post for post in thread.posts}
    modes = {node.item.id: display_mode(viewer, node.item) for node in nodes}
    views = []
    for node in nodes:
        post = node.item
        mode = modes[post.id]
        parent = by_id.get(post.parent_id) if post.parent_id is not None else None
        views.append(PostView(
            post=post, level=min(node.depth, max_indent), mode=mode,
            tag=STATUS_TAGS.get(post.status) if mode == "full" else None,
            parent=parent,
            parent_shown=parent is not None and modes[parent.id] != "omitted"))
    return views


# --- writing -------------------------------------------------------------


def post_for_key(session: Session, author_id: int, key: str | None) -> Post | None:
    """The post ``author_id`` already made from the form with this one-time key, if any."""
    if not key:
        return None
    return session.scalar(select(Post).where(Post.author_id == author_id,
                                             Post.submission_key == key))


def _new_post(session: Session, author: User, thread: Thread, learning_set: LearningSet,
              body: str, parent: Post | None, key: str | None) -> Post:
    now = utcnow()
    post = Post(thread=thread, author_id=author.id, parent_id=parent.id if parent else None,
                depth=(parent.depth + 1) if parent else 0,
                body_source=body, body_html=render_markdown(body),
                status=initial_status(session, author, learning_set),
                created_at=now, submission_key=key)
    session.add(post)
    if post.status == PostStatus.APPROVED:
        # Posts awaiting a moderator do not make a thread look active.
        thread.last_activity_at = now
    return post


def start_thread(session: Session, author: User, learning_set: LearningSet, *,
                 title: str, body: str, key: str | None = None) -> tuple[Thread, Post]:
    """A new thread with its opening post (whose status the set's moderation policy decides).

    ``key`` is the form's one-time key: the database refuses a second post with the same key
    by the same author (an IntegrityError at flush), see :func:`post_for_key`.
    """
    if not permissions.can_start_thread(author, learning_set):
        raise NotAllowed("Only members of this set can start a thread.")
    now = utcnow()
    thread = Thread(learning_set=learning_set, author_id=author.id, title=title,
                    created_at=now, last_activity_at=now)
    session.add(thread)
    post = _new_post(session, author, thread, learning_set, body, parent=None, key=key)
    session.flush()
    after_post_created(session, post)
    return thread, post


def reply_to(session: Session, author: User, parent: Post, *, body: str,
             key: str | None = None) -> Post:
    """A reply to ``parent`` (any post in the thread that is still shown); ``key`` as for
    :func:`start_thread`."""
    thread = parent.thread
    if not permissions.can_reply(author, thread):
        if thread.is_locked and permissions.can_start_thread(author, thread.learning_set):
            raise ThreadLocked("This thread is locked.")
        raise NotAllowed("Only members of this set can reply.")
    if parent.status in (PostStatus.HIDDEN, PostStatus.WITHDRAWN):
        raise CannotReplyToPost("That post can no longer be answered.")
    post = _new_post(session, author, thread, thread.learning_set, body, parent=parent,
                     key=key)
    session.flush()
    after_post_created(session, post)
    return post


def edit_post(session: Session, editor: User, post: Post, *, body: str,
              title: str | None = None) -> bool:
    """Change a post's text, keeping the previous text as a revision.

    ``title`` renames the thread when ``post`` is its opening post. Returns whether
    anything changed (an unchanged submission stores no revision).
    """
    if not permissions.can_edit_post(editor, post):
        raise NotAllowed("You can only edit your own posts.")
    thread = post.thread
    new_title = title if title is not None and post.is_opening_post else thread.title
    if body == post.body_source and new_title == thread.title:
        return False
    if body != post.body_source:
        now = utcnow()
        session.add(PostRevision(post=post, editor_id=editor.id, created_at=now,
                                 previous_source=post.body_source))
        post.body_source = body
        post.body_html = render_markdown(body)
        post.edited_at = now
    thread.title = new_title
    resubmit_after_edit(session, post)
    session.flush()
    return True


def revisions_newest_first(session: Session, post: Post) -> list[PostRevision]:
    return list(session.scalars(
        select(PostRevision)
        .options(joinedload(PostRevision.editor))
        .where(PostRevision.post_id == post.id)
        .order_by(PostRevision.created_at.desc(), PostRevision.id.desc())))



def render_source(source: str) -> Markup:
    """An earlier version's Markdown, rendered and sanitised for display."""
    return safe_html(render_markdown(source))
