"""The guide document model: what every format prints, worded once, and nothing more.

Exporters (and the guide's web page) only lay these objects out: every line of words a
guide prints that is not the curator's or a member's text -- contents, credit lines, the
editor's note label, the cover, the closing and licence lines -- is built here, so the
formats cannot drift apart. A name, date or link that is not in the model cannot leak into a
file. HTML fields hold sanitised HTML from :func:`forum.text.render_markdown` (p, br,
blockquote, pre, code, em, strong, del, a, lists, h2-h6, tables) and are trusted as-is.

Links to the site itself (the guide's address, each excerpt's original post) are site paths
(``/guides/x/``) until :meth:`GuideDocument.with_base_url` makes them absolute for a file
that leaves the site; the web page uses them as they are.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from dataclasses import field
from dataclasses import replace
from datetime import date

# --- The words every format prints (one place; see the module docstring) ------------------

CONTENTS_TITLE = "Contents"
# The editable files' contents list links to each heading, but only a word processor knows the
# pages: this line sits inside the list (the field or index) and goes when it is updated.
CONTENTS_PAGES_NOTE = ("Page numbers appear in this list when your word processor updates it: "
                       "Word offers to when it opens the file; in LibreOffice choose Tools, "
                       "Update, Update All.")
INTRODUCTION_TITLE = "Introduction"
ORGANISATIONS_TITLE = "Contributing organisations"
NOTE_LABEL = "Editor’s note"
ORIGINAL_POST = "Original post"
TRIMMED = "(trimmed)"
CREDIT_SEPARATOR = " · "
ONLINE_PREFIX = "Read this guide online: "
LATEST_PREFIX = "The latest version is online at "
DRAFT_EDITION = "Draft: not yet published"

# Ids the HTML export uses for its own parts; section anchors never take them.
INTRODUCTION_ANCHOR = "introduction"
ORGANISATIONS_ANCHOR = "organisations"
RESERVED_ANCHORS = frozenset({"contents", "contents-title", INTRODUCTION_ANCHOR,
                              ORGANISATIONS_ANCHOR})


@dataclass(frozen=True)
class Licence:
    """A licence a facilitator may choose for a guide (a small, fixed list)."""

    code: str
    name: str
    url: str | None = None


LICENCES: dict[str, Licence] = {licence.code: licence for licence in [
    Licence("cc-by-4.0", "Creative Commons Attribution 4.0 International (CC BY 4.0)",
            "https://creativecommons.org/licenses/by/4.0/"),
    Licence("cc-by-sa-4.0",
            "Creative Commons Attribution-ShareAlike 4.0 International (CC BY-SA 4.0)",
            "https://creativecommons.org/licenses/by-sa/4.0/"),
    Licence("ogl-uk-3.0", "Open Government Licence v3.0",
            "https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/"),
    Licence("all-rights-reserved", "All rights reserved"),
]}
DEFAULT_LICENCE = "cc-by-4.0"


@dataclass(frozen=True)
class Span:
    """A piece of a printed line: plain text, or a link when ``href`` is set.

    ``described_as`` is a link's fuller accessible name where the visible text alone is
    ambiguous (many "Original post" links on one page).
    """

    text: str
    href: str | None = None
    described_as: str | None = None


Line = tuple[Span, ...]


def line_text(line: Line) -> str:
    """The visible text of a line."""
    return "".join(span.text for span in line)


@dataclass(frozen=True)
class ContentsEntry:
    title: str
    anchor: str


def _absolute(href: str | None, base: str) -> str | None:
    return base.rstrip("/") + href if href and href.startswith("/") else href


def slugify(text: str, fallback: str = "section") -> str:
    """A lower-case ASCII anchor: ``"Recruiting & pay"`` -> ``"recruiting-pay"``."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    return slug or fallback


def unique_anchors(wanted: Iterable[str], taken: Iterable[str] = RESERVED_ANCHORS) -> list[str]:
    """Make each anchor unique, in order, by appending ``-2``, ``-3``..."""
    seen = set(taken)
    result = []
    for anchor in wanted:
        candidate, n = anchor, 1
        while candidate in seen:
            n += 1
            candidate = f"{anchor}-{n}"
        seen.add(candidate)
        result.append(candidate)
    return result


def format_date(value: date) -> str:
    """The date as the guide prints it: ``3 March 2025``."""
    return f"{value.day} {value:%B %Y}"


@dataclass(frozen=True)
class Excerpt:
    """One quoted post (or part of one), credited as already decided by the curator."""

    body_html: str
    # Already resolved: "Sam Patel, Northbridge Borough Council", "Northbridge Borough
    # Council" or "A participant". Exporters print exactly this.
    credit: str
    source_url: str | None = None
    trimmed: bool = False
    editorial_note_html: str | None = None
    posted_on: date | None = None

    @property
    def credit_line(self) -> Line:
        """``— Sam Patel, Northbridge Borough Council, 3 March 2025 (trimmed) · Original post``;
        empty for a contribution withheld from a published version."""
        if not self.credit:
            return ()
        text = f"— {self.credit}"
        if self.posted_on:
            text += f", {format_date(self.posted_on)}"
        if self.trimmed:
            text += f" {TRIMMED}"
        if not self.source_url:
            return (Span(text),)
        return (Span(text + CREDIT_SEPARATOR),
                Span(ORIGINAL_POST, self.source_url, f"{ORIGINAL_POST} by {self.credit}"))


@dataclass(frozen=True)
class Section:
    title: str
    introduction_html: str = ""
    excerpts: tuple[Excerpt, ...] = ()
    # Empty means "derive from the title"; GuideDocument makes anchors unique.
    anchor: str = ""

    def __post_init__(self) -> None:
        object.__setattr__(self, "excerpts", tuple(self.excerpts))
        if not self.anchor:
            object.__setattr__(self, "anchor", slugify(self.title))


@dataclass(frozen=True)
class GuideDocument:
    title: str
    subtitle: str = ""
    introduction_html: str = ""
    version: int | None = None
    published_on: date | None = None
    # The guide's own address (always its latest version), not a frozen version's.
    url: str | None = None
    sections: tuple[Section, ...] = ()
    contributing_organisations: tuple[str, ...] = field(default=())
    # Who publishes it: the set and the network ("Northbridge set, Learning Sets").
    publisher: str = ""
    # A code from LICENCES; None for versions frozen before guides had one.
    licence: str | None = None

    def __post_init__(self) -> None:
        sections = tuple(self.sections)
        anchors = unique_anchors(s.anchor for s in sections)
        sections = tuple(
            s if s.anchor == anchor else replace(s, anchor=anchor)
            for s, anchor in zip(sections, anchors, strict=True))
        object.__setattr__(self, "sections", sections)
        object.__setattr__(self, "contributing_organisations",
                           tuple(self.contributing_organisations))

    @property
    def excerpt_count(self) -> int:
        return sum(len(s.excerpts) for s in self.sections)

    def without_source_links(self) -> GuideDocument:
        """The same guide without links to the original posts.

        For readers who cannot open the set (a public guide of a private set): its threads
        answer them "Page not found", so a link there would only be a dead end.
        """
        return replace(self, sections=tuple(
            replace(s, excerpts=tuple(replace(e, source_url=None) for e in s.excerpts))
            for s in self.sections))

    @property
    def source_link_count(self) -> int:
        return sum(1 for s in self.sections for e in s.excerpts if e.source_url)

    def with_base_url(self, base: str) -> GuideDocument:
        """Site paths made absolute under ``base``, for a file that leaves the site."""
        return replace(self, url=_absolute(self.url, base), sections=tuple(
            replace(s, excerpts=tuple(replace(e, source_url=_absolute(e.source_url, base))
                                      for e in s.excerpts))
            for s in self.sections))

    # --- The printed lines ------------------------------------------------------------
    @property
    def edition_line(self) -> str:
        """``Version 3, published 3 March 2025`` (either part may be missing)."""
        parts = []
        if self.version is not None:
            parts.append(f"Version {self.version}")
        if self.published_on is not None:
            published = f"published {format_date(self.published_on)}"
            parts.append(published if parts else published.capitalize())
        return ", ".join(parts)

    @property
    def publisher_line(self) -> str:
        return f"Published by {self.publisher}" if self.publisher else ""

    @property
    def online_line(self) -> Line:
        """On the cover: where to read the guide online."""
        return (Span(ONLINE_PREFIX), Span(self.url, self.url)) if self.url else ()

    @property
    def contents(self) -> tuple[ContentsEntry, ...]:
        entries = [ContentsEntry(INTRODUCTION_TITLE, INTRODUCTION_ANCHOR)] \
            if self.introduction_html else []
        entries += [ContentsEntry(s.title, s.anchor) for s in self.sections]
        if self.contributing_organisations:
            entries.append(ContentsEntry(ORGANISATIONS_TITLE, ORGANISATIONS_ANCHOR))
        return tuple(entries)

    @property
    def keywords(self) -> tuple[str, ...]:
        """For a file's metadata: the section titles."""
        return tuple(s.title for s in self.sections)

    @property
    def colophon_line(self) -> str:
        """``Telling the story. Version 2, published 14 March 2026.``"""
        title = self.title.rstrip(".")
        return f"{title}. {self.edition_line}." if self.edition_line else f"{title}."

    @property
    def latest_line(self) -> Line:
        return (Span(LATEST_PREFIX), Span(self.url, self.url)) if self.url else ()

    @property
    def licence_line(self) -> Line:
        licence = LICENCES.get(self.licence or "")
        if licence is None:
            return ()
        if licence.url is None:
            holder = f"© {self.publisher}. " if self.publisher else ""
            return (Span(f"{holder}{licence.name}."),)
        return (Span("You may reuse this guide under the "),
                Span(licence.name, licence.url), Span("."))

    @property
    def closing_lines(self) -> tuple[Line, ...]:
        """The lines that end the guide, in order, without the empty ones."""
        lines = [(Span(self.colophon_line),), self.latest_line, self.licence_line]
        return tuple(line for line in lines if line)


# Given to the templates that lay a document out (the export and the guide's web page).
TEMPLATE_WORDS: dict[str, str] = {
    "contents_title": CONTENTS_TITLE,
    "introduction_title": INTRODUCTION_TITLE,
    "organisations_title": ORGANISATIONS_TITLE,
    "note_label": NOTE_LABEL,
    "draft_edition": DRAFT_EDITION,
    "introduction_anchor": INTRODUCTION_ANCHOR,
    "organisations_anchor": ORGANISATIONS_ANCHOR,
}
