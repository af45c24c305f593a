"""The searchable text of published guides: one row per piece of the latest version.

Written when guides announce a version (:data:`forum.signals.guide_version_changed`, on
publishing and on lowering a credit) and by ``flask search rebuild``.
Each excerpt keeps its source post's id, so search withholds it exactly when the published page
does (the post can no longer be quoted); drafts are never indexed.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete
from sqlalchemy import insert
from sqlalchemy import select
from sqlalchemy.orm import Session

from forum.models import Guide
from forum.models import GuideSearchEntry
from forum.models import GuideVersion
from forum.models import Post
from forum.text import plain_text


def _join(*parts: str) -> str:
    return " ".join(" ".join(part.split()) for part in parts if part and part.strip())


def entries_for(guide_id: int, version_id: int, document: dict[str, Any],
                existing_posts: set[int]) -> list[dict[str, Any]]:
    """The pieces of a version's frozen document as rows (excerpts of posts since deleted
    are left out). Pure, so the migration that made the table can fill it too."""
    def entry(text: str, anchor: str = "", post_id: int | None = None) -> dict[str, Any]:
        return {"guide_id": guide_id, "version_id": version_id, "anchor": anchor[:200],
                "post_id": post_id, "text": text}

    entries = [entry(_join(document.get("title", ""), document.get("subtitle", ""),
                           plain_text(document.get("introduction_html", ""))))]
    for section in document.get("sections", []):
        anchor = section.get("anchor", "") or ""
        entries.append(entry(_join(section.get("title", ""),
                                   plain_text(section.get("introduction_html", ""))), anchor))
        for item in section.get("excerpts", []):
            post_id = item.get("post_id")
            if post_id is not None and post_id not in existing_posts:
                continue  # withheld for good: its post is gone
            entries.append(entry(
                _join(plain_text(item.get("body_html", "")), item.get("credit", ""),
                      plain_text(item.get("editorial_note_html") or "")), anchor, post_id))
    return [row for row in entries if row["text"]]


def quoted_post_ids(document: dict[str, Any]) -> set[int]:
    return {item["post_id"] for section in document.get("sections", [])
            for item in section.get("excerpts", []) if item.get("post_id") is not None}


def index_version(session: Session, version: GuideVersion) -> None:
    """Make ``version`` what search finds of its guide (replacing an earlier version)."""
    session.flush()
    session.execute(delete(GuideSearchEntry).where(GuideSearchEntry.guide_id == version.guide_id))
    post_ids = quoted_post_ids(version.document)
    existing = (set(session.scalars(select(Post.id).where(Post.id.in_(post_ids))))
                if post_ids else set())
    rows = entries_for(version.guide_id, version.id, version.document, existing)
    if rows:
        session.execute(insert(GuideSearchEntry), rows)


def on_guide_version_changed(app: object, *, session: Session, version: GuideVersion) -> None:
    index_version(session, version)


def reindex_all(session: Session) -> int:
    """Index every guide's latest published version again; the number of guides indexed."""
    session.execute(delete(GuideSearchEntry))
    count = 0
    for guide in session.scalars(select(Guide).where(Guide.versions.any())):
        latest = max(guide.versions, key=lambda v: v.number)
        index_version(session, latest)
        count += 1
    return count
