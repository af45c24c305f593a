"""The thread page's posts as plain rows: one Core-shaped query, no ORM objects.

Loading the page's 50-odd posts (with their authors and files) as ORM objects was the
largest single cost of a thread page after the kept articles: SQLAlchemy builds an identity,
a state and a loaded-attributes record for every post, author and file, and every attribute
read afterwards goes through a descriptor. The page only reads them, so here they are plain
objects with the same attribute names the permission rules (:mod:`forum.permissions`), the
kept articles (:mod:`forum.threads.fragments`) and the templates read from a :class:`Post`.
Nothing here decides who sees what: the rules are asked about these objects exactly as about
ORM posts. Pages that change a post load the ORM :class:`Post` (:func:`service.load_post`).
"""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field
from datetime import datetime
from functools import cache

from sqlalchemy import Select
from sqlalchemy import bindparam
from sqlalchemy import select
from sqlalchemy.orm import Session

from forum.models import Post
from forum.models import PostStatus
from forum.models import Thread
from forum.models import UploadedFile
from forum.models import User
from forum.models.file_types import TYPES
from forum.models.file_types import FileType


@dataclass(frozen=True, slots=True)
class PageAuthor:
    """A post's author as the page names them."""

    id: int
    display_name: str
    organisation: str


@dataclass(slots=True, eq=False)
class PagePost:
    """A post of the thread page, read-only: :class:`Post`'s columns the page shows (not its
    Markdown sources), its thread, author and files."""

    id: int
    thread_id: int
    author_id: int | None
    parent_id: int | None
    depth: int
    body_html: str
    status: PostStatus
    created_at: datetime
    approved_at: datetime | None
    edited_at: datetime | None
    version: int
    pending_html: str | None
    pending_title: str | None
    pending_at: datetime | None
    kind: str | None
    thread: Thread
    author: PageAuthor | None
    attachments: list[PageFile] = field(default_factory=list)

    @property
    def published(self) -> datetime:
        """As :attr:`Post.published`: approval, or creation for a post not held."""
        return self.approved_at or self.created_at

    @property
    def is_opening_post(self) -> bool:
        return self.parent_id is None

    @property
    def has_pending_edit(self) -> bool:
        return self.pending_at is not None


@dataclass(slots=True, eq=False)
class PageFile:
    """A file attached to a post of the page (:class:`UploadedFile`'s columns the page shows);
    :func:`forum.permissions.can_view_file` asks about it through :attr:`post`."""

    id: int
    original_name: str
    file_type: str
    size: int
    awaiting_approval: bool
    post: PagePost

    @property
    def type(self) -> FileType:
        return TYPES[self.file_type]

    # A post's file: never an event's or a meeting's.
    @property
    def event_material(self) -> None:
        return None

    @property
    def meeting(self) -> None:
        return None


_POST_COLUMNS = (Post.id, Post.thread_id, Post.author_id, Post.parent_id, Post.depth,
                 Post.body_html, Post.status, Post.created_at, Post.approved_at,
                 Post.edited_at, Post.version, Post.pending_html, Post.pending_title,
                 Post.pending_at, Post.kind)
_POST_WIDTH = len(_POST_COLUMNS)


@cache
def page_posts_statement() -> Select:
    """The posts ``ids`` of the thread ``thread_id`` with their authors and files, a row per
    post and file (most posts have none, so the join adds empty columns, not rows); built once
    per process. The thread is checked too: an id from anywhere else (a kept shape gone stale,
    say) never puts another thread's post on this thread's page."""
    return (select(*_POST_COLUMNS, User.display_name, User.organisation,
                   UploadedFile.id, UploadedFile.original_name, UploadedFile.file_type,
                   UploadedFile.size, UploadedFile.awaiting_approval)
            .outerjoin(User, User.id == Post.author_id)
            .outerjoin(UploadedFile, UploadedFile.post_id == Post.id)
            .where(Post.id.in_(bindparam("ids", expanding=True)),
                   Post.thread_id == bindparam("thread_id"))
            .order_by(Post.id, UploadedFile.id))


def load_page_posts(session: Session, thread: Thread, ids: list[int]) -> list[PagePost]:
    """The posts ``ids`` of ``thread`` in id order, each with its author and files, in one
    query."""
    posts: list[PagePost] = []
    last: PagePost | None = None
    width = _POST_WIDTH
    for row in session.execute(page_posts_statement(), {"ids": ids, "thread_id": thread.id}):
        if last is None or last.id != row[0]:
            author_id = row[2]
            author = (PageAuthor(author_id, row[width], row[width + 1])
                      if author_id is not None and row[width] is not None else None)
            last = PagePost(*row[:width], thread=thread, author=author, attachments=[])
            posts.append(last)
        if row[width + 2] is not None:
            last.attachments.append(PageFile(*row[width + 2:], post=last))
    return posts
