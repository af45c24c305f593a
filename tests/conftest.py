"""Fixtures: an app over a fresh temporary database per test, a CSRF-aware client, and a world.

Run on PostgreSQL with ``--db postgresql+psycopg://...`` or ``FORUM_TEST_DATABASE_URL``.
"""

from __future__ import annotations

import hashlib
import os
import shutil
from collections.abc import Callable
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from itsdangerous import URLSafeTimedSerializer
from jinja2 import BytecodeCache
from jinja2.bccache import Bucket
from sqlalchemy import create_engine
from sqlalchemy import make_url
from sqlalchemy import text

from forum import create_app
from forum.extensions import db
from forum.extensions import limiter
from forum.models import LearningSet
from forum.models import Role
from forum.models import Thread
from forum.models import User
from forum.models import Visibility
from tests import factories


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--db", default=None,
                     help="SQLAlchemy URL of a test database (default: a temporary SQLite file)")


def _test_database_url(config: pytest.Config) -> str | None:
    return config.getoption("--db") or os.environ.get("FORUM_TEST_DATABASE_URL")


DATABASE_INDEPENDENT_SKIP = (
    "database-independent (it never asks for the test database, so PostgreSQL changes "
    "nothing for it): runs on the SQLite leg only")


@pytest.hookimpl(tryfirst=True)  # before -m selects by marker
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Mark ``database_independent`` every test that does not use the test database, and skip
    those when the database is PostgreSQL: CI runs the suite on both, and these (LibreOffice,
    PDF, the HTML checker, browser tests over their own SQLite file, pure Hypothesis tests)
    would only run the same way twice.

    The test database is the ``database_url`` fixture (``app``, ``client``, ``world``, ``runner``
    ... all reach it), and nothing else reads ``FORUM_TEST_DATABASE_URL`` or ``--db``: a test
    without it in its fixture closure sees the same configuration on either leg.
    """
    url = _test_database_url(config)
    skip = pytest.mark.skip(reason=DATABASE_INDEPENDENT_SKIP) if (
        url and url.startswith("postgresql")) else None
    for item in items:
        if "database_url" in getattr(item, "fixturenames", ("database_url",)):
            continue
        item.add_marker(pytest.mark.database_independent)
        if skip is not None:
            item.add_marker(skip)


@pytest.fixture(scope="session")
def database_url(request: pytest.FixtureRequest) -> str | None:
    """The test database URL, or None for SQLite.

    Under pytest-xdist each worker gets its own PostgreSQL database (``<name>_gw0``...), created
    on first use, so workers never empty each other's tables.
    """
    url = _test_database_url(request.config)
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if not url or not url.startswith("postgresql") or not worker:
        return url
    base = make_url(url)
    worker_url = base.set(database=f"{base.database}_{worker}")
    engine = create_engine(base, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        exists = connection.scalar(text("SELECT 1 FROM pg_database WHERE datname = :name"),
                                   {"name": worker_url.database})
        if not exists:
            connection.execute(text(f'CREATE DATABASE "{worker_url.database}"'))
    engine.dispose()
    return worker_url.render_as_string(hide_password=False)


def session_id_of(app: Flask, user_id: int) -> str:
    """What a signed-in session holds for this user now (``id:session version``)."""
    with app.app_context():
        return db.session.get(User, user_id).get_id()


class FormClient(FlaskClient):
    """A test client that sends a valid CSRF token with every POST unless told not to."""

    def csrf_token(self) -> str:
        with self.session_transaction() as session:
            raw = session.setdefault("csrf_token", hashlib.sha1(os.urandom(64)).hexdigest())
        serializer = URLSafeTimedSerializer(self.application.secret_key, salt="wtf-csrf-token")
        return serializer.dumps(raw)

    def post(self, *args, csrf: bool = True, **kwargs):  # type: ignore[override]
        data = kwargs.get("data")
        if csrf and (data is None or isinstance(data, dict)):
            data = dict(data or {})
            data.setdefault("csrf_token", self.csrf_token())
            kwargs["data"] = data
        return super().post(*args, **kwargs)

    def sign_in_as(self, user: User) -> None:
        """Sign in without the sign-in form (the form has its own tests)."""
        with self.session_transaction() as session:
            session["_user_id"] = session_id_of(self.application, user.id)
            session["_fresh"] = True

    def sign_out(self) -> None:
        with self.session_transaction() as session:
            session.clear()


def _reset_postgres_schema() -> None:
    db.session.remove()
    with db.engine.begin() as connection:
        connection.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))


def _empty_postgres_tables() -> None:
    db.session.remove()
    names = ", ".join(f'"{table.name}"' for table in db.metadata.sorted_tables)
    with db.engine.begin() as connection:
        connection.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))


TEST_CONFIG = {
    "TESTING": True,
    "SECRET_KEY": "test-secret",
    "SERVER_NAME": "localhost",
    "PUBLIC_BASE_URL": "http://localhost",
    "RATELIMIT_STORAGE_URI": "memory://",
}


class _CompiledTemplates(BytecodeCache):
    """Compiled templates kept in memory and shared by every app of a test run.

    Each test makes a new app, and each app's Jinja environment would otherwise parse and
    compile every template it renders again. Jinja keys a bucket by the template's name and
    checks the source's checksum, so an edited template is compiled afresh.
    """

    def __init__(self) -> None:
        self.code: dict[str, bytes] = {}

    def load_bytecode(self, bucket: Bucket) -> None:
        if bucket.key in self.code:
            bucket.bytecode_from_string(self.code[bucket.key])

    def dump_bytecode(self, bucket: Bucket) -> None:
        self.code[bucket.key] = bucket.bytecode_to_string()


COMPILED_TEMPLATES = _CompiledTemplates()


def create_test_app(config: dict) -> Flask:
    """``create_app`` sharing compiled templates with the run's other apps."""
    app = create_app(config)
    app.jinja_env.bytecode_cache = COMPILED_TEMPLATES
    return app


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An SQLite file with the empty schema, built once and copied for each test (fast)."""
    path = tmp_path_factory.mktemp("template") / "schema.db"
    app = create_app({**TEST_CONFIG, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}"})
    with app.app_context():
        db.create_all()
        db.engine.dispose()
    return path


@pytest.fixture
def app(tmp_path, database_url: str | None, request: pytest.FixtureRequest) -> Iterator[Flask]:
    """The app over an empty database: a copied SQLite file, or emptied PostgreSQL tables."""
    on_postgres = bool(database_url and database_url.startswith("postgresql"))
    if on_postgres:
        uri = database_url
    else:
        path = tmp_path / "test.db"
        shutil.copyfile(request.getfixturevalue("sqlite_template"), path)
        uri = f"sqlite:///{path}"
    app = create_test_app({**TEST_CONFIG, "SQLALCHEMY_DATABASE_URI": uri})
    app.instance_path = str(tmp_path / "instance")
    os.makedirs(app.instance_path, exist_ok=True)
    app.test_client_class = FormClient
    with app.app_context():
        if on_postgres:
            # Cheap when the tables exist; rebuilds them after a test that reset the schema.
            db.create_all()
            _empty_postgres_tables()
        limiter.reset()
    yield app
    with app.app_context():
        db.session.remove()
        if on_postgres:
            _empty_postgres_tables()
        db.engine.dispose()


@pytest.fixture
def make_app(app: Flask) -> Iterator[Callable[..., Flask]]:
    """Another app over the same database with other settings; its connections closed after."""
    made: list[Flask] = []

    def make(**config: object) -> Flask:
        other = create_test_app({**TEST_CONFIG,
                            "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
                            **config})
        other.test_client_class = FormClient
        made.append(other)
        return other

    yield make
    for other in made:
        with other.app_context():
            db.session.remove()
            db.engine.dispose()


@pytest.fixture
def client(app: Flask) -> FormClient:
    return app.test_client()  # type: ignore[return-value]


@pytest.fixture
def runner(app: Flask):
    return app.test_cli_runner()


@dataclass
class World:
    """A private set with one user per role, an outsider, an admin and an opening thread."""

    learning_set: LearningSet
    admin: User
    outsider: User
    member: User
    moderator: User
    facilitator: User
    thread: Thread

    def user(self, role_name: str) -> User | None:
        return None if role_name == "anonymous" else getattr(self, role_name)


ROLE_NAMES = ["anonymous", "outsider", "member", "moderator", "facilitator", "admin"]


@pytest.fixture
def world(app: Flask) -> World:
    with app.app_context():
        facilitator = factories.make_user("facilitator@example.org",
                                          display_name="Fran Facilitator")
        learning_set = factories.make_set(
            "comms", name="Communicating assemblies", visibility=Visibility.PRIVATE,
            facilitator=facilitator)
        member = factories.make_user("member@example.org", display_name="Mo Member")
        moderator = factories.make_user("moderator@example.org", display_name="Mia Moderator")
        factories.add_member(member, learning_set, Role.MEMBER)
        factories.add_member(moderator, learning_set, Role.MODERATOR)
        admin = factories.make_user("admin@example.org", display_name="Ada Admin", is_admin=True)
        outsider = factories.make_user("outsider@example.org", display_name="Otto Outsider")
        thread = factories.make_thread(learning_set, member, title="Naming the assembly",
                                       body="What did you call yours?")
        db.session.commit()
        world = World(learning_set, admin, outsider, member, moderator, facilitator, thread)
        # Detach-safe: tests use ids and simple attributes after the context closes.
        for obj in (learning_set, admin, outsider, member, moderator, facilitator, thread):
            db.session.refresh(obj)
            db.session.expunge(obj)
        return world


@pytest.fixture
def db_session(app: Flask):
    """An app context for tests that work with models directly."""
    with app.app_context():
        yield db.session
