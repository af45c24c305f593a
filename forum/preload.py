"""Work a web worker would otherwise do on its first request, done once in gunicorn's master
before it forks the workers (``preload_app`` in ``gunicorn.conf.py``).

What is built here sits in memory pages the workers share copy-on-write; built in each worker,
the same objects would fill pages of its own (issue 16: memory per worker).
"""

from __future__ import annotations

import gc

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


WARM_UP_REQUESTS = 50


def freeze_after_warm_up(app: Flask, requests: int = WARM_UP_REQUESTS) -> None:
    """In a web worker: once it has answered ``requests`` requests (its templates compiled,
    statements built, caches filled), move every object it holds into the collector's
    permanent generation (``gc.freeze()``), once. A full collection then no longer scans the
    app's long-lived objects on every few hundred requests (0.5-1 ms a request, measured in
    bench/RESULTS.md); objects freed later by reference counting are freed as before. The
    requests' garbage still in the collector's generations is collected first, or freezing
    would keep it for good (about 2,000 objects, 0.5 MiB)."""
    answered = 0

    @app.teardown_request
    def _freeze_once(_error: BaseException | None) -> None:
        nonlocal answered
        answered += 1
        if answered == requests:
            gc.collect()
            gc.freeze()
