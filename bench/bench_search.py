"""Search speed on a large seeded forum: p50 and p95 per query, the page's frame, and the
search before this change (the baseline), all measured in the same run.

Seed first (``bench/seed.py``, 1,000,000 posts by default), then::

    .venv/bin/python bench/bench_search.py --database sqlite:////tmp/big.db [--runs 30]

Each query is sent to ``/search`` through Flask's test client, signed in as a plain member of
a few sets (results filtered to what they may read), within one of their sets, and as the
admin (who reads everything, so the most rows match). Columns:

- "engine": the bare full-text query for the same words, top 20 by rank, no permissions.
- "frame" / "admin frame": ``/search`` with no query, as the member and as the admin: the page
  around any search (header counts, the set list, the form, rendering), which no search
  change can make faster.
- "search" / "search before": ``forum.search.service.search`` alone for the member (matching,
  permissions, ranking, the 20 results with snippets), with the permission rule read from each
  post's thread (now) and with the list of every thread the member may open (before).
- "member" / "member before", "admin" / "admin before": the whole page, now and before.

The "before" columns swap :func:`forum.permissions.visible_posts_in_thread_filter` for
:func:`forum.permissions.visible_posts_filter` (what search used before) for those requests
only; every measure of a query runs once per round, in turn, so the load is shared alike.
(On PostgreSQL search still walks the older posts of a query with dense matches with the list
form, which it plans better there; ``--per-post-rule`` makes "now" use the per-post form for
every step, to measure that choice.)
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import os
import statistics
import sys
import time
from pathlib import Path

from sqlalchemy import text

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.seed import PASSWORD  # noqa: E402
from bench.seed import vocabulary  # noqa: E402
from bench.seed import zipf_share  # noqa: E402
from forum import create_app  # noqa: E402
from forum import permissions  # noqa: E402
from forum.extensions import db  # noqa: E402
from forum.models import User  # noqa: E402
from forum.search import service  # noqa: E402
from forum.search.query import fts5_query  # noqa: E402
from forum.search.query import parse  # noqa: E402

# (what it tests, the query); each runs across everything and within one of the searcher's sets.
QUERIES = [("single common word", "recruitment"),
           ("two common words", "councillor briefings"),
           ("phrase", '"expert panel"'),
           ("exclusion", "translation -budget"),
           ("stemmed word", "assemblies"),
           ("three words", "evaluation partner interviewed"),
           ("rarer word", "childcare"),
           ("rare word", "marmalade"),
           ("no match", "zzzunknownword")]
# Words of the seed's long-tailed vocabulary (bench/seed.py), by frequency rank: the kinds of
# word people really search for, from common to rare.
TAIL_RANKS = (10, 100, 1000, 10000)


def _tail_queries() -> list[tuple[str, str]]:
    words = vocabulary()
    return [(f"tail word, rank {rank:,} ({zipf_share(rank):.3%} of words)", words[rank - 1])
            for rank in TAIL_RANKS]


# SQLite builds its ranking statement once per form of search and kind of viewer: the
# "before" form of the rule gets statements of its own (not the ones "now" runs).
_before_builders: dict = {}
_before_visitor_statements: dict = {}


def _before_builder(form):
    if form not in _before_builders:
        _before_builders[form] = functools.partial(service._ranking_statement, form=form)
    return _before_builders[form]


@contextlib.contextmanager
def _as_before():
    """Search as it was before this change: the post rule as a list of every thread the user
    may open (built before the first match is checked)."""
    rule = permissions.visible_posts_in_thread_filter
    builder, visitors = service._ranking_builder, service._visitor_statements
    permissions.visible_posts_in_thread_filter = (
        lambda user, **_forms: permissions.visible_posts_filter(user))
    service._ranking_builder = _before_builder
    service._visitor_statements = _before_visitor_statements
    try:
        yield
    finally:
        permissions.visible_posts_in_thread_filter = rule
        service._ranking_builder, service._visitor_statements = builder, visitors


def _percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * fraction))]


def _engine_alone(connection, query: str) -> None:
    parsed = parse(query)
    if connection.dialect.name == "sqlite":
        connection.execute(text("SELECT rowid FROM post_search WHERE post_search MATCH :q "
                                "ORDER BY bm25(post_search) LIMIT 20"),
                           {"q": fts5_query(parsed)}).all()
    else:
        words = " ".join(" ".join(part) for part in parsed.required)
        connection.execute(text(
            "SELECT id FROM posts WHERE search_vector @@ plainto_tsquery('forum_english', :q) "
            "ORDER BY ts_rank_cd(search_vector, plainto_tsquery('forum_english', :q)) DESC "
            "LIMIT 20"), {"q": words}).all()


def _load() -> str:
    return " ".join(f"{n:.1f}" for n in os.getloadavg())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", required=True)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--per-post-rule", action="store_true",
                        help="PostgreSQL: 'now' uses the per-post form of the rule in every step")
    args = parser.parse_args()
    if args.per_post_rule:
        plain = service._post_matches

        def per_post(*positional, per_post_rule: bool, **named):
            return plain(*positional, per_post_rule=True, **named)
        service._post_matches = per_post
    app = create_app({"SQLALCHEMY_DATABASE_URI": args.database, "SECRET_KEY": "bench",
                      "TESTING": True, "WTF_CSRF_ENABLED": False, "RATELIMIT_ENABLED": False,
                      "LOG_FORMAT": "none"})
    with app.app_context():
        posts = db.session.scalar(text("SELECT count(*) FROM posts"))
        admin_email = db.session.scalar(text("SELECT email FROM users WHERE is_admin"))
        # A member of a few sets (the most any plain member has), and one of those sets.
        member_id, member_sets = db.session.execute(text(
            "SELECT user_id, count(*) FROM memberships WHERE role = 'member' "
            "GROUP BY user_id ORDER BY count(*) DESC, user_id LIMIT 1")).one()
        member_email = db.session.scalar(text("SELECT email FROM users WHERE id = :id"),
                                         {"id": member_id})
        member_set = db.session.scalar(text(
            "SELECT s.slug FROM learning_sets s JOIN memberships m ON m.learning_set_id = s.id "
            "WHERE m.user_id = :id ORDER BY s.id LIMIT 1"), {"id": member_id})
        engine = db.engine
    print(f"{args.database}: {posts:,} posts, {args.runs} runs per query; member "
          f"{member_email} is in {member_sets} sets; load average {_load()}\n")
    clients = {}
    for name, email in (("member", member_email), ("admin", admin_email)):
        client = app.test_client()
        response = client.post("/sign-in", data={"email": email, "password": PASSWORD})
        assert response.status_code in (302, 303), f"could not sign in as {email}"
        clients[name] = client

    queries = QUERIES + _tail_queries()
    kinds = ("engine", "frame", "admin frame", "search before", "search", "member before", "member",
             "in set", "admin before", "admin")
    print("ms, p50/p95: " + " | ".join(kinds))
    overall: dict[str, list[float]] = {key: [] for key in kinds}

    def page(name: str, query: str, extra: dict | None = None) -> None:
        response = clients[name].get("/search", query_string={"q": query, **(extra or {})})
        assert response.status_code == 200

    def service_search(query: str) -> None:
        with app.app_context():
            member = db.session.get(User, member_id)
            service.search(db.session, member, parse(query), service.Filters(), page=1)

    def before(measure):
        def run() -> None:
            with _as_before():
                measure()
        return run

    for _label, query in queries:
        measures = {
            "frame": lambda: clients["member"].get("/search"),
            "admin frame": lambda: clients["admin"].get("/search"),
            "search before": before(lambda q=query: service_search(q)),
            "search": lambda q=query: service_search(q),
            "member before": before(lambda q=query: page("member", q)),
            "member": lambda q=query: page("member", q),
            "in set": lambda q=query: page("member", q, {"set": member_set}),
            "admin before": before(lambda q=query: page("admin", q)),
            "admin": lambda q=query: page("admin", q),
        }
        timings: dict[str, list[float]] = {key: [] for key in kinds}
        with engine.connect() as connection:
            for _ in range(args.runs):
                began = time.perf_counter()
                _engine_alone(connection, query)
                timings["engine"].append(time.perf_counter() - began)
        for measure in measures.values():  # warm
            measure()
        for _ in range(args.runs):
            for key, measure in measures.items():
                began = time.perf_counter()
                measure()
                timings[key].append(time.perf_counter() - began)
        for key, values in timings.items():
            overall[key].extend(values)
        print(f"{query:<22} " + " | ".join(
            f"{statistics.median(v) * 1000:.0f}/{_percentile(v, 0.95) * 1000:.0f}"
            for v in timings.values()) + f"  (load {_load()})", flush=True)
    print(f"\n{'all queries':<22} " + " | ".join(
        f"{statistics.median(v) * 1000:.0f}/{_percentile(v, 0.95) * 1000:.0f}"
        for v in overall.values()))
    print(f"load average after: {_load()}")


if __name__ == "__main__":
    main()
