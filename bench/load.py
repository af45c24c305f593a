"""Mixed reading and posting against gunicorn for a fixed time; optionally restart PostgreSQL
in the middle. Counts every answer by status, checks that every post the server acknowledged is
in the database afterwards, and reports each worker's resident memory.

Loopback only, bounded in time. Seeds the (empty) database given with ``--seed`` first.

Usage::

    .venv/bin/python bench/load.py --database postgresql+psycopg://postgres@127.0.0.1/load \\
        --seed [--seconds 60] [--connections 32] [--workers 2]
    # the fault run: a PostgreSQL of its own (never the shared server), stopped at 20 s for 5 s
    .venv/bin/python bench/load.py --database postgresql+psycopg://postgres@127.0.0.1:55432/load \\
        --seed --restart-postgres /tmp/pgdata --restart-at 20 --outage 5
"""

from __future__ import annotations

import argparse
import collections
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


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _start_gunicorn(url: str, workers: int, instance: Path, log) -> tuple[subprocess.Popen,
                                                                             str]:
    port = _free_port()
    env = {**os.environ, "FORUM_DATABASE_URL": url, "FORUM_SECRET_KEY": "load-test-key",
           "FORUM_BIND": f"127.0.0.1:{port}", "WEB_CONCURRENCY": str(workers),
           "FORUM_INSTANCE_PATH": str(instance), "FORUM_RATELIMIT_ENABLED": "false",
           "FORUM_PUBLIC_BASE_URL": f"http://127.0.0.1:{port}", "FORUM_MAX_REQUESTS": "0"}
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
                 deadline: float, started: float, post_share: float, seed_value: int) -> None:
        super().__init__(daemon=True)
        self.base, self.email, self.threads = base, email, threads
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
        _thread_id, opening_id = self.rng.choice(self.threads)
        form = self._request("reply form", "GET", f"/posts/{opening_id}/reply")
        if form is None or form.status_code != 200:
            return
        token, key = CSRF.search(form.text), KEY.search(form.text)
        if not token or not key:
            return
        sent = self._request("reply", "POST", f"/posts/{opening_id}/reply", data={
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
            path = self.rng.choice(["/", "/sets/set-1/", f"/threads/{thread_id}",
                                    f"/threads/{thread_id}", "/healthz"])
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

    if args.seed:
        seed(args.database, sets=4, people=200, threads=40, posts=2_000, long_thread=200,
             seed_value=1)
    engine = create_engine(args.database)
    with engine.connect() as connection:
        emails = list(connection.scalars(text(
            "SELECT u.email FROM users u JOIN memberships m ON m.user_id = u.id "
            "WHERE m.learning_set_id = 1 ORDER BY u.id")))
        threads = [tuple(row) for row in connection.execute(text(
            "SELECT t.id, min(p.id) FROM threads t JOIN posts p ON p.thread_id = t.id "
            "WHERE t.learning_set_id = 1 AND p.parent_id IS NULL GROUP BY t.id"))]
        posts_before = connection.scalar(text("SELECT count(*) FROM posts"))
    engine.dispose()

    load_before = os.getloadavg()
    with tempfile.TemporaryDirectory() as instance, \
            open(Path(instance) / "gunicorn.log", "w") as log:
        server, base = _start_gunicorn(args.database, args.workers, Path(instance), log)
        people = emails[:8]
        cookies = [_sign_in(base, email) for email in people]
        rss_start = _workers_rss(server.pid)
        started = time.monotonic()
        deadline = started + args.seconds
        clients = [Client(base, people[n % len(people)], cookies[n % len(people)], threads,
                          deadline, started, args.post_share, n)
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
        server.terminate()
        server.wait(timeout=60)
        log.flush()
        tracebacks = (Path(instance) / "gunicorn.log").read_text().count("Traceback")

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
    print(f"5xx: {sum(five_xx.values())} {five_xx}; tracebacks in the server log: {tracebacks}")
    if reads:
        print(f"reads answered 200: median {statistics.median(reads) * 1000:.0f} ms, "
              f"p95 {reads[int(len(reads) * 0.95) - 1] * 1000:.0f} ms")
    lost = sorted(set(acknowledged) - found)
    print(f"posts acknowledged: {len(acknowledged)}; found afterwards: {len(found)}; "
          f"lost: {len(lost)} {lost[:10]}; posts before {posts_before}, after {posts_after}")
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
