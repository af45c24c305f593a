"""Storing an uploaded file against what it is attached to, and letting it go again."""

from __future__ import annotations

from collections.abc import Iterable
from collections.abc import Sequence
from dataclasses import dataclass

from flask import current_app
from sqlalchemy.orm import Session

from forum.files.checks import CheckedFile
from forum.files.checks import Limits
from forum.files.checks import check
from forum.files.checks import safe_name
from forum.files.storage import new_key
from forum.models import EventMaterial
from forum.models import Meeting
from forum.models import Post
from forum.models import UploadedFile
from forum.models import User
from forum.storage import FileStorage


@dataclass(frozen=True)
class Upload:
    """A checked file, ready to store: its clean bytes and the name to offer for download."""

    checked: CheckedFile
    name: str


def limits() -> Limits:
    config = current_app.config
    return Limits(max_unpacked=config["UPLOAD_MAX_UNPACKED_BYTES"],
                  max_pixels=config["UPLOAD_MAX_PIXELS"])


def prepare(data: bytes, filename: str) -> Upload:
    """Check the bytes (FileRefused with a message when they are not accepted)."""
    checked = check(data, limits())
    return Upload(checked, safe_name(filename or "file", checked.type.extension))


def attach(session: Session, storage: FileStorage, uploader: User | None, upload: Upload, *,
           post: Post | None = None, material: EventMaterial | None = None,
           meeting: Meeting | None = None, awaiting_approval: bool = False) -> UploadedFile:
    """Write the file to storage and add its row (the caller commits)."""
    key = new_key(upload.checked.type.extension)
    storage.save(key, upload.checked.data)
    row = UploadedFile(storage_key=key, original_name=upload.name,
                       file_type=upload.checked.type.key, size=len(upload.checked.data),
                       post=post, event_material=material, meeting=meeting,
                       uploaded_by_id=uploader.id if uploader is not None else None,
                       awaiting_approval=awaiting_approval)
    session.add(row)
    return row


def discard(session: Session, storage: FileStorage, files: Iterable[UploadedFile]) -> int:
    """Delete the files and their rows; returns how many went."""
    count = 0
    for row in list(files):
        storage.delete(row.storage_key)
        session.delete(row)
        count += 1
    return count


def attach_to_post(session: Session, storage: FileStorage, author: User, post: Post,
                   uploads: Sequence[Upload], *, awaiting_approval: bool = False) -> int:
    """Add the author's files to their post (in the caller's transaction)."""
    for upload in uploads:
        attach(session, storage, author, upload, post=post,
               awaiting_approval=awaiting_approval)
    return len(uploads)


def change_post_files(session: Session, storage: FileStorage, author: User, post: Post, *,
                      add: Sequence[Upload], remove_ids: Iterable[int],
                      edit_waits: bool) -> bool:
    """An edit's changes to a post's files: removing needs no approval (it reveals nothing);
    files added while the edit waits for a moderator wait with it (see
    :func:`forum.permissions.files.can_view_file`). Returns whether anything changed."""
    removing = [row for row in post.attachments if row.id in set(remove_ids)]
    discard(session, storage, removing)
    attach_to_post(session, storage, author, post, add, awaiting_approval=edit_waits)
    session.flush()
    return bool(removing or add)


def release_waiting_files(session: Session, post: Post) -> None:
    """A moderator approved the edit: the files that waited with it are the post's now."""
    for row in post.attachments:
        row.awaiting_approval = False
