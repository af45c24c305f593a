"""The guide document model: what every export format says, and nothing more.

Exporters read only these objects, so a name, date or link that is not in the model cannot
leak into a file. HTML fields hold sanitised HTML from :func:`forum.text.render_markdown`
(p, br, blockquote, pre, code, em, strong, del, a, lists, h2-h6, tables) and are trusted as-is.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from dataclasses import field
from dataclasses import replace
from datetime import date

# Ids the HTML export uses for its own parts; section anchors never take them.
RESERVED_ANCHORS = frozenset({"contents", "contents-title", "introduction", "organisations"})


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
    # The stable online address of the published guide.
    url: str | None = None
    sections: tuple[Section, ...] = ()
    contributing_organisations: tuple[str, ...] = field(default=())

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
    def edition_line(self) -> str:
        """``Version 3, published 3 March 2025`` (either part may be missing)."""
        parts = []
        if self.version is not None:
            parts.append(f"Version {self.version}")
        if self.published_on is not None:
            published = f"published {format_date(self.published_on)}"
            parts.append(published if parts else published.capitalize())
        return ", ".join(parts)
