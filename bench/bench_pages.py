"""How fast the main pages are, and how many SQL queries each takes, beside a bare Flask app.

Builds a temporary SQLite database with the demo content, one thread of 50 nested posts, one of
200, and enough threads to fill the set page with 50. A bare Flask + Jinja app (no layout,
session or permissions) renders the same 50 posts and the same 50 threads from the same database
through one template each: the figure the thread and set pages are compared with. Measures,
signed in as a demo member:

- with Flask's test client (in-process: the cost of the app itself), and
- with ``--http``: under gunicorn, over loopback HTTP from this process (bounded in time).

"× bare rate" is each page's request rate over its bare baseline's in the same run (the
issue's target is 0.5 for the thread and set pages); in process, "× bare CPU" is the same
from CPU time per request, which a loaded shared machine disturbs much less than wall time.

Usage: ``.venv/bin/python bench/bench_pages.py [--seconds 3] [--http] [--workers 2]``
"""

from __future__ import annotations

import argparse
import http.client
import importlib
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from pathlib import Path

from sqlalchemy import event
from sqlalchemy import func
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
from forum.models.thread import thread_copies  # noqa: E402
from forum.text import render_markdown  # noqa: E402

SECRET_KEY = "bench-only-secret"
BIG_THREAD_TITLE = "A long conversation: 200 posts"
BIG_THREAD_POSTS = 200
PAGE_THREAD_TITLE = "A conversation of 50 posts"
SET_PAGE_THREADS = 50

BARE_APP = '''
import sqlite3
from flask import Flask, render_template_string
HEAD = """<!DOCTYPE html><html lang="en"><head><title>{{ title }}</title></head><body><main>"""
THREAD = HEAD + """<h1>{{ title }}</h1>{% for post in posts %}<article id="post-{{ post[0] }}">
<h3>{{ post[1] }}</h3><p>{{ post[2] }}</p>{{ post[3] | safe }}</article>{% endfor %}
</main></body></html>"""
SET = HEAD + """<h1>{{ title }}</h1><ul>{% for thread in threads %}<li>
<a href="/threads/{{ thread[0] }}">{{ thread[1] }}</a> by {{ thread[2] }}, {{ thread[3] }}
replies, last {{ thread[4] }}</li>{% endfor %}</ul></main></body></html>"""
app = Flask(__name__)
DATABASE = "<database>"


@app.get("/bare/threads/<int:thread_id>")
def thread(thread_id):
    with sqlite3.connect(DATABASE) as connection:
        title = connection.execute("SELECT title FROM threads WHERE id = ?",
                                   (thread_id,)).fetchone()[0]
        posts = connection.execute(
            "SELECT p.id, u.display_name, p.created_at, p.body_html FROM posts p "
            "JOIN users u ON u.id = p.author_id WHERE p.thread_id = ? ORDER BY p.id",
            (thread_id,)).fetchall()
    return render_template_string(THREAD, title=title, posts=posts)


@app.get("/bare/sets/<int:set_id>")
def learning_set(set_id):
    with sqlite3.connect(DATABASE) as connection:
        title = connection.execute("SELECT name FROM learning_sets WHERE id = ?",
                                   (set_id,)).fetchone()[0]
        threads = connection.execute(
            "SELECT t.id, t.title, u.display_name, t.reply_count, t.last_activity_at "
            "FROM threads t JOIN users u ON u.id = t.author_id WHERE t.learning_set_id = ? "
            "ORDER BY t.last_activity_at DESC LIMIT 50", (set_id,)).fetchall()
    return render_template_string(SET, title=title, threads=threads)
'''
READER_EMAIL = "aisha.rahman@example.org"

PARAGRAPHS = [
    "We tried this in **two wards** first and it made a real difference to response rates.",
    "Our press office asked for a [briefing note](https://example.org/briefing) in advance.",
    "- a letter from the Leader\n- a freepost reply slip\n- a short video of a former member",
    "The hardest part was explaining *why* some recommendations were not taken forward.",
    "Happy to share the template; it went through legal and equalities review last month.",
]


def _add_thread(learning_set: LearningSet, authors: list[User], title: str, count: int,
                rng: random.Random, start) -> Thread:
    """A thread of ``count`` posts: mostly answers to recent posts (deep as well as wide)."""
    thread = Thread(learning_set_id=learning_set.id, author_id=authors[0].id,
                    title=title, created_at=start, last_activity_at=start)
    db.session.add(thread)
    db.session.flush()
    posts: list[Post] = []
    for n in range(count):
        parent = rng.choice(posts[-8:]) if posts and rng.random() < 0.85 else (
            posts[0] if posts else None)
        body = "\n\n".join(rng.sample(PARAGRAPHS, k=rng.randint(1, 3)))
        created = start + timedelta(minutes=40 * n)
        post = Post(thread_id=thread.id, author_id=(authors[0] if n == 0
                                                    else rng.choice(authors)).id,
                    parent_id=parent.id if parent else None,
                    depth=parent.depth + 1 if parent else 0, body_source=body,
                    body_html=render_markdown(body), created_at=created)
        db.session.add(post)
        db.session.flush()
        posts.append(post)
    thread.last_activity_at = posts[-1].created_at
    return thread


def build_database(uri: str) -> dict[str, int]:
    """Create the schema, the demo and the extra threads; return the ids the pages need."""
    app = create_app({"SECRET_KEY": SECRET_KEY, "SQLALCHEMY_DATABASE_URI": uri})
    with app.app_context():
        db.create_all()
        load_demo(db.session)
        learning_set = db.session.scalar(select(LearningSet).where(LearningSet.slug == COMMS_SLUG))
        authors = [m.user for m in learning_set.memberships]
        rng = random.Random(20)
        start = utcnow() - timedelta(days=30)
        big = _add_thread(learning_set, authors, BIG_THREAD_TITLE, BIG_THREAD_POSTS, rng, start)
        page_thread = _add_thread(learning_set, authors, PAGE_THREAD_TITLE, 50, rng,
                                  start + timedelta(days=1))
        listed = db.session.scalar(select(func.count(Thread.id)).where(
            Thread.learning_set_id == learning_set.id))
        for n in range(SET_PAGE_THREADS - listed):
            _add_thread(learning_set, authors, f"Question {n + 1} about engagement",
                        rng.randint(1, 4), rng, start - timedelta(days=1, hours=n))
        db.session.flush()
        threads = Thread.__table__
        db.session.execute(threads.update().values(**thread_copies()))
        reader = db.session.scalar(select(User).where(User.email == READER_EMAIL))
        db.session.commit()
        ids = {"reader": reader.id, "session": reader.get_id(), "big": big.id,
               "thread": page_thread.id, "set": learning_set.id}
        db.engine.dispose()
    return ids


def pages(ids: dict[str, int]) -> list[tuple[str, str, bool]]:
    """(name, path, signed in?) for each page measured; bare pages have no session."""
    return [
        ("sign-in page, signed out (baseline)", "/sign-in", False),
        ("bare Flask + Jinja, the same 50 threads (baseline)", f"/bare/sets/{ids['set']}",
         False),
        ("set page (50 threads)", f"/sets/{COMMS_SLUG}/", True),
        ("bare Flask + Jinja, the same 50 posts (baseline)", f"/bare/threads/{ids['thread']}",
         False),
        ("thread page (50 posts)", f"/threads/{ids['thread']}", True),
        ("thread page (200 posts)", f"/threads/{ids['big']}", True),
    ]


def timed(request: Callable[[], int], seconds: float, max_requests: int = 2000,
          cpu: list[float] | None = None) -> list[float]:
    """Per-request durations in seconds, for about ``seconds`` after three warm-up requests.
    ``cpu`` (in process only) gets this process's CPU seconds per request: on a loaded shared
    machine the CPU a request costs moves far less than its wall time."""
    for _ in range(3):
        request()
    durations: list[float] = []
    deadline = time.perf_counter() + seconds
    cpu_began = time.process_time()
    while time.perf_counter() < deadline and len(durations) < max_requests:
        began = time.perf_counter()
        status = request()
        durations.append(time.perf_counter() - began)
        if status != 200:
            raise SystemExit(f"unexpected status {status}")
    if cpu is not None:
        cpu.append((time.process_time() - cpu_began) / len(durations))
    return durations


# The baseline each page is compared with (same run): the bare page of the same content.
BASELINES = {"set page (50 threads)": "bare Flask + Jinja, the same 50 threads (baseline)",
             "thread page (50 posts)": "bare Flask + Jinja, the same 50 posts (baseline)",
             "thread page (200 posts)": "bare Flask + Jinja, the same 50 posts (baseline)",
             "sign-in page, signed out (baseline)":
                 "bare Flask + Jinja, the same 50 posts (baseline)"}


def add_ratios(rows: list[dict[str, object]]) -> None:
    """Each page's rate as a share of its bare baseline's rate in the same run."""
    by_name = {row["page"]: row for row in rows}
    for row in rows:
        bare = by_name.get(BASELINES.get(str(row["page"]), ""))
        if bare is not None:
            row["vs_bare"] = float(row["per_second"]) / float(bare["per_second"])
            if "cpu_ms" in row:
                row["cpu_vs_bare"] = float(bare["cpu_ms"]) / float(row["cpu_ms"])


def write_bare_app(directory: Path, database: Path) -> None:
    (directory / "bare.py").write_text(BARE_APP.replace('"<database>"', repr(str(database))))


def bench_test_client(uri: str, directory: Path, ids: dict[str, int],
                      seconds: float) -> list[dict[str, object]]:
    app = create_app({"SECRET_KEY": SECRET_KEY, "SQLALCHEMY_DATABASE_URI": uri,
                      "RATELIMIT_ENABLED": False, "THREADS_PER_PAGE": SET_PAGE_THREADS,
                      "LOG_FORMAT": "none"})
    sys.path.insert(0, str(directory))
    bare = importlib.import_module("bare").app.test_client()
    anonymous = app.test_client()
    reader = app.test_client()
    with reader.session_transaction() as session:
        session["_user_id"] = ids["session"]
        session["_fresh"] = True
    with app.app_context():
        engine = db.engine
    queries = 0

    def count(*_args: object) -> None:
        nonlocal queries
        queries += 1

    event.listen(engine, "before_cursor_execute", count)
    rows = []
    for name, path, signed_in in pages(ids):
        client = bare if path.startswith("/bare/") else reader if signed_in else anonymous
        queries = 0
        response = client.get(path)
        if response.status_code != 200:
            raise SystemExit(f"{path} answered {response.status_code}")
        page_queries = queries
        cpu: list[float] = []
        durations = timed(lambda c=client, p=path: c.get(p).status_code, seconds, cpu=cpu)
        rows.append({"page": name, "path": path, "queries": page_queries,
                     "bytes": len(response.data), "cpu_ms": cpu[0] * 1000,
                     **_stats(durations)})
    event.remove(engine, "before_cursor_execute", count)
    add_ratios(rows)
    return rows


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _serve(app_path: str, cwd: Path, env: dict[str, str], workers: int,
           port: int) -> subprocess.Popen:
    gunicorn = Path(sys.executable).with_name("gunicorn")
    server = subprocess.Popen(
        [str(gunicorn), "--workers", str(workers), "--bind", f"127.0.0.1:{port}",
         "--log-level", "warning", app_path], env=env, cwd=cwd)
    _wait_for(port)
    return server


def bench_gunicorn(uri: str, directory: Path, ids: dict[str, int], seconds: float,
                   workers: int, connections: int = 1) -> list[dict[str, object]]:
    app = create_app({"SECRET_KEY": SECRET_KEY, "SQLALCHEMY_DATABASE_URI": uri})
    cookie_value = app.session_interface.get_signing_serializer(app).dumps(  # type: ignore[attr-defined]
        {"_user_id": ids["session"], "_fresh": True})
    cookie = f"{app.config['SESSION_COOKIE_NAME']}={cookie_value}"
    app_port, bare_port = _free_port(), _free_port()
    env = dict(os.environ, FORUM_SECRET_KEY=SECRET_KEY, FORUM_DATABASE_URL=uri,
               FORUM_RATELIMIT_ENABLED="false", FORUM_THREADS_PER_PAGE=str(SET_PAGE_THREADS),
               FORUM_LOG_FORMAT='"none"', FORUM_INSTANCE_PATH=str(directory))
    servers = [_serve("forum:create_app()", Path(__file__).resolve().parent.parent, env,
                      workers, app_port),
               _serve("bare:app", directory, env, workers, bare_port)]
    try:
        def get(path: str, signed_in: bool) -> int:
            port = bare_port if path.startswith("/bare/") else app_port
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            # X-Forwarded-Proto: as from the TLS proxy in front (secure cookies).
            headers = {"X-Forwarded-Proto": "https"}
            if signed_in:
                headers["Cookie"] = cookie
            connection.request("GET", path, headers=headers)
            response = connection.getresponse()
            response.read()
            connection.close()
            return response.status

        rows = []
        for name, path, signed_in in pages(ids):
            if connections > 1:
                rows.append({"page": name, "path": path,
                             **_concurrent(lambda p=path, s=signed_in: get(p, s), seconds,
                                           connections)})
                continue
            durations = timed(lambda p=path, s=signed_in: get(p, s), seconds)
            rows.append({"page": name, "path": path, **_stats(durations)})
        add_ratios(rows)
        return rows
    finally:
        for server in servers:
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


def _concurrent(request: Callable[[], int], seconds: float,
                connections: int) -> dict[str, object]:
    """``connections`` clients at once (threads, each a new connection a request, as a sync
    worker closes it), for ``seconds``: the rate is requests completed over the time taken,
    as ``wrk -c N`` counts it."""
    for _ in range(3):
        request()
    durations: list[float] = []
    deadline = time.perf_counter() + seconds

    def client() -> None:
        while time.perf_counter() < deadline:
            began = time.perf_counter()
            status = request()
            durations.append(time.perf_counter() - began)  # list.append is atomic
            if status != 200:
                raise SystemExit(f"unexpected status {status}")

    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=connections) as pool:
        for done in [pool.submit(client) for _ in range(connections)]:
            done.result()
    elapsed = time.perf_counter() - started
    return {**_stats(durations), "per_second": len(durations) / elapsed}


def _stats(durations: list[float]) -> dict[str, object]:
    return {"requests": len(durations),
            "per_second": len(durations) / sum(durations),
            "median_ms": statistics.median(durations) * 1000,
            "p95_ms": sorted(durations)[int(len(durations) * 0.95) - 1] * 1000}


def print_table(title: str, rows: list[dict[str, object]]) -> None:
    print(f"\n{title}\n")
    has_queries = "queries" in rows[0]
    header = "| Page | Requests | Req/s | × bare rate | Median ms | p95 ms |" + (
        " CPU ms | × bare CPU | SQL queries | KB |" if has_queries else "")
    print(header)
    print("|" + "---|" * (header.count("|") - 1))
    for row in rows:
        ratio = f"{row['vs_bare']:.2f}" if "vs_bare" in row else ""
        line = (f"| {row['page']} | {row['requests']} | {row['per_second']:.0f} | {ratio} | "
                f"{row['median_ms']:.1f} | {row['p95_ms']:.1f} |")
        if has_queries:
            cpu_ratio = f"{row['cpu_vs_bare']:.2f}" if "cpu_vs_bare" in row else ""
            line += (f" {row['cpu_ms']:.1f} | {cpu_ratio} | {row['queries']} |"
                     f" {int(row['bytes']) / 1024:.0f} |")
        print(line)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=3.0, help="time per page (default 3)")
    parser.add_argument("--http", action="store_true", help="also measure under gunicorn")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers (default 2)")
    parser.add_argument("--connections", type=int, default=1,
                        help="gunicorn: clients at once (default 1; issue 16 used wrk -c16)")
    args = parser.parse_args()
    os.environ["FORUM_LOG_FORMAT"] = '"none"'  # no access log line per request
    with tempfile.TemporaryDirectory(prefix="forum-bench-") as folder:
        directory = Path(folder)
        uri = f"sqlite:///{directory / 'bench.db'}"
        ids = build_database(uri)
        write_bare_app(directory, directory / "bench.db")
        load = " ".join(f"{n:.1f}" for n in os.getloadavg())
        print(f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, load average {load}; "
              f"Python {sys.version.split()[0]}, SQLite, signed in as {READER_EMAIL} (a member)")
        print_table("Flask test client (in-process)",
                    bench_test_client(uri, directory, ids, args.seconds))
        if args.http:
            clients = ("one client" if args.connections == 1
                       else f"{args.connections} clients at once")
            print_table(f"gunicorn, {args.workers} sync workers, {clients} over loopback HTTP",
                        bench_gunicorn(uri, directory, ids, args.seconds, args.workers,
                                       args.connections))
        print(f"load average after: {' '.join(f'{n:.1f}' for n in os.getloadavg())}")

if __name__ == "__main__":
    main()
