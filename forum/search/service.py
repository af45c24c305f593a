"""Search across everything the searcher may read: posts, thread titles, published guides
and events.

Matching is the engine's (:mod:`forum.search.engine`); who may see a match is the one rule in
:mod:`forum.permissions` (``visible_posts_filter``, ``visible_threads_filter``), applied in the
same query, so nothing the searcher may not read is ranked, counted or shown. Guides are
searched as published (``published_guides_filter``, excerpts withheld as on their page), events
by ``visible_events_filter``.
"""

from __future__ import annotations

import enum
import functools
import math
from collections.abc import Callable
from dataclasses import dataclass
from dataclasses import field
from datetime import date
from datetime import datetime
from datetime import time
from datetime import timedelta
from typing import Any

from markupsafe import Markup
from sqlalchemy import ColumnElement
from sqlalchemy import DateTime
from sqlalchemy import Integer
from sqlalchemy import Row
from sqlalchemy import Select
from sqlalchemy import String
from sqlalchemy import bindparam
from sqlalchemy import func
from sqlalchemy import literal
from sqlalchemy import or_
from sqlalchemy import select
from sqlalchemy import union_all
from sqlalchemy.orm import Session
from sqlalchemy.orm import aliased

from forum import permissions
from forum.models import Event
from forum.models import EventSet
from forum.models import Guide
from forum.models import GuideSearchEntry
from forum.models import GuideVersion
from forum.models import LearningSet
from forum.models import Post
from forum.models import PostStatus
from forum.models import Thread
from forum.models import User
from forum.permissions import AnyUser
from forum.search.engine import Engine
from forum.search.engine import PostgresEngine
from forum.search.engine import SqliteEngine
from forum.search.engine import engine_for
from forum.search.query import ParsedQuery
from forum.times import to_local
from forum.times import to_utc

COUNT_CAP = 1000
# Posts ranked per search: the newest this many matching posts the searcher may read. A common
# word matches a large share of all posts (on a 1,000,000-post forum, ~170,000), and ranking
# every match costs seconds; the newest matches come from the index in id order and stop early.
POST_WINDOW = 1000
# On PostgreSQL the window is first looked for among this many newest post ids, each read
# (see _post_window): what is found there tells how dense the matches are.
NEWEST_IDS = 2 * POST_WINDOW
# PostgreSQL, older posts: a match fetched through the index's bitmap costs about this many
# rows walked down the primary key (9 against 1.7 µs, bench/RESULTS.md, "Search on
# PostgreSQL: the set lists read once, plans for the words searched").
WALK_PER_MATCH = 5


class ResultKind(enum.StrEnum):
    POST = "post"
    THREAD = "thread"
    GUIDE = "guide"
    EVENT = "event"


KIND_LABELS = {"": "Everything", ResultKind.POST: "Posts",
               ResultKind.THREAD: "Thread titles", ResultKind.GUIDE: "Published guides",
               ResultKind.EVENT: "Events"}


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
    thread_id: int | None
    thread_title: str
    set_name: str
    set_slug: str
    author_name: str
    created_at: datetime
    snippet: Markup
    status: PostStatus = PostStatus.APPROVED
    # A guide: its address slug and the anchor of the matching section; an event: its id.
    guide_slug: str = ""
    anchor: str = ""
    event_id: int | None = None


@dataclass(frozen=True)
class Candidate:
    kind: str
    id: int
    rank: float
    created_at: datetime | None


def _best_first(candidates: list[Candidate]) -> list[Candidate]:
    """Best rank first; among equal ranks the newest, then the highest id."""
    ordered = sorted(candidates, key=lambda found: found.id, reverse=True)
    ordered.sort(key=lambda found: found.created_at or datetime.min, reverse=True)
    ordered.sort(key=lambda found: found.rank)
    return ordered


@dataclass(frozen=True)
class SearchPage:
    results: list[Result] = field(default_factory=list)
    total: int = 0
    page: int = 1
    pages: int = 1
    more: bool = False  # more than ``total`` (COUNT_CAP) match: only those are paged through
    # More posts the searcher may read match than POST_WINDOW: only the newest were ranked.
    windowed: bool = False


def _like(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


# The filters' values are named parameters, so a statement built once (SQLite,
# _ranking_statement) runs with each search's own values (_filter_parameters).
def _filter_parameters(filters: Filters) -> dict[str, object]:
    values: dict[str, object] = {}
    if filters.learning_set is not None:
        values["set_id"] = filters.learning_set.id
    if filters.author:
        values["author_like"] = _like(filters.author)
    # Days on UK clocks, as the results show them: from midnight UK time (stored times are
    # UTC; a post at 00:30 BST on 1 July is on 1 July, not 30 June). UK clocks change at
    # 01:00 or 02:00, so midnight always exists once.
    if filters.date_from is not None:
        values["date_from"] = to_utc(filters.date_from, time.min)
    if filters.date_to is not None:
        values["date_to"] = to_utc(filters.date_to + timedelta(days=1), time.min)
    return values


_FILTER_TYPES = {"set_id": Integer(), "author_like": String(), "date_from": DateTime(),
                 "date_to": DateTime()}


def _filter_value(filters: Filters, name: str) -> ColumnElement:
    if isinstance(filters, _Form):
        return bindparam(name, type_=_FILTER_TYPES[name], required=True)
    return bindparam(name, _filter_parameters(filters)[name])


def _in_set(filters: Filters, learning_set_id: ColumnElement) -> ColumnElement[bool] | None:
    if filters.learning_set is None:
        return None
    return learning_set_id == _filter_value(filters, "set_id")


def _post_matches(user: AnyUser, columns: list, filters: Filters, *, per_post_rule: bool,
                  hit=None, found: ColumnElement[bool] | None = None) -> Select:
    """The posts the user may read among the engine's matches: ``hit`` (a subquery of
    matching ids, joined) or ``found`` (PostgreSQL: the match on the posts' own rows)."""
    # The same rule in two forms (bench/RESULTS.md, "Search: the post rule per post"): per
    # post checks each match against its own (joined) thread and a short list of set ids,
    # instead of first listing every thread the user may open. Given that form for a
    # common query over all posts, PostgreSQL misjudges how many matches it keeps and builds
    # the bitmap of every match (1.2 s against 0.24 s for "councillor briefings"), so
    # _post_window chooses the form there.
    # Within one set the set lists stay a subquery: with them as arrays PostgreSQL took the
    # set for a handful of threads and read all its posts even for a rare word (23 against
    # 2 ms through the word's index entries).
    rule = (permissions.visible_posts_in_thread_filter(user,
                                                       listed=filters.learning_set is None)
            if per_post_rule else permissions.visible_posts_filter(user))
    query = select(*columns).select_from(Post)
    if hit is not None:
        query = query.join(hit, hit.c.id == Post.id)
    query = query.join(Thread, Thread.id == Post.thread_id).where(rule)
    if found is not None:
        query = query.where(found)
    return _filtered(query, filters, _in_set(filters, Thread.learning_set_id), Post.author_id,
                     Post.created_at)


def _post_window(session: Session, user: AnyUser, engine: Engine,
                 filters: Filters) -> tuple[list[Candidate], bool]:
    """The newest POST_WINDOW matching posts the user may read, ranked, and whether more match.

    Read newest first in the index's own order (the FTS5 rowid, the posts' primary key), so
    the database stops after POST_WINDOW + 1 visible matches instead of ranking every one;
    the permission rule applies before the window, so posts the user may not read neither
    take a place in it nor tell that they exist."""
    if session.get_bind().dialect.name != "postgresql" or filters.learning_set is not None:
        # SQLite: within one set the index itself gives that set's matches (the engine's
        # scope). PostgreSQL: a set is a small share of all posts, read through its threads,
        # each post's vector checked against the query (joined: on the posts' own rows
        # PostgreSQL chose a BitmapAnd of each thread's posts with the whole GIN index).
        in_set = filters.learning_set.id if filters.learning_set is not None else None
        hit = engine.matches("posts", in_set).subquery("post_hits")
        rows = session.execute(
            _post_matches(user, [Post.id, hit.c.rank, Post.created_at], filters,
                          per_post_rule=True, hit=hit)
            .order_by(hit.c.id.desc()).limit(POST_WINDOW + 1)).all()
    else:
        # The match on the posts' own rows: no second lookup of each candidate by its id.
        # First the NEWEST_IDS newest posts, read newest first and each checked (PostgreSQL
        # estimates how many posts match from each word alone, and for common words that
        # occur together it listed every match from the index, 60 ms for three words); then,
        # if the window is not full, the older posts: walked the same way until it is, or
        # every older match fetched from the index and sorted, whichever reads fewer rows
        # at the density of matches found among the newest.
        assert isinstance(engine, PostgresEngine)
        indexed, rank = engine.on_table("posts")
        walked, _rank = engine.on_table("posts", indexed=False)

        def window(match: ColumnElement[bool], *where: ColumnElement[bool]) -> Select:
            return (_post_matches(user, [Post.id, rank, Post.created_at], filters,
                                  per_post_rule=True, found=match).where(*where))

        bound = (session.scalar(select(func.max(Post.id))) or 0) - NEWEST_IDS
        rows = session.execute(window(walked, Post.id > bound).order_by(Post.id.desc())
                               .limit(POST_WINDOW + 1)).all()
        if len(rows) <= POST_WINDOW and bound > 0:
            needed = POST_WINDOW + 1 - len(rows)
            if _walk_older(len(rows), needed, bound):
                older = window(walked, Post.id <= bound).order_by(Post.id.desc())
            else:
                # "id + 0": ordered by the key, PostgreSQL would walk down it all the same,
                # expecting the matches it estimates from the word alone to come early.
                older = window(indexed, Post.id <= bound).order_by((Post.id + 0).desc())
            rows += session.execute(older.limit(needed)).all()
    return ([Candidate(ResultKind.POST.value, row[0], row[1], row[2])
             for row in rows[:POST_WINDOW]], len(rows) > POST_WINDOW)


def _walk_older(newest: int, needed: int, bound: int) -> bool:
    """PostgreSQL: walk down the older posts rather than fetch all their matches, given
    ``newest`` matches found among the NEWEST_IDS newest posts, ``needed`` more wanted and
    ``bound`` older posts."""
    if not newest:
        return False
    walked = needed * NEWEST_IDS / newest
    return walked < WALK_PER_MATCH * newest * bound / NEWEST_IDS


def _thread_candidates(user: AnyUser, engine: Engine, filters: Filters) -> Select:
    columns = [literal(ResultKind.THREAD.value).label("kind"), Thread.id.label("id")]
    rule = permissions.visible_threads_filter(user, listed=True)
    if isinstance(engine, PostgresEngine):
        # The match on the threads' own rows: joined back by id, PostgreSQL hashed every
        # thread the member may open (8,600) against the 1,250 title matches (15 ms).
        found, rank = engine.on_table("threads")
        query = (select(*columns, rank.label("rank"),
                        Thread.created_at.label("created_at"))
                 .where(found, rule))
    else:
        hit = engine.matches("threads").subquery("thread_hits")
        query = (select(*columns, hit.c.rank.label("rank"),
                        Thread.created_at.label("created_at"))
                 .join(hit, hit.c.id == Thread.id)
                 .where(rule))
    return _filtered(query, filters, _in_set(filters, Thread.learning_set_id), Thread.author_id,
                     Thread.created_at)


def _guide_entries(user: AnyUser, matches: Select, filters: Filters) -> Select:
    """(entry id, guide id, rank) of the matching pieces of published guides the user may
    read, leaving out excerpts the published page withholds."""
    hit = matches.subquery("guide_hits")
    # Aliased: the published-guide rule has its own (correlated) look at the versions.
    version = aliased(GuideVersion)
    query = (select(GuideSearchEntry.id.label("entry_id"),
                    GuideSearchEntry.guide_id.label("guide_id"), hit.c.rank.label("rank"),
                    version.published_at.label("published_at"))
             .join(hit, hit.c.id == GuideSearchEntry.id)
             .join(Guide, Guide.id == GuideSearchEntry.guide_id)
             .join(version, version.id == GuideSearchEntry.version_id)
             .where(permissions.published_guides_filter(user),
                    # The excerpt's own post, looked up by its key: `post_id IN (every
                    # quotable post)` listed all 1,000,000 posts' ids (SQLite's LIST
                    # SUBQUERY, PostgreSQL's materialised scan of posts) for the first match.
                    or_(GuideSearchEntry.post_id.is_(None),
                        select(Post.id).where(Post.id == GuideSearchEntry.post_id,
                                              permissions.quotable_posts_filter())
                        .exists())))
    return _filtered(query, filters, _in_set(filters, Guide.learning_set_id),
                     version.published_by_id, version.published_at)


def _guide_candidates(user: AnyUser, matches: Select, filters: Filters) -> Select:
    entries = _guide_entries(user, matches, filters).subquery("guide_entries")
    return (select(literal(ResultKind.GUIDE.value).label("kind"),
                   entries.c.guide_id.label("id"), func.min(entries.c.rank).label("rank"),
                   func.max(entries.c.published_at).label("created_at"))
            .group_by(entries.c.guide_id))


def _event_candidates(user: AnyUser, matches: Select, filters: Filters) -> Select:
    hit = matches.subquery("event_hits")
    query = (select(literal(ResultKind.EVENT.value).label("kind"), Event.id.label("id"),
                    hit.c.rank.label("rank"), Event.created_at.label("created_at"))
             .join(hit, hit.c.id == Event.id)
             .where(permissions.visible_events_filter(user)))
    in_set = None
    if filters.learning_set is not None:
        in_set = Event.id.in_(select(EventSet.event_id).where(
            EventSet.learning_set_id == _filter_value(filters, "set_id")).correlate(None))
    return _filtered(query, filters, in_set, Event.created_by_id, Event.created_at)


def _filtered(query: Select, filters: Filters, in_set: ColumnElement[bool] | None,
              author_id: ColumnElement, created_at: ColumnElement) -> Select:
    if in_set is not None:
        query = query.where(in_set)
    if filters.author:
        query = query.where(author_id.in_(
            select(User.id).where(User.display_name.ilike(_filter_value(filters, "author_like"),
                                                          escape="\\"))
            .correlate(None)))
    if filters.date_from is not None:
        query = query.where(created_at >= _filter_value(filters, "date_from"))
    if filters.date_to is not None:
        query = query.where(created_at < _filter_value(filters, "date_to"))
    return query


def search(session: Session, user: AnyUser, query: ParsedQuery, filters: Filters, *,
           page: int, per_page: int = 20) -> SearchPage:
    """One page of what the user may read that matches, best first.

    Raises :class:`forum.search.engine.TooCommon` when no word of the query can be searched.
    """
    engine = engine_for(session, query)
    # Page numbers stop where the count does: no page past COUNT_CAP is ever shown.
    page = min(max(1, page), max(1, math.ceil(COUNT_CAP / per_page)))
    if isinstance(engine, SqliteEngine):
        best, matched, windowed = _best_in_sql(session, user, engine, filters,
                                               wanted=page * per_page)
    else:
        best, matched, windowed = _best_in_python(session, user, engine, filters)
    more = matched > COUNT_CAP or windowed
    total = min(matched, COUNT_CAP)
    pages = max(1, math.ceil(total / per_page))
    page = min(page, pages)
    rows = best[(page - 1) * per_page:page * per_page]
    ids = {kind: [row.id for row in rows if row.kind == kind] for kind in ResultKind}
    found = _results(session, engine, rows, ids[ResultKind.POST], ids[ResultKind.THREAD])
    found.update(_guide_results(session, engine, user, filters, ids[ResultKind.GUIDE]))
    found.update(_event_results(session, engine, ids[ResultKind.EVENT]))
    return SearchPage(results=[found[(row.kind, row.id)] for row in rows],
                      total=total, page=page, pages=pages, more=more, windowed=windowed)


def _other_candidates(user: AnyUser, engine: Engine, filters: Filters) -> list[Select]:
    """The matching thread titles, guides and events the user may read (as the filters
    ask), each part (kind, id, rank, created_at)."""
    parts = []
    if filters.kind in (None, ResultKind.THREAD):
        parts.append(_thread_candidates(user, engine, filters))
    if filters.kind in (None, ResultKind.GUIDE):
        parts.append(_guide_candidates(user, engine.matches("guide_search_entries"), filters))
    if filters.kind in (None, ResultKind.EVENT):
        parts.append(_event_candidates(user, engine.matches("events"), filters))
    return parts


def _best_order(rows) -> list[ColumnElement]:
    """:func:`_best_first` as an ORDER BY over ``rows`` (kind, id, rank, created_at)."""
    return [rows.c.rank, rows.c.created_at.desc(), rows.c.id.desc()]


def _best_in_python(session: Session, user: AnyUser, engine: Engine,
                    filters: Filters) -> tuple[list[Candidate], int, bool]:
    """Every candidate, best first, how many there are, and whether the post window was
    full: the thread, guide and event matches (at most COUNT_CAP + 1) and the post window
    are read, then merged here (PostgreSQL, whose post window takes two steps)."""
    parts = _other_candidates(user, engine, filters)
    found: list[Candidate] = []
    if parts:
        # Counting stops after COUNT_CAP matches: a count of every visible match of a common
        # word costs a full pass over them, and "more than 1,000" says as much.
        candidates = (union_all(*parts) if len(parts) > 1 else parts[0]).subquery("candidates")
        found = [Candidate(*row) for row in session.execute(
            select(candidates.c.kind, candidates.c.id, candidates.c.rank,
                   candidates.c.created_at)
            .order_by(*_best_order(candidates))
            .limit(COUNT_CAP + 1))]
    windowed = False
    if filters.kind in (None, ResultKind.POST):
        window, windowed = _post_window(session, user, engine, filters)
        found = _best_first(found + window)
    return found, len(found), windowed


def _best_in_sql(session: Session, user: AnyUser, engine: SqliteEngine, filters: Filters, *,
                 wanted: int) -> tuple[list[Candidate], int, bool]:
    """The best ``wanted`` candidates, how many there are (as :func:`_best_in_python`
    counts them), and whether the post window was full, in ONE statement (SQLite), built
    once per form of search (:func:`_ranking_statement`) and run with this search's words
    and filters."""
    form = _Form.of(filters)
    if permissions.is_signed_in(user):
        statement, parameters = permissions.for_viewer(_ranking_builder(form), user)
    else:
        statement = _visitor_statements.get(form)
        if statement is None:
            statement = _visitor_statements.setdefault(form, _ranking_statement(user, form))
        parameters = {}
    in_set = filters.learning_set.id if filters.learning_set is not None else None
    rows = session.execute(statement, {**parameters, **engine.parameters(in_set),
                                       **_filter_parameters(filters), "wanted": wanted,
                                       "count_cap": COUNT_CAP, "post_window": POST_WINDOW}
                           ).all()
    if not rows:
        return [], 0, False
    return ([Candidate(row[0], row[1], row[2], row[3]) for row in rows], rows[0].matched,
            rows[0].window > POST_WINDOW)


@dataclass(frozen=True)
class _Form(Filters):
    """Filters standing for every search of one form (which kinds, which filters are set):
    their values are parameters given at each run (:func:`_filter_parameters`)."""

    @classmethod
    def of(cls, filters: Filters) -> _Form:
        return cls(learning_set=_ANY_SET if filters.learning_set is not None else None,
                   author="…" if filters.author else "", kind=filters.kind,
                   date_from=date.min if filters.date_from is not None else None,
                   date_to=date.min if filters.date_to is not None else None)


_ANY_SET: Any = object()
# COUNT_CAP and POST_WINDOW, given at each run.
_SIZES = {name: bindparam(name, type_=Integer, required=True)
          for name in ("count_cap", "post_window")}
_visitor_statements: dict[_Form, Select] = {}


@functools.cache
def _ranking_builder(form: _Form) -> Callable[[AnyUser], Select]:
    """One builder per form, so :func:`forum.permissions.for_viewer` keeps a statement per
    form and kind of viewer."""
    return functools.partial(_ranking_statement, form=form)


def _ranking_statement(user: AnyUser, form: _Form) -> Select:
    """(kind, id, rank, created_at, matched, window) of the best ``wanted`` candidates: the
    same thread, guide and event matches and post window as :func:`_best_in_python`, merged,
    ordered and counted by the database, so only the rows up to the page shown reach Python
    (not 2,000 rows for a common word), and the statement is built once, not per search."""
    engine = SqliteEngine(None)
    parts = _other_candidates(user, engine, form)
    chosen: list[Select] = []
    counts: list[ColumnElement] = []
    if parts:
        union = (union_all(*parts) if len(parts) > 1 else parts[0]).subquery("candidates")
        others = (select(union.c.kind, union.c.id, union.c.rank, union.c.created_at)
                  .order_by(*_best_order(union)).limit(_SIZES["count_cap"] + 1).cte("others"))
        chosen.append(select(others.c.kind, others.c.id, others.c.rank, others.c.created_at))
        counts.append(select(func.count()).select_from(others).scalar_subquery())
    window_count: ColumnElement = literal(0)
    if form.kind in (None, ResultKind.POST):
        # Within a set the engine's match holds the set (the index gives that set's posts).
        hit = engine.matches("posts").subquery("post_hits")
        columns = [Post.id.label("id"), hit.c.rank.label("rank"),
                   Post.created_at.label("created_at")]
        # Newest first in the index's own order (FTS5 walks the words' rowids backwards and
        # stops after POST_WINDOW + 1 readable matches); the last one only tells that more
        # match, and takes no place in the ranking.
        window = (_post_matches(user, columns, form, per_post_rule=True, hit=hit)
                  .order_by(hit.c.id.desc()).limit(_SIZES["post_window"] + 1)
                  .cte("post_window"))
        numbered = select(window.c.id, window.c.rank, window.c.created_at,
                          func.row_number().over(order_by=window.c.id.desc()).label("number")
                          ).subquery("numbered")
        chosen.append(select(literal(ResultKind.POST.value).label("kind"), numbered.c.id,
                             numbered.c.rank, numbered.c.created_at)
                      .where(numbered.c.number <= _SIZES["post_window"]))
        window_count = select(func.count()).select_from(window).scalar_subquery()
        counts.append(func.min(window_count, _SIZES["post_window"]))
    merged = (union_all(*chosen) if len(chosen) > 1 else chosen[0]).subquery("found")
    matched = counts[0] if len(counts) == 1 else counts[0] + counts[1]
    return (select(merged.c.kind, merged.c.id, merged.c.rank, merged.c.created_at,
                   matched.label("matched"), window_count.label("window"))
            .order_by(*_best_order(merged), merged.c.kind)
            .limit(bindparam("wanted", type_=Integer, required=True)))


def _results(session: Session, engine, rows, post_ids: list[int],
             thread_ids: list[int]) -> dict[tuple[str, int], Result]:
    posts = {}
    if post_ids:
        posts = {row.id: row for row in session.execute(_post_details(), {"ids": post_ids})}
    threads = {}
    if thread_ids:
        threads = {row.id: row for row in session.execute(_thread_details(),
                                                          {"ids": thread_ids})}
    post_snippets = engine.post_snippets(session, post_ids)
    thread_snippets = engine.thread_snippets(session, thread_ids)
    results = {}
    for row in rows:
        if row.kind == ResultKind.POST:
            post = posts[row.id]
            results[(row.kind, row.id)] = (Result(
                kind=ResultKind.POST, post_id=post.id, thread_id=post.thread_id,
                thread_title=post.title, set_name=post.set_name, set_slug=post.set_slug,
                author_name=_author_name(post), created_at=post.created_at,
                snippet=post_snippets.get(post.id, Markup("")), status=post.status))
        elif row.kind == ResultKind.THREAD:
            thread = threads[row.id]
            results[(row.kind, row.id)] = (Result(
                kind=ResultKind.THREAD, post_id=None, thread_id=thread.id,
                thread_title=thread.title, set_name=thread.set_name,
                set_slug=thread.set_slug, author_name=_author_name(thread),
                created_at=thread.created_at,
                snippet=thread_snippets.get(thread.id, Markup(""))))
    return results


def _author_name(row) -> str:
    return row.author_name if row.author_id is not None else "A former member"


# What a result shows of the posts and threads on the page, by id: columns, not whole rows
# of four tables, from statements built once.
@functools.cache
def _post_details() -> Select:
    return (select(Post.id, Post.thread_id, Post.created_at, Post.status, Thread.title,
                   LearningSet.name.label("set_name"), LearningSet.slug.label("set_slug"),
                   User.id.label("author_id"), User.display_name.label("author_name"))
            .join(Thread, Thread.id == Post.thread_id)
            .join(LearningSet, LearningSet.id == Thread.learning_set_id)
            .outerjoin(User, User.id == Post.author_id)
            .where(Post.id.in_(bindparam("ids", expanding=True))))


@functools.cache
def _thread_details() -> Select:
    return (select(Thread.id, Thread.title, Thread.created_at,
                   LearningSet.name.label("set_name"), LearningSet.slug.label("set_slug"),
                   User.id.label("author_id"), User.display_name.label("author_name"))
            .join(LearningSet, LearningSet.id == Thread.learning_set_id)
            .outerjoin(User, User.id == Thread.author_id)
            .where(Thread.id.in_(bindparam("ids", expanding=True))))


def _guide_results(session: Session, engine, user: AnyUser, filters: Filters,
                   guide_ids: list[int]) -> dict[tuple[str, int], Result]:
    """Each guide with the snippet and section of its best matching piece the user may read."""
    if not guide_ids:
        return {}
    entries = _guide_entries(user, engine.matches("guide_search_entries"), filters).subquery()
    best: dict[int, int] = {}
    for entry_id, guide_id in session.execute(
            select(entries.c.entry_id, entries.c.guide_id)
            .where(entries.c.guide_id.in_(guide_ids))
            .order_by(entries.c.rank, entries.c.entry_id)):
        best.setdefault(guide_id, entry_id)
    snippets = engine.snippets(session, "guide_search_entries", best.values())
    results = {}
    for guide, learning_set, version, entry in session.execute(
            select(Guide, LearningSet, GuideVersion, GuideSearchEntry)
            .join(LearningSet, LearningSet.id == Guide.learning_set_id)
            .join(GuideSearchEntry, GuideSearchEntry.guide_id == Guide.id)
            .join(GuideVersion, GuideVersion.id == GuideSearchEntry.version_id)
            .where(GuideSearchEntry.id.in_(list(best.values())))):
        results[(ResultKind.GUIDE.value, guide.id)] = Result(
            kind=ResultKind.GUIDE, post_id=None, thread_id=None,
            thread_title=version.document.get("title", guide.title),
            set_name=learning_set.name, set_slug=learning_set.slug,
            author_name="", created_at=version.published_at,
            snippet=snippets.get(entry.id, Markup("")), guide_slug=guide.slug,
            anchor=entry.anchor)
    return results


def _event_results(session: Session, engine, event_ids: list[int]
                   ) -> dict[tuple[str, int], Result]:
    if not event_ids:
        return {}
    snippets = engine.snippets(session, "events", event_ids)
    return {(ResultKind.EVENT.value, event.id): Result(
        kind=ResultKind.EVENT, post_id=None, thread_id=None, thread_title=event.title,
        set_name="", set_slug="", author_name="",
        created_at=to_local(event.starts_at, event.timezone).replace(tzinfo=None),
        snippet=snippets.get(event.id, Markup("")), event_id=event.id)
        for event in session.scalars(select(Event).where(Event.id.in_(event_ids)))}


def searchable_sets(session: Session, user: AnyUser) -> list[Row]:
    """The sets a searcher may choose to search within, those they can read: (id, slug,
    name), all the form shows (an admin reads every set: 200 on the large seed)."""
    return list(session.execute(select(LearningSet.id, LearningSet.slug, LearningSet.name)
                                .where(permissions.readable_sets_filter(user))
                                .order_by(LearningSet.name)))
