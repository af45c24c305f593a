"""The Markdown parser and the HTML cleaner behind :mod:`forum.text`, loaded on first use.

Import :func:`forum.text.render_markdown` and :func:`forum.text.plain_text` rather than this
module: importing it loads markdown-it, bleach and html5lib, which pages do not need.
"""

from __future__ import annotations

from functools import partial

import bleach
from bleach.linkifier import LinkifyFilter
from bleach.parse_shim import urlparse
from markdown_it import MarkdownIt
from markdown_it.common.utils import mdTrim
from markdown_it.parser_block import ParserBlock
from markdown_it.rules_block import StateBlock
from markdown_it.rules_block.table import escapedSplit
from markdown_it.rules_block.table import getLine
from markdown_it.rules_block.table import table as table_rule

from forum.text import ALLOWED_ATTRIBUTES
from forum.text import ALLOWED_PROTOCOLS
from forum.text import ALLOWED_TAGS
from forum.text import MAX_NESTING


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
    md.validateLink = _link_kept_by_cleaner
    return md


def _link_kept_by_cleaner(url: str) -> bool:
    """Make a link only of a target the cleaner keeps (no scheme, or an allowed one): a link
    to ``a0http://x`` would lose its target to bleach, so it is shown as written instead."""
    if not markdown_defaults.validateLink(url):
        return False
    scheme = urlparse(url.strip()).scheme.lower()
    return not scheme or scheme in ALLOWED_PROTOCOLS

markdown_defaults = MarkdownIt("commonmark")
markdown = _markdown_parser()


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


def render(source: str) -> str:
    """Markdown to sanitised HTML (:func:`forum.text.render_markdown`)."""
    html = markdown.render(source)
    return _cleaner.clean(_demote_headings(html))

