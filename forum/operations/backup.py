"""Consistent backups of a running site, and restoring one into an empty instance.

A backup is a folder: ``manifest.json``, the database (``database.sqlite3``, copied with
SQLite's online backup API, or ``database.pgdump``, made by ``pg_dump``), ``instance/``, a copy
of the instance folder (``config.py``, stored files) without the live database, and
``uploads/``, the uploaded files (from ``UPLOAD_FOLDER``, wherever it is; restored into the
restoring site's ``UPLOAD_FOLDER``).
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
from dataclasses import dataclass
from datetime import UTC
from datetime import datetime
from pathlib import Path

from flask import Flask
from sqlalchemy import inspect
from sqlalchemy.engine import URL

from forum.extensions import db
from forum.files.storage import upload_folder

MANIFEST = "manifest.json"
SQLITE_FILE = "database.sqlite3"
PG_FILE = "database.pgdump"
INSTANCE_DIR = "instance"
UPLOADS_DIR = "uploads"
FORMAT_VERSION = 1


class BackupError(Exception):
    """A backup or restore that cannot go ahead; the message says why and what to do."""


@dataclass(frozen=True)
class BackupSummary:
    path: Path
    database: str
    files: int
    # Files the instance already had, different from the backup's, left as they were.
    kept: tuple[Path, ...] = ()


def _database_url() -> URL:
    return db.engine.url


def _sqlite_path(url: URL) -> Path:
    if not url.database or url.database == ":memory:":
        raise BackupError("An in-memory SQLite database cannot be backed up.")
    return Path(url.database)


def _libpq_url(url: URL) -> str:
    """The SQLAlchemy URL as pg_dump and pg_restore understand it (no ``+psycopg``), without
    its password: a command line can be read by every user of the machine (``ps``)."""
    return url.set(drivername="postgresql")._replace(password=None).render_as_string(
        hide_password=False)


def _libpq_environment(url: URL) -> dict[str, str] | None:
    """The environment for pg_dump and pg_restore: the password, if any, in ``PGPASSWORD``
    (read only by the process and its owner)."""
    if url.password is None:
        return None
    return {**os.environ, "PGPASSWORD": str(url.password)}


def _is_live_database(path: Path, database_file: Path | None) -> bool:
    if database_file is None:
        return False
    live = database_file.resolve()
    return path.resolve() in {live, live.with_name(live.name + "-wal"),
                              live.with_name(live.name + "-shm"),
                              live.with_name(live.name + "-journal")}


def _copy_instance(source: Path, target: Path, *, skip: set[Path],
                   database_file: Path | None) -> list[Path]:
    copied = []
    for path in sorted(source.rglob("*")):
        if not path.is_file() or _is_live_database(path, database_file):
            continue
        if any(path.resolve().is_relative_to(folder) for folder in skip):
            continue
        relative = path.relative_to(source)
        destination = target / relative
        destination.parent.mkdir(parents=True, exist_ok=True)
        try:
            shutil.copy2(path, destination)
        except FileNotFoundError:
            if path.exists():
                raise
            continue  # deleted by the running site since the folder was listed
        copied.append(relative)
    return copied


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _schema_revision() -> str | None:
    with db.engine.connect() as connection:
        if not inspect(connection).has_table("alembic_version"):
            return None
        return connection.exec_driver_sql("SELECT version_num FROM alembic_version").scalar()


def _reason(error: OSError) -> str:
    """"No space left on device (/var/backups/forum/x/uploads/ab/...)"."""
    reason = error.strerror or str(error)
    return f"{reason} ({error.filename})" if error.filename else reason


def _discard(destination: Path, created: bool) -> None:
    """Remove what a failed backup wrote, so that nothing half-made looks like a backup and
    the same folder can be used again."""
    if created:
        shutil.rmtree(destination, ignore_errors=True)
    elif destination.is_dir():
        for path in destination.iterdir():
            if path.is_dir() and not path.is_symlink():
                shutil.rmtree(path, ignore_errors=True)
            else:
                path.unlink(missing_ok=True)


def backup(app: Flask, destination: Path) -> BackupSummary:
    """Copy the database and the instance folder into ``destination`` (new or empty).

    If anything fails (no space left, no permission), what was written is removed and the
    error says why, naming the file."""
    destination = destination.resolve()
    if destination.exists() and any(destination.iterdir()):
        raise BackupError(f"{destination} is not empty: choose a new folder for the backup.")
    created = not destination.exists()
    try:
        destination.mkdir(mode=0o700, parents=True, exist_ok=True)
        os.chmod(destination, 0o700)  # config.py holds the secret key
        return _write_backup(app, destination)
    except OSError as error:
        _discard(destination, created)
        raise BackupError(f"Could not write the backup: {_reason(error)}. Nothing of it "
                          f"was kept.") from error
    except sqlite3.Error as error:
        _discard(destination, created)
        raise BackupError(f"Could not copy the SQLite database: {error}. Nothing of the "
                          f"backup was kept.") from error
    except BaseException:
        _discard(destination, created)
        raise


def _write_backup(app: Flask, destination: Path) -> BackupSummary:
    url = _database_url()
    database_file: Path | None = None
    if url.get_backend_name() == "sqlite":
        database_file = _sqlite_path(url)
        source = sqlite3.connect(f"file:{database_file}?mode=ro", uri=True)
        target = sqlite3.connect(destination / SQLITE_FILE)
        try:
            source.backup(target)  # one consistent snapshot, while writers carry on
        finally:
            target.close()
            source.close()
        database = "sqlite"
        database_name = SQLITE_FILE
    elif url.get_backend_name() == "postgresql":
        _run(["pg_dump", "--format=custom", "--no-owner", "--no-privileges",
              f"--file={destination / PG_FILE}", f"--dbname={_libpq_url(url)}"], "pg_dump",
             environment=_libpq_environment(url))
        database = "postgresql"
        database_name = PG_FILE
    else:
        raise BackupError(f"Backups of {url.get_backend_name()} databases are not supported.")

    instance = Path(app.instance_path)
    uploads = upload_folder(app).resolve()
    copied = _copy_instance(instance, destination / INSTANCE_DIR,
                            skip={destination, uploads}, database_file=database_file)
    uploaded = _copy_instance(uploads, destination / UPLOADS_DIR, skip={destination},
                              database_file=None) if uploads.is_dir() else []
    files = ([database_name] + [f"{INSTANCE_DIR}/{path.as_posix()}" for path in copied]
             + [f"{UPLOADS_DIR}/{path.as_posix()}" for path in uploaded])
    manifest = {
        "format": FORMAT_VERSION,
        "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "database": database,
        "schema_revision": _schema_revision(),
        "files": [{"path": name, "sha256": _sha256(destination / name)} for name in files],
    }
    (destination / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n")
    _owner_only(destination)
    return BackupSummary(path=destination, database=database,
                         files=len(copied) + len(uploaded))


def _owner_only(folder: Path) -> None:
    """Every file of the backup readable by its owner alone, not only the folder: the dump and
    config.py keep their modes when copied elsewhere (rsync -a, tar), and must not become
    readable to everyone there."""
    for path in folder.rglob("*"):
        os.chmod(path, 0o700 if path.is_dir() else 0o600)


def _run(command: list[str], name: str, environment: dict[str, str] | None = None) -> None:
    if shutil.which(command[0]) is None:
        raise BackupError(
            f"{name} is not installed (on Debian: apt-get install postgresql-client).")
    result = subprocess.run(command, capture_output=True, text=True, check=False,
                            env=environment)
    if result.returncode != 0:
        raise BackupError(f"{name} failed: {result.stderr.strip()}")


def _read_manifest(source: Path) -> dict:
    try:
        manifest = json.loads((source / MANIFEST).read_text())
    except FileNotFoundError as error:
        raise BackupError(f"{source} is not a backup: it has no {MANIFEST}.") from error
    except json.JSONDecodeError as error:
        raise BackupError(f"{source / MANIFEST} is damaged: {error}.") from error
    if manifest.get("format") != FORMAT_VERSION:
        raise BackupError(f"{source} was made by another version of this program.")
    for entry in manifest["files"]:
        path = source / entry["path"]
        if not path.is_file() or _sha256(path) != entry["sha256"]:
            raise BackupError(f"{entry['path']} in the backup is missing or damaged.")
    return manifest


def _known_revision(app: Flask, revision: str) -> bool:
    """Whether ``revision`` is one of this program's migrations."""
    from alembic.script import ScriptDirectory
    from alembic.util import CommandError

    scripts = ScriptDirectory.from_config(app.extensions["migrate"].migrate.get_config())
    try:
        return scripts.get_revision(revision) is not None
    except CommandError:
        return False


def _database_is_empty() -> bool:
    with db.engine.connect() as connection:
        return not inspect(connection).get_table_names()


def restore(app: Flask, source: Path) -> BackupSummary:
    """Bring a backup back into an instance whose database has no tables yet."""
    source = source.resolve()
    manifest = _read_manifest(source)
    url = _database_url()
    if manifest["database"] != url.get_backend_name():
        raise BackupError(f"This backup holds a {manifest['database']} database, but the site "
                          f"is configured for {url.get_backend_name()}.")
    if not _database_is_empty():
        raise BackupError("The database already has tables: restore into an empty database "
                          "(a new SQLite file, or a freshly created PostgreSQL database).")
    revision = manifest.get("schema_revision")
    if revision and not _known_revision(app, revision):
        raise BackupError(f"This backup's database has schema {revision}, which this program "
                          f"does not know: it was made by a newer version. Restore it with "
                          f"that version (or newer), then upgrade.")
    # Files first: each is copied whole under a temporary name, and the database, loaded
    # last, is what makes the instance no longer empty. So a restore stopped by a full disk
    # or a permission can simply be run again once that is put right.
    try:
        kept: list[Path] = []
        copied = (_restore_folder(source / INSTANCE_DIR, Path(app.instance_path), kept)
                  + _restore_folder(source / UPLOADS_DIR, upload_folder(app), kept))
    except OSError as error:
        raise BackupError(f"Could not copy the backup's files: {_reason(error)}. The database "
                          f"was not restored; put that right and run restore again (files "
                          f"already copied are kept).") from error
    db.session.remove()
    db.engine.dispose()
    try:
        _restore_database(manifest, url, source)
    except OSError as error:
        raise BackupError(f"Could not restore the database: {_reason(error)}.") from error
    except sqlite3.Error as error:
        raise BackupError(f"Could not restore the database: {error}.") from error
    return BackupSummary(path=source, database=manifest["database"], files=copied,
                         kept=tuple(kept))


def _restore_database(manifest: dict, url: URL, source: Path) -> None:
    if manifest["database"] == "sqlite":
        database_file = _sqlite_path(url)
        backup_copy = sqlite3.connect(f"file:{source / SQLITE_FILE}?mode=ro", uri=True)
        target = sqlite3.connect(database_file)
        try:
            backup_copy.backup(target)
        finally:
            target.close()
            backup_copy.close()
    else:
        _run(["pg_restore", "--no-owner", "--no-privileges", "--single-transaction",
              "--exit-on-error", f"--dbname={_libpq_url(url)}", str(source / PG_FILE)],
             "pg_restore", environment=_libpq_environment(url))


def _restore_folder(saved: Path, target: Path, kept: list[Path]) -> int:
    copied = 0
    if saved.is_dir():
        for path in sorted(saved.rglob("*")):
            if not path.is_file():
                continue
            target_path = target / path.relative_to(saved)
            if target_path.exists():  # never overwrite this instance's own settings or files
                if not target_path.is_file() or _sha256(target_path) != _sha256(path):
                    kept.append(target_path)
                continue
            target_path.parent.mkdir(parents=True, exist_ok=True)
            partial = target_path.with_name(f".restoring-{target_path.name}")
            try:
                shutil.copy2(path, partial)
                partial.replace(target_path)
            finally:
                partial.unlink(missing_ok=True)
            copied += 1
    return copied

