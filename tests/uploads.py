"""Uploaded files in tests: served by the app, listed from the database, found on disk."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select

from forum.extensions import db
from forum.files.storage import upload_folder
from forum.models import UploadedFile


def fetch(client, file_id: int):
    """GET a file, reading it and closing the response (send_file holds the stored file open)."""
    response = client.get(f"/files/{file_id}")
    response.get_data()
    response.close()
    return response


def stored(app) -> list[UploadedFile]:
    """Every stored file's row, oldest first, detached so a test may read it after the context."""
    with app.app_context():
        rows = list(db.session.scalars(select(UploadedFile).order_by(UploadedFile.id)))
        db.session.expunge_all()
        return rows


def stored_path(app, row: UploadedFile) -> Path:
    """Where the file of ``row`` lies in the upload folder."""
    with app.app_context():
        return upload_folder() / row.storage_key
