"""The moderation queue: waiting posts and reported posts across every set a user moderates.

A page costs a fixed number of queries whatever its length: the user's sets, a count, the
page of ids, the posts (with thread, set, author and the post they answer), the authors'
approved-post counts and the open reports.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from sqlalchemy import ColumnElement
from sqlalchemy import CompoundSelect
from sqlalchemy import Row
from sqlalchemy import Select
from sqlalchemy import case
from sqlalchemy import exists
from sqlalchemy import func
from sqlalchemy import literal
from sqlalchemy import literal_column
from sqlalchemy import select
from sqlalchemy import tuple_
from sqlalchemy import union_all
from sqlalchemy.orm import Session
from sqlalchemy.orm import aliased
from sqlalchemy.orm import joinedload
from sqlalchemy.orm import selectinload

from forum import permissions
from forum.models import Challenge
from forum.models import LearningSet
from forum.models import Post
from forum.models import PostKind
from forum.models import PostStatus
from forum.models import Report
from forum.models import ReportStatus
from forum.models import Thread
from forum.models import User
from forum.text import capped_count

PENDING = "pending"
EDIT = "edit"  # an edit of a published post, waiting for approval
REPORTED = "reported"
# "50 or more approved posts in this set before" is all a moderator needs to know.
APPROVED_CAP = 50


@dataclass(frozen=True)
class QueueItem:
    post: Post
    kind: str  # PENDING, EDIT or REPORTED
    since: object  # when it entered the queue (the post's or the first report's time)
    approved_before: int
    reports: list[Report]
    # A new challenge's aim, published with its opening post: the moderator judges both.
    aim: str | None = None

    @property
    def is_report(self) -> bool:
        return self.kind == REPORTED

    @property
    def is_edit(self) -> bool:
        return self.kind == EDIT


QUEUE_COUNT_CAP = 1000
"""The queue page counts waiting items up to this many, then says "more than 1,000": counting
(and paging through) every waiting item would cost what the backlog holds, not what a page
shows (issue 16). The pages offered are those within the cap."""


@dataclass(frozen=True)
class QueuePage:
    items: list[QueueItem]
    page: int
    pages: int
    total: int  # at most QUEUE_COUNT_CAP + 1
    cap: int = QUEUE_COUNT_CAP

    @property
    def more_than_cap(self) -> bool:
        """More is waiting than the page counts: the total reads "more than <cap>"."""
        return self.total > self.cap


def moderated_sets(session: Session, user: User) -> list[LearningSet]:
    """Every set the user moderates or facilitates (admins: every set), by name."""
    return list(session.scalars(
        select(LearningSet).where(permissions.moderates_filter(user, LearningSet.id))
        .order_by(LearningSet.name, LearningSet.id)))


def _only(set_ids: list[int] | None) -> list:
    return [Thread.learning_set_id.in_(set_ids)] if set_ids is not None else []


def _waiting_only(set_ids: list[int] | None) -> list:
    """Threads with something waiting (their own count, so the search starts from the set's
    threads, not from every waiting post on the site), in ``set_ids`` when given."""
    return [Thread.waiting_count > 0, *_only(set_ids)]


def _pending_query(user: User, set_ids: list[int] | None = None) -> Select:
    """Waiting posts in the sets the user moderates (in ``set_ids`` when given); their own are
    listed too, marked as waiting for another moderator."""
    query = select(Post.id.label("post_id"), literal(PENDING).label("kind"),
                   Post.created_at.label("since"))
    if set_ids is None:
        # Every set's (an admin's whole queue): read in date order from ix_posts_waiting_date
        # (status, date, id), so the oldest page stops after the page (issue 16).
        return query.where(permissions.waiting_new_posts_filter(user))
    # Read from ix_posts_waiting_thread_date alone (thread, status, date, id): no post row is
    # read to count them or to find the oldest (issue 16).
    return (query.join(Thread, Thread.id == Post.thread_id)
            .where(permissions.waiting_new_posts_filter(user), *_waiting_only(set_ids)))


def _edit_query(user: User, set_ids: list[int] | None = None) -> Select:
    """Edits of published posts waiting in the sets the user moderates."""
    query = select(Post.id.label("post_id"), literal(EDIT).label("kind"),
                   Post.pending_at.label("since"))
    if set_ids is None:
        # In date order from ix_posts_status_pending_at (status, pending_at, id).
        return query.where(permissions.waiting_edits_filter(user))
    return (query.join(Thread, Thread.id == Post.thread_id)
            .where(permissions.waiting_edits_filter(user), *_waiting_only(set_ids)))


def _reported_query(user: User, set_ids: list[int] | None = None) -> Select:
    """Published posts with open reports that the user may hide (in ``set_ids`` when given)."""
    query = (select(Report.post_id.label("post_id"), literal(REPORTED).label("kind"),
                    func.min(Report.created_at).label("since"))
             .join(Post, Post.id == Report.post_id))
    if set_ids is not None:
        query = query.join(Thread, Thread.id == Post.thread_id)
    return (query.where(Report.status == ReportStatus.OPEN,
                        permissions.hideable_posts_filter(user), *_only(set_ids))
            .group_by(Report.post_id))


HEADER_COUNT_CAP = 99
"""The header counts waiting items up to this many, then says "99+": counting every waiting
post of every set on every page would grow with the backlog (the queue page counts them all)."""


def queue_count(session: Session, user: User) -> int | None:
    """Items waiting for this user (at most ``HEADER_COUNT_CAP + 1``), in ONE query; ``None``
    if they moderate nothing.

    Asked on every page (the header): the statement is built once per process and kind of
    viewer (:func:`forum.permissions.for_viewer`)."""
    if not permissions.is_signed_in(user):
        return None
    statement, parameters = permissions.for_viewer(queue_count_statement, user)
    return queue_total(session.execute(statement, parameters).one())


def queue_total(row: Row) -> int | None:
    """The count from a row of :func:`queue_count_statement` (``None``: moderates nothing)."""
    if not row.moderates:
        return None
    return min(int(row.pending) + int(row.edits) + int(row.reported), HEADER_COUNT_CAP + 1)


def queue_count_label(count: int) -> str:
    """How the header shows a :func:`queue_count`: "7", or "99+" past the cap."""
    return capped_count(count, HEADER_COUNT_CAP)


def queue_count_statement(user: User) -> Select:
    """The statement of :func:`queue_count` (the page header also reads it with the unread
    notifications: :mod:`forum.header`)."""
    # What they can act on: others' waiting posts and edits, and reported posts.
    # waiting_posts_filter and approvable_posts_filter, from the moderated sets' threads that
    # have something waiting (not from every post of those sets).
    waiting = (permissions.moderates_filter(user, Thread.learning_set_id),
               Thread.waiting_count > 0)
    waiting_threads = select(Thread.id).where(*waiting)
    # Waiting posts and waiting edits of published posts are counted apart, each stated so
    # that an index reads only what waits: one condition `status IN (...) AND (status =
    # pending OR pending_at IS NOT NULL)` read every post of each waiting thread, and one
    # UNION of the two led PostgreSQL to hash every waiting thread for an admin.
    # Waiting edits are few on any site: they are read from their own index
    # (ix_posts_status_pending_at) and checked against the threads ("+ 0" keeps SQLite from
    # probing every waiting thread of an admin's 200 sets for an edit instead).
    others = Post.author_id.is_distinct_from(user.id)

    def in_waiting_thread(thread_id) -> ColumnElement[bool]:
        if permissions.is_admin(user):
            # An admin moderates every set: the list of waiting threads would hold thousands
            # (10,482 of 20,000 on the 1,000,000-post seed, which SQLite lists before the
            # first post is read: 3.5 ms a page), so each waiting post is checked against
            # its own thread instead.
            return exists().where(Thread.id == thread_id, *waiting)
        return thread_id.in_(waiting_threads.correlate(None))

    def capped(thread_id, *conditions) -> Select:
        return select(func.count()).select_from(
            select(Post.id).where(*conditions, others, in_waiting_thread(thread_id))
            .limit(HEADER_COUNT_CAP + 1).subquery())

    pending = capped(Post.thread_id, Post.status == PostStatus.PENDING)
    edits = capped(Post.thread_id + 0, Post.status == PostStatus.APPROVED,
                   Post.pending_at.is_not(None))
    reported = select(func.count()).select_from(
        _reported_query(user).limit(HEADER_COUNT_CAP + 1).subquery())
    moderates = (select(func.count())
                 .select_from(permissions.moderated_set_ids(user).limit(1).subquery())
                 .scalar_subquery())

    def if_moderates(count: Select) -> ColumnElement[int]:
        # Most people moderate nothing: their page asks the three counts' subqueries
        # nothing (SQLite and PostgreSQL evaluate only the branch a CASE takes), which was
        # most of the header's query.
        return case((moderates > 0, count.scalar_subquery()), else_=0)

    return select(moderates.label("moderates"), if_moderates(pending).label("pending"),
                  if_moderates(edits).label("edits"), if_moderates(reported).label("reported"))


def queue_page(session: Session, user: User, sets: list[LearningSet], *,
               page: int, per_page: int, every: bool = False) -> QueuePage:
    """Oldest first: one page of what waits in ``sets`` (already limited to what ``user``
    moderates; ``every``: they are every set the user moderates, no set chosen).

    What waits is counted up to :data:`QUEUE_COUNT_CAP` (and paged within it), and the page
    is found by reading each kind of item in date order and stopping after the page: the cost
    follows the page, not the backlog (issue 16)."""
    per_page = max(1, per_page)
    if not sets:
        return QueuePage(items=[], page=1, pages=1, total=0)
    set_ids: list[int] | None = [learning_set.id for learning_set in sets]
    if every and permissions.is_admin(user):
        # Every set of the site: each waiting item is read from the site's date-ordered
        # indexes, not from every set's waiting threads (10,482 on the large seed) and sorted.
        set_ids = None
    parts = (_pending_query(user, set_ids), _edit_query(user, set_ids),
             _reported_query(user, set_ids))
    total = session.scalar(select(func.count()).select_from(
        union_all(*parts).limit(QUEUE_COUNT_CAP + 1).subquery())) or 0
    pages = max(1, math.ceil(min(total, QUEUE_COUNT_CAP) / per_page))
    page = min(max(1, page), pages)
    rows = session.execute(_oldest(session, parts, merged=set_ids is None,
                                   offset=(page - 1) * per_page, limit=per_page)).all()
    if not rows:
        return QueuePage(items=[], page=page, pages=pages, total=total, cap=QUEUE_COUNT_CAP)

    ids = [row.post_id for row in rows]
    parent = aliased(Post)
    posts = {post.id: post for post in session.scalars(
        select(Post)
        .options(joinedload(Post.author),
                 joinedload(Post.thread).joinedload(Thread.learning_set),
                 joinedload(Post.parent.of_type(parent)).joinedload(parent.author),
                 selectinload(Post.attachments))
        .where(Post.id.in_(ids))).unique()}

    pairs = sorted({(post.author_id, post.thread.learning_set_id) for post in posts.values()
                    if post.author_id is not None})
    approved = _approved_counts(session, pairs)

    reported_ids = [row.post_id for row in rows if row.kind == REPORTED]
    reports: dict[int, list[Report]] = {}
    if reported_ids:
        for report in session.scalars(
                select(Report)
                .options(joinedload(Report.reporter))
                .where(Report.post_id.in_(reported_ids), Report.status == ReportStatus.OPEN)
                .order_by(Report.created_at, Report.id)):
            reports.setdefault(report.post_id, []).append(report)

    aims = challenge_aims(session, list(posts.values()))
    items = []
    for row in rows:
        post = posts[row.post_id]
        before = approved.get((post.author_id, post.thread.learning_set_id), 0)
        if row.kind in (REPORTED, EDIT):
            before -= 1  # the reported or edited post itself is one of them
        items.append(QueueItem(post=post, kind=row.kind, since=row.since,
                               approved_before=min(max(0, before), APPROVED_CAP),
                               reports=reports.get(post.id, []),
                               aim=aims.get(post.thread_id) if row.kind == PENDING else None))
    return QueuePage(items=items, page=page, pages=pages, total=total, cap=QUEUE_COUNT_CAP)


def _oldest(session: Session, parts: tuple[Select, ...], *, merged: bool, offset: int,
            limit: int) -> Select | CompoundSelect:
    """A page of the union of ``parts``, oldest first (since, then post id).

    ``merged``: stated so that each part is read in that order from an index and stops after
    the page, rather than every waiting item being sorted. SQLite merges the parts of a
    compound SELECT that has the ORDER BY itself (not one read as a subquery). PostgreSQL
    plans each part of a UNION ALL on its own, without the outer ORDER BY (a part with a WHERE
    is not pulled up into the outer query), so each part says its own order and stops at the
    page's end; the outer query sorts what they return (at most the cap, three times).
    Otherwise (chosen sets) the parts are read from the sets' waiting threads and sorted (a
    set's backlog): read in date order, the databases would walk the site's waiting posts
    (ix_posts_waiting_date) looking for the set's."""
    if merged and session.get_bind().dialect.name == "sqlite":
        return (union_all(*parts).order_by(literal_column("since"), literal_column("post_id"))
                .limit(limit).offset(offset))
    if merged:
        parts = tuple(part.order_by(part.selected_columns.since, part.selected_columns.post_id)
                      .limit(offset + limit) for part in parts)
    combined = union_all(*parts).subquery("queue")
    return (select(combined.c.post_id, combined.c.kind, combined.c.since)
            .order_by(combined.c.since, combined.c.post_id).limit(limit).offset(offset))


def challenge_aims(session: Session, posts: list[Post]) -> dict[int, str]:
    """The aims of the challenges these posts open, by thread id: what the holder wants to
    achieve is published with the opening post, so a moderator sees it beside the post."""
    thread_ids = [post.thread_id for post in posts
                  if post.parent_id is None and post.kind == PostKind.CHALLENGE.value]
    if not thread_ids:
        return {}
    return dict(session.execute(select(Challenge.thread_id, Challenge.aim)
                                .where(Challenge.thread_id.in_(thread_ids))).all())


def _approved_counts(session: Session, pairs: list[tuple[int, int]]) -> dict[tuple[int, int], int]:
    """Each (author, set)'s published posts in that set, counted up to ``APPROVED_CAP + 1``: the
    moderator needs "new here or not", and an uncapped count grows with the author's history.

    One statement for the page, planned once: each pair's count reads the author's entries of
    ix_posts_author_status (author, status, thread) with the threads' keys until it has enough,
    never the posts themselves."""
    if not pairs:
        return {}
    in_set = (select(Post.id).join(Thread, Thread.id == Post.thread_id)
              .where(Post.author_id == User.id, Post.status == PostStatus.APPROVED,
                     Thread.learning_set_id == LearningSet.id)
              .correlate(User, LearningSet)
              .limit(APPROVED_CAP + 1))
    count = select(func.count()).select_from(in_set.subquery()).scalar_subquery()
    rows = session.execute(
        select(User.id, LearningSet.id, count)
        .join(LearningSet, tuple_(User.id, LearningSet.id).in_(pairs))
        .where(User.id.in_({author for author, _ in pairs}),
               LearningSet.id.in_({set_id for _, set_id in pairs})))
    return {(int(author), int(set_id)): int(n) for author, set_id, n in rows}
