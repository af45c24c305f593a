"""One interface over the two databases' full-text search: which rows match, how well, and a
highlighted snippet. :mod:`forum.search.service` decides who may see them."""

from __future__ import annotations

import functools
from collections.abc import Iterable
from typing import Protocol

from markupsafe import Markup
from markupsafe import escape
from sqlalchemy import ColumnElement
from sqlalchemy import Select
from sqlalchemy import String
from sqlalchemy import bindparam
from sqlalchemy import column
from sqlalchemy import func
from sqlalchemy import literal_column
from sqlalchemy import select
from sqlalchemy import table as sql_table
from sqlalchemy.orm import Session

from forum.search.query import ParsedQuery
from forum.search.query import fts5_query
from forum.search.schema import INDEXES
from forum.search.schema import SCOPE_COLUMN
from forum.search.schema import SCOPED
from forum.search.schema import TS_CONFIG
from forum.search.schema import postgres_document

# Snippet markers no text can contain (control characters are refused in posts and queries).
_START, _STOP = "\x02", "\x03"
SNIPPET_WORDS = 24


def highlight(snippet: str) -> Markup:
    """Escape a snippet, then mark the matched words (``<mark>``)."""
    return Markup(str(escape(snippet)).replace(_START, "<mark>").replace(_STOP, "</mark>"))


class TooCommon(ValueError):
    """Every word of the query is too common for the engine to search for."""


class Engine(Protocol):
    def matches(self, table: str, learning_set_id: int | None = None) -> Select:
        """(id, rank) of the matching rows of an indexed table (``posts``, ``threads``,
        ``guide_search_entries``, ``events``); a lower rank is a better match.

        ``learning_set_id`` (posts only): the engine may leave out posts of other sets early
        (SQLite's index holds each post's set); the caller still filters by set."""

    def snippets(self, session: Session, table: str, ids: Iterable[int]) -> dict[int, Markup]:
        """A highlighted snippet of each of the rows ``ids`` of ``table``."""

    def post_matches(self) -> Select: ...

    def thread_matches(self) -> Select: ...

    def post_snippets(self, session: Session, ids: Iterable[int]) -> dict[int, Markup]: ...

    def thread_snippets(self, session: Session, ids: Iterable[int]) -> dict[int, Markup]: ...


class _Shorthands:
    """Posts and threads by name (what the first search pages asked for)."""

    def post_matches(self) -> Select:
        return self.matches("posts")

    def thread_matches(self) -> Select:
        return self.matches("threads")

    def post_snippets(self, session: Session, ids: Iterable[int]) -> dict[int, Markup]:
        return self.snippets(session, "posts", ids)

    def thread_snippets(self, session: Session, ids: Iterable[int]) -> dict[int, Markup]:
        return self.snippets(session, "threads", ids)


_FTS_TABLES = {table: fts for fts, table, _columns in INDEXES}
_COLUMNS = {table: columns for _fts, table, columns in INDEXES}
# Matches that search groups (several pieces of one guide make one result).
_AGGREGATED = frozenset({"guide_search_entries"})


def _parameter(table: str) -> str:
    """The name of the parameter that holds the match text of ``table``'s index (SQLite)."""
    return f"{_FTS_TABLES[table]}_match"


class SqliteEngine(_Shorthands):
    """FTS5: ``MATCH`` with every term quoted, ``bm25()`` rank, ``snippet()``."""

    def __init__(self, query: ParsedQuery | None) -> None:
        # None: a blank engine, for statements built once and run with each search's
        # :meth:`parameters` (a match left without its text fails instead of running).
        self.match = fts5_query(query) if query is not None else None

    def parameters(self, learning_set_id: int | None = None) -> dict[str, str]:
        """Each index's match text, by the name of its parameter in :meth:`matches`."""
        return {_parameter(table): self._match(table, learning_set_id)
                for table in _FTS_TABLES}

    def _bound(self, table: str, learning_set_id: int | None) -> ColumnElement:
        if self.match is None:
            return bindparam(_parameter(table), type_=String, required=True)
        return bindparam(_parameter(table), self._match(table, learning_set_id))

    def _match(self, table: str, learning_set_id: int | None = None) -> str:
        assert self.match is not None
        if table not in SCOPED:
            return self.match
        match = self.match
        if any(char.isdigit() for char in match):
            # The scope column holds one token, the set's id: only a number could match it,
            # so only then are the words kept to the text column (a column filter makes
            # FTS5 read every match's positions, ~30% slower for two common words).
            match = f"{{{' '.join(_COLUMNS[table])}}} : ({match})"
        if learning_set_id is not None:
            match = f'{SCOPE_COLUMN} : "{int(learning_set_id)}" AND ({match})'
        return match

    def matches(self, table: str, learning_set_id: int | None = None) -> Select:
        fts = _FTS_TABLES[table]
        index = sql_table(fts, column("rowid"), column(fts))
        # The scope column weighs nothing in the rank.
        weights = ", 1.0, 0.0" if table in SCOPED else ""
        query = (select(index.c.rowid.label("id"),
                        literal_column(f"bm25({fts}{weights})").label("rank"))
                 .where(index.c[fts].op("MATCH")(
                     self._bound(table, learning_set_id))))
        if table in _AGGREGATED:
            # "LIMIT -1" keeps SQLite from flattening the match into a query that groups its
            # rows, where bm25() cannot be called.
            query = query.limit(-1)
        return query

    def snippets(self, session: Session, table: str, ids: Iterable[int]) -> dict[int, Markup]:
        ids = list(ids)
        if not ids:
            return {}
        rows = session.execute(_sqlite_snippets(table),
                               {"match": self._match(table), "ids": ids})
        return {row[0]: highlight(row[1]) for row in rows}


@functools.cache
def _sqlite_snippets(table: str) -> Select:
    """The snippets of some rows of ``table`` (built once: a search shows up to 20)."""
    fts = _FTS_TABLES[table]
    index = sql_table(fts, column("rowid"), column(fts))
    # Column -1: the column that matched best (events index three); 0: a post's text.
    snippet_column = 0 if table in SCOPED else -1
    return (select(index.c.rowid, literal_column(
                f"snippet({fts}, {snippet_column}, char(2), char(3), '…', {SNIPPET_WORDS})"))
            .where(index.c[fts].op("MATCH")(bindparam("match", type_=String, required=True)),
                   index.c.rowid.in_(bindparam("ids", expanding=True))))


class PostgresEngine(_Shorthands):
    """``tsvector`` columns with GIN indexes: ``@@``, ``ts_rank_cd``, ``ts_headline``."""

    def __init__(self, session: Session, query: ParsedQuery) -> None:
        config = literal_column(f"'{TS_CONFIG}'::regconfig")
        tsquery: ColumnElement | None = None
        for number, words in enumerate(query.required):
            term = func.phraseto_tsquery(config, bindparam(f"term_{number}", " ".join(words)))
            tsquery = term if tsquery is None else func.tsquery_and(tsquery, term)
        for number, words in enumerate(query.excluded):
            term = func.phraseto_tsquery(config, bindparam(f"not_{number}", " ".join(words)))
            tsquery = func.tsquery_and(tsquery, func.tsquery_not(term))
        self.config = config
        self.tsquery = tsquery
        # For the rest of the transaction (the search request), statements are planned for
        # their values. psycopg prepares a statement run 5 times on a connection, and
        # PostgreSQL may then plan it once for any value: search's statements are the same
        # text for every word, and a plan made without knowing whether a word is rare (a
        # bitmap of its matches) or common (a walk down the newest posts) took 0.6-1.6 s
        # for a rare word instead of 10-25 ms (bench/RESULTS.md, "Search on PostgreSQL: the
        # set lists read once, plans for the words searched"). And no parallel workers: a
        # walk down the newest posts that stops after 1,000 matches waited 40 ms for two
        # workers to start on a busy machine and did 20 ms of work. Asked in the same round
        # trip.
        nodes, _mode, _workers = session.execute(select(
            func.numnode(tsquery),
            func.set_config("plan_cache_mode", "force_custom_plan", True),
            func.set_config("max_parallel_workers_per_gather", "0", True))).one()
        if not nodes:
            raise TooCommon("Those words are too common to search for: add a less common one.")

    def matches(self, table: str, learning_set_id: int | None = None) -> Select:
        rows = sql_table(table, column("id"))
        vector = literal_column(f"{table}.search_vector")
        return (select(rows.c.id.label("id"),
                       (-func.ts_rank_cd(vector, self.tsquery)).label("rank"))
                .where(vector.op("@@")(self.tsquery)))

    def on_table(self, table: str, *, indexed: bool = True
                 ) -> tuple[ColumnElement[bool], ColumnElement[float]]:
        """The match and its rank as conditions on a query's own ``table`` (PostgreSQL only):
        no subquery over the same table joined back by id, which costs a second primary-key
        lookup of every candidate row. ``indexed=False``: the same match written as a
        function (``ts_match_vq``), which the GIN index cannot answer, so each row read in
        another order (newest first) is checked instead of every match being listed."""
        vector = literal_column(f"{table}.search_vector")
        match = (vector.op("@@")(self.tsquery) if indexed
                 else func.ts_match_vq(vector, self.tsquery))
        return match, -func.ts_rank_cd(vector, self.tsquery)

    def snippets(self, session: Session, table: str, ids: Iterable[int]) -> dict[int, Markup]:
        ids = list(ids)
        if not ids:
            return {}
        rows = sql_table(table, column("id"))
        options = (f"StartSel={_START}, StopSel={_STOP}, MaxWords={SNIPPET_WORDS}, "
                   "MinWords=8, MaxFragments=2, FragmentDelimiter=\" … \"")
        document = literal_column(postgres_document(_COLUMNS[table], f"{table}."))
        found = session.execute(
            select(rows.c.id, func.ts_headline(self.config, document, self.tsquery,
                                               bindparam("options", options)))
            .where(rows.c.id.in_(ids)))
        return {row[0]: highlight(row[1]) for row in found}


def engine_for(session: Session, query: ParsedQuery) -> Engine:
    if session.get_bind().dialect.name == "postgresql":
        return PostgresEngine(session, query)
    return SqliteEngine(query)
