"""``flask backup`` while people are posting, and ``flask restore`` into an empty instance."""

from __future__ import annotations

import threading
import time
from datetime import datetime

import pytest
from sqlalchemy import create_engine
from sqlalchemy import func
from sqlalchemy import make_url
from sqlalchemy import select
from sqlalchemy import text

from forum import create_app
from forum.extensions import db
from forum.files.service import attach
from forum.files.service import prepare
from forum.files.storage import upload_storage
from forum.models import Event
from forum.models import EventAudience
from forum.models import EventKind
from forum.models import EventMaterial
from forum.models import LearningSet
from forum.models import MaterialKind
from forum.models import ModerationPolicy
from forum.models import Post
from tests import file_samples
from tests import uploads
from tests.conftest import TEST_CONFIG
from tests.conftest import FormClient
from tests.conftest import session_id_of


@pytest.fixture
def empty_database(tmp_path, database_url):
    """A URL for an empty database of the same kind as the test database."""
    if not (database_url and database_url.startswith("postgresql")):
        yield f"sqlite:///{tmp_path / 'restored.db'}"
        return
    base = make_url(database_url)
    name = f"{base.database}_restored"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    yield base.set(database=name).render_as_string(hide_password=False)
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def _start_writers(app, world, opening_id: int, stop: threading.Event,
                   acknowledged: list[str], lock: threading.Lock) -> list[threading.Thread]:
    def write(n: int) -> None:
        client = FormClient(app, app.response_class)
        with client.session_transaction() as session:
            session["_user_id"] = session_id_of(app, world.member.id)
            session["_fresh"] = True
        count = 0
        while not stop.is_set():
            body = f"Writer {n} reply {count} kept by the backup?"
            response = client.post(f"/posts/{opening_id}/reply", data={"body": body})
            if "#post-" in response.headers.get("Location", ""):  # the post was saved
                with lock:
                    acknowledged.append(body)
            count += 1

    threads = [threading.Thread(target=write, args=(n,), daemon=True) for n in range(3)]
    for thread in threads:
        thread.start()
    return threads


def test_a_backup_taken_during_posting_restores_every_post_acknowledged_before_it(
        app, world, runner, tmp_path, empty_database):
    with app.app_context():
        db.session.get(LearningSet, world.learning_set.id).moderation_policy = (
            ModerationPolicy.AFTER_THE_FACT)
        opening_id = db.session.scalar(select(func.min(Post.id)).where(
            Post.thread_id == world.thread.id))
        db.session.commit()
    (tmp_path / "instance" / "files").mkdir(parents=True, exist_ok=True)
    (tmp_path / "instance" / "files" / "slides.pdf").write_bytes(b"%PDF-1.7 slides")

    stop, lock, acknowledged = threading.Event(), threading.Lock(), []
    writers = _start_writers(app, world, opening_id, stop, acknowledged, lock)
    deadline = time.monotonic() + 30
    while len(acknowledged) < 15 and time.monotonic() < deadline:
        time.sleep(0.05)
    with lock:
        before_backup = list(acknowledged)
    result = runner.invoke(args=["backup", str(tmp_path / "backup")])
    time.sleep(0.3)  # writers carry on after the snapshot
    stop.set()
    for writer in writers:
        writer.join(timeout=30)
    assert result.exit_code == 0, result.output
    assert "keep it as safe as the server" in result.output
    assert len(before_backup) >= 15

    restored = create_app({**TEST_CONFIG, "SQLALCHEMY_DATABASE_URI": empty_database})
    restored.instance_path = str(tmp_path / "restored-instance")
    outcome = restored.test_cli_runner().invoke(args=["restore", str(tmp_path / "backup")])
    assert outcome.exit_code == 0, outcome.output
    with restored.app_context():
        bodies = set(db.session.scalars(select(Post.body_source)))
        db.session.remove()
        db.engine.dispose()
    missing = [body for body in before_backup if body not in bodies]
    assert missing == []
    assert (tmp_path / "restored-instance" / "files" / "slides.pdf").read_bytes() == \
        b"%PDF-1.7 slides"


def test_restore_refuses_a_database_that_already_has_tables(app, world, runner, tmp_path):
    assert runner.invoke(args=["backup", str(tmp_path / "backup")]).exit_code == 0
    result = runner.invoke(args=["restore", str(tmp_path / "backup")])
    assert result.exit_code != 0
    assert "already has tables" in result.output


def test_backup_refuses_a_folder_that_is_not_empty_and_restore_a_damaged_backup(
        app, runner, tmp_path, empty_database):
    (tmp_path / "used").mkdir()
    (tmp_path / "used" / "keep.txt").write_text("mine")
    result = runner.invoke(args=["backup", str(tmp_path / "used")])
    assert result.exit_code != 0 and "not empty" in result.output
    assert (tmp_path / "used" / "keep.txt").read_text() == "mine"

    assert runner.invoke(args=["backup", str(tmp_path / "good")]).exit_code == 0
    damaged = next(p for p in (tmp_path / "good").iterdir() if p.name.startswith("database"))
    damaged.write_bytes(damaged.read_bytes()[:-10])
    restored = create_app({**TEST_CONFIG, "SQLALCHEMY_DATABASE_URI": empty_database})
    restored.instance_path = str(tmp_path / "restored-instance")
    result = restored.test_cli_runner().invoke(args=["restore", str(tmp_path / "good")])
    assert result.exit_code != 0 and "missing or damaged" in result.output
    with restored.app_context():
        db.engine.dispose()


def test_uploaded_files_are_backed_up_and_restored_wherever_the_folder_is(
        make_app, world, tmp_path, empty_database):
    app = make_app(UPLOAD_FOLDER=str(tmp_path / "elsewhere" / "uploads"))
    with app.app_context():
        material = EventMaterial(event=Event(
            kind=EventKind.CONFERENCE, title="Conference", starts_at=datetime(2020, 1, 23, 9),
            ends_at=datetime(2020, 1, 23, 17), audience=EventAudience.NETWORK),
            kind=MaterialKind.FILE, title="Slides")
        row = attach(db.session, upload_storage(), None,
                     prepare(file_samples.PDF, "Slides.pdf"), material=material)
        db.session.commit()
        key, file_id = row.storage_key, row.id
    app.instance_path = str(tmp_path / "instance")
    result = app.test_cli_runner().invoke(args=["backup", str(tmp_path / "backup")])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "backup" / "uploads" / key).read_bytes() == file_samples.PDF

    restored = create_app({**TEST_CONFIG, "SQLALCHEMY_DATABASE_URI": empty_database,
                           "UPLOAD_FOLDER": str(tmp_path / "new-home")})
    restored.instance_path = str(tmp_path / "restored-instance")
    restored.test_client_class = FormClient
    outcome = restored.test_cli_runner().invoke(args=["restore", str(tmp_path / "backup")])
    assert outcome.exit_code == 0, outcome.output
    assert (tmp_path / "new-home" / key).read_bytes() == file_samples.PDF
    client = restored.test_client()
    client.sign_in_as(world.member)
    response = uploads.fetch(client, file_id)
    assert response.status_code == 200 and response.data == file_samples.PDF
    with restored.app_context():
        db.session.remove()
        db.engine.dispose()


def test_the_database_password_never_appears_on_pg_dumps_command_line(
        app, world, tmp_path, database_url, empty_database, monkeypatch):
    """Any user of the machine can read a command line (``ps``): pg_dump and pg_restore get
    the password in their environment instead, and still work."""
    if not (database_url and database_url.startswith("postgresql")):
        pytest.skip("PostgreSQL only: SQLite is copied in the process")
    import subprocess

    from forum.operations import backup as backup_module

    real_run, seen = subprocess.run, []

    def spy(command, **kwargs):
        seen.append((command, kwargs.get("env") or {}))
        return real_run(command, **kwargs)

    monkeypatch.setattr(backup_module.subprocess, "run", spy)
    secret = "never-on-the-command-line"  # the test server trusts local connections
    with_password = make_url(database_url).set(password=secret)
    site = create_app({**TEST_CONFIG, "SQLALCHEMY_DATABASE_URI": with_password})
    site.instance_path = str(tmp_path / "instance")
    assert site.test_cli_runner().invoke(args=["backup", str(tmp_path / "b")]).exit_code == 0
    restored = create_app({**TEST_CONFIG, "SQLALCHEMY_DATABASE_URI": make_url(
        empty_database).set(password=secret)})
    restored.instance_path = str(tmp_path / "restored-instance")
    result = restored.test_cli_runner().invoke(args=["restore", str(tmp_path / "b")])
    assert result.exit_code == 0, result.output
    assert [command[0] for command, _ in seen] == ["pg_dump", "pg_restore"]
    for command, environment in seen:
        assert not any(secret in part for part in command)
        assert environment.get("PGPASSWORD") == secret
    for each in (site, restored):
        with each.app_context():
            db.session.remove()
            db.engine.dispose()


def _disk_full_on(monkeypatch, name_part: str) -> None:
    """Copies of a file whose name contains ``name_part`` fail as on a full disk."""
    import errno
    import shutil as real_shutil

    from forum.operations import backup as backup_module

    real_copy = real_shutil.copy2

    def copy2(source, destination, *args, **kwargs):
        if name_part in str(source):
            raise OSError(errno.ENOSPC, "No space left on device", str(destination))
        return real_copy(source, destination, *args, **kwargs)

    monkeypatch.setattr(backup_module.shutil, "copy2", copy2)


def test_a_backup_stopped_by_a_full_disk_says_so_keeps_nothing_and_can_run_again(
        app, runner, tmp_path, monkeypatch):
    app.instance_path = str(tmp_path / "instance")
    (tmp_path / "instance" / "guide-files").mkdir(parents=True)
    (tmp_path / "instance" / "guide-files" / "guide.pdf").write_bytes(file_samples.PDF)
    _disk_full_on(monkeypatch, "guide.pdf")
    result = runner.invoke(args=["backup", str(tmp_path / "nightly")])
    assert result.exit_code == 1 and isinstance(result.exception, SystemExit)
    assert "No space left on device" in result.output and "guide.pdf" in result.output
    assert not (tmp_path / "nightly").exists()  # nothing half-made that looks like a backup

    monkeypatch.undo()
    result = runner.invoke(args=["backup", str(tmp_path / "nightly")])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "nightly" / "instance" / "guide-files" / "guide.pdf").is_file()


def test_a_backup_into_a_place_it_cannot_write_says_why(app, runner, tmp_path):
    (tmp_path / "a-file").write_text("not a folder")
    result = runner.invoke(args=["backup", str(tmp_path / "a-file" / "nightly")])
    assert result.exit_code == 1 and isinstance(result.exception, SystemExit)
    assert "Not a directory" in result.output


def test_a_restore_stopped_by_a_full_disk_leaves_the_database_empty_and_can_run_again(
        app, world, runner, tmp_path, empty_database, monkeypatch):
    app.instance_path = str(tmp_path / "instance")
    (tmp_path / "instance" / "guide-files").mkdir(parents=True)
    (tmp_path / "instance" / "guide-files" / "guide.pdf").write_bytes(file_samples.PDF)
    assert runner.invoke(args=["backup", str(tmp_path / "b")]).exit_code == 0
    restored = create_app({**TEST_CONFIG, "SQLALCHEMY_DATABASE_URI": empty_database})
    restored.instance_path = str(tmp_path / "restored-instance")
    _disk_full_on(monkeypatch, "guide.pdf")
    result = restored.test_cli_runner().invoke(args=["restore", str(tmp_path / "b")])
    assert result.exit_code == 1 and isinstance(result.exception, SystemExit)
    assert "No space left on device" in result.output
    assert "run restore again" in result.output

    monkeypatch.undo()
    result = restored.test_cli_runner().invoke(args=["restore", str(tmp_path / "b")])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "restored-instance" / "guide-files" / "guide.pdf").read_bytes() == (
        file_samples.PDF)
    with restored.app_context():
        assert db.session.scalar(select(func.count()).select_from(Post)) > 0
        db.session.remove()
        db.engine.dispose()


def test_restore_names_the_files_it_kept_because_the_instance_had_its_own(
        app, world, runner, tmp_path, empty_database):
    """An instance with a config.py of its own keeps it (and its secret key): the operator is
    told, since emailed links signed with the old key then no longer work."""
    app.instance_path = str(tmp_path / "instance")
    (tmp_path / "instance").mkdir(exist_ok=True)
    (tmp_path / "instance" / "config.py").write_text('SECRET_KEY = "the old site"\n')
    assert runner.invoke(args=["backup", str(tmp_path / "b")]).exit_code == 0
    (tmp_path / "restored-instance").mkdir()
    (tmp_path / "restored-instance" / "config.py").write_text('SECRET_KEY = "a new one"\n')
    restored = create_app({**TEST_CONFIG, "SQLALCHEMY_DATABASE_URI": empty_database})
    restored.instance_path = str(tmp_path / "restored-instance")
    result = restored.test_cli_runner().invoke(args=["restore", str(tmp_path / "b")])
    assert result.exit_code == 0, result.output
    assert "Kept 1 file" in result.output
    assert str(tmp_path / "restored-instance" / "config.py") in result.output
    assert "a new one" in (tmp_path / "restored-instance" / "config.py").read_text()
    with restored.app_context():
        db.session.remove()
        db.engine.dispose()


def test_every_file_of_a_backup_is_readable_by_its_owner_alone(app, world, runner, tmp_path):
    """Not only the folder: copied elsewhere with its modes (rsync -a, tar), the dump and
    config.py (the secret key) stay private."""
    app.instance_path = str(tmp_path / "instance")
    (tmp_path / "instance").mkdir(exist_ok=True)
    (tmp_path / "instance" / "config.py").write_text('SECRET_KEY = "k"\n')
    (tmp_path / "instance" / "config.py").chmod(0o644)
    assert runner.invoke(args=["backup", str(tmp_path / "b")]).exit_code == 0
    paths = [tmp_path / "b", *(tmp_path / "b").rglob("*")]
    assert len(paths) > 3
    assert {oct(path.stat().st_mode & 0o077) for path in paths} == {"0o0"}


def test_restore_refuses_a_backup_made_by_a_newer_version_and_changes_nothing(
        app, world, runner, tmp_path, empty_database):
    import json

    assert runner.invoke(args=["backup", str(tmp_path / "b")]).exit_code == 0
    manifest_path = tmp_path / "b" / "manifest.json"
    manifest = json.loads(manifest_path.read_text())
    manifest["schema_revision"] = "f00dfeedbeef"  # a migration this program does not have
    manifest_path.write_text(json.dumps(manifest))
    restored = create_app({**TEST_CONFIG, "SQLALCHEMY_DATABASE_URI": empty_database})
    restored.instance_path = str(tmp_path / "restored-instance")
    result = restored.test_cli_runner().invoke(args=["restore", str(tmp_path / "b")])
    assert result.exit_code == 1
    assert "newer version" in result.output and "f00dfeedbeef" in result.output
    with restored.app_context():
        from sqlalchemy import inspect as inspect_database

        with db.engine.connect() as connection:
            assert inspect_database(connection).get_table_names() == []
        db.session.remove()
        db.engine.dispose()
    assert not (tmp_path / "restored-instance" / "uploads").exists()
