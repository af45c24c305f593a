"""Does a page's cost grow with the database? The same pages on 10,000 and 1,000,000 posts.

Seeds two empty databases with ``bench/seed.py`` (or uses ones you seeded), then times each page
with Flask's test client (in-process, so only the app and the database count) signed in as
``person1@example.org`` (facilitator of set-1, which moderates it), and prints each page's
median and p95 at both sizes, their ratio, and the query plan of every query the page ran.

Usage::

    .venv/bin/python bench/bench_growth.py --small sqlite:////tmp/small.db \\
        --large sqlite:////tmp/large.db [--seed-them] [--seconds 5]
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import sys
import time
from pathlib import Path

from sqlalchemy import event
from sqlalchemy import func
from sqlalchemy import select

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.seed import PASSWORD  # noqa: E402
from bench.seed import seed  # noqa: E402
from forum import create_app  # noqa: E402
from forum.extensions import db  # noqa: E402
from forum.models import Post  # noqa: E402
from forum.models import Thread  # noqa: E402

# The long thread of the small seed holds 51 posts: the first page of the large seed's
# 10,000-post thread draws its opening post and 50 replies, the same posts (bench/seed.py's
# docstring: like for like).
SMALL = {"sets": 10, "people": 500, "threads": 200, "posts": 10_000, "long_thread": 51}
LARGE = {"sets": 200, "people": 5_000, "threads": 20_000, "posts": 1_000_000,
         "long_thread": 10_000}


def _pages(app) -> list[tuple[str, str]]:
    with app.app_context():
        typical = db.session.scalar(
            select(Thread.id).where(Thread.learning_set_id == 1, Thread.id != 1)
            .order_by(Thread.id).limit(1))
        count = db.session.scalar(select(func.count(Post.id)).where(Post.thread_id == typical))
        longest = db.session.scalar(select(func.count(Post.id)).where(Post.thread_id == 1))
        last = db.session.scalar(select(func.max(Post.id)).where(Post.thread_id == 1))
    print(f"{app.config['SQLALCHEMY_DATABASE_URI']}: the thread measured has {count} posts, "
          f"the long thread {longest}")
    # Page 2 of set-1 leaves out its long thread (the newest activity, so on page 1). It needs
    # a small seed whose set-1 has more than 20 threads (``--sets 2`` gives it 100, as the
    # large seed's): leave it out of ``--pages`` with the 10-set small seed.
    return [("home", "/"), ("set page", "/sets/set-1/"), ("set page 2", "/sets/set-1/?page=2"),
            ("thread page", f"/threads/{typical}"),
            ("long thread, page 1", "/threads/1"),
            ("long thread, its last post", f"/threads/1?post={last}"),
            ("moderation queue", "/moderation/"),
            # A common pair of words (hundreds of thousands of matches on the large site) and a
            # rare word, across everything person1 may read.
            ("search, common words", "/search?q=councillor+briefings"),
            ("search, rare word", "/search?q=childcare+-budget")]


def _plan(connection, statement: str, parameters, analyze: bool = False) -> list[str]:
    if connection.dialect.name == "sqlite":
        rows = connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", parameters)
        return [row[-1] for row in rows]
    # ANALYZE runs the statement (a page's reads only: SELECT and WITH) in a transaction that
    # is rolled back.
    explain = "EXPLAIN (ANALYZE, BUFFERS)" if analyze else "EXPLAIN"
    rows = connection.exec_driver_sql(f"{explain} {statement}", parameters)
    return [row[0] for row in rows]


_ACCESS = re.compile(r"(?:(?:SEARCH|SCAN) (?:TABLE )?\w+(?: AS \w+)?(?: USING (?:COVERING )?"
                     r"INDEX \w+| USING INTEGER PRIMARY KEY| VIRTUAL TABLE INDEX [^ ]+)?"
                     r"|(?:Parallel )?(?:Index Only Scan|Index Scan|Bitmap Index Scan|Seq Scan)"
                     r"(?: Backward)?(?: using \w+)? on \w+(?: \w+)?)")


def plan_summary(plan: list[str]) -> str:
    """How a statement reads each table (index or scan), in one line: the plan's access
    steps, each once, in order."""
    steps: list[str] = []
    for line in plan:
        for found in _ACCESS.findall(line):
            if found not in steps:
                steps.append(found)
    return "; ".join(steps) or "(no table read)"


class Site:
    """One database, an app on it and a client signed in as person1."""

    def __init__(self, url: str, email: str = "person1@example.org",
                 config: dict | None = None) -> None:
        self.app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench",
                               "TESTING": True, "WTF_CSRF_ENABLED": False,
                               "RATELIMIT_ENABLED": False, "LOG_FORMAT": "none",
                               **(config or {})})
        self.client = self.app.test_client()
        response = self.client.post("/sign-in", data={"email": email,
                                                      "password": PASSWORD})
        assert response.status_code in (302, 303), f"could not sign in as {email}"
        with self.app.app_context():
            self.engine = db.engine
        self.pages = _pages(self.app)

    def captured(self, path: str) -> list[tuple[str, object]]:
        statements: list[tuple[str, object]] = []

        def record(_conn, _cursor, statement, parameters, _context, _many) -> None:
            if not statement.lstrip().upper().startswith("BEGIN"):
                statements.append((statement, parameters))

        event.listen(self.engine, "before_cursor_execute", record)
        try:
            assert self.client.get(path).status_code == 200, path
        finally:
            event.remove(self.engine, "before_cursor_execute", record)
        return statements

    def time_for(self, path: str, seconds: float, durations: list[float]) -> None:
        deadline = time.perf_counter() + seconds
        while time.perf_counter() < deadline:
            began = time.perf_counter()
            self.client.get(path)
            durations.append(time.perf_counter() - began)


def measure(small_url: str, large_url: str, seconds: float, explain: bool,
            only: str | None = None, email: str = "person1@example.org",
            config: dict | None = None, analyze: bool = False) -> tuple[dict, dict]:
    """Each page on both databases, taking turns (half a second each) so that a change in
    the machine's load falls on both alike."""
    small_email, _, large_email = email.partition(",")
    sites = [Site(small_url, small_email, config),
             Site(large_url, large_email or small_email, config)]
    results: tuple[dict, dict] = ({}, {})
    for (name, small_path), (_, large_path) in zip(sites[0].pages, sites[1].pages,
                                                   strict=True):
        if only is not None and not re.search(only, name):
            continue
        paths = [small_path, large_path]
        captured = [site.captured(path) for site, path in zip(sites, paths, strict=True)]
        durations: list[list[float]] = [[], []]
        for _ in range(max(1, int(seconds / 0.5))):
            for site, path, into in zip(sites, paths, durations, strict=True):
                site.time_for(path, 0.5, into)
        for n, site in enumerate(sites):
            times = sorted(durations[n])
            plans = []
            if explain and n == 1:
                with site.engine.connect() as connection:
                    for statement, parameters in captured[n]:
                        if statement.lstrip().upper().startswith(("SELECT", "WITH")):
                            plans.append((statement, _plan(connection, statement, parameters,
                                                           analyze)))
                    connection.rollback()
            results[n][name] = {"median": statistics.median(times),
                                "p95": times[max(0, int(len(times) * 0.95) - 1)],
                                "queries": len(captured[n]), "plans": plans}
        # As it goes, so that a run cut short still tells something.
        print(f"  measured {name}: {results[0][name]['median'] * 1000:.1f} ms / "
              f"{results[1][name]['median'] * 1000:.1f} ms (load "
              f"{' '.join(f'{n:.1f}' for n in os.getloadavg())})", flush=True)
    for site in sites:
        site.engine.dispose()
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--small", required=True)
    parser.add_argument("--large", required=True)
    parser.add_argument("--seed-them", action="store_true",
                        help="seed both (empty) databases first")
    parser.add_argument("--seconds", type=float, default=5)
    parser.add_argument("--explain", action="store_true", help="print the query plans")
    parser.add_argument("--analyze", action="store_true",
                        help="with --explain: EXPLAIN ANALYZE on PostgreSQL (runs each read)")
    parser.add_argument("--summary", action="store_true",
                        help="with --explain: one line per statement, how it reads each table")
    parser.add_argument("--pages", help="measure only the pages whose name matches this")
    parser.add_argument("--email", default="person1@example.org",
                        help="whom to sign in as; 'small,large' for different people on the two "
                             "seeds (a plain member of set-1 differs: person119 and person64)")
    parser.add_argument("--posts-per-page", type=int,
                        help="THREAD_POSTS_PER_PAGE for both (the app's default otherwise)")
    args = parser.parse_args()
    if args.seed_them:
        seed(args.small, seed_value=1, **SMALL)
        seed(args.large, seed_value=1, **LARGE)
    print(f"load average before: {' '.join(f'{n:.1f}' for n in os.getloadavg())}")
    small, large = measure(args.small, args.large, args.seconds, explain=args.explain,
                           only=args.pages, email=args.email,
                           config={"THREAD_POSTS_PER_PAGE": args.posts_per_page}
                           if args.posts_per_page else None, analyze=args.analyze)
    print(f"{'page':<28} {'small median':>12} {'large median':>12} {'ratio':>6} "
          f"{'large p95':>9} {'queries':>8}")
    for name in small:
        s, big = small[name], large[name]
        print(f"{name:<28} {s['median'] * 1000:>10.1f}ms {big['median'] * 1000:>10.1f}ms "
              f"{big['median'] / s['median']:>6.2f} {big['p95'] * 1000:>7.1f}ms "
              f"{s['queries']:>3}/{big['queries']:<3}")
    print(f"load average after: {' '.join(f'{n:.1f}' for n in os.getloadavg())}")
    if args.explain:
        for name, result in large.items():
            print(f"\n## {name}")
            for statement, plan in result["plans"]:
                head = " ".join(statement.split())
                if args.summary:
                    print(f"  - {head[:70]}…: {plan_summary(plan)}")
                    timing = [line.strip() for line in plan if line.startswith("Execution")]
                    if timing:
                        print(f"    {timing[0]}")
                    continue
                print("  " + head[:160])
                for line in plan:
                    print(f"    {line}")


if __name__ == "__main__":
    main()
