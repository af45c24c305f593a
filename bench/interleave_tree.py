"""Interleaved CPU check of the 50-post thread page against the bare Flask + Jinja page, for any
checkout (``bench/interleave_pages.py`` measures this one's thread or set page).

One process builds the bench database (``bench_pages.build_database``), then alternates
``--per-round`` requests of the thread page (as the demo member) and as many of the bare
50-post page, ``--rounds`` times, timing each batch with ``time.process_time``: on a shared
machine the two pages then see the same load, and their ratio ("x bare CPU") moves far less
than either time. ``TREE`` is the checkout whose ``forum`` and ``bench`` are measured (so an
older commit, unpacked with ``git archive``, runs with this venv).

Usage: ``.venv/bin/python bench/interleave_tree.py [TREE] [--rounds 10] [--per-round 40]
[--html FILE]`` (``--html``: also write the thread page once, to compare trees).
"""

from __future__ import annotations

import argparse
import importlib
import logging
import os
import sys
import tempfile
import time
from pathlib import Path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("tree", nargs="?", default=str(Path(__file__).resolve().parent.parent))
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--per-round", type=int, default=40)
    parser.add_argument("--html")
    args = parser.parse_args()
    tree = Path(args.tree).resolve()
    sys.path.insert(0, str(tree))
    os.environ["FORUM_LOG_FORMAT"] = '"none"'
    logging.disable(logging.WARNING)
    from bench.bench_pages import SECRET_KEY
    from bench.bench_pages import SET_PAGE_THREADS
    from bench.bench_pages import build_database
    from bench.bench_pages import write_bare_app
    from forum import create_app

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
        reader = app.test_client()
        with reader.session_transaction() as session:
            session["_user_id"] = ids["session"]
            session["_fresh"] = True
        page, bare_page = f"/threads/{ids['thread']}", f"/bare/threads/{ids['thread']}"
        for _ in range(20):  # warm up: kept articles, statements, imports
            if reader.get(page).status_code != 200 or bare.get(bare_page).status_code != 200:
                raise SystemExit("a page did not answer 200")
        if args.html:
            Path(args.html).write_bytes(reader.get(page).data)
        thread_cpu = bare_cpu = 0.0
        for _ in range(args.rounds):
            began = time.process_time()
            for _ in range(args.per_round):
                reader.get(page)
            thread_cpu += time.process_time() - began
            began = time.process_time()
            for _ in range(args.per_round):
                bare.get(bare_page)
            bare_cpu += time.process_time() - began
        count = args.rounds * args.per_round
        thread_ms, bare_ms = thread_cpu / count * 1000, bare_cpu / count * 1000
        print(f"{tree}: thread page {thread_ms:.1f} CPU ms, bare page {bare_ms:.1f} CPU ms, "
              f"x bare CPU {bare_ms / thread_ms:.3f} ({count} requests of each)")


if __name__ == "__main__":
    main()
