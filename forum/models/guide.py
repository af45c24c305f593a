"""Guides: approved posts curated into sections by a facilitator, and frozen published versions."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON
from sqlalchemy import Boolean
from sqlalchemy import Column
from sqlalchemy import DateTime
from sqlalchemy import ForeignKey
from sqlalchemy import Integer
from sqlalchemy import String
from sqlalchemy import Table
from sqlalchemy import Text
from sqlalchemy import UniqueConstraint
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column
from sqlalchemy.orm import relationship

from forum.extensions import db
from forum.models.base import utcnow
from forum.models.learning_set import LearningSet
from forum.models.learning_set import _str_enum
from forum.models.thread import Post
from forum.models.thread import Thread
from forum.models.user import CreditPreference
from forum.models.user import User

guide_threads = Table(
    "guide_threads",
    db.metadata,
    Column("guide_id", ForeignKey("guides.id", ondelete="CASCADE"), primary_key=True),
    Column("thread_id", ForeignKey("threads.id", ondelete="CASCADE"), primary_key=True),
)


class Guide(db.Model):
    """A facilitator's working draft; publishing freezes it into a :class:`GuideVersion`."""

    __tablename__ = "guides"

    id: Mapped[int] = mapped_column(primary_key=True)
    learning_set_id: Mapped[int] = mapped_column(
        ForeignKey("learning_sets.id", ondelete="CASCADE"), index=True)
    slug: Mapped[str] = mapped_column(String(100), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    subtitle: Mapped[str] = mapped_column(String(300), default="")
    introduction_source: Mapped[str] = mapped_column(Text, default="")
    introduction_html: Mapped[str] = mapped_column(Text, default="")
    # Published versions are readable without signing in when the set is public or this is set.
    is_public: Mapped[bool] = mapped_column(Boolean, default=False)
    # A code from forum.guides.document.LICENCES, printed in every format.
    licence: Mapped[str] = mapped_column(String(32), default="cc-by-4.0",
                                         server_default="cc-by-4.0")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    learning_set: Mapped[LearningSet] = relationship()
    created_by: Mapped[User | None] = relationship()
    threads: Mapped[list[Thread]] = relationship(secondary=guide_threads, order_by=Thread.id)
    sections: Mapped[list[GuideSection]] = relationship(
        back_populates="guide", cascade="all, delete-orphan", order_by="GuideSection.position")
    versions: Mapped[list[GuideVersion]] = relationship(
        back_populates="guide", cascade="all, delete-orphan", order_by="GuideVersion.number")


class GuideSection(db.Model):
    __tablename__ = "guide_sections"

    id: Mapped[int] = mapped_column(primary_key=True)
    guide_id: Mapped[int] = mapped_column(ForeignKey("guides.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    title: Mapped[str] = mapped_column(String(200))
    introduction_source: Mapped[str] = mapped_column(Text, default="")
    introduction_html: Mapped[str] = mapped_column(Text, default="")

    guide: Mapped[Guide] = relationship(back_populates="sections")
    excerpts: Mapped[list[GuideExcerpt]] = relationship(
        back_populates="section", cascade="all, delete-orphan", order_by="GuideExcerpt.position")


class GuideExcerpt(db.Model):
    """A whole approved post, or a trimmed part of it, quoted in a section."""

    __tablename__ = "guide_excerpts"

    id: Mapped[int] = mapped_column(primary_key=True)
    section_id: Mapped[int] = mapped_column(ForeignKey("guide_sections.id", ondelete="CASCADE"),
                                            index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    # NULL once the source post is gone: the excerpt then needs the facilitator's attention.
    post_id: Mapped[int | None] = mapped_column(ForeignKey("posts.id", ondelete="SET NULL"),
                                                index=True)
    # What the guide quotes: the whole of ``quoted_source`` or a trim of it (never the post's
    # live text, which its author may edit after it was quoted).
    body_source: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str] = mapped_column(Text)
    is_trimmed: Mapped[bool] = mapped_column(Boolean, default=False)
    # The post's approved Markdown when it was quoted, and the time of that text (the post's
    # last edit, or its creation): the excerpt's own copy of its source.
    quoted_source: Mapped[str] = mapped_column(Text)
    quoted_version_at: Mapped[datetime | None] = mapped_column(DateTime)
    # A later approved text of the post that the facilitator saw and chose not to take.
    reviewed_source: Mapped[str | None] = mapped_column(Text)
    # Say whom a reply answers (in its credit line) when that post is quoted in the guide too.
    show_in_reply_to: Mapped[bool] = mapped_column(Boolean, default=False)
    editorial_note_source: Mapped[str] = mapped_column(Text, default="")
    editorial_note_html: Mapped[str] = mapped_column(Text, default="")
    # A facilitator may lower the credit below the author's own choice, never raise it.
    credit_override: Mapped[CreditPreference | None] = mapped_column(
        _str_enum(CreditPreference, length=32))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    section: Mapped[GuideSection] = relationship(back_populates="excerpts")
    post: Mapped[Post | None] = relationship()


class GuideVersion(db.Model):
    """A published, numbered, never-changing snapshot of a guide (the document model as JSON)."""

    __tablename__ = "guide_versions"
    __table_args__ = (UniqueConstraint("guide_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    guide_id: Mapped[int] = mapped_column(ForeignKey("guides.id", ondelete="CASCADE"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    published_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    published_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"))
    document: Mapped[dict] = mapped_column(JSON)

    guide: Mapped[Guide] = relationship(back_populates="versions")
    published_by: Mapped[User | None] = relationship()


class GuideFile(db.Model):
    """A made PDF, DOCX or ODT file of a guide, kept in :mod:`forum.guides.export.storage`.

    One per published version, format and audience (with or without links to the set's
    posts), valid while the renderer, the public address and the set of withheld posts are
    what they were when it was made; a draft's file is found by a hash of its document.
    """

    __tablename__ = "guide_files"

    id: Mapped[int] = mapped_column(primary_key=True)
    guide_id: Mapped[int] = mapped_column(ForeignKey("guides.id", ondelete="CASCADE"), index=True)
    # NULL for a draft's file.
    version_id: Mapped[int | None] = mapped_column(
        ForeignKey("guide_versions.id", ondelete="CASCADE"), index=True)
    format: Mapped[str] = mapped_column(String(16))
    # "members", "public" (no links into the set) or "draft".
    audience: Mapped[str] = mapped_column(String(16))
    renderer: Mapped[str] = mapped_column(String(32))
    links_base: Mapped[str] = mapped_column(String(255))
    # The posts the version quotes, and those withheld from this file when it was made.
    post_ids: Mapped[list] = mapped_column(JSON, default=list)
    withheld_ids: Mapped[list] = mapped_column(JSON, default=list)
    # A draft's file: the hash of the document it was made from.
    source_hash: Mapped[str] = mapped_column(String(64), default="")
    storage_key: Mapped[str] = mapped_column(String(255))
    etag: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class GuideSearchEntry(db.Model):
    """A searchable piece of a guide's latest published version: its title and introductions
    (``post_id`` None), or one excerpt with its credit and note (``post_id`` its source post).

    Search shows an excerpt only while its post could still be quoted, as the published page
    does (``forum.guides.compile.version_document``); deleting the post deletes the entry.
    """

    __tablename__ = "guide_search_entries"

    id: Mapped[int] = mapped_column(primary_key=True)
    guide_id: Mapped[int] = mapped_column(ForeignKey("guides.id", ondelete="CASCADE"), index=True)
    version_id: Mapped[int] = mapped_column(
        ForeignKey("guide_versions.id", ondelete="CASCADE"), index=True)
    post_id: Mapped[int | None] = mapped_column(ForeignKey("posts.id", ondelete="CASCADE"),
                                                index=True)
    # Where on the guide's page the text is (a section's anchor), "" for the top.
    anchor: Mapped[str] = mapped_column(String(200), default="")
    text: Mapped[str] = mapped_column(Text)
