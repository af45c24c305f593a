"""Learning sets, who belongs to them, and invitations to join."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import Boolean
from sqlalchemy import DateTime
from sqlalchemy import ForeignKey
from sqlalchemy import Integer
from sqlalchemy import String
from sqlalchemy import Text
from sqlalchemy import UniqueConstraint
from sqlalchemy import false
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column
from sqlalchemy.orm import relationship

from forum.extensions import db
from forum.models.base import str_enum as _str_enum  # noqa: F401 (the other models import it here)
from forum.models.base import utcnow
from forum.models.user import User


class Visibility(enum.StrEnum):
    PRIVATE = "private"   # members only
    NETWORK = "network"   # any signed-in user can read
    PUBLIC = "public"     # anyone can read


class ModerationPolicy(enum.StrEnum):
    """When posts in a set wait for a moderator before others can see them."""

    EVERY_POST = "every_post"      # every post waits for approval
    NEW_MEMBERS = "new_members"    # each member's first N posts wait
    AFTER_THE_FACT = "after_the_fact"  # posts appear at once and can be reported


class Role(enum.StrEnum):
    """A member's role within one learning set, lowest first."""

    MEMBER = "member"
    MODERATOR = "moderator"
    FACILITATOR = "facilitator"

    @property
    def rank(self) -> int:
        return list(Role).index(self)


class LearningSet(db.Model):
    __tablename__ = "learning_sets"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    name: Mapped[str] = mapped_column(String(150))
    purpose: Mapped[str] = mapped_column(Text, default="")
    visibility: Mapped[Visibility] = mapped_column(_str_enum(Visibility),
                                                   default=Visibility.PRIVATE)
    moderation_policy: Mapped[ModerationPolicy] = mapped_column(
        _str_enum(ModerationPolicy, length=20), default=ModerationPolicy.NEW_MEMBERS)
    new_member_post_threshold: Mapped[int] = mapped_column(Integer, default=3)
    # Whether members may post suggestions (advice) in challenges; off by the method's default.
    allow_suggestions: Mapped[bool] = mapped_column(Boolean, default=False,
                                                    server_default=false())
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    memberships: Mapped[list[Membership]] = relationship(
        back_populates="learning_set", cascade="all, delete-orphan")

    def __repr__(self) -> str:
        return f"<LearningSet {self.slug}>"


class Membership(db.Model):
    __tablename__ = "memberships"
    __table_args__ = (UniqueConstraint("user_id", "learning_set_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    learning_set_id: Mapped[int] = mapped_column(
        ForeignKey("learning_sets.id", ondelete="CASCADE"), index=True)
    role: Mapped[Role] = mapped_column(_str_enum(Role), default=Role.MEMBER)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    user: Mapped[User] = relationship()
    learning_set: Mapped[LearningSet] = relationship(back_populates="memberships")


class Invitation(db.Model):
    """An emailed, expiring invitation to join a set; only a hash of its token is stored."""

    __tablename__ = "invitations"

    id: Mapped[int] = mapped_column(primary_key=True)
    learning_set_id: Mapped[int] = mapped_column(
        ForeignKey("learning_sets.id", ondelete="CASCADE"), index=True)
    email: Mapped[str] = mapped_column(String(254))
    role: Mapped[Role] = mapped_column(_str_enum(Role), default=Role.MEMBER)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    invited_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(DateTime)
    accepted_at: Mapped[datetime | None] = mapped_column(DateTime)
    accepted_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime)

    learning_set: Mapped[LearningSet] = relationship()
    invited_by: Mapped[User | None] = relationship(foreign_keys=[invited_by_id])

    @property
    def is_pending(self) -> bool:
        return (self.accepted_at is None and self.revoked_at is None
                and self.expires_at > utcnow())
