"""The sign-in limit holds across worker processes.

Per email address, failed attempts are counted in the database with a growing delay; per client
address, Flask-Limiter counts in Redis when configured. With the old in-memory counts, 29 of 60
attempts got through against three workers.
"""

from __future__ import annotations

import logging
import re
import socket
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy import update

from forum.auth import throttle
from forum.extensions import db
from forum.models import SignInThrottle
from forum.models import utcnow
from forum.security import MEMORY_STORAGE_WARNING
from tests.factories import DEFAULT_PASSWORD
from tests.functional.page_text import without_nonce
from tests.functional.processes import app_processes
from tests.functional.processes import post_form

WRONG = "not the right password"


@pytest.fixture
def generous_ip_limit(app):
    """Only the per-account delay is under test here, and a slow machine must not outlast it."""
    app.config["SIGN_IN_RATE_LIMIT"] = "1000 per minute"
    app.config["SIGN_IN_FIRST_DELAY"] = 90


def _attempt(client, email="member@example.org", password=WRONG):
    return client.post("/sign-in", data={"email": email, "password": password})


def _comparable(page: str) -> str:
    """The page without what differs with time: CSP nonce, CSRF token, seconds left to wait."""
    page = without_nonce(page)
    page = re.sub(r"Wait \d+ seconds?", "Wait N seconds", page)
    return re.sub(r'name="csrf_token" type="hidden" value="[^"]*"', "", page)


def test_after_five_failures_even_the_right_password_must_wait(client, world,
                                                               generous_ip_limit):
    for _ in range(5):
        assert _attempt(client).status_code == 200
    wrong = _attempt(client)
    right = _attempt(client, password=DEFAULT_PASSWORD)
    assert wrong.status_code == right.status_code == 429
    assert "too many attempts to sign in with this email address" in right.text
    wait = re.search(r"Wait (\d+) seconds?, then try again", right.text)
    assert wait is not None and 1 <= int(wait.group(1)) <= 90
    # Flask-Limiter rewrites Retry-After (the later of its window and ours), rounding down.
    assert int(right.headers["Retry-After"]) >= int(wait.group(1)) - 1
    # Nothing tells whether the password was right.
    assert _comparable(wrong.text) == _comparable(right.text)
    assert client.get("/account/profile").status_code == 302


def test_the_delay_ends_and_a_success_starts_the_count_again(app, client, world,
                                                             generous_ip_limit):
    for _ in range(5):
        _attempt(client)
    assert _attempt(client, password=DEFAULT_PASSWORD).status_code == 429
    with app.app_context():  # the delay has passed
        db.session.execute(update(SignInThrottle).values(
            blocked_until=utcnow() - timedelta(seconds=1)))
        db.session.commit()
    assert _attempt(client, password=DEFAULT_PASSWORD).status_code == 302
    client.sign_out()
    for _ in range(4):
        assert _attempt(client).status_code == 200


def test_the_delay_doubles_up_to_the_most(app):
    with app.test_request_context():
        delays = [throttle.delay_after(n) for n in range(1, 16)]
    assert delays[:4] == [None] * 4
    seconds = [delay.total_seconds() for delay in delays[4:]]
    assert seconds[:5] == [5, 10, 20, 40, 80]
    assert max(seconds) == seconds[-1] == 900


def test_unknown_addresses_are_delayed_just_like_real_ones(client, world, generous_ip_limit):
    answers = {}
    for email in ("member@example.org", "nobody@example.org"):
        statuses = [_attempt(client, email).status_code for _ in range(7)]
        answers[email] = (statuses, _comparable(_attempt(client, email).text.replace(
            email, "X")))
    assert answers["member@example.org"] == answers["nobody@example.org"]
    assert answers["member@example.org"][0] == [200] * 5 + [429] * 2


def test_a_delay_for_one_address_leaves_others_alone(client, world, generous_ip_limit):
    for _ in range(6):
        _attempt(client, "moderator@example.org")
    assert _attempt(client, password=DEFAULT_PASSWORD).status_code == 302


def test_a_password_reset_clears_the_delay(app, client, world, generous_ip_limit):
    from forum.auth.service import make_password_reset_token
    from forum.models import User

    for _ in range(6):
        _attempt(client)
    with app.app_context():
        token = make_password_reset_token(db.session.get(User, world.member.id))
    new = "lantern orchard pebble 42"
    client.post(f"/password/reset/{token}", data={"password": new, "confirm_password": new})
    client.sign_out()
    assert _attempt(client, password=new).status_code == 302


def test_the_table_never_holds_an_email_address(app, client, world, generous_ip_limit):
    _attempt(client, "Member@Example.org")
    with app.app_context():
        rows = [(row.key, row.failures) for row in db.session.scalars(select(SignInThrottle))]
        assert rows == [(throttle.throttle_key("member@example.org"), 1)]
        assert "member" not in rows[0][0].lower()


def test_the_account_delay_holds_across_processes(app, world, tmp_path):
    """Two app processes sharing only the database; 30 wrong passwords sent in parallel."""
    config = {**_process_config(app), "SIGN_IN_RATE_LIMIT": "1000 per minute",
              "SIGN_IN_FIRST_DELAY": 120}
    with app_processes(2, config, tmp_path) as ports:
        def attempt(n: int) -> int:
            return post_form(ports[n % 2], "/sign-in",
                             {"email": "member@example.org", "password": WRONG})

        with ThreadPoolExecutor(max_workers=6) as pool:
            statuses = Counter(pool.map(attempt, range(30)))
        right = post_form(ports[0], "/sign-in",
                          {"email": "member@example.org", "password": DEFAULT_PASSWORD})
    assert statuses == {200: 5, 429: 25}
    assert right == 429


def _redis_url() -> str:
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=1):
            return "redis://127.0.0.1:6379/0"
    except OSError:
        pytest.skip("Redis is not running on 127.0.0.1:6379")


def test_the_per_address_limit_holds_across_processes_with_redis(app, tmp_path):
    import redis

    url = _redis_url()
    prefix = f"forum-test-{uuid.uuid4().hex}"
    config = {**_process_config(app), "RATELIMIT_STORAGE_URI": url,
              "RATELIMIT_KEY_PREFIX": prefix, "SIGN_IN_RATE_LIMIT": "6 per minute"}
    try:
        with app_processes(2, config, tmp_path) as ports:
            # A different address each time, so only the per-client limit applies.
            statuses = Counter(
                post_form(ports[n % 2], "/sign-in",
                          {"email": f"person{n}@example.org", "password": WRONG})
                for n in range(20))
    finally:
        client = redis.Redis.from_url(url)
        keys = list(client.scan_iter(match=f"*{prefix}*"))
        if keys:
            client.delete(*keys)
    assert statuses == {200: 6, 429: 14}


def _process_config(app) -> dict[str, object]:
    return {"SECRET_KEY": "test-secret", "TESTING": True, "WTF_CSRF_ENABLED": False,
            "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
            "RATELIMIT_STORAGE_URI": "memory://"}


def _start_up_log(caplog, make_app, **config) -> list[str]:
    """What the app logs as it starts serving: created, then three requests."""
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="forum"):
        client = make_app(**config).test_client()
        for _ in range(3):
            client.get("/sign-in")
    return [record.getMessage() for record in caplog.records]


def test_start_up_warns_when_workers_would_each_keep_their_own_counts(caplog, make_app):
    assert _start_up_log(caplog, make_app, TESTING=False) == [MEMORY_STORAGE_WARNING]
    assert MEMORY_STORAGE_WARNING not in _start_up_log(
        caplog, make_app, TESTING=False, RATELIMIT_STORAGE_URI="redis://127.0.0.1:6379/0")
    assert MEMORY_STORAGE_WARNING not in _start_up_log(caplog, make_app, TESTING=True)


def test_commands_do_not_print_the_warning(caplog, make_app):
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="forum"):
        result = make_app(TESTING=False).test_cli_runner().invoke(args=["guides", "list"])
    assert result.exit_code == 0
    assert MEMORY_STORAGE_WARNING not in result.output
    assert MEMORY_STORAGE_WARNING not in caplog.text


def test_the_quick_start_single_process_is_not_warned_about_workers(caplog, make_app):
    """forum-quickstart (DEVELOPMENT) serves from one process: the warning about several
    workers keeping their own counts would only alarm a newcomer."""
    assert MEMORY_STORAGE_WARNING not in _start_up_log(caplog, make_app, TESTING=False,
                                                       DEVELOPMENT=True)
