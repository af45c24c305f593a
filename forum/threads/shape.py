"""A thread's shape (every post's id and parent) and its pages of whole branches (issue 16).

A thread page needs the shape of the whole thread to know which posts its page holds. Read and
cut into pages on every request, that costs in proportion to the thread (a 10,000-post thread:
10,000 rows into dicts, then every branch walked). So a long thread's shape and pages are kept
in the process (:func:`thread_pages`), and each request only reads whether the thread changed
since (``threads.shape_version``, a counter kept by triggers: forum.models.shape_version) and
which posts this reader is not shown: the pages are cut again only when one of those changed.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from dataclasses import field
from datetime import datetime
from functools import cache
from typing import Any

from sqlalchemy import and_
from sqlalchemy import bindparam
from sqlalchemy import literal
from sqlalchemy import null
from sqlalchemy import select
from sqlalchemy import union_all
from sqlalchemy.orm import Session

from forum import permissions
from forum.models import Post
from forum.models import Thread
from forum.permissions import AnyUser


@dataclass(frozen=True)
class Skeleton:
    """A thread's shape: every post's id and parent, read from one index (no text)."""

    opening_id: int | None
    heads: list[int]  # posts that start a branch, in id order
    children: dict[int, list[int]]
    parents: dict[int, int | None]

    def branch(self, head: int) -> list[tuple[int, int]]:
        """The head and every reply under it in reading order (each post followed by its
        replies, oldest first), with each post's depth in the thread."""
        # A reply (to the opening post, or to a post not in the shape) is one deep.
        top = 0 if self.parents.get(head) is None else 1
        found: list[tuple[int, int]] = []
        seen: set[int] = set()
        stack = [(head, top)]
        while stack:
            post_id, depth = stack.pop()
            if post_id in seen:
                continue
            seen.add(post_id)
            found.append((post_id, depth))
            stack.extend((child, depth + 1) for child in reversed(self.children.get(post_id, [])))
        return found

    def head_of(self, post_id: int) -> int | None:
        """The head of the branch that holds ``post_id`` (None: not in the thread)."""
        seen: set[int] = set()
        while post_id in self.parents and post_id not in seen:
            seen.add(post_id)
            parent = self.parents[post_id]
            if parent is None or parent == self.opening_id or parent not in self.parents:
                return post_id if post_id != self.opening_id else None
            post_id = parent
        return None


@cache
def _skeleton_statement():
    return (select(Post.id, Post.parent_id, literal(False).label("omitted"))
            .where(Post.thread_id == bindparam("thread_id")).order_by(Post.id))


def _reader_skeleton_statement(reader: AnyUser):
    """The skeleton's rows, and again (``omitted``) each post the reader is not shown: from
    the same index as the rows, in the same query (a reader's page costs no more queries)."""
    in_thread = Post.thread_id == bindparam("thread_id")
    both = union_all(
        select(Post.id, Post.parent_id, literal(False).label("omitted")).where(in_thread),
        select(Post.id, Post.parent_id, literal(True))
        .where(in_thread, permissions.omitted_in_thread_filter(reader)))
    return both.order_by(both.selected_columns.id)


@cache
def _visitor_skeleton_statement():
    return _reader_skeleton_statement(None)


def skeleton(session: Session, thread_id: int, reader: AnyUser = None, *,
             moderates: bool = False) -> Skeleton:
    """One query on the (thread_id, parent_id) index: two integers a post, so a 10,000-post
    thread costs a few milliseconds, and no recursive SQL (whose plans vary by database).

    The thread as ``reader`` (None: a visitor) sees it: the posts they are not shown (someone
    else's waiting, returned or withdrawn posts) are left out, so that they take no place in
    the reader's pages and a link to one opens page 1; the replies to such a post start
    branches of their own. ``moderates``: the reader moderates the set and sees every post."""
    return _skeleton_of(*_rows(session, thread_id, reader, moderates))


def _parents_and_omitted(rows) -> tuple[dict[int, int | None], frozenset[int]]:
    """Every post's parent (in id order) and the posts left out, from the rows of
    :func:`_skeleton_statement` or :func:`_reader_skeleton_statement`."""
    parents: dict[int, int | None] = {}
    omitted = []
    for post_id, parent_id, left_out in rows:
        if left_out:
            omitted.append(post_id)
        else:
            parents[post_id] = parent_id
    return parents, frozenset(omitted)


def _opening_of(parents: dict[int, int | None]) -> int | None:
    return next((post_id for post_id, parent_id in parents.items() if parent_id is None), None)


def _skeleton_of(every: dict[int, int | None], omitted: frozenset[int]) -> Skeleton:
    """The shape of the posts ``every`` (id: parent, in id order) less ``omitted``."""
    # The opening post is found among every post, and never left out: who may open the
    # thread is decided on it.
    opening_id = _opening_of(every)
    if omitted:
        parents = {post_id: parent_id for post_id, parent_id in every.items()
                   if post_id not in omitted or post_id == opening_id}
    else:
        parents = every
    children: dict[int, list[int]] = {}
    heads = []
    for post_id, parent_id in parents.items():
        if post_id == opening_id:
            continue
        if parent_id is None or parent_id == opening_id or parent_id not in parents:
            heads.append(post_id)  # a reply to the opening post, or one whose parent is gone
        else:
            children.setdefault(parent_id, []).append(post_id)
    return Skeleton(opening_id, heads, children, parents)

@dataclass(frozen=True)
class PagePart:
    """One page's replies: ``posts`` (id, depth) in reading order; ``continues`` when its
    first post is part-way through a branch begun on the page before."""

    posts: list[tuple[int, int]]
    continues: bool = False


def paginate(shape: Skeleton, per_page: int, max_posts: int) -> list[PagePart]:
    """The thread's replies cut into pages: whole branches, at most ``per_page`` of them and
    ``max_posts`` posts a page; a branch longer than ``max_posts`` alone is cut into parts of
    ``max_posts`` posts, the last part sharing its page with the branches after it. Always at
    least one (possibly empty) page."""
    per_page, max_posts = max(1, per_page), max(1, max_posts)
    pages: list[PagePart] = []
    current: list[tuple[int, int]] = []
    branches = 0
    continues = False
    for head in shape.heads:
        posts = shape.branch(head)
        if current and (branches >= per_page or len(current) + len(posts) > max_posts):
            pages.append(PagePart(current, continues))
            current, branches, continues = [], 0, False
        while len(posts) > max_posts - len(current):
            # Too long for any page: fill this one, go on with the rest on the next.
            room = max_posts - len(current)
            current.extend(posts[:room])
            posts = posts[room:]
            pages.append(PagePart(current, continues))
            current, branches, continues = [], 0, True
        current.extend(posts)
        branches += 1
    if current or not pages:
        pages.append(PagePart(current, continues))
    return pages


def page_of_post(pages: list[PagePart], post_id: int) -> int:
    """The page on which post ``post_id`` is shown (1 if it is not in the thread)."""
    for number, part in enumerate(pages, start=1):
        if any(shown == post_id for shown, _ in part.posts):
            return number
    return 1



# --- long threads, kept per process -----------------------------------------------------

# From how many posts a thread's shape is kept: below it, reading the shape is as cheap as
# asking whether it changed.
LONG_THREAD = 500
# Posts held in all kept shapes and pages together (a thread's shape counts once, and each of
# its cuts into pages twice: the pages and the index of posts to pages): the bound on memory,
# about 6.5 MB (a 10,000-post thread with two cuts, 50,000, measured 3.2 MB with tracemalloc).
# The least recently read threads go first.
KEPT_POSTS = 100_000
# Cuts into pages kept per thread: one per set of posts left out (moderators, most readers,
# each author of a waiting post) and page size.
CUTS_PER_THREAD = 4


@dataclass
class ThreadPages:
    """A thread's replies cut into pages as one reader sees them."""

    opening_id: int | None
    parts: list[PagePart]
    every: dict[int, int | None]  # every post's parent, shown to the reader or not
    omitted: frozenset[int]
    _pages_of: dict[int, int] | None = field(default=None, repr=False)

    def page_of(self, post_id: int) -> int:
        """The page that shows ``post_id`` (1 if the reader's pages do not)."""
        if self._pages_of is None:  # two requests may both build it: the same dict
            self._pages_of = {post: number for number, part in enumerate(self.parts, start=1)
                              for post, _ in part.posts}
        return self._pages_of.get(post_id, 1)

    def shown_parent(self, post_id: int) -> int | None:
        """The post ``post_id`` answers, if it is in the reader's shape."""
        parent = self.every.get(post_id)
        if parent is None or parent not in self.every:
            return None
        if parent in self.omitted and parent != self.opening_id:
            return None
        return parent


# The thread's ``shape_version`` (one more for every post added or removed and every parent
# changed: forum.models.shape_version) and its ``created_at``: should the thread be deleted and
# its id given again (SQLite), the new thread's count starts again, at another creation time.
Version = tuple[int, datetime]


@dataclass
class _Kept:
    version: Version  # read no later than ``every``
    every: dict[int, int | None]  # in id order
    last_id: int
    cuts: OrderedDict[tuple[frozenset[int], int, int], ThreadPages]

    @property
    def weight(self) -> int:
        return len(self.every) * (1 + 2 * len(self.cuts))


_lock = threading.Lock()
# By database and thread id, least recently read first (one process may serve two databases:
# the benches, the tests).
_kept: OrderedDict[tuple[object, int], _Kept] = OrderedDict()


def _changes_statement(reader: AnyUser, *, moderates: bool):
    """One query for a kept thread: its version (a row of kind 0: ``shape_version`` and
    ``created_at``, read by the thread's key), the posts added since the newest kept (kind 1:
    id, parent) and, unless ``moderates``, the posts the reader is not shown (kind 2). The
    version is read in the same statement as the posts, so both come from one snapshot of the
    database (PostgreSQL gives each statement its own)."""
    in_thread = Post.thread_id == bindparam("thread_id")
    version = (select(Thread.shape_version, Thread.created_at)
               .where(Thread.id == bindparam("thread_id")).cte("version"))
    # Posts added since are looked for only when the count moved: the index of the thread's
    # parents does not hold the posts' ids, so that look reads the thread's every entry.
    # Joined to the version's one row (not a subquery in WHERE, which SQLite tests per entry),
    # an unmoved count ends the look before it starts on both databases.
    moved = version.c.shape_version != bindparam("known_version")
    parts = [
        select(literal(0).label("kind"), version.c.shape_version, null(),
               version.c.created_at),
        select(literal(1), Post.id, Post.parent_id, null())
        .select_from(version).join(Post, and_(moved, in_thread,
                                              Post.id > bindparam("last_id")))]
    if not moderates:
        parts.append(select(literal(2), Post.id, null(), null())
                     .where(in_thread, permissions.omitted_in_thread_filter(reader)))
    return union_all(*parts)


@cache
def _moderator_changes_statement():
    return _changes_statement(None, moderates=True)


@cache
def _visitor_changes_statement():
    return _changes_statement(None, moderates=False)


def _reader_changes_statement(reader: AnyUser):
    return _changes_statement(reader, moderates=False)



def _as_seen_by(reader: AnyUser, moderates: bool, values: dict[str, int], *,
                moderator: Callable[[], Any], reader_builder: Callable[[AnyUser], Any],
                visitor: Callable[[], Any]) -> Any:
    """The form of a shape statement for this reader (a moderator sees every post; a signed-in
    reader's form is kept per kind of viewer, their values added to ``values``)."""
    if moderates:
        return moderator()
    if permissions.is_signed_in(reader):
        statement, viewer = permissions.for_viewer(reader_builder, reader)
        values.update(viewer)
        return statement
    return visitor()

def _changes(session: Session, thread_id: int, reader: AnyUser, moderates: bool,
             kept: _Kept) -> tuple[Version | None, list[tuple[int, int | None]], frozenset[int]]:
    values: dict[str, Any] = {"thread_id": thread_id, "last_id": kept.last_id,
                              "known_version": kept.version[0]}
    statement = _as_seen_by(reader, moderates, values, moderator=_moderator_changes_statement,
                            reader_builder=_reader_changes_statement,
                            visitor=_visitor_changes_statement)
    version: Version | None = None  # the thread is gone
    added: list[tuple[int, int | None]] = []
    omitted = []
    for kind, first, second, created in session.execute(statement, values):
        if kind == 0:
            version = (int(first), created)
        elif kind == 1:
            added.append((first, second))
        else:
            omitted.append(first)
    added.sort()
    return version, added, frozenset(omitted)


def _current(kept: _Kept, version: Version | None,
             added: list[tuple[int, int | None]]) -> dict[int, int | None] | None:
    """The thread's posts and parents now, from the kept ones, or None (read the thread whole).

    Every post that came into the thread since the kept read has an id above the newest kept
    (``added``), and its coming added one to the count; any other change (a post removed or
    moved away, a parent changed, a post committed under an id below a newer one) added one
    without a post in ``added``. So the kept posts plus ``added`` are the thread's posts
    exactly when the count moved by the number of posts added, and only then."""
    if version is None or version[1] != kept.version[1]:
        return None  # the thread is gone, or another thread has its id
    if version[0] == kept.version[0]:
        return kept.every
    if not added or version[0] - kept.version[0] != len(added):
        return None
    every = dict(kept.every)
    every.update(added)
    return every


def _version(session: Session, thread_id: int) -> Version | None:
    row = session.execute(select(Thread.shape_version, Thread.created_at)
                          .where(Thread.id == thread_id)).first()
    return (row[0], row[1]) if row is not None else None


def _rows(session: Session, thread_id: int, reader: AnyUser,
          moderates: bool) -> tuple[dict[int, int | None], frozenset[int]]:
    """Every post's parent and the posts left out for the reader, in one query."""
    values: dict[str, int] = {"thread_id": thread_id}
    statement = _as_seen_by(reader, moderates, values, moderator=_skeleton_statement,
                            reader_builder=_reader_skeleton_statement,
                            visitor=_visitor_skeleton_statement)
    parents, omitted = _parents_and_omitted(session.execute(statement, values).all())
    return parents, omitted if not moderates else frozenset()


def _cut(every: dict[int, int | None], omitted: frozenset[int], per_page: int,
         max_posts: int) -> ThreadPages:
    shape = _skeleton_of(every, omitted)
    return ThreadPages(shape.opening_id, paginate(shape, per_page, max_posts), every, omitted)


def _keep(key: tuple[object, int], kept: _Kept) -> None:
    with _lock:
        _kept[key] = kept
        _kept.move_to_end(key)
        held = sum(entry.weight for entry in _kept.values())
        while held > KEPT_POSTS and _kept:
            _, dropped = _kept.popitem(last=False)
            held -= dropped.weight


def thread_pages(session: Session, thread_id: int, reader: AnyUser = None, *,
                 moderates: bool = False, per_page: int = 50, max_posts: int = 100,
                 version: Version | None = None) -> ThreadPages:
    """The thread's replies as ``reader`` sees them (:func:`skeleton`) cut into pages
    (:func:`paginate`), in one query whatever the thread's length.

    A thread not kept is read whole (the query of :func:`skeleton`) and, from
    :data:`LONG_THREAD` posts, kept under ``version``: the thread's ``shape_version`` and
    ``created_at`` read before (with the thread's row; read here, one more query, if not
    given). A kept thread's query reads only its version (by the thread's key), the posts
    added since and the posts this reader is not shown; the pages are cut again when the posts
    or those left out differ from a kept cut. Should the version say more changed than the
    posts added (:func:`_current`), the thread is read whole again: a second query, once."""
    where = (session.get_bind().url, thread_id)
    with _lock:
        kept = _kept.get(where)
        if kept is not None:
            _kept.move_to_end(where)
    every = None
    if kept is not None:
        version, added, omitted = _changes(session, thread_id, reader, moderates, kept)
        every = _current(kept, version, added)
    elif version is None:
        version = _version(session, thread_id)
    if every is None:
        # The version was read before these rows: kept under it, the rows can only be newer,
        # and a newer change makes the next check read the thread whole again, never miss it.
        every, omitted = _rows(session, thread_id, reader, moderates)
    if len(every) < LONG_THREAD or version is None:
        if kept is not None:
            with _lock:
                _kept.pop(where, None)
        return _cut(every, omitted, per_page, max_posts)
    # Only the posts of the thread left out matter (an omitted id is always one of them).
    key = (omitted, per_page, max_posts)
    if kept is None or every is not kept.every:
        kept = _Kept(version, every, max(every), OrderedDict())
    pages = kept.cuts.get(key)
    if pages is None:
        pages = _cut(every, omitted, per_page, max_posts)
        cuts = OrderedDict(kept.cuts)  # a new entry: requests reading the old one go on
        cuts[key] = pages
        while len(cuts) > CUTS_PER_THREAD:
            cuts.popitem(last=False)
        kept = _Kept(kept.version, kept.every, kept.last_id, cuts)
        _keep(where, kept)
    elif kept is not _kept.get(where):
        _keep(where, kept)
    return pages


def forget_kept() -> None:
    """Drop every kept thread (tests)."""
    with _lock:
        _kept.clear()
