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

Usage: ``.venv/bin/python bench/bench_memory.py [--requests 10000] [--connections 4]
[--workers 2] [--no-preload]``
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
from forum import create_app  # noqa: E402
from forum.demo.content import COMMS_SLUG  # noqa: E402


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
        port = _free_port()
        env = dict(os.environ, FORUM_SECRET_KEY=SECRET_KEY, FORUM_DATABASE_URL=uri,
                   FORUM_RATELIMIT_ENABLED="false", FORUM_INSTANCE_PATH=folder,
                   FORUM_PRELOAD_APP="true" if args.preload else "false")
        command = [str(Path(sys.executable).with_name("gunicorn")), "-c", "gunicorn.conf.py",
                   "--workers",
                   str(args.workers), "--bind", f"127.0.0.1:{port}", "--log-level", "warning",
                   "--max-requests", "0"]
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
          f"{args.workers} workers{' (preload)' if args.preload else ''}; statuses {statuses}")
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
