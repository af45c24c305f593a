"""Read-only guide queries for pages outside the guides area (the home page)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_
from sqlalchemy import func
from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.orm import aliased

from forum import permissions
from forum.models import Guide
from forum.models import GuideVersion


@dataclass(frozen=True)
class PublishedGuide:
    slug: str
    title: str
    subtitle: str
    version: int
    published_at: datetime


def public_guides(session: Session, limit: int = 20) -> list[PublishedGuide]:
    """Guides with a published version that anyone may read: of a public set, or marked public.

    Newest publication first; one query.
    """
    return readable_guides(session, None, limit)


def readable_guides(session: Session, user: permissions.AnyUser,
                    limit: int | None = None) -> list[PublishedGuide]:
    """Guides with a published version that ``user`` may read, newest publication first.

    Each as its latest version was published: its title and subtitle are read from that
    version, never from the draft (a title changed since is not published until the next
    version is, and a visitor must not read it here either)."""
    latest = (select(GuideVersion.guide_id, func.max(GuideVersion.number).label("number"))
              .group_by(GuideVersion.guide_id).subquery())
    version = aliased(GuideVersion)
    title = version.document["title"].as_string()
    rows = session.execute(
        select(Guide.slug, title, func.coalesce(version.document["subtitle"].as_string(), ""),
               version.number, version.published_at)
        .join(latest, latest.c.guide_id == Guide.id)
        .join(version, and_(version.guide_id == Guide.id, version.number == latest.c.number))
        .where(permissions.published_guides_filter(user))
        .order_by(version.published_at.desc(), title)
        .limit(limit))
    return [PublishedGuide(*row) for row in rows]
