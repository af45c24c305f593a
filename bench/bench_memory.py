"""Resident memory of each gunicorn worker after many requests of mixed pages.

Builds the same SQLite database as ``bench_pages.py`` (the demo, a 50-post and a 200-post
thread, a set of 50 threads), serves it with gunicorn (2 sync workers by default) and sends
``--requests`` GETs (home, set page, the 50-post thread page, search, notifications, sign-in;
signed in as a member and signed out) over loopback from ``--connections`` threads. Then reads each
worker's memory from ``/proc``: RSS (all its resident pages, shared ones included), PSS (shared
pages divided among the processes that share them) and USS (pages only it holds).

gunicorn runs with the repository's ``gunicorn.conf.py`` (the app preloaded in the master, which
forks the workers; ``--no-preload`` loads it in each worker instead). RSS counts the pages a
worker shares with the master and the other workers in full, so with preloading the figures
that say what each worker costs are PSS and USS; the master's own memory is printed too.

``--baseline flask`` serves instead the bare Flask app of ``bench_pages.py`` (the same 50 posts
and 50 threads from ``sqlite3`` through Jinja) and ``--baseline sqlalchemy`` the same two pages
through Flask-SQLAlchemy models of the four tables they read: what Flask, and Flask with the
ORM, cost a worker under the same gunicorn settings (preloaded, the collector frozen before the
fork) and the same load, beside the app.

Usage: ``.venv/bin/python bench/bench_memory.py [--requests 10000] [--connections 4]
[--workers 2] [--no-preload] [--baseline flask|sqlalchemy]``
"""

from __future__ import annotations

import argparse
import http.client
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.bench_pages import SECRET_KEY  # noqa: E402
from bench.bench_pages import _free_port  # noqa: E402
from bench.bench_pages import _wait_for  # noqa: E402
from bench.bench_pages import build_database  # noqa: E402
from bench.bench_pages import write_bare_app  # noqa: E402
from forum import create_app  # noqa: E402
from forum.demo.content import COMMS_SLUG  # noqa: E402

# The bare pages through the ORM: the tables and columns they read, mapped as the app maps them.
BARE_ORM_APP = '''
from datetime import datetime
from flask import Flask, render_template_string
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import DateTime, ForeignKey, select
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship
from bare import SET, THREAD


class Base(DeclarativeBase):
    pass


db = SQLAlchemy(model_class=Base)


class User(db.Model):
    __tablename__ = "users"
    id: Mapped[int] = mapped_column(primary_key=True)
    display_name: Mapped[str]


class LearningSet(db.Model):
    __tablename__ = "learning_sets"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str]


class Thread(db.Model):
    __tablename__ = "threads"
    id: Mapped[int] = mapped_column(primary_key=True)
    learning_set_id: Mapped[int] = mapped_column(ForeignKey("learning_sets.id"))
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    title: Mapped[str]
    reply_count: Mapped[int]
    last_activity_at: Mapped[datetime] = mapped_column(DateTime)
    author: Mapped[User] = relationship(lazy="joined")


class Post(db.Model):
    __tablename__ = "posts"
    id: Mapped[int] = mapped_column(primary_key=True)
    thread_id: Mapped[int] = mapped_column(ForeignKey("threads.id"))
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime)
    body_html: Mapped[str]
    author: Mapped[User] = relationship(lazy="joined")


app = Flask(__name__)
app.config["SQLALCHEMY_DATABASE_URI"] = "sqlite:///<database>"
db.init_app(app)


@app.get("/bare/threads/<int:thread_id>")
def thread(thread_id):
    title = db.session.get(Thread, thread_id).title
    posts = db.session.scalars(select(Post).where(Post.thread_id == thread_id).order_by(Post.id))
    return render_template_string(THREAD, title=title, posts=[
        (post.id, post.author.display_name, post.created_at, post.body_html) for post in posts])


@app.get("/bare/sets/<int:set_id>")
def learning_set(set_id):
    title = db.session.get(LearningSet, set_id).name
    threads = db.session.scalars(select(Thread).where(Thread.learning_set_id == set_id)
                                 .order_by(Thread.last_activity_at.desc()).limit(50))
    return render_template_string(SET, title=title, threads=[
        (t.id, t.title, t.author.display_name, t.reply_count, t.last_activity_at)
        for t in threads])
'''

# gunicorn settings for a baseline: those of gunicorn.conf.py that decide a worker's memory
# (sync workers, the app preloaded, the collector off while it loads and frozen before the fork).
BASELINE_CONF = '''
import gc
import os

worker_class = "sync"
preload_app = os.environ["FORUM_PRELOAD_APP"] == "true"
if preload_app:
    gc.disable()


def pre_fork(server, worker):
    if preload_app:
        gc.freeze()
        gc.enable()
'''


def memory(pid: int) -> dict[str, float]:
    """RSS, PSS and USS of a process in MiB (from /proc/PID/smaps_rollup), and RSS split into
    anonymous memory (heap: Python's objects) and file pages (the interpreter's and libraries'
    code, shared with every process that maps the same files; from /proc/PID/status)."""
    values: dict[str, int] = {}
    for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines()[1:]:
        name, _, rest = line.partition(":")
        values[name] = int(rest.split()[0])
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        name, _, rest = line.partition(":")
        if name in ("RssAnon", "RssFile"):
            values[name] = int(rest.split()[0])
    uss = values.get("Private_Clean", 0) + values.get("Private_Dirty", 0)
    return {"rss": values["Rss"] / 1024, "pss": values["Pss"] / 1024, "uss": uss / 1024,
            "anon": values.get("RssAnon", 0) / 1024, "file": values.get("RssFile", 0) / 1024}


def workers_of(master: int) -> list[int]:
    children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
    return [int(pid) for pid in children]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=10_000)
    parser.add_argument("--connections", type=int, default=4)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--no-preload", dest="preload", action="store_false",
                        help="load the app in each worker (FORUM_PRELOAD_APP=false)")
    parser.add_argument("--baseline", choices=["flask", "sqlalchemy"],
                        help="serve a bare app's two pages instead of the forum")
    args = parser.parse_args()
    os.environ["FORUM_LOG_FORMAT"] = '"none"'
    with tempfile.TemporaryDirectory(prefix="forum-memory-") as folder:
        uri = f"sqlite:///{Path(folder) / 'bench.db'}"
        ids = build_database(uri)
        app = create_app({"SECRET_KEY": SECRET_KEY, "SQLALCHEMY_DATABASE_URI": uri})
        cookie = "{}={}".format(app.config["SESSION_COOKIE_NAME"],
                                app.session_interface.get_signing_serializer(app).dumps(  # type: ignore[attr-defined]
                                    {"_user_id": ids["session"], "_fresh": True}))
        paths = [("/", True), (f"/sets/{COMMS_SLUG}/", True), (f"/threads/{ids['thread']}", True),
                 ("/search?q=ward", True),
                 ("/notifications", True), ("/", False), ("/sign-in", False),
                 (f"/threads/{ids['thread']}?page=1", True), ("/sets/", True)]
        if args.baseline:
            paths = [(f"/bare/threads/{ids['thread']}", False), (f"/bare/sets/{ids['set']}", False)]
            write_bare_app(Path(folder), Path(folder) / "bench.db")
            (Path(folder) / "bare_orm.py").write_text(
                BARE_ORM_APP.replace("<database>", str(Path(folder) / "bench.db")))
            (Path(folder) / "baseline.conf.py").write_text(BASELINE_CONF)
        port = _free_port()
        env = dict(os.environ, FORUM_SECRET_KEY=SECRET_KEY, FORUM_DATABASE_URL=uri,
                   FORUM_RATELIMIT_ENABLED="false", FORUM_INSTANCE_PATH=folder,
                   FORUM_PRELOAD_APP="true" if args.preload else "false")
        command = [str(Path(sys.executable).with_name("gunicorn")), "-c", "gunicorn.conf.py",
                   "--workers",
                   str(args.workers), "--bind", f"127.0.0.1:{port}", "--log-level", "warning",
                   "--max-requests", "0"]
        if args.baseline:
            command[2] = str(Path(folder) / "baseline.conf.py")
            served = "bare:app" if args.baseline == "flask" else "bare_orm:app"
            server = subprocess.Popen([*command, served], env=env, cwd=folder)
        else:
            server = subprocess.Popen([*command, "forum:create_app()"], env=env,
                                      cwd=Path(__file__).resolve().parent.parent)
        try:
            _wait_for(port, timeout=60)
            deadline = time.monotonic() + 60
            while len(workers_of(server.pid)) < args.workers and time.monotonic() < deadline:
                time.sleep(0.2)  # the port opens before the master forks its workers
            time.sleep(1)
            start = {pid: memory(pid) for pid in workers_of(server.pid)}
            counter = iter(range(args.requests))
            statuses: dict[int, int] = {}
            lock = threading.Lock()

            def run() -> None:
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
                for n in counter:
                    path, signed_in = paths[n % len(paths)]
                    connection.request("GET", path,
                                       headers={"Cookie": cookie} if signed_in else {})
                    response = connection.getresponse()
                    response.read()
                    with lock:
                        statuses[response.status] = statuses.get(response.status, 0) + 1
                        if (n + 1) % 1000 == 0:
                            sizes = ", ".join(f"{memory(pid)['rss']:.1f}"
                                              for pid in workers_of(server.pid))
                            print(f"{n + 1} requests: worker RSS {sizes} MiB", flush=True)
                    if response.getheader("Connection", "").lower() == "close":
                        connection.close()
                        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
                connection.close()

            began = time.monotonic()
            threads = [threading.Thread(target=run) for _ in range(args.connections)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            took = time.monotonic() - began
            end = {pid: memory(pid) for pid in workers_of(server.pid)}
            master = memory(server.pid)
        finally:
            server.terminate()
            server.wait(timeout=30)
    load = " ".join(f"{n:.1f}" for n in os.getloadavg())
    print(f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}; load average {load}; "
          f"{args.requests} requests in {took:.0f} s over {args.connections} connections; "
          f"{args.workers} workers{' (preload)' if args.preload else ''}; statuses {statuses}"
          + (f"; baseline: bare {args.baseline} app" if args.baseline else ""))
    print("| worker | RSS start | RSS end (anonymous + file) | PSS end | USS end |")
    print("|---|---|---|---|---|")
    for pid, after in end.items():
        before = start.get(pid, {"rss": float("nan")})
        print(f"| {pid} | {before['rss']:.1f} MiB | {after['rss']:.1f} MiB ({after['anon']:.1f} "
              f"+ {after['file']:.1f}) | {after['pss']:.1f} MiB | {after['uss']:.1f} MiB |")
    print(f"| master | | {master['rss']:.1f} MiB ({master['anon']:.1f} + {master['file']:.1f}) "
          f"| {master['pss']:.1f} MiB | {master['uss']:.1f} MiB |")
    total = master["pss"] + sum(after["pss"] for after in end.values())
    print(f"All processes together (sum of PSS): {total:.1f} MiB")


if __name__ == "__main__":
    main()
