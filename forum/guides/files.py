"""Made guide files: each published version's PDF, DOCX and ODT are rendered once and kept.

:func:`make_version_files` runs when a version is published; :func:`version_file` answers a
download with the kept file, making it only when none is valid any more (a post it quotes was
hidden since, the public address or the renderer changed, or the files were lost). A draft's
file is made on demand and kept while the draft is unchanged. Like the other services these
take the session explicitly and never commit.

The renderers (WeasyPrint, python-docx, odfdo) are imported only when a file is made, so a
worker that only serves kept files never loads them.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from forum.guides import compile as compiler
from forum.guides.document import GuideDocument
from forum.guides.export import FORMATS
from forum.guides.export import RENDERER_REVISION
from forum.guides.export import export
from forum.guides.export.storage import FileStorage
from forum.models import Guide
from forum.models import GuideFile
from forum.models import GuideVersion
from forum.models import Visibility
from forum.urls import public_base_url

# Worth keeping: the formats that cost seconds to make. HTML and Markdown take milliseconds.
STORED_FORMATS = tuple(name for name in ("pdf", "docx", "odt") if name in FORMATS)
MEMBERS = "members"
PUBLIC = "public"
DRAFT = "draft"


@dataclass(frozen=True)
class FileFor:
    """What a download sends: a kept file, or bytes made there and then (HTML, Markdown)."""

    media_type: str
    extension: str
    stored: GuideFile | None = None
    data: bytes | None = None


def links_base() -> str:
    """Where links in files that leave the site point (``PUBLIC_BASE_URL``)."""
    return public_base_url()


def for_audience(doc: GuideDocument, audience: str) -> GuideDocument:
    """The document a file for ``audience`` carries: no links into a set its readers cannot
    open, and every link to the site absolute."""
    if audience == PUBLIC:
        doc = doc.without_source_links()
    return doc.with_base_url(links_base())


def audiences_to_make(guide: Guide) -> tuple[str, ...]:
    """Who will download a new version: members always; outsiders when the guide is public
    but its set is not (everyone can open a public set's threads)."""
    if guide.is_public and guide.learning_set.visibility != Visibility.PUBLIC:
        return (MEMBERS, PUBLIC)
    return (MEMBERS,)


def _quoted_post_ids(version: GuideVersion) -> list[int]:
    return sorted({e["post_id"] for s in version.document["sections"] for e in s["excerpts"]
                   if e.get("post_id") is not None})


def _store(session: Session, storage: FileStorage, row: GuideFile, data: bytes,
           key_stem: str) -> GuideFile:
    digest = hashlib.sha256(data).hexdigest()
    row.etag = digest
    row.size = len(data)
    row.storage_key = f"{key_stem}-{digest[:16]}.{FORMATS[row.format].extension}"
    storage.save(row.storage_key, data)
    session.add(row)
    session.flush()
    return row


def _discard(session: Session, storage: FileStorage, row: GuideFile) -> None:
    storage.delete(row.storage_key)
    session.delete(row)


def make_version_file(session: Session, storage: FileStorage, version: GuideVersion,
                      format_name: str, audience: str) -> GuideFile:
    """Render the version in one format for one audience, and keep it."""
    post_ids = _quoted_post_ids(version)
    withheld = sorted(compiler.withheld_post_ids(session, set(post_ids)))
    data = export(for_audience(compiler.version_document(version), audience), format_name)
    row = GuideFile(guide_id=version.guide_id, version_id=version.id, format=format_name,
                    audience=audience, renderer=RENDERER_REVISION, links_base=links_base(),
                    post_ids=post_ids, withheld_ids=withheld)
    return _store(session, storage, row, data,
                  f"guide-{version.guide_id}/v{version.number}-{audience}")


def make_version_files(session: Session, storage: FileStorage,
                       version: GuideVersion) -> list[GuideFile]:
    """Every kept file the version's readers will ask for (at publishing, and regenerating)."""
    for row in session.scalars(select(GuideFile).where(GuideFile.version_id == version.id)):
        _discard(session, storage, row)
    return [make_version_file(session, storage, version, format_name, audience)
            for audience in audiences_to_make(version.guide)
            for format_name in STORED_FORMATS]


def _still_valid(session: Session, storage: FileStorage, row: GuideFile) -> bool:
    if row.renderer != RENDERER_REVISION or row.links_base != links_base():
        return False
    withheld = compiler.withheld_post_ids(session, set(row.post_ids))
    return sorted(withheld) == sorted(row.withheld_ids) and storage.exists(row.storage_key)


def version_file(session: Session, storage: FileStorage, version: GuideVersion,
                 format_name: str, audience: str) -> FileFor:
    """What a reader downloads: the kept file while it is valid (no rendering), otherwise a
    new one made and kept. A file that quotes a post hidden since is deleted, never sent."""
    export_format = FORMATS[format_name]
    if format_name not in STORED_FORMATS:
        doc = for_audience(compiler.version_document(version), audience)
        return FileFor(export_format.media_type, export_format.extension,
                       data=export(doc, format_name))
    rows = session.scalars(select(GuideFile).where(
        GuideFile.version_id == version.id, GuideFile.format == format_name,
        GuideFile.audience == audience))
    for row in rows:
        if _still_valid(session, storage, row):
            return FileFor(export_format.media_type, export_format.extension, stored=row)
        _discard(session, storage, row)
    session.flush()
    row = make_version_file(session, storage, version, format_name, audience)
    return FileFor(export_format.media_type, export_format.extension, stored=row)


def draft_file(session: Session, storage: FileStorage, guide: Guide,
               format_name: str) -> FileFor:
    """A draft's download, made on demand; kept (one per format) while the draft is the same."""
    export_format = FORMATS[format_name]
    doc = for_audience(compiler.compile_guide(guide), MEMBERS)
    if format_name not in STORED_FORMATS:
        return FileFor(export_format.media_type, export_format.extension,
                       data=export(doc, format_name))
    source = json.dumps([RENDERER_REVISION, compiler.document_to_json(doc)], sort_keys=True)
    source_hash = hashlib.sha256(source.encode("utf-8")).hexdigest()
    rows = session.scalars(select(GuideFile).where(
        GuideFile.guide_id == guide.id, GuideFile.version_id.is_(None),
        GuideFile.format == format_name))
    for row in rows:
        if row.source_hash == source_hash and storage.exists(row.storage_key):
            return FileFor(export_format.media_type, export_format.extension, stored=row)
        _discard(session, storage, row)  # an older draft's: never sent again
    session.flush()
    row = GuideFile(guide_id=guide.id, version_id=None, format=format_name, audience=DRAFT,
                    renderer=RENDERER_REVISION, links_base=links_base(),
                    source_hash=source_hash)
    stored = _store(session, storage, row, export(doc, format_name), f"guide-{guide.id}/draft")
    return FileFor(export_format.media_type, export_format.extension, stored=stored)


def regenerate(session: Session, storage: FileStorage, guides: list[Guide]) -> int:
    """Make every published version's files afresh (after an upgrade); returns how many."""
    made = 0
    for guide in guides:
        for row in session.scalars(select(GuideFile).where(
                GuideFile.guide_id == guide.id, GuideFile.version_id.is_(None))):
            _discard(session, storage, row)
        for version in guide.versions:
            made += len(make_version_files(session, storage, version))
    return made
