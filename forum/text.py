"""Post bodies: Markdown in, sanitised HTML out; the one place Markdown and bleach are set up.

The parser and the cleaner themselves live in :mod:`forum.text_render`, loaded on the first
render or tag strip rather than when the app starts: pages show HTML rendered when it was
written, so a web worker that serves only pages never loads markdown-it, bleach and html5lib
(about 3 MiB of each worker's memory; issue 16, ``tests/unit/test_import_weight.py``).
"""

from __future__ import annotations

import re
import unicodedata
from html.parser import HTMLParser

from markupsafe import Markup

ALLOWED_TAGS = frozenset({
    "p", "br", "hr", "blockquote", "pre", "code", "em", "strong", "del", "s",
    "a", "ul", "ol", "li", "h2", "h3", "h4", "h5", "h6",
    "table", "thead", "tbody", "tr", "th", "td",
})
ALLOWED_ATTRIBUTES = {
    "a": ["href", "title", "rel"],
    "ol": ["start"],
    "th": ["align"],
    "td": ["align"],
}
ALLOWED_PROTOCOLS = frozenset({"http", "https", "mailto"})

# Quotations and lists nested deeper than this are shown flat, as the text that was written.
MAX_NESTING = 20


def render_markdown(source: str) -> str:
    """Render Markdown to HTML that is safe to show as-is."""
    from forum.text_render import render

    return render(source)


def safe_html(stored_html: str) -> Markup:
    """Mark HTML produced by :func:`render_markdown` as safe for templates."""
    return Markup(stored_html)


# Where bleach's tag strip put a line break: its ``html5lib_shim.HTML_TAGS_BLOCK_LEVEL``, named
# here so that pages need not load bleach and html5lib (``tests/unit/test_text.py`` checks the
# two lists agree).
BLOCK_LEVEL_TAGS = frozenset({
    "address", "article", "aside", "blockquote", "details", "dialog", "dd", "div", "dl", "dt",
    "fieldset", "figcaption", "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6",
    "header", "hgroup", "hr", "li", "main", "nav", "ol", "p", "pre", "section", "table", "ul",
})

# What bleach's tag strip would change: markup, entities, and the control characters (and
# carriage returns) its HTML parser replaces. A text without any is returned as it is.
_NEEDS_PARSING = re.compile(r"[<&\x00-\x08\x0b-\x1f]")


class _TextOf(HTMLParser):
    """The text of sanitised HTML as ``bleach.clean(html, tags=set(), strip=True)``, unescaped,
    gives it: tags and comments dropped, entities resolved, and a newline where a block-level
    element starts after anything else (where a browser breaks the line)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.started = False

    def handle_starttag(self, tag: str, attrs: object) -> None:
        if self.started and tag in BLOCK_LEVEL_TAGS:
            self.parts.append("\n")
        self.started = True

    def handle_endtag(self, tag: str) -> None:
        self.started = True

    def handle_data(self, data: str) -> None:
        self.parts.append(data)
        self.started = True

    def handle_comment(self, data: str) -> None:
        self.started = True

    def parse_html_declaration(self, i: int) -> int:
        # "<![" outside SVG and MathML is a bogus comment to HTML (and to bleach): the standard
        # library reads it as an SGML marked section and raises on one that is not (a set's
        # purpose "a <![1] b" made every list of sets fail).
        if self.rawdata.startswith("<![", i):
            return self.parse_bogus_comment(i)
        return super().parse_html_declaration(i)


def plain_text(html: str) -> str:
    """Strip all tags and entities: for excerpts and email bodies (escape it again to show it).

    The same text as bleach's stripping (``tests/unit/test_text.py`` checks it on rendered
    Markdown) at a tenth of its cost, and without loading bleach: the moderation queue shows
    an excerpt of 20 posts a page, and bleach's HTML5 parser took 0.1-0.2 ms for each."""
    if _NEEDS_PARSING.search(html) is None:
        return html  # plain already (a set's purpose, say)
    parser = _TextOf()
    parser.feed(html.replace("\r\n", "\n").replace("\r", "\n"))
    parser.close()
    return "".join(parser.parts)


def excerpt(html: str, length: int = 160) -> str:
    """The text of ``html`` on one line, cut on a word boundary to at most ``length``."""
    return shorten(plain_text(html), length)


def shorten(text: str, length: int = 160) -> str:
    """Plain text (a set's purpose, not HTML: nothing in it is a tag) on one line, cut on a
    word boundary to at most ``length`` characters."""
    text = " ".join(text.split())
    if len(text) <= length:
        return text
    return text[: length - 1].rsplit(" ", 1)[0] + "…"


# --- one-line text: names, organisations and titles ----------------------------------------

# Joiners that some scripts (Persian, Indic scripts, emoji sequences) need between two characters.
_JOINERS = frozenset({"\u200c", "\u200d"})
_TAG_CHARACTERS = range(0xE0020, 0xE0080)  # in flag sequences such as Scotland's and Wales'
_BLACK_FLAG = "\U0001f3f4"


def normalise_line(value: str) -> str:
    """NFC form, with every run of whitespace (newlines included) made one space, and trimmed."""
    return " ".join(unicodedata.normalize("NFC", value).split())


def _needed_format_character(value: str, index: int) -> bool:
    """A joiner between two visible characters, or a tag character in a flag sequence."""
    char = value[index]
    if char in _JOINERS:
        before, after = value[index - 1:index], value[index + 1:index + 2]
        return all(side and unicodedata.category(side)[0] in "LMNS" for side in (before, after))
    if ord(char) in _TAG_CHARACTERS:
        start = index
        while start > 0 and ord(value[start - 1]) in _TAG_CHARACTERS:
            start -= 1
        return value[start - 1:start] == _BLACK_FLAG
    return False


def line_problem(value: str) -> str | None:
    """Why a name or title cannot be shown as typed, or None when it can.

    Control and invisible formatting characters are refused (they can leave a name blank or,
    like U+202E, reverse the text after it), except joiners where a script needs them.
    """
    for index, char in enumerate(value):
        category = unicodedata.category(char)
        if category in ("Cc", "Cs", "Co", "Zl", "Zp") or (
                category == "Cf" and not _needed_format_character(value, index)):
            name = unicodedata.name(char, "a control character")
            return f"contains an invisible or control character (U+{ord(char):04X} {name}): " \
                   "remove it"
    if not any(unicodedata.category(char)[0] in "LNPS" for char in value):
        return "must contain at least one letter, number or symbol"
    return None


def capped_count(count: int, cap: int) -> str:
    """How a count that stops at ``cap`` reads: "7", or "99+" once it passes the cap."""
    return f"{cap}+" if count > cap else str(count)
