"""Work a web worker would otherwise do on its first request, done once in gunicorn's master
before it forks the workers (``preload_app`` in ``gunicorn.conf.py``).

What is built here sits in memory pages the workers share copy-on-write; built in each worker,
the same objects would fill pages of its own (issue 16: memory per worker).
"""

from __future__ import annotations

import ctypes
import ctypes.util
from collections.abc import Callable

from flask import Flask
from sqlalchemy.orm import configure_mappers


def prepare_for_fork(app: Flask) -> None:
    """Configure the ORM's mappers (0.1 s; no database is touched).

    Templates are left to compile in each worker as its pages first need them: compiling all
    200 in the master cost 1.4 s of CPU at every start and, measured with two workers
    (bench/RESULTS.md), left a worker's own memory where it was while the master grew.
    """
    del app  # the mappers are the models', not the app's
    configure_mappers()


# Requests between two trims of the C heap (a trim walks the heap: well under a millisecond).
TRIM_EVERY = 100


def _load_malloc_trim() -> Callable[[int], int] | None:
    """glibc's ``malloc_trim``, or ``None`` where the C library has none (musl, macOS)."""
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        return libc.malloc_trim
    except (OSError, AttributeError):
        return None


_malloc_trim = _load_malloc_trim()


def trim_heap() -> bool:
    """Give the C heap's free pages back to the system (``malloc_trim(0)``).

    The C allocator keeps freed memory for reuse, so pages freed after a request (SQLite's
    caches, large strings, compiled code the collector dropped) stay counted in the worker's
    resident memory. In a forked worker the free pages it inherited from the master go too.
    Returns whether memory was released.
    """
    return bool(_malloc_trim and _malloc_trim(0))
