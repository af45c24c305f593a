"""Browser tests: Debian's chromium driven by Playwright against the app on a live server.

Every test here is marked ``browser``. Without chromium they are skipped with a reason, unless
``FORUM_REQUIRE_BROWSER=1`` (set by CI), in which case they fail instead.

The server is one app per session over a temporary SQLite file, seeded once; tests make their own
threads with unique titles, so they don't depend on each other's data.
"""

from __future__ import annotations

import os
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from playwright.sync_api import BrowserContext
from playwright.sync_api import ConsoleMessage
from werkzeug.serving import BaseWSGIServer
from werkzeug.serving import make_server

from forum import create_app
from forum.extensions import db
from forum.extensions import limiter
from tests.browser.seed import SEED
from tests.browser.seed import Seed
from tests.browser.seed import seed_database

BROWSER_DIR = Path(__file__).resolve().parent
MISSING_CHROMIUM = (
    "Debian chromium is not installed (apt-get install chromium); browser tests skipped")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",  # chromium refuses to start as root otherwise
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def _chromium_path() -> str | None:
    if os.access("/usr/bin/chromium", os.X_OK):
        return "/usr/bin/chromium"
    return shutil.which("chromium")


def _browser_required() -> bool:
    return os.environ.get("FORUM_REQUIRE_BROWSER") == "1"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    skip = None
    if _chromium_path() is None and not _browser_required():
        skip = pytest.mark.skip(reason=MISSING_CHROMIUM)
    for item in items:
        if BROWSER_DIR in item.path.parents:
            item.add_marker(pytest.mark.browser)
            if skip is not None:
                item.add_marker(skip)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict) -> dict:
    """Launch Debian's chromium (``playwright install`` cannot download here)."""
    executable = _chromium_path()
    if executable is None:
        # Only reached when FORUM_REQUIRE_BROWSER=1; otherwise the tests were skipped.
        pytest.fail(MISSING_CHROMIUM.replace("browser tests skipped",
                                             "FORUM_REQUIRE_BROWSER=1 requires it"))
    return {**browser_type_launch_args, "executable_path": executable, "args": CHROMIUM_ARGS}


@pytest.fixture(scope="session")
def live_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    """An app of its own: the shared ``app`` fixture's SERVER_NAME would break 127.0.0.1."""
    tmp = tmp_path_factory.mktemp("browser")
    app = create_app({
        "TESTING": True,  # CSRF stays on: each form checks its own token
        "SECRET_KEY": "browser-test-secret",
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp / 'browser.db'}",
        "RATELIMIT_STORAGE_URI": "memory://",
    })
    app.instance_path = str(tmp / "instance")
    os.makedirs(app.instance_path, exist_ok=True)
    with app.app_context():
        db.create_all()
        limiter.reset()
        seed_database()
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture(scope="session")
def live_server(live_app: Flask) -> Iterator[str]:
    """Serve the app on 127.0.0.1 at a free port from a daemon thread; yield its base URL."""
    server: BaseWSGIServer = make_server("127.0.0.1", 0, live_app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=5)


@pytest.fixture(scope="session")
def base_url(live_server: str) -> str:
    """pytest-playwright gives every browser context this base URL, so ``page.goto("/")`` works."""
    return live_server


@pytest.fixture(scope="session")
def seed() -> Seed:
    return SEED


# --- Content-Security-Policy: a violation fails the test ---------------------------------


@pytest.fixture
def csp_violations() -> Iterator[list[str]]:
    """Console errors about the Content-Security-Policy from every page of the test.

    Chromium reports each blocked inline script, style or resource as a console error; any
    such report fails the test at teardown. A test that provokes one on purpose clears the list.
    """
    violations: list[str] = []
    yield violations
    assert not violations, "Content-Security-Policy violations:\n" + "\n".join(violations)


def watch_for_csp_violations(context: BrowserContext, violations: list[str]) -> None:
    def record(message: ConsoleMessage) -> None:
        if message.type == "error" and "Content Security Policy" in message.text:
            violations.append(f"{message.location.get('url', '')}: {message.text}")

    context.on("console", record)


@pytest.fixture
def new_context(new_context, csp_violations: list[str]):
    """pytest-playwright's ``new_context`` (and so ``context`` and ``page``), watched for CSP."""
    def make(**kwargs) -> BrowserContext:
        context = new_context(**kwargs)
        watch_for_csp_violations(context, csp_violations)
        return context

    return make
