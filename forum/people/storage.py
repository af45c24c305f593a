"""Where made data downloads are kept: a folder outside ``static``, never served directly.

``DATA_EXPORTS_DIR`` names it; unset, ``data-exports`` in the instance folder. The files are
sent only by :func:`forum.people.views.download_export`, to their owner, and an admins'
copy (a subject access request) by :func:`forum.admin.views.download_data_copy`, to
admins. The folder store is the guide files' one
(:class:`forum.storage.FolderStorage`): atomic writes, keys kept inside the
folder.
"""

from __future__ import annotations

from pathlib import Path

from flask import Flask
from flask import current_app

from forum.storage import FileStorage
from forum.storage import FolderStorage


def export_storage(app: Flask | None = None) -> FileStorage:
    app = app or current_app
    folder = app.config.get("DATA_EXPORTS_DIR") or Path(app.instance_path) / "data-exports"
    return FolderStorage(Path(folder))
