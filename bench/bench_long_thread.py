"""A 1,000-post thread under gunicorn: this checkout's (paged) thread page against another
checkout's (``--before``, e.g. /work/main: every post on one page) and a bare Flask app that
renders the same posts' HTML through one Jinja template, all served the same way in one run.

Also times the reply page of the thread's newest post and, as the control, the page of the
seed's 50-post thread (thread 1), each connection asking for the two in turn, with the ratio
of the long thread's page to it. Builds a
SQLite database (or fills ``--database``, an empty PostgreSQL database: then without the bare
app, which reads SQLite) with ``bench/seed.py`` (small) and adds the thread to set-1 with
the shape ``bench_pages.py`` uses: 85% of posts answer one of the eight latest, 15% the
opening post; with ``--giant``, one giant branch instead: every post after the first reply
answers that reply. Signed in as
person1 (the set's facilitator). Loopback only, bounded in time.

Usage::

    .venv/bin/python bench/bench_long_thread.py [--before /work/main] [--seconds 10] \\
        [--connections 4] [--workers 2] [--posts 1000] [--giant] \\
        [--database postgresql+psycopg://postgres@127.0.0.1/empty]
"""

from __future__ import annotations

import argparse
import os
import random
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import timedelta
from pathlib import Path

import requests
from sqlalchemy import create_engine
from sqlalchemy import insert
from sqlalchemy import select

CHECKOUT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(CHECKOUT))

from bench.bench_pages import PARAGRAPHS  # noqa: E402
from bench.seed import PASSWORD  # noqa: E402
from bench.seed import seed  # noqa: E402
from forum.models import Post  # noqa: E402
from forum.models import Thread  # noqa: E402
from forum.models import utcnow  # noqa: E402
from forum.models.thread import thread_copies  # noqa: E402
from forum.text import render_markdown  # noqa: E402

BARE_APP = '''
import sqlite3
from flask import Flask, render_template_string
PAGE = """<!DOCTYPE html><html lang="en"><head><title>{{ title }}</title></head><body><main>
<h1>{{ title }}</h1>{% for post in posts %}<article id="post-{{ post[0] }}"><h3>{{ post[1] }}</h3>
<p>{{ post[2] }}</p>{{ post[3] | safe }}</article>{% endfor %}</main></body></html>"""
app = Flask(__name__)
DATABASE, THREAD = "<database>", 0  # replaced by the values when written

@app.get("/bare/<int:limit>")
def bare(limit):
    with sqlite3.connect(DATABASE) as connection:
        title = connection.execute("SELECT title FROM threads WHERE id = ?",
                                   (THREAD,)).fetchone()[0]
        posts = connection.execute(
            "SELECT p.id, u.display_name, p.created_at, p.body_html FROM posts p "
            "JOIN users u ON u.id = p.author_id WHERE p.thread_id = ? ORDER BY p.id LIMIT ?",
            (THREAD, limit)).fetchall()
    return render_template_string(PAGE, title=title, posts=posts)
'''


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def build(url: str, posts: int, giant: bool = False) -> int:
    seed(url, sets=2, people=60, threads=10, posts=500, long_thread=50, seed_value=3)
    engine = create_engine(url)
    rng = random.Random(20)
    start = utcnow() - timedelta(days=60)
    with engine.begin() as connection:
        members = list(connection.scalars(text_members()))
        thread_id = connection.execute(insert(Thread).values(
            learning_set_id=1, author_id=1, title=f"A long conversation: {posts} posts",
            created_at=start, last_activity_at=start)).inserted_primary_key[0]
        made: list[tuple[int, int]] = []
        for n in range(posts):
            if giant:  # the opening post, one reply to it, and every other post answers that
                parent = made[min(n - 1, 1)] if made else None
            else:
                parent = (rng.choice(made[-8:]) if made and rng.random() < 0.85
                          else (made[0] if made else None))
            body = "\n\n".join(rng.sample(PARAGRAPHS, k=rng.randint(1, 3)))
            post_id = connection.execute(insert(Post).values(
                thread_id=thread_id, author_id=1 if n == 0 else rng.choice(members),
                parent_id=parent[0] if parent else None,
                depth=parent[1] + 1 if parent else 0, body_source=body,
                body_html=render_markdown(body), status="approved",
                created_at=start + timedelta(minutes=40 * n))).inserted_primary_key[0]
            made.append((post_id, parent[1] + 1 if parent else 0))
        threads = Thread.__table__
        connection.execute(threads.update().where(threads.c.id == thread_id)
                           .values(**thread_copies()))
    engine.dispose()
    return thread_id


def text_members():
    from forum.models import Membership  # noqa: PLC0415
    return select(Membership.user_id).where(Membership.learning_set_id == 1)


def serve(command: list[str], cwd: Path, env: dict[str, str], port: int) -> subprocess.Popen:
    process = subprocess.Popen(command, cwd=cwd, env=env, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return process
        except OSError:
            time.sleep(0.3)
    process.terminate()
    raise SystemExit(f"{command} did not start")


def signed_in(base: str) -> requests.Session:
    session = requests.Session()
    form = session.get(f"{base}/sign-in", timeout=120).text
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', form)
    done = session.post(f"{base}/sign-in", allow_redirects=False, timeout=120, data={
        "email": "person1@example.org", "password": PASSWORD,
        "csrf_token": token.group(1) if token else ""})
    assert done.status_code in (302, 303), "could not sign in"
    return session


def hammer(url: str, cookies, seconds: float, connections: int) -> dict[str, float]:
    durations: list[float] = []
    sizes: list[int] = []
    lock = threading.Lock()
    deadline = time.monotonic() + seconds

    def run() -> None:
        session = requests.Session()
        if cookies is not None:
            session.cookies.update(cookies)
        while time.monotonic() < deadline:
            began = time.monotonic()
            response = session.get(url, timeout=120)
            assert response.status_code == 200, (url, response.status_code)
            with lock:
                durations.append(time.monotonic() - began)
                sizes.append(len(response.content))

    workers = [threading.Thread(target=run) for _ in range(connections)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    return {"rate": len(durations) / seconds, "median": statistics.median(durations),
            "kb": statistics.mean(sizes) / 1024}


def alternate(urls: list[str], cookies, seconds: float, connections: int,
              warm: int = 10) -> list[dict[str, float]]:
    """Each connection asks for ``urls`` in turn (after ``warm`` rounds untimed), so every
    page meets the same load of the moment: their ratio survives a busy machine far better
    than pages timed one after the other."""
    durations: list[list[float]] = [[] for _ in urls]
    sizes: list[list[int]] = [[] for _ in urls]
    lock = threading.Lock()
    deadline = time.monotonic() + seconds

    def run() -> None:
        session = requests.Session()
        session.cookies.update(cookies)
        for _ in range(warm):
            for url in urls:
                session.get(url, timeout=120)
        while time.monotonic() < deadline:
            for n, url in enumerate(urls):
                began = time.monotonic()
                response = session.get(url, timeout=120)
                assert response.status_code == 200, (url, response.status_code)
                with lock:
                    durations[n].append(time.monotonic() - began)
                    sizes[n].append(len(response.content))

    workers = [threading.Thread(target=run) for _ in range(connections)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    return [{"rate": len(found) / seconds, "median": statistics.median(found),
             "kb": statistics.mean(size) / 1024} for found, size in zip(durations, sizes,
                                                                         strict=True)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--before", type=Path, help="a checkout with the older thread page")
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--connections", type=int, default=4)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--posts", type=int, default=1_000)
    parser.add_argument("--giant", action="store_true",
                        help="one reply with every other post answering it")
    parser.add_argument("--database", help="an empty PostgreSQL database to fill (default: a "
                        "temporary SQLite file)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "long.db"
        url = args.database or f"sqlite:///{path}"
        thread_id = build(url, args.posts, args.giant)
        engine = create_engine(url)
        with engine.connect() as connection:
            last_post = connection.scalar(select(Post.id).where(Post.thread_id == thread_id)
                                          .order_by(Post.id.desc()).limit(1))
        engine.dispose()
        env = {**os.environ, "FORUM_DATABASE_URL": url,
               "FORUM_SECRET_KEY": "bench-secret", "FORUM_RATELIMIT_ENABLED": "false",
               "FORUM_LOG_FORMAT": '"none"', "FORUM_INSTANCE_PATH": folder,
               "PYTHONDONTWRITEBYTECODE": "1"}
        gunicorn = [sys.executable, "-m", "gunicorn", "--workers", str(args.workers),
                    "--log-level", "warning"]
        servers = {"after": CHECKOUT}
        if args.before is not None:
            servers = {"before": args.before.resolve(), **servers}
        rows = []
        ratios: list[tuple[str, float]] = []
        print(f"load average before: {' '.join(f'{n:.1f}' for n in os.getloadavg())}")
        for name, cwd in servers.items():
            port = _free_port()
            process = serve([*gunicorn, "--bind", f"127.0.0.1:{port}", "forum:create_app()"],
                            cwd, {**env, "PYTHONPATH": str(cwd)}, port)
            try:
                base = f"http://127.0.0.1:{port}"
                cookies = signed_in(base).cookies
                page = requests.get(f"{base}/threads/{thread_id}", cookies=cookies,
                                    timeout=120).text
                shown = len(re.findall(r"<article ", page))
                # The control, asked for in turn with it: the seed's 50-post thread.
                result, short = alternate([f"{base}/threads/{thread_id}", f"{base}/threads/1"],
                                          cookies, args.seconds, args.connections)
                rows.append((f"thread page, {name} ({shown} posts shown)", result))
                rows.append((f"50-post thread page, {name}", short))
                ratios.append((name, result["median"] / short["median"]))
                # The reply page of the thread's newest post (the old one loaded every post).
                rows.append((f"reply page, {name}", hammer(
                    f"{base}/posts/{last_post}/reply", cookies, args.seconds,
                    args.connections)))
            finally:
                process.terminate()
                process.wait(timeout=60)
            if name == "after":
                after_shown = shown
        if args.database:  # the bare app reads SQLite only
            after_shown = None
        if after_shown is not None:
            port = _free_port()
            Path(folder, "bare.py").write_text(
                BARE_APP.replace('"<database>", 0', f"{str(path)!r}, {thread_id}"))
            process = serve([*gunicorn, "--bind", f"127.0.0.1:{port}", "bare:app"], Path(folder),
                            {**env, "PYTHONPATH": folder}, port)
            try:
                base = f"http://127.0.0.1:{port}"
                for limit in (after_shown, args.posts):
                    rows.append((f"bare Flask + Jinja, the same {limit} posts",
                                 hammer(f"{base}/bare/{limit}", None, args.seconds,
                                        args.connections)))
            finally:
                process.terminate()
                process.wait(timeout=60)
    print(f"load average after: {' '.join(f'{n:.1f}' for n in os.getloadavg())}")
    print(f"gunicorn, {args.workers} sync workers, {args.connections} connections, "
          f"{args.seconds:.0f} s each; {args.posts}-post thread"
          f"{' (one giant branch)' if args.giant else ''}")
    print(f"{'page':<52} {'req/s':>7} {'median ms':>10} {'KB':>7}")
    for name, result in rows:
        print(f"{name:<52} {result['rate']:>7.1f} {result['median'] * 1000:>10.1f} "
              f"{result['kb']:>7.0f}")
    for name, ratio in ratios:
        print(f"{name}: the {args.posts}-post thread's page / the 50-post thread's page "
              f"(medians): {ratio:.2f}")


if __name__ == "__main__":
    main()
