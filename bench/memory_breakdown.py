"""Where a worker's memory goes: resident memory after each step of loading and serving, and
the Python memory each top-level package allocates while it is imported.

Steps, in one process: the bare interpreter, ``import flask``, ``import sqlalchemy.orm``,
``create_app()``, the first request of each page kind of ``bench_memory.py`` (through the test
client, on the same database), then ``--requests`` more and a ``malloc_trim``. The import table
counts, per top-level package, what ``tracemalloc`` sees allocated while its own modules run
(not their imports of other packages): code, classes, tables built at import.

Usage: ``.venv/bin/python bench/memory_breakdown.py [--requests 300] [--top 25]``
"""

from __future__ import annotations

import argparse
import collections
import ctypes
import importlib.abc
import json
import os
import subprocess
import sys
import tempfile
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def resident() -> float:
    """RSS of this process in MiB (from /proc/self/smaps_rollup)."""
    for line in Path("/proc/self/smaps_rollup").read_text().splitlines():
        if line.startswith("Rss:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no Rss line")


class _Counting(importlib.abc.Loader):
    """Wraps a module's loader to count what the module itself allocates."""

    stack: list[int] = []
    by_package: collections.Counter[str] = collections.Counter()

    def __init__(self, loader) -> None:
        self.loader = loader

    def create_module(self, spec):
        return self.loader.create_module(spec)

    def __getattr__(self, name: str):
        return getattr(self.loader, name)  # resources, source, file names

    def exec_module(self, module) -> None:
        before = tracemalloc.get_traced_memory()[0]
        self.stack.append(0)
        try:
            self.loader.exec_module(module)
        finally:
            nested = self.stack.pop()
            total = tracemalloc.get_traced_memory()[0] - before
            self.by_package[module.__name__.split(".")[0]] += total - nested
            if self.stack:
                self.stack[-1] += total


class _Finder(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path, target=None):
        for finder in sys.meta_path:
            if finder is self or not hasattr(finder, "find_spec"):
                continue
            spec = finder.find_spec(name, path, target)
            if spec is not None:
                if hasattr(spec.loader, "exec_module"):
                    spec.loader = _Counting(spec.loader)
                return spec
        return None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument("--trace", action="store_true",
                        help="count Python allocations per package (RSS then includes the "
                             "tracing's own memory)")
    args = parser.parse_args()
    os.environ["FORUM_LOG_FORMAT"] = '"none"'
    steps: list[tuple[str, float]] = [("interpreter", resident())]
    if args.trace:
        tracemalloc.start(1)
        sys.meta_path.insert(0, _Finder())
    import flask  # noqa: F401

    steps.append(("+ import flask", resident()))
    import sqlalchemy.orm  # noqa: F401

    steps.append(("+ import sqlalchemy.orm", resident()))
    from bench.bench_pages import SECRET_KEY
    from forum import create_app
    from forum.demo.content import COMMS_SLUG

    with tempfile.TemporaryDirectory(prefix="forum-breakdown-") as folder:
        uri = f"sqlite:///{Path(folder) / 'bench.db'}"
        # The database is built in another process, so its work is not counted here.
        script = ("import sys, json; sys.path.insert(0, sys.argv[1]);"
                  "from bench.bench_pages import build_database;"
                  "print(json.dumps(build_database(sys.argv[2])))")
        built = subprocess.run(
            [sys.executable, "-c", script, str(Path(__file__).resolve().parent.parent), uri],
            check=True, capture_output=True, text=True)
        ids = json.loads(built.stdout.strip().splitlines()[-1])
        app = create_app({"SECRET_KEY": SECRET_KEY, "SQLALCHEMY_DATABASE_URI": uri,
                          "RATELIMIT_ENABLED": False})
        from sqlalchemy.orm import configure_mappers

        configure_mappers()
        steps.append(("+ forum, create_app(), mappers", resident()))
        signed_in, signed_out = app.test_client(), app.test_client()
        serializer = app.session_interface.get_signing_serializer(app)  # type: ignore[attr-defined]
        signed_in.set_cookie(app.config["SESSION_COOKIE_NAME"],
                             serializer.dumps({"_user_id": ids["session"], "_fresh": True}))
        paths = [("/", True), (f"/sets/{COMMS_SLUG}/", True), (f"/threads/{ids['thread']}", True),
                 ("/search?q=ward", True), ("/notifications", True), ("/", False),
                 ("/sign-in", False), ("/sets/", True)]
        for path, member in paths:
            status = (signed_in if member else signed_out).get(path).status_code
            steps.append((f"+ first GET {path} ({'member' if member else 'visitor'}, {status})",
                          resident()))
        for n in range(args.requests):
            path, member = paths[n % len(paths)]
            (signed_in if member else signed_out).get(path)
        steps.append((f"+ {args.requests} more requests", resident()))
        ctypes.CDLL("libc.so.6").malloc_trim(0)
        steps.append(("after malloc_trim(0)", resident()))
    print("| step | RSS | change |\n|---|---|---|")
    previous = steps[0][1]
    for name, rss in steps:
        print(f"| {name} | {rss:.1f} MiB | {rss - previous:+.1f} |")
        previous = rss
    if args.trace:
        counted = _Counting.by_package
        print(f"\nPython memory allocated by each package's own modules at import "
              f"(total {sum(counted.values()) / 2**20:.1f} MiB):\n")
        print("| package | MiB |\n|---|---|")
        for name, size in counted.most_common(args.top):
            print(f"| {name} | {size / 2**20:.2f} |")


if __name__ == "__main__":
    main()
