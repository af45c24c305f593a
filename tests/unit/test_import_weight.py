"""A web worker loads only what pages need: export, chart, calendar and migration libraries
load when something uses them (each worker's memory; issue 16)."""

from __future__ import annotations

import json
import subprocess
import sys

EXPORT_ONLY = ["weasyprint", "docx", "odf", "odfdo", "pygal", "icalendar", "alembic",
               "flask_migrate",
               # Password checks (sign-up, password change) and uploads only.
               "zxcvbn", "PIL", "puremagic",
               # Rendering Markdown (a write) and stripping markup from an excerpt only.
               "markdown_it", "mdurl", "bleach", "html5lib",
               # Sending mail (after the response); one participation chart.
               "smtplib", "statistics"]
# On SQLite, no other database's SQLAlchemy dialect (PostgreSQL's is 2 MiB).
OTHER_DIALECTS = ["sqlalchemy.dialects.postgresql", "sqlalchemy.dialects.mysql"]

SCRIPT = """
import json, sys
from forum import create_app
app = create_app({"SECRET_KEY": "x", "SQLALCHEMY_DATABASE_URI": "sqlite://", "TESTING": True})
app.test_client().get("/sign-in")
print(json.dumps(sorted(sys.modules)))
"""


def test_serving_a_page_does_not_import_export_libraries() -> None:
    done = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True,
                          check=True, timeout=120)
    modules = set(json.loads(done.stdout.strip().splitlines()[-1]))
    loaded = {name.split(".")[0] for name in modules}
    assert "flask" in loaded  # the check itself sees imports
    assert loaded.isdisjoint(EXPORT_ONLY), sorted(loaded & set(EXPORT_ONLY))
    assert "sqlalchemy.dialects.sqlite" in modules
    assert modules.isdisjoint(OTHER_DIALECTS), sorted(modules & set(OTHER_DIALECTS))


def test_migrations_still_load_when_asked(app) -> None:
    """``flask_migrate.upgrade()`` finds its configuration (loaded on first use)."""
    with app.app_context():
        config = app.extensions["migrate"].migrate.get_config()
    assert config.get_main_option("script_location").endswith("migrations")

