"""Where made guide files (PDF, DOCX, ODT) are kept: a folder of their own
(:class:`forum.storage.FolderStorage`)."""

from __future__ import annotations

from pathlib import Path

from flask import Flask
from flask import current_app

from forum.storage import FileStorage
from forum.storage import FolderStorage


def storage_for(app: Flask | None = None) -> FileStorage:
    """The app's store: ``GUIDE_FILES_DIR``, else ``guide-files`` in the instance folder."""
    app = app or current_app
    folder = app.config.get("GUIDE_FILES_DIR") or Path(app.instance_path) / "guide-files"
    return FolderStorage(Path(folder))
