"""One interface over the two databases' full-text search: which rows match, how well, and a
highlighted snippet. :mod:`forum.search.service` decides who may see them."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol

from markupsafe import Markup
from markupsafe import escape
from sqlalchemy import ColumnElement
from sqlalchemy import Select
from sqlalchemy import bindparam
from sqlalchemy import column
from sqlalchemy import func
from sqlalchemy import literal_column
from sqlalchemy import select
from sqlalchemy import table
from sqlalchemy.orm import Session

from forum.models import Post
from forum.models import Thread
from forum.search.query import ParsedQuery
from forum.search.query import fts5_query
from forum.search.schema import TS_CONFIG

# Snippet markers no text can contain (control characters are refused in posts and queries).
_START, _STOP = "\x02", "\x03"
SNIPPET_WORDS = 24


def highlight(snippet: str) -> Markup:
    """Escape a snippet, then mark the matched words (``<mark>``)."""
    return Markup(str(escape(snippet)).replace(_START, "<mark>").replace(_STOP, "</mark>"))


class TooCommon(ValueError):
    """Every word of the query is too common for the engine to search for."""


class Engine(Protocol):
    def post_matches(self) -> Select:
        """(id, rank) of matching posts; a lower rank is a better match."""

    def thread_matches(self) -> Select:
        """(id, rank) of threads whose title matches."""

    def post_snippets(self, session: Session, ids: Iterable[int]) -> dict[int, Markup]: ...

    def thread_snippets(self, session: Session, ids: Iterable[int]) -> dict[int, Markup]: ...


class SqliteEngine:
    """FTS5: ``MATCH`` with every term quoted, ``bm25()`` rank, ``snippet()``."""

    def __init__(self, query: ParsedQuery) -> None:
        self.match = fts5_query(query)

    def _matches(self, fts: str) -> Select:
        index = table(fts, column("rowid"), column(fts))
        return (select(index.c.rowid.label("id"), literal_column(f"bm25({fts})").label("rank"))
                .where(index.c[fts].op("MATCH")(bindparam(f"{fts}_match", self.match))))

    def post_matches(self) -> Select:
        return self._matches("post_search")

    def thread_matches(self) -> Select:
        return self._matches("thread_search")

    def _snippets(self, session: Session, fts: str, ids: Iterable[int]) -> dict[int, Markup]:
        ids = list(ids)
        if not ids:
            return {}
        index = table(fts, column("rowid"), column(fts))
        rows = session.execute(
            select(index.c.rowid, literal_column(
                f"snippet({fts}, 0, char(2), char(3), '…', {SNIPPET_WORDS})"))
            .where(index.c[fts].op("MATCH")(bindparam("match", self.match)),
                   index.c.rowid.in_(ids)))
        return {row[0]: highlight(row[1]) for row in rows}

    def post_snippets(self, session: Session, ids: Iterable[int]) -> dict[int, Markup]:
        return self._snippets(session, "post_search", ids)

    def thread_snippets(self, session: Session, ids: Iterable[int]) -> dict[int, Markup]:
        return self._snippets(session, "thread_search", ids)


class PostgresEngine:
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
        if not session.scalar(select(func.numnode(tsquery))):
            raise TooCommon("Those words are too common to search for: add a less common one.")

    def _matches(self, model: type) -> Select:
        vector = literal_column(f"{model.__tablename__}.search_vector")
        return (select(model.id.label("id"),
                       (-func.ts_rank_cd(vector, self.tsquery)).label("rank"))
                .where(vector.op("@@")(self.tsquery)))

    def post_matches(self) -> Select:
        return self._matches(Post)

    def thread_matches(self) -> Select:
        return self._matches(Thread)

    def _snippets(self, session: Session, model: type, text_column: ColumnElement,
                  ids: Iterable[int]) -> dict[int, Markup]:
        ids = list(ids)
        if not ids:
            return {}
        options = (f"StartSel={_START}, StopSel={_STOP}, MaxWords={SNIPPET_WORDS}, "
                   "MinWords=8, MaxFragments=2, FragmentDelimiter=\" … \"")
        rows = session.execute(
            select(model.id, func.ts_headline(self.config, text_column, self.tsquery,
                                              bindparam("options", options)))
            .where(model.id.in_(ids)))
        return {row[0]: highlight(row[1]) for row in rows}

    def post_snippets(self, session: Session, ids: Iterable[int]) -> dict[int, Markup]:
        return self._snippets(session, Post, Post.body_source, ids)

    def thread_snippets(self, session: Session, ids: Iterable[int]) -> dict[int, Markup]:
        return self._snippets(session, Thread, Thread.title, ids)


def engine_for(session: Session, query: ParsedQuery) -> Engine:
    if session.get_bind().dialect.name == "postgresql":
        return PostgresEngine(session, query)
    return SqliteEngine(query)
