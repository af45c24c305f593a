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
from werkzeug.routing import Rule

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
    if not url or not url.startswith("postgresql"):
        return url
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if worker:
        base = make_url(url)
        worker_url = base.set(database=f"{base.database}_{worker}")
        engine = create_engine(base, isolation_level="AUTOCOMMIT")
        with engine.connect() as connection:
            exists = connection.scalar(text("SELECT 1 FROM pg_database WHERE datname = :name"),
                                       {"name": worker_url.database})
            if not exists:
                connection.execute(text(f'CREATE DATABASE "{worker_url.database}"'))
        engine.dispose()
        url = worker_url.render_as_string(hide_password=False)
    # Tables an earlier run left (perhaps of an older schema) go: each run starts from nothing.
    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))
    engine.dispose()
    return url


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
    """Every table emptied and every id sequence back at its start.

    As a superuser (CI's ``postgres``): DELETE, foreign-key triggers off for the transaction.
    TRUNCATE does the same, but gives each of the ~45 tables new files: measured here, 1.6 s
    for empty tables against 0.03 s, and the fixtures empty them twice a test. Otherwise
    TRUNCATE (``session_replication_role`` needs a superuser).
    """
    db.session.remove()
    tables = db.metadata.sorted_tables
    with db.engine.begin() as connection:
        if connection.scalar(text("SELECT current_setting('is_superuser')")) != "on":
            names = ", ".join(f'"{table.name}"' for table in tables)
            connection.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
            return
        connection.execute(text("SET LOCAL session_replication_role = replica"))
        for table in reversed(tables):
            connection.execute(text(f'DELETE FROM "{table.name}"'))
        connection.execute(text(
            "SELECT setval((quote_ident(schemaname) || '.' || quote_ident(sequencename))"
            "::regclass, start_value, false) FROM pg_sequences WHERE schemaname = 'public'"))


class PostgresSnapshot:
    """The test database's rows copied into a schema of their own, to put back for each test.

    Putting back about sixty small tables is a few SQL statements (much cheaper than making the
    rows again through the app). Generated columns (search vectors) are left to PostgreSQL to
    compute again; sequences are set back to where they were. Call both in an app context.
    """

    def __init__(self, schema: str) -> None:
        self.schema = schema
        self.columns: dict[str, str] = {}
        self.sequences: list[tuple[str, int | None]] = []

    def take(self) -> None:
        db.session.remove()
        with db.engine.begin() as connection:
            connection.execute(text(f'DROP SCHEMA IF EXISTS "{self.schema}" CASCADE'))
            connection.execute(text(f'CREATE SCHEMA "{self.schema}"'))
            for table in db.metadata.sorted_tables:
                names = connection.scalars(text(
                    "SELECT column_name FROM information_schema.columns WHERE table_schema = "
                    "'public' AND table_name = :table AND is_generated = 'NEVER' "
                    "ORDER BY ordinal_position"), {"table": table.name}).all()
                columns = ", ".join(f'"{name}"' for name in names)
                self.columns[table.name] = columns
                connection.execute(text(f'CREATE TABLE "{self.schema}"."{table.name}" AS '
                                        f'SELECT {columns} FROM public."{table.name}"'))
            self.sequences = [tuple(row) for row in connection.execute(text(
                "SELECT sequencename, last_value FROM pg_sequences "
                "WHERE schemaname = 'public'"))]

    def restore(self) -> None:
        """Into emptied tables (the ``app`` fixture empties them)."""
        db.session.remove()
        with db.engine.begin() as connection:
            # Rows go back as they were: foreign keys held when the snapshot was taken.
            connection.execute(text("SET LOCAL session_replication_role = replica"))
            for table, columns in self.columns.items():
                connection.execute(text(f'INSERT INTO public."{table}" ({columns}) '
                                        f'SELECT {columns} FROM "{self.schema}"."{table}"'))
            for sequence, last_value in self.sequences:
                if last_value is not None:
                    connection.execute(text("SELECT setval(:sequence, :value)"),
                                       {"sequence": f'public."{sequence}"',
                                        "value": last_value})


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


_original_compile_builder = Rule._compile_builder
_COMPILED_BUILDERS: dict[tuple, Callable[..., tuple[str, str]]] = {}


def _shared_compile_builder(self: Rule, append_unknown: bool = True):
    """Werkzeug's URL builder for a rule, compiled once per test run, not once per app.

    Every app registers the same ~130 rules, and Werkzeug writes, parses and compiles two
    Python functions for each (about 35 ms of CPU per app: most of ``create_app``). A builder
    is a plain function of the rule's parsed parts (it reaches the rule and its converters
    through its ``self`` argument), so one compiled for an identical rule serves every app.
    The key holds everything Werkzeug reads to write it; a rule it cannot key is compiled
    as usual.
    """
    defaults = self.defaults or {}
    try:
        key = (append_unknown, self.rule, tuple(self._trace),
               tuple((name, type(self._converters.get(name)), repr(value))
                     for name, value in defaults.items()))
        hash(key)
    except TypeError:
        return _original_compile_builder(self, append_unknown)
    builder = _COMPILED_BUILDERS.get(key)
    if builder is None:
        builder = _COMPILED_BUILDERS[key] = _original_compile_builder(self, append_unknown)
    return builder


Rule._compile_builder = _shared_compile_builder  # type: ignore[method-assign]


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


def open_test_app(tmp_path: Path, database_url: str | None, sqlite_source: Path, *,
                  instance_source: Path | None = None,
                  restore_postgres: Callable[[], None] | None = None) -> Iterator[Flask]:
    """An app over its own database for one test, closed (and emptied) after it.

    SQLite: a copy of ``sqlite_source``. PostgreSQL: the worker's database, emptied, then
    filled by ``restore_postgres`` when given. ``instance_source``: an instance folder (uploads,
    data downloads) copied for the test, to go with a database that names files in it.
    """
    on_postgres = bool(database_url and database_url.startswith("postgresql"))
    if on_postgres:
        uri = database_url
    else:
        path = tmp_path / "test.db"
        shutil.copyfile(sqlite_source, path)
        uri = f"sqlite:///{path}"
    app = create_test_app({**TEST_CONFIG, "SQLALCHEMY_DATABASE_URI": uri})
    app.instance_path = str(tmp_path / "instance")
    if instance_source is not None:
        shutil.copytree(instance_source, app.instance_path)
    os.makedirs(app.instance_path, exist_ok=True)
    app.test_client_class = FormClient
    with app.app_context():
        if on_postgres:
            # Cheap when the tables exist; rebuilds them after a test that reset the schema.
            db.create_all()
            _empty_postgres_tables()
            if restore_postgres is not None:
                restore_postgres()
        limiter.reset()
    yield app
    with app.app_context():
        db.session.remove()
        if on_postgres:
            _empty_postgres_tables()
        db.engine.dispose()


@pytest.fixture
def app(tmp_path, database_url: str | None, request: pytest.FixtureRequest) -> Iterator[Flask]:
    """The app over an empty database: a copied SQLite file, or emptied PostgreSQL tables."""
    on_postgres = bool(database_url and database_url.startswith("postgresql"))
    source = None if on_postgres else request.getfixturevalue("sqlite_template")
    yield from open_test_app(tmp_path, database_url, source)


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


def build_world(app: Flask) -> World:
    """Make the world's set, people and thread in the app's database (see :class:`World`)."""
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
        return _detached_world(learning_set, admin, outsider, member, moderator, facilitator,
                               thread)


def load_world(app: Flask, ids: dict[str, int]) -> World:
    """The world built earlier into this database, by ``world_ids`` of it."""
    with app.app_context():
        return _detached_world(
            db.session.get(LearningSet, ids["learning_set"]),
            *(db.session.get(User, ids[name])
              for name in ("admin", "outsider", "member", "moderator", "facilitator")),
            db.session.get(Thread, ids["thread"]))


def world_ids(world: World) -> dict[str, int]:
    return {name: getattr(world, name).id
            for name in ("learning_set", "admin", "outsider", "member", "moderator",
                         "facilitator", "thread")}


def _detached_world(*objects) -> World:
    # Detach-safe: tests use ids and simple attributes after the context closes.
    for obj in objects:
        db.session.refresh(obj)
        db.session.expunge(obj)
    return World(*objects)


@pytest.fixture
def world(app: Flask) -> World:
    return build_world(app)


@pytest.fixture
def db_session(app: Flask):
    """An app context for tests that work with models directly."""
    with app.app_context():
        yield db.session
