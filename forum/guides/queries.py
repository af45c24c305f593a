"""Read-only guide queries for pages outside the guides area (the home page)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func
from sqlalchemy import select
from sqlalchemy.orm import Session

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
    """Guides with a published version that ``user`` may read, newest publication first."""
    latest = (select(GuideVersion.guide_id,
                     func.max(GuideVersion.number).label("number"),
                     func.max(GuideVersion.published_at).label("published_at"))
              .group_by(GuideVersion.guide_id).subquery())
    rows = session.execute(
        select(Guide.slug, Guide.title, Guide.subtitle, latest.c.number, latest.c.published_at)
        .join(latest, latest.c.guide_id == Guide.id)
        .where(permissions.published_guides_filter(user))
        .order_by(latest.c.published_at.desc(), Guide.title)
        .limit(limit))
    return [PublishedGuide(*row) for row in rows]
