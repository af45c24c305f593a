"""CPU time of a long thread's shape (:func:`forum.threads.service.skeleton`), the query every
page of a thread runs: as a moderator reads it (every post) and as a member reads it (the posts
they are not shown left out, in the same query), beside the statement before that change (ids
and parents only, the same for everyone) in the same run; then the shape read and cut into pages
on every request, against the kept shape and pages (:func:`forum.threads.shape.thread_pages`:
one query of the version, the posts added and the posts left out).

Needs a database made by ``bench/seed.py`` (its first thread is the long one). CPU time of this
process (``time.process_time``): on SQLite that includes the database's work; on PostgreSQL it
is the client's share only, so wall time is printed too.

Usage::

    .venv/bin/python bench/bench_thread_shape.py --database sqlite:////tmp/big.db [--rounds 40]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

from sqlalchemy import bindparam
from sqlalchemy import func
from sqlalchemy import select

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from forum import create_app  # noqa: E402
from forum.extensions import db  # noqa: E402
from forum.models import Post  # noqa: E402
from forum.models import User  # noqa: E402
from forum.threads.service import Skeleton  # noqa: E402
from forum.threads.service import skeleton  # noqa: E402
from forum.threads.shape import paginate  # noqa: E402
from forum.threads.shape import thread_pages  # noqa: E402

BEFORE = (select(Post.id, Post.parent_id).where(Post.thread_id == bindparam("thread_id"))
          .order_by(Post.id))


def skeleton_before(session, thread_id: int) -> Skeleton:
    """The shape as it was read before: every post, for everyone."""
    rows = session.execute(BEFORE, {"thread_id": thread_id}).all()
    parents = {row.id: row.parent_id for row in rows}
    opening_id = next((post_id for post_id, parent_id in rows if parent_id is None), None)
    children: dict[int, list[int]] = {}
    heads = []
    for post_id, parent_id in rows:
        if post_id == opening_id:
            continue
        if parent_id is None or parent_id == opening_id or parent_id not in parents:
            heads.append(post_id)
        else:
            children.setdefault(parent_id, []).append(post_id)
    return Skeleton(opening_id, heads, children, parents)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", required=True)
    parser.add_argument("--rounds", type=int, default=40)
    args = parser.parse_args()
    app = create_app({"SQLALCHEMY_DATABASE_URI": args.database, "SECRET_KEY": "bench",
                      "TESTING": True, "LOG_FORMAT": "none"})
    with app.app_context():
        session = db.session
        thread_id, posts = session.execute(
            select(Post.thread_id, func.count()).group_by(Post.thread_id)
            .order_by(func.count().desc()).limit(1)).one()
        reader = session.scalar(select(User).where(User.is_admin.is_(False)).order_by(User.id)
                                .offset(10).limit(1))
        def whole(moderates: bool) -> None:  # every request before the shapes were kept
            paginate(skeleton(session, thread_id, reader, moderates=moderates), 50, 100)

        runs = {
            "before (every post, for all)": lambda: skeleton_before(session, thread_id),
            "moderator (every post)": lambda: skeleton(session, thread_id, reader,
                                                      moderates=True),
            "member (not shown left out)": lambda: skeleton(session, thread_id, reader),
            "moderator, read whole and cut": lambda: whole(True),
            "member, read whole and cut": lambda: whole(False),
            "moderator, kept (thread_pages)": lambda: thread_pages(session, thread_id, reader,
                                                                   moderates=True),
            "member, kept (thread_pages)": lambda: thread_pages(session, thread_id, reader),
        }
        cpu: dict[str, list[float]] = {name: [] for name in runs}
        wall: dict[str, list[float]] = {name: [] for name in runs}
        for _ in range(args.rounds):  # interleaved, so load changes hit each alike
            for name, run in runs.items():
                started, started_cpu = time.perf_counter(), time.process_time()
                run()
                cpu[name].append(time.process_time() - started_cpu)
                wall[name].append(time.perf_counter() - started)
        print(f"thread {thread_id}: {posts:,} posts, {args.rounds} rounds, medians")
        for name in runs:
            print(f"  {name:32} CPU {statistics.median(cpu[name]) * 1000:6.2f} ms"
                  f"   wall {statistics.median(wall[name]) * 1000:6.2f} ms")


if __name__ == "__main__":
    main()
