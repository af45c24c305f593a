"""The set page's list of threads: one page of them, each with its unread marker.

The page's rows are plain rows of the threads' own columns (title, copies of the reply count
and of the opening post's status), not ``Thread`` objects: the page shows them and nothing
more, and building 50 ORM objects a page cost more than running the query.
"""

from __future__ import annotations

import math
from datetime import datetime
from functools import cache
from typing import NamedTuple

from flask_login import AnonymousUserMixin
from sqlalchemy import Integer
from sqlalchemy import Select
from sqlalchemy import bindparam
from sqlalchemy import func
from sqlalchemy import select
from sqlalchemy.orm import Session

from forum import permissions
from forum.models import Challenge
from forum.models import LearningSet
from forum.models import PostStatus
from forum.models import Thread
from forum.models import ThreadRead
from forum.models import User
from forum.permissions import AnyUser
from forum.threads import reading
from forum.threads.service import StatusTag
from forum.threads.service import status_tag


class ThreadSummary(NamedTuple):
    """One thread as the set page lists it."""

    thread_id: int
    title: str
    reply_count: int
    last_activity_at: datetime
    author_name: str
    is_pinned: bool
    is_locked: bool
    # Others never see a thread whose opening post is not approved; its author and the set's
    # moderators do, marked with this status.
    opening_status: PostStatus = PostStatus.APPROVED
    # Published posts new to the viewer since they last read it (counted up to 100), and the
    # first of them to be published.
    unread_count: int = 0
    first_unread_id: int | None = None

    @property
    def unread_label(self) -> str:
        """The count as the page shows it ("99+" for a long thread)."""
        return reading.unread_label(self.unread_count)

    @property
    def opening_tag(self) -> StatusTag | None:
        """The tag marking a thread whose opening post is not simply published."""
        return status_tag(self.opening_status)


class ThreadPage(NamedTuple):
    items: list[ThreadSummary]
    page: int
    pages: int
    total: int


class _SetShape:
    """A learning set as the set page's statements see it: its id is the parameter
    ``set_id``."""

    __slots__ = ()
    id = bindparam("set_id", type_=Integer)


def _summaries_statements(viewer: AnyUser, moderates: bool) -> tuple[Select, Select]:
    """The set page's count and page statements for ``viewer`` (a
    :class:`forum.permissions.prepared.ViewerShape` or a visitor), with the set, page size
    and offset as parameters (``set_id``, ``limit``, ``offset``): built once per process and
    kind of viewer, since building them from the permission filters costs more than running
    them. The page's rows also carry the count of all the threads listed (``total``), so the
    count statement runs only for a page past the last."""
    learning_set = _SetShape()
    # Challenges are listed apart (forum.challenges.service.challenge_summaries).
    conditions = [Thread.learning_set_id == learning_set.id,
                  Thread.id.not_in(select(Challenge.thread_id).correlate(None))]
    if not moderates:
        conditions.append(permissions.visible_threads_filter(viewer))
    count = select(func.count(Thread.id)).where(*conditions)
    order = (Thread.is_pinned.desc(), Thread.last_activity_at.desc(), Thread.id.desc())
    limit, offset = bindparam("limit", type_=Integer), bindparam("offset", type_=Integer)
    # The page's threads are chosen first, so that the unread markers (two capped subqueries
    # a row) are worked out for the page's rows only, not for every thread of the set.
    page_ids = (select(Thread.id, func.count().over().label("total"))
                .where(*conditions).order_by(*order).limit(limit)
                .offset(offset).subquery("page_ids"))
    query = (select(Thread.id, Thread.title, Thread.reply_count, Thread.last_activity_at,
                    User.display_name, Thread.is_pinned, Thread.is_locked,
                    Thread.opening_status, page_ids.c.total)
             .join(page_ids, page_ids.c.id == Thread.id)
             .outerjoin(User, User.id == Thread.author_id))
    if permissions.is_signed_in(viewer):
        query = (query.add_columns(*reading.unread_columns(viewer, Thread.id,
                                                           ThreadRead.read_up_to))
                 .outerjoin(ThreadRead, reading.read_marker(viewer)))
    query = query.order_by(*order)
    return count, query


def _summaries_for_moderator(viewer: AnyUser) -> tuple[Select, Select]:
    return _summaries_statements(viewer, True)


def _summaries_for_reader(viewer: AnyUser) -> tuple[Select, Select]:
    return _summaries_statements(viewer, False)


@cache
def _summaries_for_visitor() -> tuple[Select, Select]:
    return _summaries_statements(AnonymousUserMixin(), False)


_APPROVED = PostStatus.APPROVED
_MAX_OFFSET = 2**31 - 1


def _summary(row: tuple, signed_in: bool) -> ThreadSummary:
    thread_id, title, replies, last_activity, author, pinned, locked, status = row[:8]
    return ThreadSummary(thread_id, title, replies, last_activity,
                         author or "A former member", pinned, locked, status or _APPROVED,
                         int(row[9] or 0) if signed_in else 0,
                         row[10] if signed_in else None)


def thread_summaries(session: Session, viewer: AnyUser, learning_set: LearningSet, *,
                     page: int, per_page: int) -> ThreadPage:
    """One page of the set's threads the viewer may see: pinned first, then latest activity.

    One query (the page, whose rows carry the count of the threads listed and the unread
    markers) whatever the page size, plus the cached role lookup; a page past the last asks
    the count, then the last page. The opening post's status and the reply count are the
    thread's own copies, so no query reads the posts for them: the cost follows the set's
    threads, not the site's posts.
    """
    per_page = max(1, per_page)
    moderates = permissions.can_moderate(viewer, learning_set)
    signed_in = permissions.is_signed_in(viewer)
    if signed_in:
        build = _summaries_for_moderator if moderates else _summaries_for_reader
        (count, query), values = permissions.for_viewer(build, viewer)
    else:
        (count, query), values = _summaries_for_visitor(), {}
    values = {**values, "set_id": learning_set.id, "limit": per_page}

    page = max(1, page)
    offset = (page - 1) * per_page
    # An offset past a 32-bit integer (page=10**12 in an address) is past the last page on
    # any site, and PostgreSQL refuses it as a parameter: ask the count instead.
    rows = session.execute(query, {**values, "offset": offset}).all() \
        if offset <= _MAX_OFFSET else []
    if rows:
        total = rows[0][8]
    elif page == 1:
        total = 0
    else:
        total = session.scalar(count, values) or 0
        last = max(1, math.ceil(total / per_page))
        if last < page:
            page = last
            rows = session.execute(query, {**values, "offset": (page - 1) * per_page}).all()
    pages = max(1, math.ceil(total / per_page))
    items = [_summary(row, signed_in) for row in rows]
    return ThreadPage(items=items, page=page, pages=pages, total=total)
