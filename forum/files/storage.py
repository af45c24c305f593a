"""Where uploaded files are kept: the same small storage interface as guide files
(:class:`forum.storage.FileStorage`), in a folder of its own (``UPLOAD_FOLDER``,
by default ``<instance>/uploads``, never under ``static/``)."""

from __future__ import annotations

import secrets
from pathlib import Path

from flask import Flask
from flask import current_app

from forum.storage import FileStorage
from forum.storage import FolderStorage


def upload_folder(app: Flask | None = None) -> Path:
    app = app or current_app
    return Path(app.config.get("UPLOAD_FOLDER") or Path(app.instance_path) / "uploads")


def upload_storage(app: Flask | None = None) -> FileStorage:
    return FolderStorage(upload_folder(app))


def new_key(extension: str) -> str:
    """A random name (two levels of folders keep any one folder small); it says nothing about
    the file or who sent it."""
    token = secrets.token_hex(16)
    return f"{token[:2]}/{token}.{extension}"
