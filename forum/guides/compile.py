"""From a curated guide to the document every format exports, and frozen published versions.

:func:`compile_guide` is what a draft's preview and downloads show; :func:`publish` freezes
the same document as JSON in a :class:`GuideVersion`; :func:`version_document` reads it back,
withholding any excerpt whose source post has since been hidden, withdrawn or deleted.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from datetime import date
from typing import Any

from flask import current_app
from flask import has_app_context
from sqlalchemy import func
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm import object_session
from werkzeug.routing import BuildError

from forum import mentions
from forum import permissions
from forum import signals
from forum.extensions import db
from forum.guides.credit import credit_line
from forum.guides.credit import credited_organisation
from forum.guides.credit import excerpt_body_html
from forum.guides.credit import excerpts_needing_attention
from forum.guides.credit import quoted_excerpts
from forum.guides.credit import withheld_reason
from forum.guides.document import DEFAULT_LICENCE
from forum.guides.document import Excerpt
from forum.guides.document import GuideDocument
from forum.guides.document import Section
from forum.guides.service import WITHHELD_TEXT
from forum.guides.service import GuideError
from forum.models import ANONYMOUS_CREDIT
from forum.models import CreditPreference
from forum.models import Guide
from forum.models import GuideExcerpt
from forum.models import GuideVersion
from forum.models import Post
from forum.models import User
from forum.models import utcnow
from forum.times import to_local

# Bumped if the stored JSON ever changes shape; readers accept every earlier one.
DOCUMENT_FORMAT = 1

PostUrl = Callable[[Post], str | None]


def posted_day(post: Post | None) -> date | None:
    """The day a quoted post was written on UK clocks, as its thread page says it."""
    return to_local(post.created_at).date() if post is not None and post.created_at else None


def site_path(endpoint: str, **values: Any) -> str:
    """A page's path on this site (``/guides/x/``), inside a request or not.

    The document keeps links to the site as paths: the web page uses them as they are, and a
    file that leaves the site makes them absolute under ``PUBLIC_BASE_URL`` when it is made.
    """
    adapter = current_app.url_map.bind("localhost", script_name="/")
    return adapter.build(endpoint, values, force_external=False)


def post_url(post: Post) -> str | None:
    """The path of a post on its thread page."""
    return site_path("threads.show", thread_id=post.thread_id) + f"#post-{post.id}"


def guide_url(guide: Guide) -> str | None:
    """The guide's own path (its latest version), when it can be built."""
    try:
        return site_path("guides.published", guide_slug=guide.slug)
    except BuildError:  # the web pages are not registered (e.g. a trimmed-down app)
        current_app.logger.debug("no guides endpoints: the document carries no address")
        return None


def publisher(guide: Guide) -> str:
    """``Northbridge set, Learning Sets``: the set, then the network (``GUIDE_PUBLISHER``,
    else ``SITE_NAME``)."""
    if not has_app_context():  # compiled without an app (unit tests): no network name
        return getattr(getattr(guide, "learning_set", None), "name", "") or ""
    config = current_app.config
    network = str(config.get("GUIDE_PUBLISHER") or config.get("SITE_NAME") or "").strip()
    learning_set = getattr(guide, "learning_set", None)
    parts = [learning_set.name.strip() if learning_set is not None else "", network]
    return ", ".join(part for part in parts if part)


def _named_handles(guide: Guide) -> set[str]:
    """The handles of the set's members who chose to be credited by name: in a guide, only
    their @mentions stay as written (anyone else's reads "a participant")."""
    learning_set = getattr(guide, "learning_set", None)
    if learning_set is None:
        return set()
    session = object_session(guide)
    if session is not None and learning_set.id is not None:
        members = mentions.members_by_handle(session, learning_set.id)
    else:
        members = {mentions.handle_of(m.user.display_name): m.user
                   for m in learning_set.memberships}
    return {handle for handle, member in members.items()
            if member.credit_preference == CreditPreference.NAME_AND_ORGANISATION}


def _excerpt(excerpt: GuideExcerpt, link: PostUrl, quoted: dict[int, GuideExcerpt],
             named: Callable[[], set[str]]) -> Excerpt:
    post = excerpt.post
    body_html = excerpt_body_html(excerpt)
    if "@" in body_html:
        body_html = mentions.mask_mentions(body_html, named(), ANONYMOUS_CREDIT.lower())
    return Excerpt(
        body_html=body_html,
        credit=credit_line(excerpt, quoted),
        source_url=link(post) if post is not None else None,
        trimmed=excerpt.is_trimmed,
        editorial_note_html=excerpt.editorial_note_html or None,
        posted_on=posted_day(post),
    )


def _compile(guide: Guide, *, version: int | None, published_on: date | None, url: str | None,
             link: PostUrl) -> tuple[GuideDocument, list[list[dict[str, Any]]]]:
    """The document, plus per section and excerpt what a frozen version needs to remember."""
    sections: list[Section] = []
    extras: list[list[dict[str, Any]]] = []
    organisations: set[str] = set()
    quoted = quoted_excerpts(guide)
    named_cache: list[set[str]] = []

    def named() -> set[str]:
        if not named_cache:
            named_cache.append(_named_handles(guide))
        return named_cache[0]

    for section in sorted(guide.sections, key=lambda s: s.position):
        excerpts: list[Excerpt] = []
        section_extras: list[dict[str, Any]] = []
        for excerpt in sorted(section.excerpts, key=lambda e: e.position):
            # A post edited since it was quoted keeps its quoted text here; publishing waits
            # until the facilitator takes the new text or keeps the old.
            if withheld_reason(excerpt):
                continue
            excerpts.append(_excerpt(excerpt, link, quoted, named))
            organisation = credited_organisation(excerpt)
            if organisation:
                organisations.add(organisation)
            section_extras.append({"post_id": excerpt.post_id, "organisation": organisation})
        sections.append(Section(title=section.title,
                                introduction_html=section.introduction_html or "",
                                excerpts=tuple(excerpts)))
        extras.append(section_extras)
    document = GuideDocument(
        title=guide.title, subtitle=guide.subtitle or "",
        introduction_html=guide.introduction_html or "", version=version,
        published_on=published_on, url=url, sections=tuple(sections),
        contributing_organisations=tuple(sorted(organisations, key=str.casefold)),
        publisher=publisher(guide),
        licence=getattr(guide, "licence", None) or DEFAULT_LICENCE)
    return document, extras


def compile_guide(guide: Guide, *, version: int | None = None, published_on: date | None = None,
                  url: str | None = None, link: PostUrl = post_url) -> GuideDocument:
    """The guide as published: excerpts needing attention are left out, credit follows consent.

    ``link`` builds each excerpt's source address (the default needs an app context).
    """
    return _compile(guide, version=version, published_on=published_on, url=url, link=link)[0]


# --- publishing and frozen versions ---------------------------------------

def latest_version(guide: Guide) -> GuideVersion | None:
    return max(guide.versions, key=lambda v: v.number, default=None)


def get_version(guide: Guide, number: int) -> GuideVersion | None:
    return next((v for v in guide.versions if v.number == number), None)


def _next_number(session: Session, guide: Guide) -> int:
    """The number the guide's next published version takes."""
    previous = session.scalar(
        select(func.max(GuideVersion.number)).where(GuideVersion.guide_id == guide.id))
    return (previous or 0) + 1


def publish(session: Session, guide: Guide, *, by: User | None) -> GuideVersion:
    """Freeze the guide as its next numbered version.

    Refused while any excerpt needs attention, or when there is nothing to publish.
    """
    waiting = excerpts_needing_attention(guide)
    if waiting:
        count = len(waiting)
        raise GuideError(
            f"{count} excerpt{'s' if count != 1 else ''} need{'s' if count == 1 else ''} "
            "attention: resolve or remove "
            f"{'it' if count == 1 else 'them'} before publishing")
    if not any(section.excerpts for section in guide.sections):
        raise GuideError("Add at least one excerpt before publishing")
    number = _next_number(session, guide)
    published_at = utcnow()
    document, extras = _compile(guide, version=number, published_on=to_local(published_at).date(),
                                url=guide_url(guide), link=post_url)
    version = GuideVersion(number=number, published_at=published_at, published_by=by,
                           document=document_to_json(document, extras))
    try:
        with session.begin_nested():
            guide.versions.append(version)
    except IntegrityError as error:  # another facilitator published it at the same moment
        raise GuideError(f"Someone else published version {number} at the same moment: read "
                         "it, then publish again if your changes are not in it") from error
    signals.send_about_version(session, version)  # search indexes it
    return version


def document_to_json(document: GuideDocument,
                     extras: list[list[dict[str, Any]]] | None = None) -> dict[str, Any]:
    """A JSON-ready dict of ``document``; ``extras`` adds each excerpt's source post id."""
    sections = []
    for index, section in enumerate(document.sections):
        excerpts = []
        for position, excerpt in enumerate(section.excerpts):
            extra = extras[index][position] if extras is not None else {}
            excerpts.append({
                "body_html": excerpt.body_html,
                "credit": excerpt.credit,
                "source_url": excerpt.source_url,
                "trimmed": excerpt.trimmed,
                "editorial_note_html": excerpt.editorial_note_html,
                "posted_on": excerpt.posted_on.isoformat() if excerpt.posted_on else None,
                "post_id": extra.get("post_id"),
                "organisation": extra.get("organisation"),
            })
        sections.append({"title": section.title, "anchor": section.anchor,
                         "introduction_html": section.introduction_html, "excerpts": excerpts})
    return {
        "format": DOCUMENT_FORMAT,
        "title": document.title,
        "subtitle": document.subtitle,
        "introduction_html": document.introduction_html,
        "version": document.version,
        "published_on": document.published_on.isoformat() if document.published_on else None,
        "url": document.url,
        "sections": sections,
        "contributing_organisations": list(document.contributing_organisations),
        "publisher": document.publisher,
        "licence": document.licence,
    }


def withheld_post_ids(session: Session, post_ids: set[int]) -> set[int]:
    """The posts among ``post_ids`` a guide can no longer quote (one query); a post whose
    author deleted their account is kept, credited anonymously."""
    if not post_ids:
        return set()
    quotable = set(session.scalars(select(Post.id).where(
        Post.id.in_(post_ids), permissions.kept_quotes_filter())))
    return post_ids - quotable


def _date(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


WITHHELD_HTML = f"<p>{html.escape(WITHHELD_TEXT)}</p>"


def version_document(version: GuideVersion) -> GuideDocument:
    """The frozen document of a published version, withholding excerpts whose source post
    has since been hidden, withdrawn or deleted."""
    data = version.document
    session = object_session(version) or db.session
    post_ids = {e["post_id"] for s in data["sections"] for e in s["excerpts"]
                if e.get("post_id") is not None}
    withheld = withheld_post_ids(session, post_ids)
    organisations: set[str] = set()
    sections = []
    for section in data["sections"]:
        excerpts = []
        for item in section["excerpts"]:
            if item.get("post_id") in withheld:
                excerpts.append(Excerpt(body_html=WITHHELD_HTML, credit=""))
                continue
            if item.get("organisation"):
                organisations.add(item["organisation"])
            excerpts.append(Excerpt(
                body_html=item["body_html"], credit=item["credit"],
                source_url=item.get("source_url"), trimmed=bool(item.get("trimmed")),
                editorial_note_html=item.get("editorial_note_html"),
                posted_on=_date(item.get("posted_on"))))
        sections.append(Section(title=section["title"], anchor=section.get("anchor", ""),
                                introduction_html=section.get("introduction_html", ""),
                                excerpts=tuple(excerpts)))
    stored_organisations = data.get("contributing_organisations", [])
    if withheld:
        # Drop an organisation that was credited only through withheld excerpts.
        stored_organisations = [o for o in stored_organisations if o in organisations]
    return GuideDocument(
        title=data["title"], subtitle=data.get("subtitle", ""),
        introduction_html=data.get("introduction_html", ""), version=data.get("version"),
        published_on=_date(data.get("published_on")),
        # Always the guide's own address: versions frozen before this pointed at themselves.
        url=guide_url(version.guide) if version.guide is not None else data.get("url"),
        sections=tuple(sections), contributing_organisations=tuple(stored_organisations),
        publisher=data.get("publisher", ""), licence=data.get("licence"))
