"""Curating guides: creating them, arranging sections and excerpts (the credit rules are in
:mod:`forum.guides.credit`).

Functions take the session and the objects explicitly, never commit (the view commits once)
and raise :class:`GuideError` with a message a facilitator can act on. Publishing and the
document model live in :mod:`forum.guides.compile`.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from dataclasses import field
from dataclasses import replace
from urllib.parse import urlsplit

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm import joinedload
from sqlalchemy.orm import selectinload

from forum import permissions
from forum.guides import trim
from forum.guides.credit import CREDIT_LABELS
from forum.guides.credit import approved_source
from forum.guides.credit import author_choice
from forum.guides.credit import credit_rank
from forum.guides.credit import source_changed
from forum.guides.document import LICENCES
from forum.guides.document import slugify
from forum.models import CreditPreference
from forum.models import Guide
from forum.models import GuideExcerpt
from forum.models import GuideSection
from forum.models import GuideVersion
from forum.models import LearningSet
from forum.models import Post
from forum.models import PostKind
from forum.models import PostStatus
from forum.models import Thread
from forum.models import User
from forum.models import utcnow
from forum.text import excerpt as text_excerpt
from forum.text import render_markdown
from forum.threads.tree import build_tree

# Primary keys are 32-bit integers on PostgreSQL; a larger id from a URL cannot exist.
MAX_ID = 2**31 - 1
TITLE_MAX = 200
SUBTITLE_MAX = 300
SLUG_MAX = 100
TEXT_MAX = 50_000
WITHHELD_TEXT = "This contribution has been withdrawn while the facilitator reviews it."

class GuideError(Exception):
    """A guide operation that the rules refuse; the message is shown to the facilitator."""


# --- validation helpers --------------------------------------------------

def _clean_title(value: str, what: str, maximum: int = TITLE_MAX) -> str:
    value = (value or "").strip()
    if not value:
        raise GuideError(f"Enter a {what}")
    if len(value) > maximum:
        raise GuideError(f"The {what} must be {maximum} characters or fewer")
    return value


def _clean_text(value: str | None, what: str, maximum: int = TEXT_MAX) -> str:
    value = (value or "").strip()
    if len(value) > maximum:
        raise GuideError(f"The {what} must be {maximum:,} characters or fewer")
    return value


def _threads_for(session: Session, learning_set: LearningSet,
                 thread_ids: list[int]) -> list[Thread]:
    ids = sorted({int(i) for i in thread_ids if 0 < int(i) <= MAX_ID})
    if not ids:
        raise GuideError("Choose at least one thread")
    threads = list(session.scalars(
        select(Thread).where(Thread.id.in_(ids), Thread.learning_set_id == learning_set.id,
                             permissions.quotable_threads_filter())
        .order_by(Thread.id)))
    if len(threads) != len(ids):
        raise GuideError("Choose threads from this learning set")
    return threads


def unique_guide_slug(session: Session, title: str) -> str:
    base = slugify(title, fallback="guide")[: SLUG_MAX - 6].rstrip("-") or "guide"
    taken = set(session.scalars(
        select(Guide.slug).where((Guide.slug == base) | Guide.slug.like(f"{base}-%"))))
    candidate, n = base, 1
    while candidate in taken:
        n += 1
        candidate = f"{base}-{n}"
    return candidate


# --- publishing ------------------------------------------------------------

def public_address_problem(base_url: object, *, development: bool) -> str | None:
    """Why guides cannot be published with this public base address, or ``None``.

    Published files keep their links for good, so they must point where readers can go: an
    unset address, or one only this computer can open (outside development), is refused.
    """
    url = str(base_url or "").strip()
    parts = urlsplit(url)
    if not url or parts.scheme not in ("http", "https") or not parts.hostname:
        return ("The site’s public address (FORUM_PUBLIC_BASE_URL) is not set, so the links "
                "in the published guide would not work. Ask the site’s administrator to set "
                "it, then publish")
    if development or not _is_loopback(parts.hostname):
        return None
    return (f"The site’s public address (FORUM_PUBLIC_BASE_URL) is {url}, which only the "
            "server itself can open, so readers could not follow the guide’s links. Ask the "
            "site’s administrator to set the address readers use, then publish")


def _is_loopback(host: str) -> bool:
    host = host.strip("[]").lower()
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    return address.is_loopback or address.is_unspecified


# --- guides --------------------------------------------------------------

def create_guide(session: Session, *, learning_set: LearningSet, creator: User | None,
                 title: str, subtitle: str = "", introduction_source: str = "",
                 thread_ids: list[int]) -> Guide:
    """A new draft guide over some of the set's threads, with a unique web address."""
    title = _clean_title(title, "title")
    subtitle = _clean_text(subtitle, "subtitle", SUBTITLE_MAX)
    introduction_source = _clean_text(introduction_source, "introduction")
    threads = _threads_for(session, learning_set, thread_ids)
    now = utcnow()
    for _attempt in range(2):  # a second try takes the next free address
        guide = Guide(learning_set=learning_set, slug=unique_guide_slug(session, title),
                      title=title, subtitle=subtitle, introduction_source=introduction_source,
                      introduction_html=render_markdown(introduction_source)
                      if introduction_source else "",
                      is_public=False, created_by=creator, created_at=now, updated_at=now)
        guide.threads = threads
        try:
            with session.begin_nested():
                session.add(guide)
        except IntegrityError as error:  # another guide took the address at the same moment
            taken = error
        else:
            return guide
    raise GuideError("Another guide took this guide's web address at the same moment. "
                     "Create it again.") from taken


def update_guide(session: Session, guide: Guide, *, title: str, subtitle: str,
                 introduction_source: str, is_public: bool, thread_ids: list[int],
                 licence: str | None = None) -> None:
    """Change the guide's settings. A thread that still has excerpts cannot be removed;
    ``None`` keeps the licence."""
    if licence is not None and licence not in LICENCES:
        raise GuideError("Choose a licence from the list")
    title = _clean_title(title, "title")
    subtitle = _clean_text(subtitle, "subtitle", SUBTITLE_MAX)
    introduction_source = _clean_text(introduction_source, "introduction")
    threads = _threads_for(session, guide.learning_set, thread_ids)
    kept = {t.id for t in threads}
    for section in guide.sections:
        for excerpt in section.excerpts:
            post = excerpt.post
            if post is not None and post.thread_id not in kept:
                raise GuideError(f"Remove the excerpts from “{post.thread.title}” before "
                                 "removing that thread from the guide")
    guide.title = title
    guide.subtitle = subtitle
    guide.introduction_source = introduction_source
    guide.introduction_html = render_markdown(introduction_source) if introduction_source else ""
    guide.is_public = bool(is_public)
    if licence is not None:
        guide.licence = licence
    guide.threads = threads
    _touch(guide)
    session.flush()


def _touch(guide: Guide) -> None:
    guide.updated_at = utcnow()


# --- sections ------------------------------------------------------------

def add_section(session: Session, guide: Guide, *, title: str,
                introduction_source: str = "") -> GuideSection:
    """A new section at the end of the guide."""
    title = _clean_title(title, "section title")
    introduction_source = _clean_text(introduction_source, "section introduction")
    position = max((s.position for s in guide.sections), default=-1) + 1
    section = GuideSection(title=title, position=position,
                           introduction_source=introduction_source,
                           introduction_html=render_markdown(introduction_source)
                           if introduction_source else "")
    guide.sections.append(section)
    _touch(guide)
    session.flush()
    return section


def update_section(session: Session, section: GuideSection, *, title: str,
                   introduction_source: str) -> None:
    section.title = _clean_title(title, "section title")
    source = _clean_text(introduction_source, "section introduction")
    section.introduction_source = source
    section.introduction_html = render_markdown(source) if source else ""
    _touch(section.guide)
    session.flush()


def _swap(items: list, item, direction: str) -> None:
    """Move ``item`` one place up or down in ``items`` and renumber positions 0..n-1."""
    if direction not in ("up", "down"):
        raise GuideError("Choose up or down")
    ordered = sorted(items, key=lambda i: (i.position, i.id or 0))
    index = ordered.index(item)
    other = index - 1 if direction == "up" else index + 1
    if 0 <= other < len(ordered):
        ordered[index], ordered[other] = ordered[other], ordered[index]
    for position, each in enumerate(ordered):
        each.position = position


def move_section(session: Session, section: GuideSection, direction: str) -> None:
    """Move a section up or down; nothing happens at either end."""
    guide = section.guide
    _swap(guide.sections, section, direction)
    guide.sections.sort(key=lambda s: s.position)
    _touch(guide)
    session.flush()


def delete_section(session: Session, section: GuideSection) -> None:
    """Delete a section and the excerpts in it."""
    guide = section.guide
    guide.sections.remove(section)
    session.delete(section)
    for position, each in enumerate(sorted(guide.sections, key=lambda s: s.position)):
        each.position = position
    _touch(guide)
    session.flush()


# --- excerpts ------------------------------------------------------------

def trimmed_problem(original_source: str, trimmed_source: str) -> str | None:
    """Why ``trimmed_source`` is not ``original_source`` with whole words left out (each gap
    marked with …, the order kept, nothing added), or ``None``. See :mod:`forum.guides.trim`."""
    return trim.trim_problem(render_markdown(original_source),
                             render_markdown(trim.normalise_gaps(trimmed_source)))


def _excerpt_text(original: str, body_source: str | None) -> tuple[str, str, bool]:
    """(source, html, is_trimmed) for an excerpt of the approved Markdown ``original``."""
    if body_source is None or not body_source.strip():
        if body_source is not None:
            raise GuideError("Enter the part of the post to quote, or quote the whole post")
        return original, render_markdown(original), False
    source = body_source.strip()
    if len(source) > TEXT_MAX:
        raise GuideError(f"The excerpt must be {TEXT_MAX:,} characters or fewer")
    if source == original.strip():
        return original, render_markdown(original), False
    source = trim.normalise_gaps(source)
    problem = trimmed_problem(original, source)
    if problem:
        raise GuideError(problem)
    return source, render_markdown(source), True


def _quotable_source(post: Post) -> str:
    source = approved_source(post)
    if source is None:
        raise GuideError("Only approved posts can be quoted in a guide")
    return source


def _version_at(post: Post):
    return post.edited_at or post.created_at


def _check_override(post: Post, credit_override: CreditPreference | str | None
                    ) -> CreditPreference | None:
    if credit_override in (None, ""):
        return None
    try:
        override = CreditPreference(credit_override)
    except ValueError:
        raise GuideError("Choose how to credit this excerpt") from None
    choice = author_choice(post)
    if credit_rank(override) > credit_rank(choice):
        raise GuideError(
            f"You cannot credit this member more than they allow: they chose to be credited "
            f"by {CREDIT_LABELS[choice]}")
    # Equal to the author's choice is no override: a later, lower choice still applies.
    return override if override != choice else None


def add_excerpt(session: Session, section: GuideSection, post: Post, *,
                body_source: str | None = None, editorial_note_source: str = "",
                credit_override: CreditPreference | str | None = None,
                show_in_reply_to: bool = False) -> GuideExcerpt:
    """Quote ``post`` (whole when ``body_source`` is ``None``) at the end of ``section``."""
    guide = section.guide
    if not permissions.can_quote_post(post):
        raise GuideError("Only approved posts can be quoted in a guide"
                         if post.status != PostStatus.APPROVED else
                         "This post's author has deleted their account, so it cannot be quoted")
    original = _quotable_source(post)
    if post.thread_id not in {t.id for t in guide.threads}:
        raise GuideError("Choose a post from one of this guide's threads")
    source, html, is_trimmed = _excerpt_text(original, body_source)
    note = _clean_text(editorial_note_source, "editorial note")
    override = _check_override(post, credit_override)
    position = max((e.position for e in section.excerpts), default=-1) + 1
    excerpt = GuideExcerpt(post=post, position=position, body_source=source, body_html=html,
                           is_trimmed=is_trimmed, quoted_source=original,
                           quoted_version_at=_version_at(post), editorial_note_source=note,
                           editorial_note_html=render_markdown(note) if note else "",
                           credit_override=override, show_in_reply_to=show_in_reply_to,
                           created_at=utcnow())
    section.excerpts.append(excerpt)
    _touch(guide)
    session.flush()
    return excerpt


def update_excerpt(session: Session, excerpt: GuideExcerpt, *, body_source: str | None,
                   editorial_note_source: str,
                   credit_override: CreditPreference | str | None,
                   show_in_reply_to: bool | None = None) -> None:
    """Change the quoted text (``None`` = the whole text quoted), the note and the credit.

    A trim is checked against the text the excerpt was taken from, not a later edit.
    """
    post = excerpt.post
    note = _clean_text(editorial_note_source, "editorial note")
    if post is None:
        # The source is gone: only the note can change; the facilitator should remove it.
        raise GuideError("The source post was deleted: remove this excerpt from the guide")
    source, html, is_trimmed = _excerpt_text(excerpt.quoted_source, body_source)
    override = _check_override(post, credit_override)
    excerpt.body_source, excerpt.body_html, excerpt.is_trimmed = source, html, is_trimmed
    excerpt.editorial_note_source = note
    excerpt.editorial_note_html = render_markdown(note) if note else ""
    excerpt.credit_override = override
    if show_in_reply_to is not None:
        excerpt.show_in_reply_to = bool(show_in_reply_to) and post.parent_id is not None
    _touch(excerpt.section.guide)
    session.flush()


def move_excerpt(session: Session, excerpt: GuideExcerpt, direction: str) -> None:
    """Move an excerpt up or down within its section; nothing happens at either end."""
    section = excerpt.section
    _swap(section.excerpts, excerpt, direction)
    section.excerpts.sort(key=lambda e: e.position)
    _touch(section.guide)
    session.flush()


def move_excerpt_to_section(session: Session, excerpt: GuideExcerpt,
                            section: GuideSection) -> None:
    """Move an excerpt to the end of another section of the same guide."""
    old = excerpt.section
    if section.id == old.id:
        return
    if section.guide_id != old.guide_id:
        raise GuideError("Choose a section of this guide")
    # Position first: loading the other section's excerpts may autoflush, and an excerpt
    # taken out of its old section before it has a new one would be deleted as an orphan.
    position = max((e.position for e in section.excerpts), default=-1) + 1
    excerpt.section = section  # moves it between the two sections' lists
    excerpt.position = position
    for position, each in enumerate(sorted(old.excerpts, key=lambda e: e.position)):
        each.position = position
    _touch(section.guide)
    session.flush()


def remove_excerpt(session: Session, excerpt: GuideExcerpt) -> None:
    section = excerpt.section
    section.excerpts.remove(excerpt)
    session.delete(excerpt)
    for position, each in enumerate(sorted(section.excerpts, key=lambda e: e.position)):
        each.position = position
    _touch(section.guide)
    session.flush()


# --- when a quoted post is edited -----------------------------------------

@dataclass(frozen=True)
class SourceChange:
    """What the facilitator compares: the text quoted and the post's approved text now."""

    quoted_source: str
    quoted_html: str
    current_source: str
    current_html: str
    trim_still_fits: bool  # a trimmed excerpt's words are all still in the new text


def source_change(excerpt: GuideExcerpt) -> SourceChange | None:
    """The two texts side by side, or ``None`` when the post was not edited since."""
    if not source_changed(excerpt):
        return None
    current = approved_source(excerpt.post)
    assert current is not None  # source_changed says there is an approved text
    fits = (not excerpt.is_trimmed
            or trimmed_problem(current, excerpt.body_source) is None)
    return SourceChange(excerpt.quoted_source, render_markdown(excerpt.quoted_source),
                        current, render_markdown(current), fits)


def accept_source_change(session: Session, excerpt: GuideExcerpt) -> bool:
    """Take the post's new approved text. A trim whose words are all still there, in order,
    stays a trim of the new text; otherwise the whole new text is quoted. Returns whether the
    trim was kept."""
    change = source_change(excerpt)
    if change is None:
        raise GuideError("The post has not changed since it was quoted")
    kept_trim = excerpt.is_trimmed and change.trim_still_fits
    if not kept_trim:
        excerpt.body_source = change.current_source
        excerpt.body_html = change.current_html
        excerpt.is_trimmed = False
    excerpt.quoted_source = change.current_source
    excerpt.quoted_version_at = _version_at(excerpt.post)
    excerpt.reviewed_source = None
    _touch(excerpt.section.guide)
    session.flush()
    return kept_trim


def keep_quoted_text(session: Session, excerpt: GuideExcerpt) -> None:
    """Keep quoting the text as it was; a further edit of the post is flagged again."""
    if not source_changed(excerpt):
        raise GuideError("The post has not changed since it was quoted")
    excerpt.reviewed_source = approved_source(excerpt.post)
    _touch(excerpt.section.guide)
    session.flush()


# --- loading for the curation page ---------------------------------------

@dataclass
class CurationItem:
    """An approved post offered for quoting, with where it sits in its thread."""

    post: Post
    thread: Thread
    depth: int
    parent_excerpt: str | None
    author_name: str
    organisation: str
    credit_preference: CreditPreference
    used_in: list[GuideSection] = field(default_factory=list)


def load_guide_for_curation(session: Session, guide_id: int) -> Guide | None:
    """The guide with its set, threads, sections, excerpts, source posts and their authors,
    and its versions (without their documents), in a fixed number of queries."""
    if not isinstance(guide_id, int) or not 0 < guide_id <= MAX_ID:
        return None
    return session.scalar(
        select(Guide)
        .options(joinedload(Guide.learning_set),
                 selectinload(Guide.threads),
                 selectinload(Guide.versions).defer(GuideVersion.document),
                 selectinload(Guide.sections).selectinload(GuideSection.excerpts)
                 .joinedload(GuideExcerpt.post).joinedload(Post.author),
                 selectinload(Guide.sections).selectinload(GuideSection.excerpts)
                 .joinedload(GuideExcerpt.post).joinedload(Post.thread))
        .where(Guide.id == guide_id))


def curation_items(session: Session, guide: Guide) -> list[CurationItem]:
    """The approved posts of the guide's threads, thread by thread in reading order.

    One query for the posts (with their authors) plus one for the guide's excerpts, however
    many posts there are; the guide's threads are loaded once if they are not already.
    """
    threads = list(guide.threads)
    if not threads:
        return []
    posts = list(session.scalars(
        select(Post).options(joinedload(Post.author))
        .where(Post.thread_id.in_([t.id for t in threads]), permissions.quotable_posts_filter())
        .order_by(Post.id)))
    used: dict[int, list[GuideSection]] = {}
    rows = session.execute(
        select(GuideExcerpt.post_id, GuideSection)
        .join(GuideSection, GuideExcerpt.section_id == GuideSection.id)
        .where(GuideSection.guide_id == guide.id, GuideExcerpt.post_id.is_not(None))
        .order_by(GuideSection.position, GuideExcerpt.position))
    for post_id, section in rows:
        sections = used.setdefault(post_id, [])
        if section not in sections:
            sections.append(section)

    by_thread: dict[int, list[Post]] = {}
    for post in posts:
        by_thread.setdefault(post.thread_id, []).append(post)
    by_id = {post.id: post for post in posts}
    items: list[CurationItem] = []
    for thread in threads:
        for node in build_tree(by_thread.get(thread.id, [])):
            post = node.item
            parent = by_id.get(post.parent_id) if post.parent_id else None
            author = post.author
            items.append(CurationItem(
                post=post, thread=thread, depth=node.depth,
                parent_excerpt=text_excerpt(parent.body_html, 120) if parent else None,
                author_name=author.display_name if author else "A former member",
                organisation=(author.organisation if author else "") or "",
                credit_preference=author_choice(post),
                used_in=used.get(post.id, [])))
    return items


def parse_kind(value: object) -> PostKind | None:
    """A post kind from a query string, or None (every kind) for anything else."""
    try:
        return PostKind(value) if value else None
    except ValueError:
        return None


def items_by_kind(items: list[CurationItem], kind: PostKind | None) -> list[CurationItem]:
    """The posts of ``kind`` only (each on its own, not indented), or, with no kind, every
    post with those the set marked as learning first: a guide starts from them."""
    if kind is not None:
        return [replace(item, depth=0) for item in items if item.post.kind == kind]
    learnings = [replace(item, depth=0) for item in items
                 if item.post.kind == PostKind.LEARNING]
    return learnings + [item for item in items if item.post.kind != PostKind.LEARNING]


def load_excerpt(guide: Guide, excerpt_id: int) -> GuideExcerpt | None:
    """An excerpt of this guide (from the loaded sections), or ``None``."""
    for section in guide.sections:
        for excerpt in section.excerpts:
            if excerpt.id == excerpt_id:
                return excerpt
    return None


def load_section(guide: Guide, section_id: int) -> GuideSection | None:
    """A section of this guide (from the loaded sections), or ``None``."""
    return next((s for s in guide.sections if s.id == section_id), None)


def guides_of_set(session: Session, learning_set: LearningSet) -> list[Guide]:
    """The set's guides, newest first, with their versions (documents not loaded)."""
    return list(session.scalars(
        select(Guide).options(selectinload(Guide.versions).defer(GuideVersion.document))
        .where(Guide.learning_set_id == learning_set.id)
        .order_by(Guide.created_at.desc(), Guide.id.desc())))


def find_guide_by_slug(session: Session, slug: str) -> Guide | None:
    if not slug or len(slug) > SLUG_MAX:
        return None
    # Each version's document is loaded only when read: a download sends a kept file and
    # never needs one (a 1,000-excerpt guide's is a megabyte of JSON per version).
    return session.scalar(
        select(Guide).options(joinedload(Guide.learning_set),
                              selectinload(Guide.versions).defer(GuideVersion.document))
        .where(Guide.slug == slug))
