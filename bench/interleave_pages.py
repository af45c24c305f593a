"""A page's CPU a request beside its bare baseline's, interleaved in one process.

Builds the database of ``bench_pages.py``, then alternates ``--batch`` requests of the page
(signed in as the bench's member) and ``--batch`` of the bare Flask + Jinja page of the same
content, ``--rounds`` times, timing each batch with ``time.process_time``: both sides share
the machine's state of the moment, so their ratio survives a loaded machine far better than
two runs one after the other.

Usage: ``.venv/bin/python bench/interleave_pages.py [--page set|thread] [--rounds 10]
[--batch 40] [--tree DIR] [--html FILE]``: ``--tree`` measures another checkout's ``forum``
and ``bench`` (an older commit unpacked with ``git archive``) with this venv, so before and
after run alike; ``--html`` also writes the page once, to compare trees.
"""

from __future__ import annotations

import argparse
import importlib
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path


def _cpu_ms(client, path: str, batch: int) -> float:
    began = time.process_time()
    for _ in range(batch):
        response = client.get(path)
        if response.status_code != 200:
            raise SystemExit(f"{path} answered {response.status_code}")
    return (time.process_time() - began) * 1000 / batch


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--page", choices=["set", "thread"], default="set")
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--batch", type=int, default=40)
    parser.add_argument("--tree", default=str(Path(__file__).resolve().parent.parent))
    parser.add_argument("--html")
    args = parser.parse_args()
    sys.path.insert(0, str(Path(args.tree).resolve()))
    from bench.bench_pages import SECRET_KEY
    from bench.bench_pages import SET_PAGE_THREADS
    from bench.bench_pages import build_database
    from bench.bench_pages import write_bare_app
    from forum import create_app
    from forum.demo.content import COMMS_SLUG

    os.environ["FORUM_LOG_FORMAT"] = '"none"'
    with tempfile.TemporaryDirectory(prefix="forum-interleave-") as folder:
        directory = Path(folder)
        uri = f"sqlite:///{directory / 'bench.db'}"
        ids = build_database(uri)
        write_bare_app(directory, directory / "bench.db")
        sys.path.insert(0, str(directory))
        bare = importlib.import_module("bare").app.test_client()
        app = create_app({"SECRET_KEY": SECRET_KEY, "SQLALCHEMY_DATABASE_URI": uri,
                          "RATELIMIT_ENABLED": False, "THREADS_PER_PAGE": SET_PAGE_THREADS,
                          "LOG_FORMAT": "none"})
        client = app.test_client()
        with client.session_transaction() as session:
            session["_user_id"] = ids["session"]
            session["_fresh"] = True
        if args.page == "set":
            path, bare_path = f"/sets/{COMMS_SLUG}/", f"/bare/sets/{ids['set']}"
        else:
            path, bare_path = f"/threads/{ids['thread']}", f"/bare/threads/{ids['thread']}"
        _cpu_ms(client, path, 20)  # warm up: kept articles, statements, imports
        _cpu_ms(bare, bare_path, 20)
        if args.html:
            Path(args.html).write_bytes(client.get(path).data)
        load = " ".join(f"{n:.1f}" for n in os.getloadavg())
        pages: list[float] = []
        bares: list[float] = []
        for _ in range(args.rounds):
            pages.append(_cpu_ms(client, path, args.batch))
            bares.append(_cpu_ms(bare, bare_path, args.batch))
        page_ms, bare_ms = statistics.mean(pages), statistics.mean(bares)
        print(f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, load average {load} → "
              f"{' '.join(f'{n:.1f}' for n in os.getloadavg())}; {args.page} page of {args.tree}, "
              f"{args.rounds} × {args.batch} requests each")
        print(f"page {page_ms:.2f} CPU ms, bare {bare_ms:.2f} CPU ms, "
              f"× bare CPU {bare_ms / page_ms:.3f} (median of rounds' ratios "
              f"{statistics.median(b / p for p, b in zip(pages, bares, strict=True)):.3f})")


if __name__ == "__main__":
    main()
