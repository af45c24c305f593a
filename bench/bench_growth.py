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

SMALL = {"sets": 10, "people": 500, "threads": 200, "posts": 10_000, "long_thread": 50}
LARGE = {"sets": 200, "people": 5_000, "threads": 20_000, "posts": 1_000_000,
         "long_thread": 10_000}


def _pages(app) -> list[tuple[str, str]]:
    with app.app_context():
        typical = db.session.scalar(
            select(Thread.id).where(Thread.learning_set_id == 1, Thread.id != 1)
            .order_by(Thread.id).limit(1))
        count = db.session.scalar(select(func.count(Post.id)).where(Post.thread_id == typical))
    print(f"{app.config['SQLALCHEMY_DATABASE_URI']}: the thread measured has {count} posts")
    return [("home", "/"), ("set page", "/sets/set-1/"),
            ("thread page", f"/threads/{typical}"),
            ("moderation queue", "/moderation/")]


def _plan(connection, statement: str, parameters) -> list[str]:
    if connection.dialect.name == "sqlite":
        rows = connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", parameters)
        return [row[-1] for row in rows]
    rows = connection.exec_driver_sql(f"EXPLAIN {statement}", parameters)
    return [row[0] for row in rows]


def measure(url: str, seconds: float, explain: bool) -> dict[str, dict[str, object]]:
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench", "TESTING": True,
                      "WTF_CSRF_ENABLED": False, "RATELIMIT_ENABLED": False,
                      "LOG_FORMAT": "none"})
    client = app.test_client()
    response = client.post("/sign-in", data={"email": "person1@example.org",
                                             "password": PASSWORD})
    assert response.status_code in (302, 303), "could not sign in as person1"
    statements: list[tuple[str, object]] = []
    with app.app_context():
        engine = db.engine

    def record(_conn, _cursor, statement, parameters, _context, _many) -> None:
        statements.append((statement, parameters))

    results = {}
    for name, path in _pages(app):
        event.listen(engine, "before_cursor_execute", record)
        statements.clear()
        assert client.get(path).status_code == 200, path
        event.remove(engine, "before_cursor_execute", record)
        captured = list(statements)
        durations = []
        deadline = time.perf_counter() + seconds
        while time.perf_counter() < deadline or len(durations) < 5:
            began = time.perf_counter()
            client.get(path)
            durations.append(time.perf_counter() - began)
        durations.sort()
        plans = []
        if explain:
            with engine.connect() as connection:
                for statement, parameters in captured:
                    if statement.lstrip().upper().startswith("SELECT"):
                        plans.append((statement, _plan(connection, statement, parameters)))
        results[name] = {"median": statistics.median(durations),
                         "p95": durations[int(len(durations) * 0.95) - 1],
                         "queries": len(captured), "plans": plans}
    engine.dispose()
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--small", required=True)
    parser.add_argument("--large", required=True)
    parser.add_argument("--seed-them", action="store_true",
                        help="seed both (empty) databases first")
    parser.add_argument("--seconds", type=float, default=5)
    parser.add_argument("--explain", action="store_true", help="print the query plans")
    args = parser.parse_args()
    if args.seed_them:
        seed(args.small, seed_value=1, **SMALL)
        seed(args.large, seed_value=1, **LARGE)
    small = measure(args.small, args.seconds, explain=False)
    large = measure(args.large, args.seconds, explain=args.explain)
    print(f"{'page':<28} {'10k median':>11} {'1M median':>10} {'ratio':>6} {'1M p95':>8} "
          f"{'queries':>8}")
    for name in small:
        s, big = small[name], large[name]
        print(f"{name:<28} {s['median'] * 1000:>9.1f}ms {big['median'] * 1000:>8.1f}ms "
              f"{big['median'] / s['median']:>6.2f} {big['p95'] * 1000:>6.1f}ms "
              f"{big['queries']:>8}")
    if args.explain:
        for name, result in large.items():
            print(f"\n## {name}")
            for statement, plan in result["plans"]:
                print("  " + " ".join(statement.split())[:160])
                for line in plan:
                    print(f"    {line}")


if __name__ == "__main__":
    main()
