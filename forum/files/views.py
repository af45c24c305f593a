"""Serving an uploaded file to those who may see what it is attached to (404 to anyone else)."""

from __future__ import annotations

from flask import abort
from flask import send_file
from flask_login import current_user
from sqlalchemy.orm import selectinload

from forum import permissions
from forum.extensions import db
from forum.files import bp
from forum.files.storage import upload_storage
from forum.models import EventMaterial
from forum.models import UploadedFile
from forum.security import uploaded_file


@bp.get("/files/<int:file_id>")
@uploaded_file
def serve(file_id: int):
    row = db.session.get(UploadedFile, file_id, options=[
        selectinload(UploadedFile.event_material).selectinload(EventMaterial.event)])
    if row is None or not permissions.can_view_file(current_user, row):
        abort(404)
    path = upload_storage().path(row.storage_key)
    if not path.is_file():
        abort(404)
    file_type = row.type
    response = send_file(path, mimetype=file_type.mimetype,
                         as_attachment=not file_type.is_image,
                         download_name=row.original_name, conditional=True, max_age=0)
    if file_type.is_image:
        # Inline, but still with the name to save it under.
        response.headers.set("Content-Disposition", "inline", filename=row.original_name)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, no-cache"
    return response
