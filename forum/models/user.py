"""People who use the forum, and site-wide settings an admin controls."""

from __future__ import annotations

import enum
from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import Boolean
from sqlalchemy import DateTime
from sqlalchemy import Enum
from sqlalchemy import ForeignKey
from sqlalchemy import Integer
from sqlalchemy import String
from sqlalchemy import Text
from sqlalchemy import false
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column
from sqlalchemy.orm import relationship
from werkzeug.security import check_password_hash
from werkzeug.security import generate_password_hash

from forum.extensions import db
from forum.models.base import utcnow
from forum.models.organisation import Organisation


class CreditPreference(enum.StrEnum):
    """How a member is credited when quoted in a published guide."""

    NAME_AND_ORGANISATION = "name_and_organisation"
    ORGANISATION = "organisation"
    ANONYMOUS = "anonymous"


# How an anonymous credit reads, everywhere it is shown or explained.
ANONYMOUS_CREDIT = "A participant"


class User(UserMixin, db.Model):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    password_hash: Mapped[str] = mapped_column(String(256))
    display_name: Mapped[str] = mapped_column(String(100))
    # The organisation as the person typed it (what guides credit); linked to its record in
    # ``organisation_id`` when the name matches one (trimmed, ignoring case).
    organisation: Mapped[str] = mapped_column(String(150), default="")
    organisation_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisations.id", ondelete="SET NULL"), index=True)
    is_admin: Mapped[bool] = mapped_column(Boolean, default=False)
    # A network coordinator publishes and runs the network's events (named by an admin).
    is_network_coordinator: Mapped[bool] = mapped_column(Boolean, default=False,
                                                         server_default=false())
    is_disabled: Mapped[bool] = mapped_column(Boolean, default=False)
    credit_preference: Mapped[CreditPreference] = mapped_column(
        Enum(CreditPreference, native_enum=False, length=32,
             values_callable=lambda e: [m.value for m in e]),
        default=CreditPreference.ORGANISATION,
    )
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    # Part of every session and remember-me cookie (see get_id); raising it ends them all.
    session_version: Mapped[int] = mapped_column(Integer, default=0, server_default="0")

    organisation_record: Mapped[Organisation | None] = relationship()

    def get_id(self) -> str:
        """What Flask-Login keeps in the session and the remember-me cookie: ``id:version``."""
        return f"{self.id}:{self.session_version or 0}"

    def end_sessions(self) -> None:
        """Make every session and remember-me cookie issued so far stop working."""
        self.session_version = (self.session_version or 0) + 1

    def set_password(self, password: str) -> None:
        self.password_hash = generate_password_hash(password)

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)

    @property
    def is_active(self) -> bool:  # Flask-Login refuses sign-in for inactive users.
        return not self.is_disabled

    def __repr__(self) -> str:
        return f"<User {self.id} {self.email}>"


class AccountEvent(db.Model):
    """The admin log: who did what to an account, and when. Append-only.

    It names the account by number only, so it keeps no personal data of someone erased:
    an erased account's number matches no user any more.
    """

    __tablename__ = "account_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    # Who acted: an admin, or the person themselves (deleting their own account).
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"),
                                                 index=True)
    # The account acted on: a plain number, not a foreign key, so it outlives the account.
    account_id: Mapped[int] = mapped_column(Integer, index=True)
    action: Mapped[str] = mapped_column(String(32))
    detail: Mapped[str] = mapped_column(String(300), default="")
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    actor: Mapped[User | None] = relationship()


class SignInThrottle(db.Model):
    """Failed sign-in attempts for one email address, shared by every worker process.

    Keyed by a keyed hash of the normalised address (not the address itself), and kept for
    unknown addresses too, so the delay reveals nothing about who has an account.
    """

    __tablename__ = "sign_in_throttles"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    last_attempt_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    blocked_until: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)


class SiteSetting(db.Model):
    """A key/value setting an admin changes at run time (e.g. ``open_signup``)."""

    __tablename__ = "site_settings"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text, default="")
