"""The kept long thread's "did it change?" read, before and after ``threads.shape_version``.

Times the old first row of the check (the count and sum of parent ids over the thread's index)
against the new one (the thread row by its key) on one connection, in interleaved batches, and
on PostgreSQL also the server's execution time (``EXPLAIN ANALYZE``).

Usage::

    .venv/bin/python bench/bench_shape_check.py --database URL --thread 11
"""

from __future__ import annotations

import argparse
import statistics
import time

from sqlalchemy import create_engine
from sqlalchemy import text

OLD = text("SELECT count(*), coalesce(sum(parent_id), 0) FROM posts WHERE thread_id = :t")
NEW = text("SELECT shape_version, created_at FROM threads WHERE id = :t")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", required=True)
    parser.add_argument("--thread", type=int, required=True)
    args = parser.parse_args()
    values = {"t": args.thread}
    with create_engine(args.database).connect() as connection:
        print("posts in the thread:", connection.execute(
            text("SELECT count(*) FROM posts WHERE thread_id = :t"), values).scalar())
        times: dict[str, list[float]] = {"old": [], "new": []}
        for _ in range(40):
            for name, query in (("old", OLD), ("new", NEW)):
                began = time.perf_counter()
                for _ in range(50):
                    connection.execute(query, values).all()
                times[name].append((time.perf_counter() - began) / 50 * 1000)
        for name, found in times.items():
            print(f"{name}: {statistics.median(found):.3f} ms a query (median of 40 batches)")
        if connection.dialect.name == "postgresql":
            for name, query in (("old", OLD), ("new", NEW)):
                server = [connection.execute(text("EXPLAIN (ANALYZE, FORMAT JSON) "
                                                  + query.text), values).scalar()[0]
                          ["Execution Time"] for _ in range(30)]
                print(f"{name}: server execution {statistics.median(server):.3f} ms")


if __name__ == "__main__":
    main()
