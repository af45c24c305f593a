"""Where made and uploaded files are kept: a small interface and a folder of files.

Guide files, uploads and data downloads each have a folder of their own
(:func:`forum.guides.export.storage.storage_for`, :func:`forum.files.storage.upload_storage`,
:func:`forum.people.storage.export_storage`). Keys are relative paths such as
``guide-3/v2-members-9f2c….pdf``. Another store (an object store, a shared volume) only needs
these four methods; downloads are served from :meth:`FileStorage.path`, so a store without
local files would add a streaming method.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Protocol


class FileStorage(Protocol):
    def save(self, key: str, data: bytes) -> None: ...

    def exists(self, key: str) -> bool: ...

    def path(self, key: str) -> Path: ...

    def delete(self, key: str) -> None: ...


class FolderStorage:
    """Files in a folder, written atomically; a key never reaches outside it."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def path(self, key: str) -> Path:
        path = (self.root / key).resolve()
        if not path.is_relative_to(self.root.resolve()):
            raise ValueError(f"storage key outside the folder: {key!r}")
        return path

    def save(self, key: str, data: bytes) -> None:
        path = self.path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        # Write beside it, then rename: a reader never sees half a file.
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".part-")
        try:
            with os.fdopen(handle, "wb") as stream:
                stream.write(data)
            os.replace(temporary, path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise

    def exists(self, key: str) -> bool:
        return self.path(key).is_file()

    def delete(self, key: str) -> None:
        self.path(key).unlink(missing_ok=True)
