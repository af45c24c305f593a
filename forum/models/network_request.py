"""A visitor's request to join the network (no account), and the decision on it."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime
from sqlalchemy import ForeignKey
from sqlalchemy import String
from sqlalchemy import Text
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column
from sqlalchemy.orm import relationship

from forum.extensions import db
from forum.models.base import utcnow
from forum.models.join_request import RequestStatus
from forum.models.learning_set import _str_enum
from forum.models.organisation import Organisation
from forum.models.user import User


class NetworkRequest(db.Model):
    """Someone without an account asking to join; the row is the log of its decision too.

    It holds a non-member's name and email, so it is deleted (by ``flask retention``) once
    decided for ``INVITATION_RETENTION_DAYS``; waiting requests stay.
    """

    __tablename__ = "network_requests"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    email: Mapped[str] = mapped_column(String(254), index=True)
    # As typed; ``organisation_id`` is set when it names an organisation record exactly.
    organisation: Mapped[str] = mapped_column(String(200))
    organisation_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisations.id", ondelete="SET NULL"))
    job_title: Mapped[str] = mapped_column(String(200), default="")
    hopes: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[RequestStatus] = mapped_column(_str_enum(RequestStatus),
                                                  default=RequestStatus.PENDING, index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    decided_at: Mapped[datetime | None] = mapped_column(DateTime)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    # The sets the invitation also offered (their names, as a log: sets may be renamed later).
    invited_to: Mapped[str] = mapped_column(Text, default="")
    # The message emailed with a decline.
    reason: Mapped[str] = mapped_column(Text, default="")

    organisation_record: Mapped[Organisation | None] = relationship()
    decided_by: Mapped[User | None] = relationship(foreign_keys=[decided_by_id])
