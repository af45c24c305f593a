"""Work a web worker would otherwise do on its first request, done once in gunicorn's master
before it forks the workers (``preload_app`` in ``gunicorn.conf.py``).

What is built here sits in memory pages the workers share copy-on-write; built in each worker,
the same objects would fill pages of its own (issue 16: memory per worker).
"""

from __future__ import annotations

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
