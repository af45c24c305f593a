"""Work a web worker would otherwise do on its first requests, done once in gunicorn's master
before it forks the workers (``preload_app`` in ``gunicorn.conf.py``).

What is built here sits in memory pages the workers share copy-on-write; built in each worker,
the same objects would fill pages of its own (issue 16: memory per worker).
"""

from __future__ import annotations

from flask import Flask
from sqlalchemy.orm import configure_mappers


def prepare_for_fork(app: Flask) -> int:
    """Configure the ORM's mappers and compile every template (the site's and the GOV.UK
    macros); no database is touched. Returns how many templates were compiled."""
    configure_mappers()
    environment = app.jinja_env
    names = environment.list_templates(extensions=["html", "txt"])
    for name in names:
        environment.get_template(name)
    return len(names)
