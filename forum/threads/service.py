"""Threads and posts: listing, starting, replying and editing, with the rules that govern them.

Functions here take the session, the acting user and the objects explicitly and raise
:class:`ThreadError` subclasses; they never commit (the view commits once).
"""

from __future__ import annotations

import enum
import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime
from functools import cache

from flask import url_for
from markupsafe import Markup
from sqlalchemy import bindparam
from sqlalchemy import exists
from sqlalchemy import select
from sqlalchemy import update
from sqlalchemy.orm import Session
from sqlalchemy.orm import defer
from sqlalchemy.orm import joinedload
from sqlalchemy.orm import selectinload
from sqlalchemy.orm.attributes import set_committed_value

from forum import permissions
from forum import signals
from forum.models import Challenge
from forum.models import FollowLevel
from forum.models import LearningSet
from forum.models import Post
from forum.models import PostRevision
from forum.models import PostStatus
from forum.models import Role
from forum.models import Thread
from forum.models import ThreadFollow
from forum.models import ThreadRead
from forum.models import UploadedFile
from forum.models import User
from forum.models import utcnow
from forum.models.thread import refresh_threads
from forum.moderation.policy import edit_waits
from forum.moderation.policy import initial_status
from forum.moderation.service import resubmit_after_edit
from forum.permissions import AnyUser
from forum.text import plain_text
from forum.text import render_markdown
from forum.text import safe_html
from forum.threads.page_posts import PagePost
from forum.threads.page_posts import load_page_posts
from forum.threads.shape import PagePart  # noqa: F401 (the thread's pages, kept here too)
from forum.threads.shape import Skeleton  # noqa: F401
from forum.threads.shape import page_of_post  # noqa: F401
from forum.threads.shape import paginate  # noqa: F401
from forum.threads.shape import skeleton  # noqa: F401
from forum.threads.shape import thread_pages
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


# --- a post's status as a tag (the set page, search, the thread page) ---


STATUS_TAGS = {
    PostStatus.PENDING: "Awaiting approval",
    PostStatus.REJECTED: "Returned by a moderator",
    PostStatus.HIDDEN: "Hidden by a moderator",
    PostStatus.WITHDRAWN: "Withdrawn",
}
STATUS_TAG_CLASSES = {
    PostStatus.PENDING: "govuk-tag--yellow",
    PostStatus.REJECTED: "govuk-tag--red",
    PostStatus.HIDDEN: "govuk-tag--grey",
    PostStatus.WITHDRAWN: "govuk-tag--grey",
}


@dataclass(frozen=True)
class StatusTag:
    """A post's status as a GOV.UK tag: its words and colour."""

    text: str
    classes: str


def status_tag(status: PostStatus) -> StatusTag | None:
    """The tag for a post that is not simply published (``None`` for an approved post)."""
    if status not in STATUS_TAGS:
        return None
    return StatusTag(STATUS_TAGS[status], STATUS_TAG_CLASSES[status])


# --- reading one thread ---------------------------------------------------


def valid_id(value: int) -> bool:
    """Whether an id from a URL can name a row at all (positive, within 32 bits)."""
    return 0 < value <= MAX_ID


def load_thread(session: Session, thread_id: int) -> Thread | None:
    """The thread with its set, all its posts and their authors, in a fixed number of queries."""
    if not valid_id(thread_id):
        return None
    return session.scalar(
        select(Thread)
        .options(joinedload(Thread.learning_set),
                 selectinload(Thread.posts).joinedload(Post.author))
        .where(Thread.id == thread_id))


# --- long threads: pages of branches, a giant branch in parts ------------------

@dataclass(frozen=True)
class ThreadPosts:
    """The posts of one page of a thread: the opening post, then replies in reading order.

    A page holds up to ``per_page`` branches (a reply to the opening post, or another post
    without a parent, with all its replies) and at most ``max_posts`` replies: whole branches
    while they fit, and a branch too long for one page in parts, each part continuing on the
    next page. ``reading`` is the page's replies in reading order with their depth in the
    thread; ``continues`` says the page starts part-way through a branch (its first replies
    answer posts on ``continues`` page), and ``continued`` that the last branch goes on
    on the next page.
    """

    thread: Thread
    # Plain rows (:class:`forum.threads.page_posts.PagePost`), or ORM posts on a challenge's
    # page.
    opening: Post | PagePost | None
    page: int
    pages: int
    reading: tuple[tuple[int, int], ...] = ()
    continues: int | None = None
    continued: bool = False
    # Read with the thread, in its query: whether the thread is a challenge's (only then is
    # the challenge loaded), and for a signed-in viewer (``viewer_id``) the follow choice
    # they made (None: none made) and where they had read it to (None: never).
    has_challenge: bool = False
    follow_choice: FollowLevel | None = None
    read_up_to: datetime | None = None
    viewer_role: Role | None = None


def post_url(post: Post, **values: object) -> str:
    """The address of a post on its thread page: ``?post=`` opens the page that shows it."""
    return url_for("threads.show", thread_id=post.thread_id, post=post.id,
                   _anchor=f"post-{post.id}", **values)



@cache
def _thread_page_statement(with_viewer: bool):
    """The thread page's first query, built once per process (building a statement with its
    loader options costs more than running it): the thread with its set, whether it has a
    challenge and, ``with_viewer``, the viewer's follow choice, read marker and role in the
    set, as scalar subqueries, so those are not four more queries. Parameters: ``thread_id``,
    ``viewer_id``."""
    columns = [Thread, exists().where(Challenge.thread_id == Thread.id).label("has_challenge")]
    if with_viewer:
        viewer_id = bindparam("viewer_id")
        columns.append(select(ThreadFollow.level)
                       .where(ThreadFollow.user_id == viewer_id,
                              ThreadFollow.thread_id == Thread.id)
                       .scalar_subquery().label("follow_choice"))
        columns.append(select(ThreadRead.read_up_to)
                       .where(ThreadRead.user_id == viewer_id, ThreadRead.thread_id == Thread.id)
                       .scalar_subquery().label("read_up_to"))
        columns.append(permissions.role_select(viewer_id, Thread.learning_set_id)
                       .scalar_subquery().label("viewer_role"))
    return (select(*columns).options(joinedload(Thread.learning_set))
            .where(Thread.id == bindparam("thread_id")))


@cache
def _page_posts_statement():
    """The page's posts with their authors and files in one query, built once per process
    (parameter: ``ids``): a row per post and file (most posts have none, so the join adds
    empty columns, not rows), read by :func:`_posts_with_files`. The page shows body_html
    (and a waiting edit's pending_html): the Markdown sources stay behind."""
    return (select(Post, UploadedFile)
            .options(defer(Post.body_source), defer(Post.pending_source),
                     joinedload(Post.author))
            .outerjoin(UploadedFile, UploadedFile.post_id == Post.id)
            .where(Post.id.in_(bindparam("ids", expanding=True)))
            .order_by(Post.id, UploadedFile.id))


def _posts_with_files(session: Session, ids: list[int]) -> list[Post]:
    """The posts ``ids`` in id order, each with ``attachments`` set from the same rows.

    The files are a second entity of the posts' query rather than a joined eager load of
    ``Post.attachments``: the same SQL, but SQLAlchemy's eager collection loading (and the
    de-duplication it needs) cost about a millisecond a 50-post page."""
    files: dict[Post, list[UploadedFile]] = {}
    for post, file in session.execute(_page_posts_statement(), {"ids": ids}):
        found = files.setdefault(post, [])
        if file is not None:
            found.append(file)
    for post, found in files.items():
        if "attachments" not in post.__dict__:  # as an eager load: what is loaded stays
            set_committed_value(post, "attachments", found)
    return list(files)


def load_thread_page(session: Session, thread_id: int, page: int, per_page: int,
                     post_id: int | None = None, max_posts: int = 50,
                     viewer_id: int | None = None,
                     viewer: AnyUser = None) -> ThreadPosts | None:
    """The thread, its set, its opening post and the posts of one page, in three queries
    whatever the thread's length: the thread, its shape and pages
    (:func:`forum.threads.shape.thread_pages`), and the page's
    posts with their authors (and the posts that replies continued from an earlier page
    answer, named but not shown). Given ``post_id``, the page is the one that shows that post.
    ``thread.posts`` is set to the posts loaded, so the permission rules that look there (the
    opening post, a post's parent) find what the page shows. Given ``viewer_id`` (a signed-in
    viewer), the thread's query also reads their follow choice, read marker and role in the
    set (remembered for the request). The pages
    are those of the posts ``viewer`` (None: a visitor) is shown (:func:`skeleton`): whether
    a post they may not read is there, and where, shows in no page number, count or link."""
    if not valid_id(thread_id):
        return None
    values: dict[str, int] = {"thread_id": thread_id}
    if viewer_id is not None:
        values["viewer_id"] = viewer_id
    row = session.execute(_thread_page_statement(viewer_id is not None), values).first()
    if row is None:
        return None
    thread = row[0]
    if viewer_id is not None and viewer is not None:
        # Read with the thread: the permission rules below ask no query for it.
        permissions.remember_role(viewer, thread.learning_set, row.viewer_role)
    shape = thread_pages(session, thread_id, viewer,
                         moderates=permissions.can_moderate(viewer, thread.learning_set),
                         per_page=per_page, max_posts=max_posts,
                         version=(thread.shape_version, thread.created_at))
    parts = shape.parts
    if post_id is not None:
        page = shape.page_of(post_id)
    pages = len(parts)
    page = min(max(1, page), pages)
    part = parts[page - 1]
    on_page = {post for post, _ in part.posts}
    wanted = [shape.opening_id] if shape.opening_id is not None else []
    wanted.extend(on_page)
    # Whom the page's first replies answer, when that post is on an earlier page.
    wanted.extend({parent for post in on_page
                   if (parent := shape.shown_parent(post)) is not None
                   and parent not in on_page})
    posts: list[Post] | list[PagePost] = []
    if wanted and row.has_challenge:
        # A challenge's page asks more of its posts (kinds, due dates, outcomes): ORM posts.
        posts = _posts_with_files(session, list(set(wanted)))
    elif wanted:
        posts = load_page_posts(session, thread, list(set(wanted)))
    opening = posts[0] if posts and posts[0].id == shape.opening_id else None
    # The rules that look at the thread's posts (its opening post, a post's parent, the
    # moderation notes) find the page's. Set as loaded, not as a change: nothing is written.
    set_committed_value(thread, "posts", posts)
    continues = None
    if part.continues:
        continues = page - 1
    return ThreadPosts(thread=thread, opening=opening, page=page, pages=pages,
                       reading=tuple(part.posts), continues=continues,
                       continued=page < pages and parts[page].continues,
                       has_challenge=bool(row.has_challenge),
                       follow_choice=row.follow_choice if viewer_id is not None else None,
                       read_up_to=row.read_up_to if viewer_id is not None else None,
                       viewer_role=row.viewer_role if viewer_id is not None else None)


def load_post(session: Session, post_id: int) -> Post | None:
    """The post with its author, thread and set, and the post it answers (with its author),
    in one query: never the thread's other posts, so replying to or editing a post of a
    10,000-post thread costs what it does in a short one. Who may see the thread is read from
    the thread's copies of its opening post (:func:`forum.permissions.can_open_thread`)."""
    if not valid_id(post_id):
        return None
    return session.scalar(
        select(Post)
        .options(joinedload(Post.author),
                 joinedload(Post.thread).joinedload(Thread.learning_set),
                 joinedload(Post.parent).joinedload(Post.author))
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
    # The viewer (the author or a moderator) also sees an edit that waits for approval.
    pending_edit: bool = False
    # The viewer's links and buttons beside the post (none for anonymous readers).
    controls: permissions.PostControls = permissions.NO_CONTROLS
    # Whether the post it answers is drawn on the same page (else "In reply to" links to the
    # page that shows it).
    parent_on_page: bool = True

    @property
    def tag_classes(self) -> str:
        tag = status_tag(self.post.status)
        return tag.classes if tag is not None else ""


PENDING_EDIT_TAG = "Edit awaiting approval"


def display_mode(viewer: AnyUser, post: Post) -> str:
    """Whether the viewer sees the post's text, a "hidden" placeholder, or nothing."""
    return permissions.post_display(viewer, post)


def post_view(viewer: AnyUser, post: Post) -> PostView:
    """One post shown on its own (as on the reply page), with whether its parent may be named."""
    mode = display_mode(viewer, post)
    parent = post.parent if post.parent_id is not None else None
    return PostView(post=post, level=0, mode=mode,
                    tag=STATUS_TAGS.get(post.status) if mode == "full" else None,
                    parent=parent,
                    parent_shown=parent is not None and display_mode(viewer, parent) != "omitted")


def thread_view(viewer: AnyUser, thread: Thread, max_indent: int,
                reading: tuple[tuple[int, int], ...] | None = None,
                on_page: set[int] | None = None) -> list[PostView]:
    """Every post of the thread in reading order, with indent level and what the viewer sees.

    Given ``reading`` (a page of a long thread: :class:`ThreadPosts`), the opening post and
    those posts in that order; the other loaded posts are only named as parents. ``on_page``:
    the posts the page draws, for ``parent_on_page`` (default: every post viewed)."""
    by_id = {post.id: post for post in thread.posts}
    nodes: list[TreeNode[Post]]
    if reading is None:
        nodes = build_tree(thread.posts)
    else:
        opening_post_of = permissions.opening_post(thread)
        nodes = ([TreeNode(opening_post_of, 0)] if opening_post_of is not None else [])
        nodes.extend(TreeNode(by_id[post_id], depth) for post_id, depth in reading
                     if post_id in by_id)
    if on_page is None:
        on_page = {node.item.id for node in nodes}
    opening = permissions.opening_post(thread)
    # The viewer object itself: a LocalProxy costs a look-up per attribute, per post.
    viewer = getattr(viewer, "_get_current_object", lambda: viewer)()
    # Every loaded post: the parents named by the first replies of a page are among them.
    modes = permissions.post_displays(viewer, thread, list(by_id.values()), opening)
    controls = permissions.PageControls(viewer, thread)
    views = []
    for node in nodes:
        post = node.item
        mode = modes[post.id]
        parent = by_id.get(post.parent_id) if post.parent_id is not None else None
        pending_edit = (mode == "full" and post.has_pending_edit
                        and permissions.can_view_pending_edit(viewer, post))
        tag = STATUS_TAGS.get(post.status) if mode == "full" else None
        views.append(PostView(
            post=post, level=min(node.depth, max_indent), mode=mode,
            tag=tag or (PENDING_EDIT_TAG if pending_edit else None),
            parent=parent,
            parent_shown=parent is not None and modes[parent.id] != "omitted",
            pending_edit=pending_edit, controls=controls.for_post(post, mode),
            parent_on_page=parent is not None and parent.id in on_page))
    return views


# --- writing -------------------------------------------------------------


def post_for_key(session: Session, author_id: int, key: str | None) -> Post | None:
    """The post ``author_id`` already made from the form with this one-time key, if any."""
    if not key:
        return None
    return session.scalar(select(Post).where(Post.author_id == author_id,
                                             Post.submission_key == key))


def posts_wait(session: Session, author: User, learning_set: LearningSet) -> bool:
    """A new post by ``author`` in the set would wait for a moderator (the set's policy)."""
    return initial_status(session, author, learning_set) != PostStatus.APPROVED


def _new_post(session: Session, author: User, thread: Thread, learning_set: LearningSet,
              body: str, parent: Post | None, key: str | None, kind: str | None = None) -> Post:
    now = utcnow()
    post = Post(thread=thread, author_id=author.id, parent_id=parent.id if parent else None,
                depth=(parent.depth + 1) if parent else 0,
                body_source=body, body_html=render_markdown(body),
                status=initial_status(session, author, learning_set),
                created_at=now, submission_key=key, kind=kind)
    session.add(post)
    if post.status == PostStatus.APPROVED:
        # Posts awaiting a moderator do not make a thread look active.
        thread.last_activity_at = now
    return post


def start_thread(session: Session, author: User, learning_set: LearningSet, *,
                 title: str, body: str, key: str | None = None,
                 kind: str | None = None) -> tuple[Thread, Post]:
    """A new thread with its opening post (whose status the set's moderation policy decides).

    ``kind`` is the post's kind in a challenge (:class:`forum.models.PostKind`), else None.

    ``key`` is the form's one-time key: the database refuses a second post with the same key
    by the same author (an IntegrityError at flush), see :func:`post_for_key`.
    """
    if not permissions.can_start_thread(author, learning_set):
        raise NotAllowed("Only members of this set can start a thread.")
    now = utcnow()
    thread = Thread(learning_set=learning_set, author_id=author.id, title=title,
                    created_at=now, last_activity_at=now)
    session.add(thread)
    post = _new_post(session, author, thread, learning_set, body, parent=None, key=key,
                     kind=kind)
    session.flush()
    signals.send(signals.post_created, session, post)
    return thread, post


def reply_to(session: Session, author: User, parent: Post, *, body: str,
             key: str | None = None, kind: str | None = None) -> Post:
    """A reply to ``parent`` (any post in the thread that is still shown); ``key`` and
    ``kind`` as for :func:`start_thread`."""
    thread = parent.thread
    if not permissions.can_reply(author, thread):
        if thread.is_locked and permissions.can_start_thread(author, thread.learning_set):
            raise ThreadLocked("This thread is locked.")
        raise NotAllowed("Only members of this set can reply.")
    if not permissions.accepts_replies(parent):
        raise CannotReplyToPost("That post can no longer be answered.")
    return add_reply(session, author, parent, body=body, key=key, kind=kind)


def add_reply(session: Session, author: User, parent: Post, *, body: str,
              key: str | None = None, kind: str | None = None) -> Post:
    """The reply itself, for a caller that asked its own permission: :func:`reply_to`, and a
    challenge's closing summary (:func:`forum.permissions.can_write_closing_summary`, which a
    locked thread does not stop). Its status is the set's policy's, as for any post."""
    thread = parent.thread
    post = _new_post(session, author, thread, thread.learning_set, body, parent=parent,
                     key=key, kind=kind)
    session.flush()
    signals.send(signals.post_created, session, post)
    return post


class EditConflict(ThreadError):
    """The post changed (a moderator acted on it) while its author was editing it."""


class EditResult(enum.StrEnum):
    """What an author's edit did; the view words its message from this."""

    UNCHANGED = "unchanged"      # nothing differed from the text the author last saw
    SAVED = "saved"              # the new text is the post's text (published or still waiting)
    RESUBMITTED = "resubmitted"  # a returned post went back to the moderators
    WAITING = "waiting"          # an edit of a published post waits for a moderator
    WITHDRAWN = "withdrawn"      # a waiting edit was taken back: the approved text stands


def _update_post(session: Session, post: Post, **values: object) -> None:
    """Write ``values`` and bump the version, only if nobody changed the post since it was
    loaded (a moderator's approval or return, another tab): else :class:`EditConflict`."""
    values["version"] = post.version + 1
    result = session.execute(
        update(Post)
        .where(Post.id == post.id, Post.status == post.status, Post.version == post.version)
        .values(**values)
        .execution_options(synchronize_session=False))
    if result.rowcount != 1:
        raise EditConflict("This post changed while you were editing it (a moderator may "
                           "have approved or returned it). Nothing was saved: your text is "
                           "below, check the post and send it again.")
    for key, value in values.items():
        set_committed_value(post, key, value)
    if "pending_at" in values:
        refresh_threads(session, [post.thread_id])


def _keep_revision(session: Session, post: Post, editor_id: int | None, source: str,
                   published: bool, when: datetime) -> None:
    session.add(PostRevision(post_id=post.id, editor_id=editor_id, created_at=when,
                             previous_source=source, was_published=published))


_NO_PENDING_EDIT: dict[str, object] = {
    "pending_source": None, "pending_html": None, "pending_title": None, "pending_at": None}


def edit_post(session: Session, editor: User, post: Post, *, body: str,
              title: str | None = None, adds_files: bool = False) -> EditResult:
    """Change a post's text, keeping the previous text as a revision.

    ``title`` renames the thread when ``post`` is its opening post. Where the set's policy
    makes the author's posts wait, an edit of a published post waits too
    (:func:`forum.moderation.policy.edit_waits`): readers keep the approved text meanwhile.
    ``adds_files``: the edit attaches files, so it waits there even when the text is the same
    (the files wait with it, :func:`forum.files.service.change_post_files`).
    """
    if not permissions.can_edit_post(editor, post):
        raise NotAllowed("You can only edit your own posts.")
    if edit_waits(session, editor, post):
        return _propose_edit(session, editor, post, body=body, title=title,
                             adds_files=adds_files)
    thread = post.thread
    new_title = title if title is not None and post.is_opening_post else thread.title
    if body == post.body_source and new_title == thread.title and not post.has_pending_edit:
        return EditResult.UNCHANGED
    now = utcnow()
    values: dict[str, object] = {}
    if post.has_pending_edit:
        # The set no longer makes this author wait: the direct edit replaces the waiting one.
        _keep_revision(session, post, editor.id, post.pending_source or "", False, now)
        values.update(_NO_PENDING_EDIT)
    if body != post.body_source:
        _keep_revision(session, post, editor.id, post.body_source,
                       post.status in permissions.PUBLISHED_STATUSES, now)
        values.update(body_source=body, body_html=render_markdown(body), edited_at=now)
    _update_post(session, post, **values)
    thread.title = new_title
    resubmitted = resubmit_after_edit(session, post)
    session.flush()
    return EditResult.RESUBMITTED if resubmitted else EditResult.SAVED


def _propose_edit(session: Session, editor: User, post: Post, *, body: str,
                  title: str | None, adds_files: bool = False) -> EditResult:
    """Keep the author's edit of a published post aside until a moderator approves it."""
    thread = post.thread
    was_waiting = post.has_pending_edit
    old_source = post.pending_source if was_waiting else post.body_source
    old_title = (post.pending_title or thread.title) if was_waiting else thread.title
    new_title = title if title is not None and post.is_opening_post else old_title
    if body == old_source and new_title == old_title and not adds_files:
        return EditResult.UNCHANGED
    now = utcnow()
    if was_waiting and body != old_source:
        _keep_revision(session, post, editor.id, old_source or "", False, now)
    if body == post.body_source and new_title == thread.title and not adds_files:
        _update_post(session, post, **_NO_PENDING_EDIT)
        session.flush()
        return EditResult.WITHDRAWN
    _update_post(session, post, pending_source=body, pending_html=render_markdown(body),
                 pending_title=new_title if new_title != thread.title else None,
                 pending_at=post.pending_at or now)
    session.flush()
    if not was_waiting:
        signals.send(signals.edit_waiting, session, post)
    return EditResult.WAITING


def revisions_newest_first(session: Session, viewer: AnyUser, post: Post) -> list[PostRevision]:
    """The earlier versions of ``post`` that ``viewer`` may read, newest first."""
    return list(session.scalars(
        select(PostRevision)
        .options(joinedload(PostRevision.editor))
        .where(permissions.visible_revisions(viewer, post))
        .order_by(PostRevision.created_at.desc(), PostRevision.id.desc())))


PASSAGE_MAX = 5000


def _words(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", text).split())


def quoted_passage(post: Post, passage: str | None) -> str | None:
    """``passage`` (whitespace tidied) if it is part of the post's published text, as written
    in Markdown or as shown on the page; otherwise None, and the whole post is quoted."""
    if not passage or not permissions.can_quote_in_reply(post) or len(passage) > PASSAGE_MAX:
        return None
    wanted = _words(passage)
    if not wanted:
        return None
    if wanted in _words(post.body_source) or wanted in _words(plain_text(post.body_html)):
        return wanted
    return None


def quotation(post: Post, link: str, passage: str | None = None) -> str | None:
    """The post's published text (or the ``passage`` of it the reader chose, when it is one)
    as a Markdown quotation crediting its author, with a link back (``link``); None for a post
    that is not published, whose text no quote may carry."""
    if not permissions.can_quote_in_reply(post):
        return None
    text = quoted_passage(post, passage) or post.body_source.strip()
    lines = [f"> {line}".rstrip() for line in text.splitlines()]
    author = post.author.display_name if post.author is not None else "A former member"
    author = re.sub(r"([\\`*_\[\]<>#])", r"\\\1", author)  # a name is text, not Markdown
    return "\n".join(lines) + f"\n>\n> — [{author}]({link})\n\n"


def render_source(source: str) -> Markup:
    """An earlier version's Markdown, rendered and sanitised for display."""
    return safe_html(render_markdown(source))
