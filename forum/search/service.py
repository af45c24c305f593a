"""Search across everything the searcher may read: posts and thread titles.

Matching is the engine's (:mod:`forum.search.engine`); who may see a match is the one rule in
:mod:`forum.permissions` (``visible_posts_filter``, ``visible_threads_filter``), applied in the
same query, so nothing the searcher may not read is ranked, counted or shown.
"""

from __future__ import annotations

import enum
import math
from dataclasses import dataclass
from dataclasses import field
from datetime import date
from datetime import datetime
from datetime import time
from datetime import timedelta

from markupsafe import Markup
from sqlalchemy import ColumnElement
from sqlalchemy import Select
from sqlalchemy import func
from sqlalchemy import literal
from sqlalchemy import select
from sqlalchemy import union_all
from sqlalchemy.orm import Session

from forum import permissions
from forum.models import LearningSet
from forum.models import Post
from forum.models import PostStatus
from forum.models import Thread
from forum.models import User
from forum.permissions import AnyUser
from forum.search.engine import engine_for
from forum.search.query import ParsedQuery


class ResultKind(enum.StrEnum):
    POST = "post"
    THREAD = "thread"


KIND_LABELS = {"": "Posts and threads", ResultKind.POST: "Posts",
               ResultKind.THREAD: "Thread titles"}


@dataclass(frozen=True)
class Filters:
    learning_set: LearningSet | None = None
    author: str = ""
    kind: ResultKind | None = None
    date_from: date | None = None
    date_to: date | None = None


@dataclass(frozen=True)
class Result:
    kind: ResultKind
    post_id: int | None
    thread_id: int
    thread_title: str
    set_name: str
    set_slug: str
    author_name: str
    created_at: datetime
    snippet: Markup
    status: PostStatus = PostStatus.APPROVED


@dataclass(frozen=True)
class SearchPage:
    results: list[Result] = field(default_factory=list)
    total: int = 0
    page: int = 1
    pages: int = 1


def _like(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _post_candidates(user: AnyUser, matches: Select, filters: Filters) -> Select:
    hit = matches.subquery("post_hits")
    query = (select(literal(ResultKind.POST.value).label("kind"), Post.id.label("id"),
                    hit.c.rank.label("rank"), Post.created_at.label("created_at"))
             .join(hit, hit.c.id == Post.id)
             .join(Thread, Thread.id == Post.thread_id)
             .where(permissions.visible_posts_filter(user)))
    return _filtered(query, filters, Post.author_id, Post.created_at)


def _thread_candidates(user: AnyUser, matches: Select, filters: Filters) -> Select:
    hit = matches.subquery("thread_hits")
    query = (select(literal(ResultKind.THREAD.value).label("kind"), Thread.id.label("id"),
                    hit.c.rank.label("rank"), Thread.created_at.label("created_at"))
             .join(hit, hit.c.id == Thread.id)
             .where(permissions.visible_threads_filter(user)))
    return _filtered(query, filters, Thread.author_id, Thread.created_at)


def _filtered(query: Select, filters: Filters, author_id: ColumnElement,
              created_at: ColumnElement) -> Select:
    if filters.learning_set is not None:
        query = query.where(Thread.learning_set_id == filters.learning_set.id)
    if filters.author:
        query = query.where(author_id.in_(
            select(User.id).where(User.display_name.ilike(_like(filters.author), escape="\\"))
            .correlate(None)))
    if filters.date_from is not None:
        query = query.where(created_at >= datetime.combine(filters.date_from, time.min))
    if filters.date_to is not None:
        query = query.where(created_at < datetime.combine(filters.date_to + timedelta(days=1),
                                                          time.min))
    return query


def search(session: Session, user: AnyUser, query: ParsedQuery, filters: Filters, *,
           page: int, per_page: int = 20) -> SearchPage:
    """One page of what the user may read that matches, best first.

    Raises :class:`forum.search.engine.TooCommon` when no word of the query can be searched.
    """
    engine = engine_for(session, query)
    parts = []
    if filters.kind in (None, ResultKind.THREAD):
        parts.append(_thread_candidates(user, engine.thread_matches(), filters))
    if filters.kind in (None, ResultKind.POST):
        parts.append(_post_candidates(user, engine.post_matches(), filters))
    candidates = (union_all(*parts) if len(parts) > 1 else parts[0]).subquery("candidates")
    total = session.scalar(select(func.count()).select_from(candidates)) or 0
    pages = max(1, math.ceil(total / per_page))
    page = min(max(1, page), pages)
    rows = session.execute(
        select(candidates.c.kind, candidates.c.id)
        .order_by(candidates.c.rank, candidates.c.created_at.desc(), candidates.c.id.desc())
        .limit(per_page).offset((page - 1) * per_page)).all()
    post_ids = [row.id for row in rows if row.kind == ResultKind.POST]
    thread_ids = [row.id for row in rows if row.kind == ResultKind.THREAD]
    return SearchPage(results=_results(session, engine, rows, post_ids, thread_ids),
                      total=total, page=page, pages=pages)


def _results(session: Session, engine, rows, post_ids: list[int],
             thread_ids: list[int]) -> list[Result]:
    posts = {}
    if post_ids:
        for post, thread, learning_set, author in session.execute(
                select(Post, Thread, LearningSet, User)
                .join(Thread, Thread.id == Post.thread_id)
                .join(LearningSet, LearningSet.id == Thread.learning_set_id)
                .outerjoin(User, User.id == Post.author_id)
                .where(Post.id.in_(post_ids))):
            posts[post.id] = (post, thread, learning_set, author)
    threads = {}
    if thread_ids:
        for thread, learning_set, author in session.execute(
                select(Thread, LearningSet, User)
                .join(LearningSet, LearningSet.id == Thread.learning_set_id)
                .outerjoin(User, User.id == Thread.author_id)
                .where(Thread.id.in_(thread_ids))):
            threads[thread.id] = (thread, learning_set, author)
    post_snippets = engine.post_snippets(session, post_ids)
    thread_snippets = engine.thread_snippets(session, thread_ids)
    results = []
    for row in rows:
        if row.kind == ResultKind.POST:
            post, thread, learning_set, author = posts[row.id]
            results.append(Result(
                kind=ResultKind.POST, post_id=post.id, thread_id=thread.id,
                thread_title=thread.title, set_name=learning_set.name,
                set_slug=learning_set.slug,
                author_name=author.display_name if author else "A former member",
                created_at=post.created_at, snippet=post_snippets.get(post.id, Markup("")),
                status=post.status))
        else:
            thread, learning_set, author = threads[row.id]
            results.append(Result(
                kind=ResultKind.THREAD, post_id=None, thread_id=thread.id,
                thread_title=thread.title, set_name=learning_set.name,
                set_slug=learning_set.slug,
                author_name=author.display_name if author else "A former member",
                created_at=thread.created_at,
                snippet=thread_snippets.get(thread.id, Markup(""))))
    return results


def searchable_sets(session: Session, user: AnyUser) -> list[LearningSet]:
    """The sets a searcher may choose to search within: those they can read."""
    return list(session.scalars(select(LearningSet)
                                .where(permissions.readable_sets_filter(user))
                                .order_by(LearningSet.name)))
