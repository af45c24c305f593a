"""Files people upload: an event's slides and papers, a set meeting's papers, a post's
attachments."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean
from sqlalchemy import CheckConstraint
from sqlalchemy import DateTime
from sqlalchemy import ForeignKey
from sqlalchemy import Integer
from sqlalchemy import String
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column
from sqlalchemy.orm import relationship

from forum.extensions import db
from forum.models.base import utcnow
from forum.models.cycle import Meeting
from forum.models.event import EventMaterial
from forum.models.file_types import TYPES
from forum.models.file_types import FileType
from forum.models.thread import Post

# Exactly one owner: a post, an event's material or a set's meeting (portable SQL: a boolean
# does not add up on PostgreSQL, so each owner counts through a CASE).
ONE_OWNER = ("(CASE WHEN post_id IS NULL THEN 0 ELSE 1 END"
             " + CASE WHEN event_material_id IS NULL THEN 0 ELSE 1 END"
             " + CASE WHEN meeting_id IS NULL THEN 0 ELSE 1 END) = 1")


class UploadedFile(db.Model):
    """One stored file, attached to exactly one thing (a post, an event's material or a set's
    meeting).

    The bytes live in the upload storage under ``storage_key`` (random, so nothing about the
    file or its sender shows in the folder); ``original_name`` is the sender's name for it,
    made safe, offered when it is downloaded.
    """

    __tablename__ = "uploaded_files"
    __table_args__ = (CheckConstraint(ONE_OWNER, name="one_owner"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    storage_key: Mapped[str] = mapped_column(String(80), unique=True)
    original_name: Mapped[str] = mapped_column(String(200))
    file_type: Mapped[str] = mapped_column(String(10))  # a key of forum.models.file_types.TYPES
    size: Mapped[int] = mapped_column(Integer)
    post_id: Mapped[int | None] = mapped_column(
        ForeignKey("posts.id", ondelete="CASCADE"), index=True)
    event_material_id: Mapped[int | None] = mapped_column(
        ForeignKey("event_materials.id", ondelete="CASCADE"), index=True)
    meeting_id: Mapped[int | None] = mapped_column(
        ForeignKey("meetings.id", ondelete="CASCADE"), index=True)
    # Added to a published post by an edit that waits for a moderator: only those who read the
    # waiting edit see it until the edit is approved.
    awaiting_approval: Mapped[bool] = mapped_column(Boolean, default=False)
    uploaded_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    post: Mapped[Post | None] = relationship(back_populates="attachments")
    event_material: Mapped[EventMaterial | None] = relationship(back_populates="files")
    meeting: Mapped[Meeting | None] = relationship(back_populates="files")

    @property
    def type(self) -> FileType:
        return TYPES[self.file_type]
