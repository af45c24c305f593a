"""The deployment as production runs it: gunicorn with gunicorn.conf.py, several processes.

Processes keep no state of their own: what one writes (posts, sign-ins, rate-limit counts) the
other sees, because it lives in PostgreSQL, in the signed session cookie, or in Redis.
"""

from __future__ import annotations

import http.cookiejar
import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from pathlib import Path

import pytest
from sqlalchemy import func
from sqlalchemy import select

from forum.extensions import db
from forum.models import LearningSet
from forum.models import ModerationPolicy
from forum.models import Post
from tests.factories import DEFAULT_PASSWORD

CHECKOUT = Path(__file__).resolve().parents[2]
REDIS = ("127.0.0.1", 6379)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _redis_answers() -> bool:
    try:
        with socket.create_connection(REDIS, timeout=1) as connection:
            connection.sendall(b"PING\r\n")
            return connection.recv(16).startswith(b"+PONG")
    except OSError:
        return False


class Server:
    """One gunicorn process (one worker) started from the repository's gunicorn.conf.py."""

    def __init__(self, env: dict[str, str], tmp_path: Path) -> None:
        self.port = _free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.log = (tmp_path / f"gunicorn-{self.port}.log").open("w")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", str(CHECKOUT / "gunicorn.conf.py"),
             "--bind", f"127.0.0.1:{self.port}", "--workers", "1"],
            cwd=CHECKOUT, env={**os.environ, **env}, stdout=self.log,
            stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"{self.base}/healthz", timeout=2) as response:
                    if response.status == 200:
                        return
            except OSError:
                if self.process.poll() is not None or time.monotonic() > deadline:
                    self.stop()
                    output = (tmp_path / f"gunicorn-{self.port}.log").read_text()
                    raise RuntimeError(f"gunicorn did not start: {output}") from None
                time.sleep(0.2)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.log.close()


class Browser:
    """Cookies and CSRF tokens, shared by whichever server it talks to."""

    def __init__(self) -> None:
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.jar), _NoRedirect())

    def get(self, url: str) -> tuple[int, str]:
        try:
            with self.opener.open(url, timeout=10) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode()

    def post(self, url: str, form_page: str, fields: dict[str, str]) -> tuple[int, str]:
        tag = re.search(r'<input[^>]*name="csrf_token"[^>]*>', form_page)
        token = tag and re.search(r'value="([^"]+)"', tag.group(0))
        assert token, "no CSRF token on the form page"
        data = urllib.parse.urlencode({"csrf_token": token.group(1), **fields}).encode()
        try:
            with self.opener.open(url, data=data, timeout=10) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode()


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):  # noqa: ANN002, ANN003
        return None


@pytest.fixture
def two_servers(app, world, database_url, tmp_path):
    if not (database_url and database_url.startswith("postgresql")):
        pytest.skip("runs on PostgreSQL (FORUM_TEST_DATABASE_URL), as production does")
    if not _redis_answers():
        pytest.skip("needs Redis on 127.0.0.1:6379")
    with app.app_context():
        db.session.get(LearningSet, world.learning_set.id).moderation_policy = (
            ModerationPolicy.AFTER_THE_FACT)
        db.session.commit()
    env = {"FORUM_DATABASE_URL": database_url, "FORUM_SECRET_KEY": "two-servers-secret",
           "FORUM_REDIS_URL": f"redis://{REDIS[0]}:{REDIS[1]}/0",
           "FORUM_RATELIMIT_KEY_PREFIX": f"test-{uuid.uuid4().hex}",
           "FORUM_SIGN_IN_RATE_LIMIT": "4 per minute",
           "FORUM_INSTANCE_PATH": str(tmp_path / "instance"),
           "FORUM_PUBLIC_BASE_URL": "http://127.0.0.1", "FORUM_LOG_FORMAT": "none"}
    servers = []
    try:
        servers.append(Server(env, tmp_path))
        servers.append(Server(env, tmp_path))
        yield servers
    finally:
        for server in servers:
            server.stop()


def test_a_sign_in_and_a_post_through_one_process_hold_on_the_other(app, world, two_servers):
    first, second = two_servers
    member = Browser()
    _, page = member.get(f"{first.base}/sign-in")
    status, _ = member.post(f"{first.base}/sign-in", page,
                            {"email": "member@example.org", "password": DEFAULT_PASSWORD})
    assert status in (302, 303)

    status, set_page = member.get(f"{second.base}/sets/comms/")
    assert status == 200 and "Communicating assemblies" in set_page

    with app.app_context():
        opening = db.session.scalar(select(func.min(Post.id)).where(
            Post.thread_id == world.thread.id))
    _, form = member.get(f"{second.base}/posts/{opening}/reply")
    status, _ = member.post(f"{second.base}/posts/{opening}/reply", form,
                            {"body": "Written through the second process."})
    assert status in (302, 303)
    status, thread_page = member.get(f"{first.base}/threads/{world.thread.id}")
    assert status == 200 and "Written through the second process." in thread_page


def test_the_sign_in_rate_limit_counts_attempts_made_to_either_process(two_servers):
    first, second = two_servers
    visitor = Browser()
    _, page = visitor.get(f"{first.base}/sign-in")
    statuses = []
    for attempt in range(6):
        server = (first, second)[attempt % 2]
        status, _ = visitor.post(f"{server.base}/sign-in", page, {
            "email": f"nobody{attempt}@example.org", "password": "wrong password here"})
        statuses.append(status)
    assert statuses[:4] == [200, 200, 200, 200]  # the form again, with its error
    assert statuses[4:] == [429, 429]


def test_gunicorn_conf_is_valid_and_serves_the_app(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "gunicorn", "--check-config", "-c",
         str(CHECKOUT / "gunicorn.conf.py")],
        cwd=CHECKOUT, capture_output=True, text=True, check=False,
        env={**os.environ, "FORUM_SECRET_KEY": "x" * 32,
             "FORUM_DATABASE_URL": f"sqlite:///{tmp_path / 'check.db'}",
             "FORUM_INSTANCE_PATH": str(tmp_path / "instance")})
    assert result.returncode == 0, result.stdout + result.stderr


def test_gunicorn_opens_no_control_socket_in_the_users_home_unless_one_is_named(tmp_path):
    """gunicorn's control socket (gunicornc) would sit at one path per user, shared by every
    site that user runs: it is made only where FORUM_CONTROL_SOCKET says."""
    home = tmp_path / "home"
    home.mkdir()
    env = {"FORUM_SECRET_KEY": "x" * 32, "FORUM_DATABASE_URL": f"sqlite:///{tmp_path / 'h.db'}",
           "FORUM_INSTANCE_PATH": str(tmp_path / "instance"), "FORUM_LOG_FORMAT": "none",
           "HOME": str(home), "XDG_RUNTIME_DIR": ""}
    # As on a release: the schema first (the health check the server waits for reads it).
    subprocess.run([sys.executable, "-m", "flask", "--app", "forum", "init-db"], cwd=CHECKOUT,
                   env={**os.environ, **env}, check=True, capture_output=True)
    server = Server(env, tmp_path)
    deadline = time.monotonic() + 2  # gunicorn opens its socket beside serving, not before
    while not list(home.iterdir()) and time.monotonic() < deadline:
        time.sleep(0.05)
    server.stop()
    assert list(home.iterdir()) == []
    named = tmp_path / "run" / "forum.ctl"
    server = Server({**env, "FORUM_CONTROL_SOCKET": str(named)}, tmp_path)
    try:
        # gunicorn opens it beside serving, not before: give it a moment.
        deadline = time.monotonic() + 10
        while not named.is_socket() and time.monotonic() < deadline:
            time.sleep(0.05)
        assert named.is_socket()
    finally:
        server.stop()
