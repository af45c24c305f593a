"""A database that cannot be reached, or never answers, gives a quick 503 page, not a hung worker.

Before, a database that accepted connections but never answered held each request for 30 s
until gunicorn killed the worker.
"""

from __future__ import annotations

import socket
import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from flask import Flask
from sqlalchemy import text

from forum import create_app
from forum.config import engine_options
from forum.extensions import db
from tests.conftest import TEST_CONFIG
from tests.conftest import FormClient


@contextmanager
def silent_database() -> Iterator[int]:
    """A TCP port that accepts connections and never says a word."""
    server = socket.create_server(("127.0.0.1", 0))
    server.settimeout(0.1)
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        while not stop.is_set():
            try:
                held.append(server.accept()[0])
            except TimeoutError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        yield server.getsockname()[1]
    finally:
        stop.set()
        thread.join(timeout=5)
        for connection in held:
            connection.close()
        server.close()


def _closed_port() -> int:
    with socket.create_server(("127.0.0.1", 0)) as server:
        return server.getsockname()[1]


def _app(uri: str, **config) -> Flask:
    app = create_app({**TEST_CONFIG, "SQLALCHEMY_DATABASE_URI": uri, **config})
    app.test_client_class = FormClient
    return app


def _assert_unavailable(response, seconds: float, within: float) -> None:
    assert response.status_code == 503
    assert seconds < within, f"took {seconds:.1f} s"
    page = response.get_data(as_text=True)
    assert "Sorry, the service is unavailable" in page
    assert "cannot reach its database" in page
    assert response.headers["Retry-After"].isdigit()
    assert "Content-Security-Policy" in response.headers


def _timed(client, method: str, url: str, **kwargs):
    started = time.monotonic()
    response = client.open(url, method=method, **kwargs)
    return response, time.monotonic() - started


@pytest.mark.parametrize("url", ["/", "/sets/", "/sign-in"])
def test_a_database_that_never_answers_gives_a_503_within_the_timeout(url):
    with silent_database() as port:
        app = _app(f"postgresql+psycopg://forum@127.0.0.1:{port}/forum",
                   DATABASE_CONNECT_TIMEOUT=2)
        client = app.test_client()
        with client.session_transaction() as session:  # signed in: the user must be loaded
            session["_user_id"] = "1:0"
        method = "POST" if url == "/sign-in" else "GET"
        data = {"email": "a@example.org", "password": "x"} if method == "POST" else None
        response, seconds = _timed(client, method, url, data=data)
    _assert_unavailable(response, seconds, within=10)


def test_a_closed_database_port_gives_a_503_at_once():
    app = _app(f"postgresql+psycopg://forum@127.0.0.1:{_closed_port()}/forum")
    client = app.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = "1:0"
    response, seconds = _timed(client, "GET", "/")
    _assert_unavailable(response, seconds, within=5)


def test_a_locked_sqlite_database_gives_a_503_after_its_busy_timeout(app, make_app, world):
    uri = app.config["SQLALCHEMY_DATABASE_URI"]
    if not uri.startswith("sqlite"):
        pytest.skip("SQLite only")
    locked = make_app(DATABASE_STATEMENT_TIMEOUT=1)
    blocker = sqlite3.connect(uri.removeprefix("sqlite:///"))
    try:
        blocker.execute("BEGIN EXCLUSIVE")
        response, seconds = _timed(locked.test_client(), "POST", "/sign-in",
                                   data={"email": "member@example.org", "password": "x"})
    finally:
        blocker.rollback()
        blocker.close()
    _assert_unavailable(response, seconds, within=6)
    assert seconds >= 0.9, "it should wait for the lock first"


def test_postgresql_statements_are_cut_off_at_the_statement_timeout(app, make_app):
    if not app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql"):
        pytest.skip("PostgreSQL only")
    slow = make_app(DATABASE_STATEMENT_TIMEOUT=0.5)

    @slow.get("/slow")
    def slow_page():
        db.session.execute(text("SELECT pg_sleep(3)"))
        return "done"

    with slow.app_context():
        assert db.session.scalar(text("SHOW statement_timeout")) == "500ms"
        db.session.remove()
    response, seconds = _timed(slow.test_client(), "GET", "/slow")
    _assert_unavailable(response, seconds, within=2.5)


def test_timeouts_are_added_to_the_engine_options_without_overriding_explicit_ones():
    pg = engine_options("postgresql+psycopg://db/forum", {"pool_pre_ping": True},
                        connect_timeout=5, statement_timeout=15)
    assert pg == {"pool_pre_ping": True, "connect_args": {
        "connect_timeout": 5, "options": "-c statement_timeout=15000"}}
    explicit = engine_options("postgresql://db/forum", {"connect_args": {"connect_timeout": 9}},
                              connect_timeout=5, statement_timeout=0)
    assert explicit["connect_args"] == {"connect_timeout": 9}
    lite = engine_options("sqlite:///forum.db", {}, connect_timeout=5, statement_timeout=15)
    assert lite["connect_args"] == {"timeout": 15}
