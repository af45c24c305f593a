"""Profile one page of the app in process (cProfile), for an anonymous reader or a member.

Builds the same temporary SQLite database as ``bench_pages.py`` (demo, a 50-post thread, a
50-thread set page), serves the page a few times to warm up, then profiles ``--requests`` more.

Usage: ``.venv/bin/python bench/profile_page.py [--page thread|set|sign-in] [--anonymous]
[--requests 50] [--sort cumulative] [--limit 40]``; with ``PROFILE_DUMP=FILE`` the cProfile
statistics are also written to FILE (for ``pstats`` callers/callees).
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.bench_pages import SECRET_KEY  # noqa: E402
from bench.bench_pages import SET_PAGE_THREADS  # noqa: E402
from bench.bench_pages import build_database  # noqa: E402
from forum import create_app  # noqa: E402
from forum.demo.content import COMMS_SLUG  # noqa: E402
from forum.extensions import db  # noqa: E402
from forum.models import LearningSet  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--page", choices=["thread", "set", "sign-in"], default="thread")
    parser.add_argument("--anonymous", action="store_true",
                        help="a signed-out reader (the set is made public for this)")
    parser.add_argument("--requests", type=int, default=50)
    parser.add_argument("--sort", default="cumulative")
    parser.add_argument("--limit", type=int, default=45)
    parser.add_argument("--tree", action="store_true",
                        help="a call tree from pyinstrument (if installed) instead of cProfile")
    args = parser.parse_args()
    os.environ["FORUM_LOG_FORMAT"] = '"none"'
    with tempfile.TemporaryDirectory(prefix="forum-profile-") as folder:
        uri = f"sqlite:///{Path(folder) / 'bench.db'}"
        ids = build_database(uri)
        app = create_app({"SECRET_KEY": SECRET_KEY, "SQLALCHEMY_DATABASE_URI": uri,
                          "RATELIMIT_ENABLED": False, "THREADS_PER_PAGE": SET_PAGE_THREADS,
                          "LOG_FORMAT": "none"})
        if args.anonymous:
            with app.app_context():
                learning_set = db.session.get(LearningSet, ids["set"])
                learning_set.visibility = type(learning_set.visibility)("public")
                db.session.commit()
        client = app.test_client()
        if not args.anonymous:
            with client.session_transaction() as session:
                session["_user_id"] = ids["session"]
                session["_fresh"] = True
        path = {"thread": f"/threads/{ids['thread']}", "set": f"/sets/{COMMS_SLUG}/",
                "sign-in": "/sign-in"}[args.page]
        for _ in range(5):
            response = client.get(path)
            assert response.status_code == 200, response.status_code
        if args.tree:
            from pyinstrument import Profiler

            tree = Profiler(interval=0.0002)
            tree.start()
            for _ in range(args.requests):
                client.get(path)
            tree.stop()
            print(tree.output_text(color=False, show_all=False))
            return
        profiler = cProfile.Profile()
        began = time.perf_counter()
        profiler.enable()
        for _ in range(args.requests):
            client.get(path)
        profiler.disable()
        elapsed = time.perf_counter() - began
        print(f"{path} ({'anonymous' if args.anonymous else 'member'}): {args.requests} requests "
              f"in {elapsed:.2f} s under the profiler ({elapsed / args.requests * 1000:.1f} ms "
              f"each), {len(response.data) // 1024} KB")
        if os.environ.get("PROFILE_DUMP"):
            profiler.dump_stats(os.environ["PROFILE_DUMP"])
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats(args.sort).print_stats(args.limit)
        print(out.getvalue())


if __name__ == "__main__":
    main()
