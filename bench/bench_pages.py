"""How fast the main pages are, and how many SQL queries each takes.

Builds a temporary SQLite database with the demo content plus one thread of 200 nested posts,
then measures, signed in as a demo member:

- with Flask's test client (in-process: the cost of the app itself), and
- with ``--http``: under gunicorn, over loopback HTTP from this process (bounded in time).

Usage: ``.venv/bin/python bench/bench_pages.py [--seconds 3] [--http] [--workers 2]``
"""

from __future__ import annotations

import argparse
import http.client
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

from sqlalchemy import event
from sqlalchemy import select

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from forum import create_app  # noqa: E402
from forum.demo import load_demo  # noqa: E402
from forum.demo.content import COMMS_SLUG  # noqa: E402
from forum.extensions import db  # noqa: E402
from forum.models import LearningSet  # noqa: E402
from forum.models import Post  # noqa: E402
from forum.models import Thread  # noqa: E402
from forum.models import User  # noqa: E402
from forum.models import utcnow  # noqa: E402
from forum.text import render_markdown  # noqa: E402

SECRET_KEY = "bench-only-secret"
BIG_THREAD_TITLE = "A long conversation: 200 posts"
BIG_THREAD_POSTS = 200
READER_EMAIL = "aisha.rahman@example.org"

PARAGRAPHS = [
    "We tried this in **two wards** first and it made a real difference to response rates.",
    "Our press office asked for a [briefing note](https://example.org/briefing) in advance.",
    "- a letter from the Leader\n- a freepost reply slip\n- a short video of a former member",
    "The hardest part was explaining *why* some recommendations were not taken forward.",
    "Happy to share the template; it went through legal and equalities review last month.",
]


def build_database(uri: str) -> tuple[int, int]:
    """Create the schema, the demo and the big thread; return (reader id, big thread id)."""
    app = create_app({"SECRET_KEY": SECRET_KEY, "SQLALCHEMY_DATABASE_URI": uri})
    with app.app_context():
        db.create_all()
        load_demo(db.session)
        learning_set = db.session.scalar(select(LearningSet).where(LearningSet.slug == COMMS_SLUG))
        authors = [m.user for m in learning_set.memberships]
        rng = random.Random(20)
        start = utcnow() - timedelta(days=20)
        thread = Thread(learning_set_id=learning_set.id, author_id=authors[0].id,
                        title=BIG_THREAD_TITLE, created_at=start, last_activity_at=start)
        db.session.add(thread)
        db.session.flush()
        posts: list[Post] = []
        for n in range(BIG_THREAD_POSTS):
            # Mostly answers to recent posts, so the tree gets deep as well as wide.
            parent = rng.choice(posts[-8:]) if posts and rng.random() < 0.85 else (
                posts[0] if posts else None)
            body = "\n\n".join(rng.sample(PARAGRAPHS, k=rng.randint(1, 3)))
            created = start + timedelta(minutes=40 * n)
            post = Post(thread_id=thread.id, author_id=rng.choice(authors).id,
                        parent_id=parent.id if parent else None,
                        depth=parent.depth + 1 if parent else 0, body_source=body,
                        body_html=render_markdown(body), created_at=created)
            db.session.add(post)
            db.session.flush()
            posts.append(post)
        thread.last_activity_at = posts[-1].created_at
        reader = db.session.scalar(select(User).where(User.email == READER_EMAIL))
        db.session.commit()
        result = reader.id, thread.id
        db.engine.dispose()
    return result


def pages(big_thread_id: int) -> list[tuple[str, str, bool]]:
    """(name, path, signed in?) for each page measured."""
    return [
        ("sign-in page, signed out (baseline)", "/sign-in", False),
        ("set page (9 threads)", f"/sets/{COMMS_SLUG}/", True),
        ("thread page (200 posts)", f"/threads/{big_thread_id}", True),
    ]


def timed(request: Callable[[], int], seconds: float, max_requests: int = 2000) -> list[float]:
    """Per-request durations in seconds, for about ``seconds`` after three warm-up requests."""
    for _ in range(3):
        request()
    durations: list[float] = []
    deadline = time.perf_counter() + seconds
    while time.perf_counter() < deadline and len(durations) < max_requests:
        began = time.perf_counter()
        status = request()
        durations.append(time.perf_counter() - began)
        if status != 200:
            raise SystemExit(f"unexpected status {status}")
    return durations


def bench_test_client(uri: str, reader_id: int, big_thread_id: int,
                      seconds: float) -> list[dict[str, object]]:
    app = create_app({"SECRET_KEY": SECRET_KEY, "SQLALCHEMY_DATABASE_URI": uri,
                      "RATELIMIT_ENABLED": False})
    anonymous = app.test_client()
    reader = app.test_client()
    with reader.session_transaction() as session:
        session["_user_id"] = str(reader_id)
        session["_fresh"] = True
    with app.app_context():
        engine = db.engine
    queries = 0

    def count(*_args: object) -> None:
        nonlocal queries
        queries += 1

    event.listen(engine, "before_cursor_execute", count)
    rows = []
    for name, path, signed_in in pages(big_thread_id):
        client = reader if signed_in else anonymous
        queries = 0
        response = client.get(path)
        if response.status_code != 200:
            raise SystemExit(f"{path} answered {response.status_code}")
        page_queries = queries
        durations = timed(lambda c=client, p=path: c.get(p).status_code, seconds)
        rows.append({"page": name, "path": path, "queries": page_queries,
                     "bytes": len(response.data), **_stats(durations)})
    event.remove(engine, "before_cursor_execute", count)
    return rows


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def bench_gunicorn(uri: str, reader_id: int, big_thread_id: int, seconds: float,
                   workers: int) -> list[dict[str, object]]:
    app = create_app({"SECRET_KEY": SECRET_KEY, "SQLALCHEMY_DATABASE_URI": uri})
    cookie_value = app.session_interface.get_signing_serializer(app).dumps(  # type: ignore[attr-defined]
        {"_user_id": str(reader_id), "_fresh": True})
    cookie = f"{app.config['SESSION_COOKIE_NAME']}={cookie_value}"
    port = _free_port()
    env = dict(os.environ, FORUM_SECRET_KEY=SECRET_KEY, FORUM_DATABASE_URL=uri,
               FORUM_RATELIMIT_ENABLED="false")
    gunicorn = Path(sys.executable).with_name("gunicorn")
    server = subprocess.Popen(
        [str(gunicorn), "--workers", str(workers), "--bind", f"127.0.0.1:{port}",
         "--log-level", "warning", "forum:create_app()"],
        env=env, cwd=Path(__file__).resolve().parent.parent)
    try:
        _wait_for(port)

        def get(path: str, signed_in: bool) -> int:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            connection.request("GET", path, headers={"Cookie": cookie} if signed_in else {})
            response = connection.getresponse()
            response.read()
            connection.close()
            return response.status

        rows = []
        for name, path, signed_in in pages(big_thread_id):
            durations = timed(lambda p=path, s=signed_in: get(p, s), seconds)
            rows.append({"page": name, "path": path, **_stats(durations)})
        return rows
    finally:
        server.terminate()
        server.wait(timeout=30)


def _wait_for(port: int, timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.2)
    raise SystemExit("gunicorn did not start")


def _stats(durations: list[float]) -> dict[str, object]:
    return {"requests": len(durations),
            "per_second": len(durations) / sum(durations),
            "median_ms": statistics.median(durations) * 1000,
            "p95_ms": sorted(durations)[int(len(durations) * 0.95) - 1] * 1000}


def print_table(title: str, rows: list[dict[str, object]]) -> None:
    print(f"\n{title}\n")
    has_queries = "queries" in rows[0]
    header = "| Page | Requests | Req/s | Median ms | p95 ms |" + (
        " SQL queries | KB |" if has_queries else "")
    print(header)
    print("|" + "---|" * (header.count("|") - 1))
    for row in rows:
        line = (f"| {row['page']} | {row['requests']} | {row['per_second']:.0f} | "
                f"{row['median_ms']:.1f} | {row['p95_ms']:.1f} |")
        if has_queries:
            line += f" {row['queries']} | {int(row['bytes']) / 1024:.0f} |"
        print(line)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=3.0, help="time per page (default 3)")
    parser.add_argument("--http", action="store_true", help="also measure under gunicorn")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers (default 2)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="forum-bench-") as directory:
        uri = f"sqlite:///{Path(directory) / 'bench.db'}"
        reader_id, big_thread_id = build_database(uri)
        print(f"Python {sys.version.split()[0]}, SQLite, signed in as {READER_EMAIL} (a member)")
        print_table("Flask test client (in-process)",
                    bench_test_client(uri, reader_id, big_thread_id, args.seconds))
        if args.http:
            print_table(f"gunicorn, {args.workers} sync workers, one client over loopback HTTP",
                        bench_gunicorn(uri, reader_id, big_thread_id, args.seconds,
                                       args.workers))


if __name__ == "__main__":
    main()
