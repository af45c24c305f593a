"""Search speed on a large seeded forum: p50 and p95 per query, beside the engine alone.

Seed first (``bench/seed.py``, 1,000,000 posts by default), then::

    .venv/bin/python bench/bench_search.py --database sqlite:////tmp/big.db [--runs 30]

Each query is sent to ``/search`` through Flask's test client, signed in as a member of one set
(``person3@example.org``: results filtered to what they may read) and as the admin (who reads
everything, so the most rows match). The baseline is the engine alone: the bare full-text query
for the same words, top 20 by rank, with no permissions, joins or page (ranking every match, as
search did before it ranked only the newest 1,000 readable matching posts). "search" is
``forum.search.service.search`` alone for the member (matching, permissions, ranking, the page's
20 results with snippets), without the rest of the page (header, set list, rendering).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

from sqlalchemy import text

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.seed import PASSWORD  # noqa: E402
from forum import create_app  # noqa: E402
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
    args = parser.parse_args()
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

    print(f"{'query':<34} {'engine p50':>10} {'search p50':>10} {'p95':>7} "
          f"{'member p50':>10} {'p95':>7} "
          f"{'in set p50':>10} {'p95':>7} {'admin p50':>9} {'p95':>7}")
    kinds = ("engine", "search", "member", "in set", "admin")
    overall: dict[str, list[float]] = {key: [] for key in kinds}
    for _label, query in QUERIES:
        timings: dict[str, list[float]] = {key: [] for key in kinds}
        with engine.connect() as connection:
            for _ in range(args.runs):
                began = time.perf_counter()
                _engine_alone(connection, query)
                timings["engine"].append(time.perf_counter() - began)
        with app.app_context():
            member = db.session.get(User, member_id)
            for _ in range(args.runs):
                began = time.perf_counter()
                service.search(db.session, member, parse(query), service.Filters(), page=1)
                timings["search"].append(time.perf_counter() - began)
        for name, client, extra in (("member", clients["member"], {}),
                                    ("in set", clients["member"], {"set": member_set}),
                                    ("admin", clients["admin"], {})):
            client.get("/search", query_string={"q": query, **extra})  # warm
            for _ in range(args.runs):
                began = time.perf_counter()
                response = client.get("/search", query_string={"q": query, **extra})
                timings[name].append(time.perf_counter() - began)
                assert response.status_code == 200
        for key, values in timings.items():
            overall[key].extend(values)
        ms = {key: (statistics.median(values) * 1000, _percentile(values, 0.95) * 1000)
              for key, values in timings.items()}
        print(f"{query:<34} {ms['engine'][0]:>8.1f}ms {ms['search'][0]:>8.1f}ms "
              f"{ms['search'][1]:>5.0f}ms {ms['member'][0]:>8.1f}ms "
              f"{ms['member'][1]:>5.0f}ms {ms['in set'][0]:>8.1f}ms {ms['in set'][1]:>5.0f}ms "
              f"{ms['admin'][0]:>7.1f}ms {ms['admin'][1]:>5.0f}ms", flush=True)
    print(f"\n{'all queries':<34} "
          + " ".join(f"{key} p50 {statistics.median(v) * 1000:.1f}ms "
                     f"p95 {_percentile(v, 0.95) * 1000:.1f}ms;" for key, v in overall.items()))
    print(f"load average after: {_load()}")


if __name__ == "__main__":
    main()
