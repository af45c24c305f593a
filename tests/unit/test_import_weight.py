"""A web worker loads only what pages need: export, chart, calendar and migration libraries
load when something uses them (each worker's memory; issue 16)."""

from __future__ import annotations

import json
import subprocess
import sys

EXPORT_ONLY = ["weasyprint", "docx", "odf", "odfdo", "pygal", "icalendar", "alembic",
               "flask_migrate",
               # Password checks (sign-up, password change) and uploads only.
               "zxcvbn", "PIL", "puremagic"]

SCRIPT = """
import json, sys
from forum import create_app
app = create_app({"SECRET_KEY": "x", "SQLALCHEMY_DATABASE_URI": "sqlite://", "TESTING": True})
app.test_client().get("/sign-in")
print(json.dumps(sorted({name.split(".")[0] for name in sys.modules})))
"""


def test_serving_a_page_does_not_import_export_libraries() -> None:
    done = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True,
                          check=True, timeout=120)
    loaded = set(json.loads(done.stdout.strip().splitlines()[-1]))
    assert "flask" in loaded  # the check itself sees imports
    assert loaded.isdisjoint(EXPORT_ONLY), sorted(loaded & set(EXPORT_ONLY))


def test_migrations_still_load_when_asked(app) -> None:
    """``flask_migrate.upgrade()`` finds its configuration (loaded on first use)."""
    with app.app_context():
        config = app.extensions["migrate"].migrate.get_config()
    assert config.get_main_option("script_location").endswith("migrations")

