"""Published guides that follow a member's later choice: a lower credit, or a deleted account.

A published version is frozen JSON (:class:`GuideVersion.document`) with each excerpt's credit
line already written, and its PDF, DOCX and ODT files are kept. When a member lowers their
credit preference, or their account is deleted, every version that quotes them is rewritten
here: their credit lines (and "in reply to" mentions of them) are lowered, and the kept files
of those versions and the drafts' files are discarded, to be made again on the next download
(:func:`forum.guides.files.version_file`), so no stored file still carries what they withdrew.
A credit is never raised in a published version: a higher choice applies to drafts and to
versions published from then on.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from dataclasses import field

from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import flag_modified

from forum import signals
from forum.guides.credit import CREDIT_ORDER
from forum.guides.credit import credit_for
from forum.guides.credit import credit_rank
from forum.guides.service import WITHHELD_TEXT
from forum.models import ANONYMOUS_CREDIT
from forum.models import CreditPreference
from forum.models import Guide
from forum.models import GuideFile
from forum.models import GuideVersion
from forum.models import Post
from forum.models import User
from forum.storage import FileStorage

REPLY_MARK = " (in reply to "
WITHHELD_HTML = f"<p>{html.escape(WITHHELD_TEXT)}</p>"


@dataclass
class Recredited:
    """What changed: the guides (for telling their facilitators) and how many files went."""

    guides: list[Guide] = field(default_factory=list)
    versions: int = 0
    files_discarded: int = 0


def _split(credit: str) -> tuple[str, str | None]:
    """``"Org (in reply to X)"`` -> ``("Org", "X")``."""
    if credit.endswith(")") and REPLY_MARK in credit:
        base, _, rest = credit.partition(REPLY_MARK)
        return base, rest[:-1]
    return credit, None


def _join(base: str, answered: str | None) -> str:
    return f"{base}{REPLY_MARK}{answered})" if answered is not None else base


def _stored_level(base: str, organisation: str | None) -> CreditPreference:
    """How generously a stored credit line credits its author."""
    if base == ANONYMOUS_CREDIT:
        return CreditPreference.ANONYMOUS
    if organisation and base == organisation:
        return CreditPreference.ORGANISATION
    return CreditPreference.NAME_AND_ORGANISATION


def _answered_level(answered: str, author: User | None) -> CreditPreference:
    if answered == ANONYMOUS_CREDIT:
        return CreditPreference.ANONYMOUS
    organisation = (author.organisation or "").strip() if author is not None else ""
    if organisation and answered == organisation:
        return CreditPreference.ORGANISATION
    return CreditPreference.NAME_AND_ORGANISATION


def lower(level: CreditPreference, ceiling: CreditPreference) -> CreditPreference:
    return level if credit_rank(level) <= credit_rank(ceiling) else ceiling


def recredit(session: Session, storage: FileStorage, post_ids: set[int],
             ceiling: CreditPreference, author: User | None, *,
             remove_text_of: set[int] | None = None) -> Recredited:
    """Lower to ``ceiling`` every published credit of the posts ``post_ids`` (all by
    ``author``; ``None`` once the account is gone), and take out the text of the excerpts of
    ``remove_text_of``. Versions that change lose their kept files; so do their guides' drafts.
    """
    remove_text_of = remove_text_of or set()
    result = Recredited()
    if not post_ids:
        return result
    replies = dict(session.execute(
        select(Post.id, Post.parent_id).where(Post.parent_id.in_(post_ids))).all())
    changed_guides: dict[int, Guide] = {}
    for version in session.scalars(select(GuideVersion).order_by(GuideVersion.id)):
        if _recredit_document(version.document, post_ids, replies, ceiling, author,
                              remove_text_of):
            flag_modified(version, "document")
            result.versions += 1
            changed_guides[version.guide_id] = version.guide
            for row in session.scalars(select(GuideFile).where(
                    GuideFile.version_id == version.id)):
                storage.delete(row.storage_key)
                session.delete(row)
                result.files_discarded += 1
    # Drafts compile live (and so already follow the choice); their kept files do not.
    quoting_guides = _guides_quoting(session, post_ids | set(replies))
    for guide in quoting_guides:
        changed_guides.setdefault(guide.id, guide)
    for guide_id in changed_guides:
        for row in session.scalars(select(GuideFile).where(
                GuideFile.guide_id == guide_id, GuideFile.version_id.is_(None))):
            storage.delete(row.storage_key)
            session.delete(row)
            result.files_discarded += 1
    session.flush()
    result.guides = sorted(changed_guides.values(), key=lambda g: g.id)
    # What search finds of each guide is its latest published version: announce it again, so
    # the withdrawn credit is not found there either.
    for guide in result.guides:
        if guide.versions:
            signals.send_about_version(session, max(guide.versions, key=lambda v: v.number))
    return result


def follow_lower_credit(session: Session, storage: FileStorage, user: User,
                        before: CreditPreference) -> int:
    """After ``user`` changed their credit preference from ``before``: when it is lower,
    rewrite the published versions quoting them. Returns how many guides changed."""
    after = user.credit_preference or CreditPreference.ORGANISATION
    if credit_rank(after) >= credit_rank(before):
        return 0
    post_ids = set(session.scalars(select(Post.id).where(Post.author_id == user.id)))
    return len(recredit(session, storage, post_ids, after, user).guides)


def on_credit_preference_changed(app: object, *, session: Session, user: User,
                                 before: CreditPreference) -> int:
    from forum.guides.export.storage import storage_for

    return follow_lower_credit(session, storage_for(), user, before)


def _guides_quoting(session: Session, post_ids: set[int]) -> list[Guide]:
    from forum.models import GuideExcerpt
    from forum.models import GuideSection

    return list(session.scalars(
        select(Guide).join(GuideSection).join(GuideExcerpt)
        .where(GuideExcerpt.post_id.in_(post_ids)).distinct()))


def _recredit_document(document: dict, post_ids: set[int], replies: dict[int, int | None],
                       ceiling: CreditPreference, author: User | None,
                       remove_text_of: set[int]) -> bool:
    changed = False
    organisations: set[str] = set()
    for section in document.get("sections", []):
        for item in section.get("excerpts", []):
            post_id = item.get("post_id")
            credit = item.get("credit") or ""
            base, answered = _split(credit)
            if post_id in remove_text_of:
                if item.get("body_html") != WITHHELD_HTML or credit:
                    item.update(body_html=WITHHELD_HTML, credit="", organisation=None,
                                editorial_note_html=None, source_url=None)
                    changed = True
            elif post_id in post_ids and base:
                level = _stored_level(base, item.get("organisation"))
                new_level = lower(level, ceiling)
                if new_level != level:
                    base = credit_for(author, new_level)
                    item["organisation"] = _organisation(author, new_level)
                    changed = True
            if answered is not None and replies.get(post_id) in post_ids:
                level = _answered_level(answered, author)
                new_level = lower(level, ceiling)
                if new_level != level:
                    answered = credit_for(author, new_level)
                    changed = True
            if item.get("credit"):
                item["credit"] = _join(base, answered)
            if item.get("organisation"):
                organisations.add(item["organisation"])
    if changed:
        document["contributing_organisations"] = sorted(organisations, key=str.casefold)
    return changed


def _organisation(author: User | None, level: CreditPreference) -> str | None:
    if author is None or level == CreditPreference.ANONYMOUS:
        return None
    return (author.organisation or "").strip() or None


__all__ = ["CREDIT_ORDER", "Recredited", "follow_lower_credit", "lower", "recredit"]
