"""Made guide files: each published version's PDF, DOCX and ODT are rendered once and kept.

Publishing does not wait for them: the web process's background maker
(:mod:`forum.guides.background`) calls :func:`make_missing_files` after the response, and
``flask guides regenerate --missing`` catches up on anything a stopped process left.
:func:`version_file` answers a download with the kept file; only when none is valid (not made
yet, a post it quotes was hidden since, the public address or the renderer changed, or the
file was lost) does :func:`ensure_version_file` make it there and then, once: in its own
short transactions, one maker at a time per file (a lock in the process, and the version's
row locked in the database while the row is written), so concurrent downloads, the maker
thread and other processes keep one file and never fail. A draft's file is made on demand
and kept while the draft is unchanged. Apart from :func:`ensure_version_file` (which commits
its own session), these take the session explicitly and never commit.

The renderers (WeasyPrint, python-docx, odfdo) are imported only when a file is made, so a
worker that only serves kept files never loads them.
"""

from __future__ import annotations

import hashlib
import json
import threading
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy import update
from sqlalchemy.orm import Session

from forum import permissions
from forum.extensions import db
from forum.guides import compile as compiler
from forum.guides.document import GuideDocument
from forum.guides.export import FORMATS
from forum.guides.export import RENDERER_REVISION
from forum.guides.export import export
from forum.models import Guide
from forum.models import GuideFile
from forum.models import GuideVersion
from forum.storage import FileStorage
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
    if guide.is_public and not permissions.can_view_set(None, guide.learning_set):
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


def _kept_rows(session: Session, version_id: int, format_name: str,
               audience: str) -> list[GuideFile]:
    return list(session.scalars(select(GuideFile).where(
        GuideFile.version_id == version_id, GuideFile.format == format_name,
        GuideFile.audience == audience).order_by(GuideFile.id)))


def _valid_kept_file(session: Session, storage: FileStorage, version_id: int,
                     format_name: str, audience: str) -> GuideFile | None:
    return next((row for row in _kept_rows(session, version_id, format_name, audience)
                 if _still_valid(session, storage, row)), None)


_MAKING: dict[tuple[int, str, str], threading.Lock] = {}
_MAKING_GUARD = threading.Lock()


def _making_lock(version_id: int, format_name: str, audience: str) -> threading.Lock:
    with _MAKING_GUARD:
        return _MAKING.setdefault((version_id, format_name, audience), threading.Lock())


def ensure_version_file(storage: FileStorage, version_id: int, format_name: str,
                        audience: str) -> GuideFile:
    """The version's valid kept file, made now if there is none; safe to call concurrently.

    Works in a session of its own (needs an app context) and commits it: nothing is held
    while rendering (seconds), and the row is written in a short transaction that starts by
    locking the version's row (PostgreSQL's row lock; SQLite's write lock), so two makers
    (threads or processes) never both keep a file: the later one finds the first one's row
    and keeps nothing. In one process, a second caller waits for the first and renders
    nothing. A stale row (and its file) is dropped in the same transaction, never sent.
    """
    with _making_lock(version_id, format_name, audience), \
            Session(db.engine, expire_on_commit=False) as session:
        kept = _valid_kept_file(session, storage, version_id, format_name, audience)
        if kept is not None:
            session.commit()
            return kept
        version = session.get(GuideVersion, version_id)
        if version is None:
            raise LookupError(f"no guide version {version_id}")
        post_ids = _quoted_post_ids(version)
        withheld = sorted(compiler.withheld_post_ids(session, set(post_ids)))
        doc = for_audience(compiler.version_document(version), audience)
        row = GuideFile(guide_id=version.guide_id, version_id=version.id, format=format_name,
                        audience=audience, renderer=RENDERER_REVISION, links_base=links_base(),
                        post_ids=post_ids, withheld_ids=withheld)
        stem = f"guide-{version.guide_id}/v{version.number}-{audience}"
        session.commit()  # end the read: no snapshot or lock is held while rendering
        data = export(doc, format_name)
        digest = hashlib.sha256(data).hexdigest()
        row.etag, row.size = digest, len(data)
        row.storage_key = f"{stem}-{digest[:16]}.{FORMATS[format_name].extension}"
        storage.save(row.storage_key, data)  # atomic; the same bytes get the same name
        # One writer at a time for this version from here to the commit.
        session.execute(update(GuideVersion).where(GuideVersion.id == version_id)
                        .values(number=GuideVersion.number)
                        .execution_options(synchronize_session=False))
        rows = _kept_rows(session, version_id, format_name, audience)
        winner = next((r for r in rows if _still_valid(session, storage, r)), None)
        if winner is not None:  # another maker kept it meanwhile
            session.commit()
            if winner.storage_key != row.storage_key:
                storage.delete(row.storage_key)
            return winner
        for stale in rows:
            session.delete(stale)
        session.add(row)
        session.commit()
        for stale in rows:
            if stale.storage_key != row.storage_key:
                storage.delete(stale.storage_key)
        return row


def make_missing_files(storage: FileStorage, version_ids: list[int]) -> int:
    """Make each version's kept files that are missing or stale (the background maker and
    ``guides regenerate --missing``); returns how many it made. Needs an app context."""
    made = 0
    for version_id in version_ids:
        with Session(db.engine) as session:
            version = session.get(GuideVersion, version_id)
            if version is None:
                continue
            wanted = [(format_name, audience) for audience in audiences_to_make(version.guide)
                      for format_name in STORED_FORMATS
                      if _valid_kept_file(session, storage, version_id, format_name,
                                          audience) is None]
        for format_name, audience in wanted:
            ensure_version_file(storage, version_id, format_name, audience)
            made += 1
    return made


def version_file(session: Session, storage: FileStorage, version: GuideVersion,
                 format_name: str, audience: str) -> FileFor:
    """What a reader downloads: the kept file while it is valid (no rendering), otherwise
    one made now, once, and kept (:func:`ensure_version_file`). A file that quotes a post
    hidden since is deleted, never sent."""
    export_format = FORMATS[format_name]
    if format_name not in STORED_FORMATS:
        doc = for_audience(compiler.version_document(version), audience)
        return FileFor(export_format.media_type, export_format.extension,
                       data=export(doc, format_name))
    row = _valid_kept_file(session, storage, version.id, format_name, audience)
    if row is None:
        row = ensure_version_file(storage, version.id, format_name, audience)
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
