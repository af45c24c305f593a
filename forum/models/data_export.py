"""A request for a copy of a person's data (theirs, or an admin's subject access request),
and the ZIP file made for it."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import Boolean
from sqlalchemy import DateTime
from sqlalchemy import ForeignKey
from sqlalchemy import Index
from sqlalchemy import Integer
from sqlalchemy import String
from sqlalchemy import false
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column

from forum.extensions import db
from forum.models.base import partial_index
from forum.models.base import str_enum
from forum.models.base import utcnow


class ExportState(enum.StrEnum):
    WAITING = "waiting"    # asked for; no process has started it yet
    MAKING = "making"      # a process is making the file (since started_at)
    READY = "ready"        # the file is in storage until expires_at
    FAILED = "failed"      # gave up after repeated attempts; the person may ask again


ACTIVE_STATES = (ExportState.WAITING, ExportState.MAKING)
_ACTIVE_SQL = "state IN ('waiting', 'making')"


class DataExport(db.Model):
    """One "Prepare my data" request, or an admin's copy of a person's data for a subject
    access request (``for_admin``): its state, and where its file is kept once made."""

    __tablename__ = "data_exports"
    __table_args__ = (
        # At most one request waiting or being made per person (and one admins' copy): a
        # second press (or two tabs at once) finds the first rather than starting another.
        partial_index("uq_data_exports_one_active", "user_id", "for_admin", unique=True,
                      where=_ACTIVE_SQL),
        Index("ix_data_exports_state", "state", "expires_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"),
                                         index=True)
    state: Mapped[ExportState] = mapped_column(str_enum(ExportState, length=12),
                                               default=ExportState.WAITING)
    requested_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(DateTime)
    ready_at: Mapped[datetime | None] = mapped_column(DateTime)
    expires_at: Mapped[datetime | None] = mapped_column(DateTime)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    # The key in the data-download storage (forum.people.storage); set once the file is made.
    file_key: Mapped[str | None] = mapped_column(String(200))
    size_bytes: Mapped[int | None] = mapped_column(Integer)
    # A copy made for admins (a subject access request), never shown to the person; it stays
    # the admins' if the admin who asked for it (requested_by_id) leaves.
    for_admin: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    requested_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True)

    @property
    def active(self) -> bool:
        return self.state in ACTIVE_STATES
