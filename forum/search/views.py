"""``/search``: the results page, with the query and filters kept in the form."""

from __future__ import annotations

from datetime import date

from flask import render_template
from flask import request
from flask_login import current_user
from sqlalchemy import select

from forum import permissions
from forum.extensions import db
from forum.models import LearningSet
from forum.pagination import requested_page
from forum.search import bp
from forum.search import service
from forum.search.engine import TooCommon
from forum.search.query import QueryProblem
from forum.search.query import parse
from forum.threads.service import STATUS_TAGS
from forum.times import FIRST_YEAR
from forum.times import LAST_YEAR
from forum.times import OutOfYears
from forum.times import read_day

PER_PAGE = 20


def _arg(name: str) -> str:
    """A query-string value without control characters, whole: a value cut to a length
    would search for something else than the box then shows (a query too long to search
    for says so, see :func:`forum.search.query.parse`)."""
    value = request.args.get(name, "")
    return "".join(char for char in value if char >= " " and char != "\x7f")


def _date(name: str, label: str, problems: dict[str, str]) -> date | None:
    value = _arg(name).strip()
    if not value:
        return None
    try:
        return read_day(value)
    except OutOfYears:
        problems[name] = f"{label} must be in the years {FIRST_YEAR} to {LAST_YEAR}"
        return None
    except ValueError:
        problems[name] = f"{label} must be a real date, like 2026-03-31"
        return None


@bp.get("/search")
def results():
    raw = _arg("q")
    problems: dict[str, str] = {}
    sets = service.searchable_sets(db.session, current_user)
    slug = _arg("set")
    chosen = None
    if slug:
        chosen = db.session.scalar(select(LearningSet).where(LearningSet.slug == slug))
        if chosen is None or not permissions.can_view_set(current_user, chosen):
            chosen = None
            problems["set"] = "Choose a set from the list"
    kind_value = _arg("kind")
    kind = service.ResultKind(kind_value) if kind_value in set(service.ResultKind) else None
    filters = service.Filters(learning_set=chosen, author=_arg("author").strip(),
                              kind=kind, date_from=_date("from", "The start date", problems),
                              date_to=_date("to", "The end date", problems))
    if filters.date_from and filters.date_to and filters.date_to < filters.date_from:
        problems["to"] = "The end date must be the same as or after the start date"
    found = None
    if raw.strip() or request.args:
        try:
            parsed = parse(raw)
        except QueryProblem as problem:
            problems["q"] = str(problem)
        else:
            if not problems:
                try:
                    found = service.search(db.session, current_user, parsed, filters,
                                           page=requested_page(), per_page=PER_PAGE)
                except TooCommon as problem:
                    problems["q"] = str(problem)
    return render_template("search/results.html", q=raw, filters=filters, sets=sets,
                           status_tags=STATUS_TAGS, window=service.POST_WINDOW,
                           kind_labels=service.KIND_LABELS, found=found, problems=problems,
                           args={key: value for key, value in request.args.items()
                                 if key != "page"})
