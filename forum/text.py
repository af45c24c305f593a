"""Post bodies: Markdown in, sanitised HTML out; the one place Markdown and bleach are set up."""

from __future__ import annotations

import unicodedata
from functools import partial
from html.parser import HTMLParser

import bleach
from bleach.html5lib_shim import HTML_TAGS_BLOCK_LEVEL
from bleach.linkifier import LinkifyFilter
from markdown_it import MarkdownIt
from markdown_it.common.utils import mdTrim
from markdown_it.parser_block import ParserBlock
from markdown_it.rules_block import StateBlock
from markdown_it.rules_block.table import escapedSplit
from markdown_it.rules_block.table import getLine
from markdown_it.rules_block.table import table as table_rule
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


class _FlatteningBlockParser(ParserBlock):
    """markdown-it drops everything nested past ``maxNesting``; keep it as a plain paragraph."""

    def tokenize(self, state: StateBlock, startLine: int, endLine: int) -> None:
        if state.level < state.md.options.maxNesting:
            super().tokenize(state, startLine, endLine)
            return
        # The same end as a nested call: the first non-empty line indented less than the block.
        line = end = startLine
        while line < endLine:
            if not state.isEmpty(line):
                if state.sCount[line] < state.blkIndent:
                    break
                end = line + 1
            line += 1
        state.line = line
        text = state.getLines(startLine, end, state.blkIndent, False).strip()
        if not text:
            return
        state.push("paragraph_open", "p", 1).map = [startLine, end]
        inline = state.push("inline", "", 0)
        inline.content, inline.map, inline.children = text, [startLine, end], []
        state.push("paragraph_close", "p", -1)


def _table_keeping_extra_cells(state: StateBlock, startLine: int, endLine: int,
                               silent: bool) -> bool:
    """The table rule, except that cells beyond the header's count join the row's last cell.

    GitHub's table syntax ignores the extra cells, and with them the words typed in them.
    """
    first = len(state.tokens)
    if not table_rule(state, startLine, endLine, silent):
        return False
    if silent:
        return True
    cells: list = []
    row_line = -1
    for token in state.tokens[first:]:
        if token.type == "tr_open":
            cells, row_line = [], token.map[0] if token.map else -1
        elif token.type == "inline":
            cells.append(token)
        elif token.type == "tr_close" and cells and row_line >= 0:
            columns = escapedSplit(mdTrim(getLine(state, row_line)))
            if columns and columns[0] == "":
                columns.pop(0)
            if columns and columns[-1] == "":
                columns.pop()
            if len(columns) > len(cells):
                extra = [mdTrim(column) for column in columns[len(cells) - 1:]]
                cells[-1].content = " | ".join(part for part in extra if part)
    return True


def _markdown_parser() -> MarkdownIt:
    """CommonMark with tables and strikethrough, set up so no written word is lost.

    Raw HTML is shown as text, not interpreted (bleach still cleans the result). Images are
    shown as links (bleach would strip ``<img>`` and its alt text), and a link reference
    definition (``[1]: https://...``) is shown as written rather than vanishing when unused.
    """
    md = MarkdownIt("commonmark", {"html": False, "maxNesting": MAX_NESTING})
    md.block = _FlatteningBlockParser()
    md.enable(["table", "strikethrough"]).disable(["image", "reference"])
    md.block.ruler.at("table", _table_keeping_extra_cells)
    return md


_markdown = _markdown_parser()


def _rel_nofollow_noopener(attrs: dict, new: bool = False) -> dict:
    href_key = (None, "href")
    if href_key not in attrs:
        return attrs
    if attrs[href_key].startswith("mailto:"):
        return attrs
    attrs[(None, "rel")] = "nofollow noopener"
    return attrs


_cleaner = bleach.Cleaner(
    tags=ALLOWED_TAGS,
    attributes=ALLOWED_ATTRIBUTES,
    protocols=ALLOWED_PROTOCOLS,
    strip=True,
    filters=[partial(LinkifyFilter, callbacks=[_rel_nofollow_noopener], skip_tags={"pre", "code"})],
)


def _demote_headings(html: str) -> str:
    # A post sits under the page's own h1/h2: Markdown "# Heading" becomes h2 and below.
    for level in range(5, 0, -1):
        html = html.replace(f"<h{level}>", f"<h{level + 1}>").replace(
            f"</h{level}>", f"</h{level + 1}>")
    return html


def render_markdown(source: str) -> str:
    """Render Markdown to HTML that is safe to show as-is."""
    html = _markdown.render(source)
    return _cleaner.clean(_demote_headings(html))


def safe_html(stored_html: str) -> Markup:
    """Mark HTML produced by :func:`render_markdown` as safe for templates."""
    return Markup(stored_html)


class _TextOf(HTMLParser):
    """The text of sanitised HTML as ``bleach.clean(html, tags=set(), strip=True)``, unescaped,
    gives it: tags and comments dropped, entities resolved, and a newline where a block-level
    element starts after anything else (where a browser breaks the line)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.started = False

    def handle_starttag(self, tag: str, attrs: object) -> None:
        if self.started and tag in HTML_TAGS_BLOCK_LEVEL:
            self.parts.append("\n")
        self.started = True

    def handle_endtag(self, tag: str) -> None:
        self.started = True

    def handle_data(self, data: str) -> None:
        self.parts.append(data)
        self.started = True

    def handle_comment(self, data: str) -> None:
        self.started = True


def plain_text(html: str) -> str:
    """Strip all tags and entities: for excerpts and email bodies (escape it again to show it).

    The same text as bleach's stripping (``tests/unit/test_text.py`` checks it on rendered
    Markdown) at a tenth of its cost: the moderation queue shows an excerpt of 20 posts a
    page, and bleach's HTML5 parser took 0.1-0.2 ms for each."""
    parser = _TextOf()
    parser.feed(html.replace("\r\n", "\n").replace("\r", "\n"))
    parser.close()
    return "".join(parser.parts)


def excerpt(html: str, length: int = 160) -> str:
    text = " ".join(plain_text(html).split())
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
