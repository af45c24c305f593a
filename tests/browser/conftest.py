"""Browser tests: Debian's chromium driven by Playwright against the app on a live server.

Every test here is marked ``browser``. Without chromium they are skipped with a reason, unless
``FORUM_REQUIRE_BROWSER=1`` (set by CI), in which case they fail instead.

The server is one app per session over a temporary SQLite file, seeded once; tests make their own
threads with unique titles, so they don't depend on each other's data.

Every HTML page the server sends to a browser context (as sent, before scripts run) is kept, and
at the end of the session all of them go through the Nu HTML checker in one Java run: the
session fails with each page's URL, the test that visited it and the checker's messages.
"""

from __future__ import annotations

import os
import shutil
import threading
import uuid
from collections.abc import Callable
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from flask import Flask
from playwright.sync_api import BrowserContext
from playwright.sync_api import ConsoleMessage
from playwright.sync_api import Response
from pytest_playwright.pytest_playwright import CreateContextCallback
from werkzeug.serving import BaseWSGIServer
from werkzeug.serving import make_server

from forum import create_app
from forum.extensions import db
from forum.extensions import limiter
from forum.models import LearningSet
from forum.models import PostStatus
from forum.models import Thread
from forum.models import User
from tests import factories
from tests.browser.seed import SEED
from tests.browser.seed import Seed
from tests.browser.seed import ThreadRef
from tests.browser.seed import seed_database
from tests.htmlcheck import assert_valid_html
from tests.htmlcheck import missing_reason
from tests.htmlcheck import require_checker

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
        # Every browser test signs in from 127.0.0.1; the limit has tests of its own.
        "SIGN_IN_RATE_LIMIT": "1000 per minute",
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
def reviewed_thread(live_app: Flask, seed: Seed) -> ThreadRef:
    """A thread of its own in the set where every post waits (other tests count replies in the
    seeded one)."""
    title = f"Paying for childcare ({uuid.uuid4().hex[:8]})"
    with live_app.app_context():
        learning_set = db.session.query(LearningSet).filter_by(
            slug=seed.reviewed_set_slug).one()
        facilitator = db.session.query(User).filter_by(email=seed.facilitator_email).one()
        thread = factories.make_thread(learning_set, facilitator, title=title,
                                       body="Did anyone pay for childcare during sessions?")
        db.session.commit()
        return ThreadRef(thread.id, title, thread.posts[0].id)


@pytest.fixture
def waiting_reply(live_app: Flask, seed: Seed, reviewed_thread: ThreadRef) -> str:
    """A member's reply waiting for approval in ``reviewed_thread``: the text to find it by."""
    text = f"We paid a local nursery ({uuid.uuid4().hex[:8]})."
    with live_app.app_context():
        thread = db.session.get(Thread, reviewed_thread.id)
        member = db.session.query(User).filter_by(email=seed.member_email).one()
        factories.make_post(thread, member, parent=thread.posts[0], body=text,
                            status=PostStatus.PENDING)
        db.session.commit()
    return text


@pytest.fixture
def page_ids(live_app: Flask, seed: Seed, reviewed_thread: ThreadRef,
             waiting_reply: str) -> dict[str, object]:
    """Ids for page addresses: ``path.format(**page_ids)``."""
    with live_app.app_context():
        thread = db.session.get(Thread, reviewed_thread.id)
        pending = next(post for post in thread.posts if post.body_source == waiting_reply)
        member = db.session.query(User).filter_by(email=seed.member_email).one()
        return {"set": seed.set_slug, "reviewed": seed.reviewed_set_slug,
                "reviewed_thread": thread.id, "opening": reviewed_thread.opening_id,
                "pending": pending.id, "member_id": member.id}


@dataclass(frozen=True)
class VisitedPage:
    """An HTML page as the server sent it to a browser during a test."""

    test: str
    url: str
    status: int
    html: str

    @property
    def name(self) -> str:
        return f"{self.url} ({self.status}, visited by {self.test})"


@pytest.fixture(scope="session")
def visited_pages() -> Iterator[list[VisitedPage]]:
    """Every page the browser tests were sent; checked by vnu in one run when the session ends."""
    pages: list[VisitedPage] = []
    yield pages
    if not pages:
        return
    if missing_reason() is not None:
        require_checker()  # fails under FORUM_REQUIRE_BROWSER=1; tests/unit says why it skipped
        return
    assert_valid_html((page.name, page.html) for page in pages)


def _page_recorder(pages: list[VisitedPage], test: str) -> Callable[[Response], None]:
    def record(response: Response) -> None:
        # Main documents only (not frames, scripts or styles); redirects are Werkzeug's, and
        # downloads are files, not pages.
        if (response.request.resource_type != "document"
                or response.frame.parent_frame is not None
                or 300 <= response.status < 400
                or not response.headers.get("content-type", "").startswith("text/html")
                or "attachment" in response.headers.get("content-disposition", "")):
            return
        pages.append(VisitedPage(test, response.url, response.status,
                                 response.body().decode("utf-8")))
    return record


@pytest.fixture
def new_context(new_context: CreateContextCallback, visited_pages: list[VisitedPage],
                csp_violations: list[str], request: pytest.FixtureRequest
                ) -> CreateContextCallback:
    """pytest-playwright's contexts (``page`` and ``context`` use this too), recording pages
    for the HTML checker and watching for Content-Security-Policy violations."""
    record = _page_recorder(visited_pages, request.node.name)

    def recording_context(**kwargs) -> BrowserContext:
        context = new_context(**kwargs)
        context.on("response", record)
        watch_for_csp_violations(context, csp_violations)
        return context

    return recording_context  # type: ignore[return-value]
