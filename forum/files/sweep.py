"""Deleting stored bytes that no row points at any more.

A row in ``uploaded_files`` can go without its bytes: deleting a set, an event, a meeting or a
post lets the database cascade remove the rows, and a form whose transaction failed (or a
repeated submission rolled back) leaves the file it had already written. The sweep walks the
upload folder and deletes each file that has no row and is older than a grace period, so an
upload whose row is not committed yet is never taken. Run by ``flask --app forum files sweep``
(and by ``flask --app forum retention``, daily).

Only names the upload store gives (:func:`forum.files.storage.new_key`: ``ab/<32 hex>.pdf``)
and its half-written ``.part-`` files beside them are the sweep's to delete: should
``UPLOAD_FOLDER`` be set to a folder other files share (the instance folder with
``config.py`` and the SQLite database, the guide files' folder), those are left alone.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from forum.models import UploadedFile

DEFAULT_GRACE = timedelta(hours=24)
_CHUNK = 500
# forum.files.storage.new_key's names, and FolderStorage.save's temporary files beside them.
_UPLOAD_NAME = re.compile(r"[0-9a-f]{2}/(?:[0-9a-f]{32}\.[a-z0-9]+|\.part-[^/]+)")


@dataclass(frozen=True)
class Swept:
    deleted: int
    freed_bytes: int
    kept_recent: int

    def describe(self) -> str:
        files = f"{self.deleted:,} stored file{'' if self.deleted == 1 else 's'}"
        recent = (f"; {self.kept_recent:,} without a record yet kept (newer than the grace "
                  "period)") if self.kept_recent else ""
        return f"Deleted {files} no record points at ({self.freed_bytes:,} bytes){recent}."


def _stored_files(folder: Path) -> Iterator[tuple[str, Path]]:
    """Each file under ``folder`` named as the upload store names them, with its key."""
    for path in folder.glob("*/*"):
        key = path.relative_to(folder).as_posix()
        if _UPLOAD_NAME.fullmatch(key) and path.is_file() and not path.is_symlink():
            yield key, path


def sweep_orphans(session: Session, folder: Path, *, grace: timedelta = DEFAULT_GRACE,
                  now: float | None = None) -> Swept:
    """Delete files under ``folder`` that no ``uploaded_files`` row names and that were last
    written more than ``grace`` ago (half-written ``.part-`` files included). Reads the
    database only, so there is nothing to commit."""
    if not folder.is_dir():
        return Swept(0, 0, 0)
    cutoff = (time.time() if now is None else now) - grace.total_seconds()
    found: dict[str, tuple[Path, int, bool]] = {}
    for key, path in _stored_files(folder):
        stat = path.stat()
        found[key] = (path, stat.st_size, stat.st_mtime < cutoff)
    keys = list(found)
    known: set[str] = set()
    for start in range(0, len(keys), _CHUNK):
        known.update(session.scalars(select(UploadedFile.storage_key).where(
            UploadedFile.storage_key.in_(keys[start:start + _CHUNK]))))
    deleted = freed = recent = 0
    for key, (path, size, is_old) in found.items():
        if key in known:
            continue
        if not is_old:
            recent += 1
            continue
        path.unlink(missing_ok=True)
        deleted += 1
        freed += size
        _remove_empty_parents(path.parent, folder)
    return Swept(deleted, freed, recent)


def _remove_empty_parents(folder: Path, root: Path) -> None:
    while folder != root and folder.is_relative_to(root):
        try:
            folder.rmdir()
        except OSError:
            return
        folder = folder.parent
