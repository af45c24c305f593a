"""Mixed reading and posting against gunicorn for a fixed time; optionally restart PostgreSQL
in the middle. Counts every answer by status, checks that every post the server acknowledged is
in the database afterwards, and reports each worker's resident memory.

Then checks what the workers keep (thread shapes, post articles, page links, forms) is still
right: every thread's ``shape_version`` equals its number of posts, and every page of every
thread the load read, as a moderator and as a member sees it, is the same from the loaded
server as from a fresh one started afterwards on the same database (its post articles not
kept), but for each request's own tokens.

Runs on PostgreSQL or on SQLite (a file: the workers then write to it at once; the server log
is searched for "database is locked"). Loopback only, bounded in time. Seeds the (empty)
database given with ``--seed`` first: its thread 1 is long enough to be kept per worker.

Usage::

    .venv/bin/python bench/load.py --database postgresql+psycopg://postgres@127.0.0.1/load \\
        --seed [--seconds 60] [--connections 32] [--workers 2]
    # the fault run: a PostgreSQL of its own (never the shared server), stopped at 20 s for 5 s
    .venv/bin/python bench/load.py --database postgresql+psycopg://postgres@127.0.0.1:55432/load \\
        --seed --restart-postgres /tmp/pgdata --restart-at 20 --outage 5
    # SQLite, two workers writing at once
    .venv/bin/python bench/load.py --database sqlite:////tmp/load.db --seed
"""

from __future__ import annotations

import argparse
import collections
import difflib
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
from pathlib import Path

import requests
from sqlalchemy import create_engine
from sqlalchemy import select
from sqlalchemy import text

CHECKOUT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(CHECKOUT))

from bench.seed import PASSWORD  # noqa: E402
from bench.seed import seed  # noqa: E402

CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
KEY = re.compile(r'name="submission_key"[^>]*value="([^"]+)"')
POSTED = re.compile(r"[?&]post=(\d+)")
PAGE_LINK = re.compile(r"[?&](?:amp;)?page=(\d+)")
# What differs from one request to the next on the same page: not compared.
PER_REQUEST = [(re.compile(r'nonce="[^"]*"'), 'nonce=""'),
               (re.compile(r'(name="(?:csrf_token|submission_key)"[^>]*value=")[^"]*"'), r'\1"')]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _start_gunicorn(url: str, workers: int, instance: Path, log,
                    **settings: str) -> tuple[subprocess.Popen, str]:
    port = _free_port()
    env = {**os.environ, "FORUM_DATABASE_URL": url, "FORUM_SECRET_KEY": "load-test-key",
           "FORUM_BIND": f"127.0.0.1:{port}", "WEB_CONCURRENCY": str(workers),
           "FORUM_INSTANCE_PATH": str(instance), "FORUM_RATELIMIT_ENABLED": "false",
           "FORUM_PUBLIC_BASE_URL": f"http://127.0.0.1:{port}", "FORUM_MAX_REQUESTS": "0",
           **settings}
    gunicorn = Path(sys.executable).with_name("gunicorn")
    process = subprocess.Popen([str(gunicorn), "-c", "gunicorn.conf.py"], cwd=CHECKOUT,
                               env=env, stdout=log, stderr=log)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if requests.get(f"{base}/healthz", timeout=2).status_code == 200:
                return process, base
        except requests.RequestException:
            pass
        time.sleep(0.3)
    process.terminate()
    raise SystemExit("gunicorn did not answer /healthz within 60 s")


def _workers_rss(master: int) -> list[int]:
    """Resident memory (KiB) of each worker of the gunicorn master."""
    out = subprocess.run(["ps", "--ppid", str(master), "-o", "rss="], capture_output=True,
                         text=True).stdout
    return [int(line) for line in out.split()]


class Client(threading.Thread):
    """One connection: signs in, then reads and posts until the deadline."""

    def __init__(self, base: str, email: str, cookies, threads: list[tuple[int, int]],
                 deadline: float, started: float, post_share: float, seed_value: int,
                 posts: dict[int, list[int]]) -> None:
        super().__init__(daemon=True)
        self.base, self.email, self.threads, self.posts = base, email, threads, posts
        self.deadline, self.started, self.post_share = deadline, started, post_share
        self.rng = random.Random(seed_value)
        self.session = requests.Session()
        self.session.cookies.update(cookies)
        self.answers: list[tuple[float, str, int, float]] = []  # (t, kind, status, seconds)
        self.acknowledged: list[int] = []
        self.errors: collections.Counter[str] = collections.Counter()

    def _request(self, kind: str, method: str, path: str, **kwargs) -> requests.Response | None:
        began = time.monotonic()
        try:
            response = self.session.request(method, self.base + path, timeout=30,
                                            allow_redirects=False, **kwargs)
        except requests.RequestException as error:
            self.errors[type(error).__name__] += 1
            self.answers.append((began - self.started, kind, 0, time.monotonic() - began))
            time.sleep(0.2)
            return None
        self.answers.append((began - self.started, kind, response.status_code,
                             time.monotonic() - began))
        return response

    def _post(self) -> None:
        thread_id, opening_id = self.rng.choice(self.threads)
        # Half the replies answer the opening post, half another published post of the thread
        # (a deeper branch: the thread's shape changes, not only its length).
        parent_id = (opening_id if self.rng.random() < 0.5
                     else self.rng.choice(self.posts[thread_id]))
        form = self._request("reply form", "GET", f"/posts/{parent_id}/reply")
        if form is None or form.status_code != 200:
            return
        token, key = CSRF.search(form.text), KEY.search(form.text)
        if not token or not key:
            return
        sent = self._request("reply", "POST", f"/posts/{parent_id}/reply", data={
            "csrf_token": token.group(1), "submission_key": key.group(1),
            "body": f"Load test reply {self.rng.random():.12f} from {self.email}."})
        if sent is not None and sent.status_code in (302, 303):
            posted = POSTED.search(sent.headers.get("Location", ""))
            if posted:
                self.acknowledged.append(int(posted.group(1)))

    def run(self) -> None:
        while time.monotonic() < self.deadline:
            if self.rng.random() < self.post_share:
                self._post()
                continue
            thread_id, _ = self.rng.choice(self.threads)
            path = self.rng.choice([
                "/", "/sets/set-1/", f"/threads/{thread_id}", f"/threads/{thread_id}",
                f"/threads/{thread_id}?page={self.rng.randint(2, 6)}",
                f"/threads/{thread_id}?post={self.rng.choice(self.posts[thread_id])}",
                "/healthz"])
            self._request("read", "GET", path)


def _sign_in(base: str, email: str):
    """The cookies of a signed-in session (checking a password is slow on purpose: the
    connections share a few sessions, made before the clock starts)."""
    session = requests.Session()
    form = session.get(f"{base}/sign-in", timeout=120)
    token = CSRF.search(form.text)
    done = session.post(f"{base}/sign-in", allow_redirects=False, timeout=120, data={
        "email": email, "password": PASSWORD, "csrf_token": token.group(1) if token else ""})
    assert done.status_code in (302, 303), f"could not sign in as {email}"
    return session.cookies


def _same_page(html: str) -> str:
    for pattern, replacement in PER_REQUEST:
        html = pattern.sub(replacement, html)
    return html


def _compare_pages(served: str, fresh: str, viewers: dict[str, object],
                   threads: list[tuple[int, int]]) -> tuple[int, list[str]]:
    """Every page of every thread, as each viewer sees it, from the loaded server and from a
    fresh one: the number of pages compared and a description of each that differed. Each
    page is first read once from the loaded server (so the viewer's read marker has moved to
    the end and stays there while the pages are compared)."""
    differences: list[str] = []
    compared = 0
    for role, cookies in viewers.items():
        session = requests.Session()
        session.cookies.update(cookies)
        pages_of: dict[int, int] = {}
        for thread_id, _ in threads:
            first = session.get(f"{served}/threads/{thread_id}", timeout=120)
            pages_of[thread_id] = max([1, *map(int, PAGE_LINK.findall(first.text))])
            for page in range(2, pages_of[thread_id] + 1):
                session.get(f"{served}/threads/{thread_id}?page={page}", timeout=120)
        for thread_id, _ in threads:
            for page in range(1, pages_of[thread_id] + 1):
                path = f"/threads/{thread_id}?page={page}"
                answers = [session.get(base + path, timeout=120) for base in (served, fresh)]
                compared += 1
                statuses = [answer.status_code for answer in answers]
                if statuses != [200, 200]:
                    differences.append(f"{role} {path}: status {statuses}")
                    continue
                kept, again = (_same_page(answer.text).splitlines() for answer in answers)
                if kept != again:
                    diff = list(difflib.unified_diff(
                        kept, again, "loaded server", "fresh server", lineterm="", n=0))
                    differences.append(f"{role} {path}:\n    " + "\n    ".join(
                        line[:200] for line in diff[:12]))
    return compared, differences


def _pg_ctl(pgdata: str, *args: str) -> None:
    command = ["pg_ctl", "-D", pgdata, *args]
    if os.geteuid() == 0:
        command = ["runuser", "-u", "postgres", "--", *command]
    subprocess.run(command, check=True, capture_output=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", required=True)
    parser.add_argument("--seed", action="store_true", help="seed the empty database first")
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--post-share", type=float, default=0.2)
    parser.add_argument("--restart-postgres", metavar="PGDATA",
                        help="stop and start this PostgreSQL (its own, not a shared one: its "
                             "postgresql.conf must hold its port)")
    parser.add_argument("--restart-at", type=float, default=20)
    parser.add_argument("--outage", type=float, default=5)
    args = parser.parse_args()

    if args.restart_postgres and not args.database.startswith("postgresql"):
        parser.error("--restart-postgres needs a PostgreSQL --database")
    if args.seed:
        # Thread 1 (in set 1, which the load reads) has more than forum.threads.shape's
        # LONG_THREAD posts: each worker keeps its shape.
        seed(args.database, sets=4, people=200, threads=40, posts=3_000, long_thread=1_200,
             seed_value=1)
    engine = create_engine(args.database)
    with engine.connect() as connection:
        members = list(connection.execute(text(
            "SELECT u.email, m.role FROM users u JOIN memberships m ON m.user_id = u.id "
            "WHERE m.learning_set_id = 1 ORDER BY u.id")))
        emails = [email for email, _ in members]
        threads = [tuple(row) for row in connection.execute(text(
            "SELECT t.id, min(p.id) FROM threads t JOIN posts p ON p.thread_id = t.id "
            "WHERE t.learning_set_id = 1 AND p.parent_id IS NULL GROUP BY t.id ORDER BY t.id"))]
        posts: dict[int, list[int]] = collections.defaultdict(list)
        for thread_id, post_id in connection.execute(text(
                "SELECT p.thread_id, p.id FROM posts p JOIN threads t ON t.id = p.thread_id "
                "WHERE t.learning_set_id = 1 AND p.status = 'approved' ORDER BY p.id")):
            posts[thread_id].append(post_id)
        posts_before = connection.scalar(text("SELECT count(*) FROM posts"))
    engine.dispose()

    load_before = os.getloadavg()
    with tempfile.TemporaryDirectory() as instance, \
            open(Path(instance) / "gunicorn.log", "w") as log:
        server, base = _start_gunicorn(args.database, args.workers, Path(instance), log)
        people = emails[:8]
        cookies = [_sign_in(base, email) for email in people]
        # The set's moderator and a member (person 1 facilitates, person 2 moderates).
        roles = dict(members)
        viewers = {"moderator": next(cookie for email, cookie in zip(people, cookies,
                                                                     strict=True)
                                     if roles[email] == "moderator"),
                   "member": next(cookie for email, cookie in zip(people, cookies, strict=True)
                                  if roles[email] == "member")}
        rss_start = _workers_rss(server.pid)
        started = time.monotonic()
        deadline = started + args.seconds
        clients = [Client(base, people[n % len(people)], cookies[n % len(people)], threads,
                          deadline, started, args.post_share, n, posts)
                   for n in range(args.connections)]
        for client in clients:
            client.start()
        outage: tuple[float, float] | None = None
        if args.restart_postgres:
            time.sleep(max(0.0, started + args.restart_at - time.monotonic()))
            stopped = time.monotonic() - started
            _pg_ctl(args.restart_postgres, "-m", "fast", "stop")
            time.sleep(args.outage)
            _pg_ctl(args.restart_postgres, "-w", "-l",
                    str(Path(args.restart_postgres) / "restart.log"), "start")
            outage = (stopped, time.monotonic() - started)
        for client in clients:
            client.join()
        rss_end = _workers_rss(server.pid)
        # The same pages from a fresh process, with no post articles kept (the loaded server
        # keeps up to 4,000 a worker), on the same database.
        with open(Path(instance) / "fresh.log", "w") as fresh_log:
            fresh, fresh_base = _start_gunicorn(args.database, 1, Path(instance), fresh_log,
                                                FORUM_POST_FRAGMENT_CACHE_SIZE="0")
            try:
                compared, differences = _compare_pages(base, fresh_base, viewers, threads)
            finally:
                fresh.terminate()
                fresh.wait(timeout=60)
        server.terminate()
        server.wait(timeout=60)
        log.flush()
        server_log = (Path(instance) / "gunicorn.log").read_text()
        tracebacks = server_log.count("Traceback")
        locked = server_log.count("database is locked")
        if tracebacks or locked:
            kept_log = Path(tempfile.gettempdir()) / f"load-{os.getpid()}-gunicorn.log"
            kept_log.write_text(server_log)

    answers = [answer for client in clients for answer in client.answers]
    acknowledged = [post_id for client in clients for post_id in client.acknowledged]
    errors = sum((client.errors for client in clients), collections.Counter())
    engine = create_engine(args.database)
    with engine.connect() as connection:
        from forum.models import Post  # noqa: PLC0415 (after sys.path is set)
        found = set()
        for start in range(0, len(acknowledged), 500):
            found.update(connection.scalars(
                select(Post.id).where(Post.id.in_(acknowledged[start:start + 500]))))
        posts_after = connection.scalar(text("SELECT count(*) FROM posts"))
        # The triggers' count of each thread's changes: only replies were made, so it is the
        # number of the thread's posts.
        miscounted = list(connection.execute(text(
            "SELECT t.id, t.shape_version, count(p.id) FROM threads t "
            "LEFT JOIN posts p ON p.thread_id = t.id GROUP BY t.id, t.shape_version "
            "HAVING t.shape_version <> count(p.id)")))
        thread_count = connection.scalar(text("SELECT count(*) FROM threads"))
    engine.dispose()

    statuses = collections.Counter(status for _, _, status, _ in answers)
    reads = sorted(seconds for _, kind, status, seconds in answers
                   if kind == "read" and status == 200)
    print(f"date: {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}; command: "
          f"{' '.join(sys.argv)}")
    print(f"load average before: {' '.join(f'{n:.1f}' for n in load_before)}; after: "
          f"{' '.join(f'{n:.1f}' for n in os.getloadavg())}")
    print(f"{len(answers)} answers in {args.seconds:.0f} s ({len(answers) / args.seconds:.1f}/s) "
          f"from {args.connections} connections, {args.workers} gunicorn workers")
    print("by status:", dict(sorted(statuses.items())), "(0 = no answer:", dict(errors), ")")
    five_xx = {status: n for status, n in statuses.items() if status >= 500}
    print(f"5xx: {sum(five_xx.values())} {five_xx}; tracebacks in the server log: {tracebacks}; "
          f'"database is locked" in it: {locked}'
          + (f" (log kept in {kept_log})" if tracebacks or locked else ""))
    replies = sorted(seconds for _, kind, status, seconds in answers
                     if kind == "reply" and status in (302, 303))
    for name, times in (("reads answered 200", reads), ("replies acknowledged", replies)):
        if times:
            print(f"{name}: median {statistics.median(times) * 1000:.0f} ms, "
                  f"p95 {times[int(len(times) * 0.95) - 1] * 1000:.0f} ms")
    lost = sorted(set(acknowledged) - found)
    print(f"posts acknowledged: {len(acknowledged)}; found afterwards: {len(found)}; "
          f"lost: {len(lost)} {lost[:10]}; posts before {posts_before}, after {posts_after}")
    print(f"threads whose shape_version is not their number of posts: {len(miscounted)} of "
          f"{thread_count} {miscounted[:5]}")
    print(f"thread pages compared, loaded server against a fresh one: {compared}; "
          f"different: {len(differences)}")
    for difference in differences[:5]:
        print("  ", difference)
    print(f"worker RSS at start: {[kib // 1024 for kib in rss_start]} MiB; at the end: "
          f"{[kib // 1024 for kib in rss_end]} MiB")
    if outage is not None:
        stopped, restarted = outage
        during = collections.Counter(status for t, _, status, _ in answers
                                     if stopped <= t < restarted)
        print(f"PostgreSQL stopped at {stopped:.1f} s, running again at {restarted:.1f} s; "
              f"answers meanwhile: {dict(sorted(during.items()))}")
        after = sorted(t for t, kind, status, _ in answers
                       if t >= restarted and status == 200 and kind == "read")
        if after:
            print(f"first successful read {after[0] - restarted:.1f} s after PostgreSQL was "
                  f"back")
        bad_after = collections.Counter(status for t, _, status, _ in answers
                                        if t >= restarted + 5 and status >= 500)
        print(f"5xx from 5 s after the restart on: {dict(bad_after)}")


if __name__ == "__main__":
    main()
