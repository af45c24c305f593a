"""Markdown export (CommonMark; tables inside excerpts use the common GFM pipe syntax).

Excerpt HTML is the small sanitised subset from :mod:`forum.text`, so a converter for those
tags is shorter and more predictable than a general HTML-to-Markdown library.
"""

from __future__ import annotations

import re

from forum.guides.document import CONTENTS_TITLE
from forum.guides.document import INTRODUCTION_TITLE
from forum.guides.document import NOTE_LABEL
from forum.guides.document import ORGANISATIONS_TITLE
from forum.guides.document import GuideDocument
from forum.guides.document import Line
from forum.guides.document import Section
from forum.guides.export import Node
from forum.guides.export import collapse_whitespace
from forum.guides.export import heading_offset
from forum.guides.export import parse_fragment

_INLINE_SPECIAL = re.compile(r"([\\`*_\[\]<>~|])")
_ENTITY_LIKE = re.compile(r"&(?=#?[0-9A-Za-z]+;)")
# What would start a block (heading, quote, list, thematic break, setext underline).
_LINE_START_SPECIAL = re.compile(r"^([ ]{0,3})([#>+=-]|\d{1,9}(?=[.)]))", re.MULTILINE)
_BACKTICKS = re.compile(r"`+")


def escape(text: str) -> str:
    """Escape text so CommonMark shows it literally."""
    return _ENTITY_LIKE.sub(r"\\&", _INLINE_SPECIAL.sub(r"\\\1", text))


def _escape_line_starts(text: str) -> str:
    def fix(match: re.Match[str]) -> str:
        indent, marker = match[1], match[2]
        if marker[0].isdigit():  # "2025. was a good year" is not an ordered list
            return f"{indent}{marker}\\"
        return f"{indent}\\{marker}"

    return _LINE_START_SPECIAL.sub(fix, text)


def _link_destination(url: str) -> str:
    return (url.replace("\\", "%5C").replace(" ", "%20").replace("(", "%28")
            .replace(")", "%29").replace("<", "%3C").replace(">", "%3E"))


def link(text: str, url: str) -> str:
    return f"[{text}]({_link_destination(url)})"


def _code_span(code: str) -> str:
    longest = max((len(run) for run in _BACKTICKS.findall(code)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if code.startswith("`") or code.endswith("`") or not code.strip() else ""
    return f"{fence}{pad}{code}{pad}{fence}"


class _Converter:
    """HTML fragment -> list of Markdown blocks (each a string, joined by blank lines)."""

    def __init__(self, offset: int = 0, italic: bool = False) -> None:
        self.heading_offset = offset
        # Italic paragraphs (editorial notes): <em> inside adds nothing and would nest awkwardly.
        self.italic = italic

    # Inline content ------------------------------------------------------------------
    def inline(self, nodes: list[Node | str]) -> str:
        parts = []
        for node in nodes:
            if isinstance(node, str):
                parts.append(escape(collapse_whitespace(node)))
                continue
            tag = node.tag
            if tag == "br":
                parts.append("\\\n")
            elif tag == "code":
                parts.append(_code_span(node.text()))
            elif tag in {"em", "strong", "del", "s"}:
                parts.append(self._wrapped(node))
            elif tag == "a" and node.attrs.get("href"):
                parts.append(link(self.inline(node.children).strip() or escape(node.attrs["href"]),
                                  node.attrs["href"]))
            else:
                parts.append(self.inline(node.children))
        return "".join(parts)

    def _wrapped(self, node: Node) -> str:
        content = self.inline(node.children)
        stripped = content.strip()
        if not stripped:
            return content
        if node.tag == "em" and self.italic:
            return content
        # "*" (not "_") so emphasis also works inside words.
        marker = {"em": "*", "strong": "**", "del": "~~", "s": "~~"}[node.tag]
        lead = content[: len(content) - len(content.lstrip())]
        trail = content[len(content.rstrip()):]
        return f"{lead}{marker}{stripped}{marker}{trail}"

    def paragraph(self, nodes: list[Node | str]) -> str:
        text = self.inline(nodes).strip(" ")
        text = _escape_line_starts("\n".join(line.strip(" ") for line in text.split("\n")))
        if self.italic:
            # The only newlines left are hard breaks (<br>), each "\\\n".
            text = "\\\n".join(f"*{part.strip()}*" for part in text.split("\\\n") if part.strip())
        return text

    # Blocks ----------------------------------------------------------------------------
    def blocks(self, nodes: list[Node | str]) -> list[str]:
        out: list[str] = []
        pending_inline: list[Node | str] = []

        def flush() -> None:
            if pending_inline:
                text = self.paragraph(pending_inline)
                if text.strip():
                    out.append(text)
                pending_inline.clear()

        for node in nodes:
            if isinstance(node, str) or node.tag not in _BLOCK_HANDLERS:
                pending_inline.append(node)
                continue
            flush()
            block = _BLOCK_HANDLERS[node.tag](self, node)
            if block.strip():
                out.append(block)
        flush()
        return out

    def render(self, html: str) -> str:
        return "\n\n".join(self.blocks(parse_fragment(html).children))

    def _p(self, node: Node) -> str:
        return self.paragraph(node.children)

    def _heading(self, node: Node) -> str:
        level = max(1, min(int(node.tag[1]) + self.heading_offset, 6))
        return f"{'#' * level} {heading_text(self.inline(node.children))}"

    def _blockquote(self, node: Node) -> str:
        return quote("\n\n".join(self.blocks(node.children)))

    def _pre(self, node: Node) -> str:
        code = node.text().rstrip("\n")
        longest = max((len(run) for run in _BACKTICKS.findall(code)), default=0)
        fence = "`" * max(3, longest + 1)
        return f"{fence}\n{code}\n{fence}"

    def _list(self, node: Node) -> str:
        ordered = node.tag == "ol"
        number = int(node.attrs.get("start") or 1) if ordered else 0
        items = []
        for child in node.children:
            if isinstance(child, str) or child.tag != "li":
                continue
            marker = f"{number}." if ordered else "-"
            number += 1
            # A tight item (no <p>) keeps a nested list on the next line, as markdown-it does.
            tight = not any(isinstance(c, Node) and c.tag == "p" for c in child.children)
            body = ("\n" if tight else "\n\n").join(self.blocks(child.children))
            indent = " " * (len(marker) + 1)
            lines = body.split("\n")
            first = f"{marker} {lines[0]}".rstrip()
            rest = [f"{indent}{line}" if line else "" for line in lines[1:]]
            items.append("\n".join([first, *rest]))
        # Loose lists would change spacing; keep items tight unless an item has blocks.
        loose = any("\n\n" in item for item in items)
        return ("\n\n" if loose else "\n").join(items)

    def _hr(self, node: Node) -> str:
        return "* * *"

    def _table(self, node: Node) -> str:
        rows: list[list[str]] = []
        header_rows = 0

        def walk(n: Node) -> None:
            nonlocal header_rows
            for child in n.children:
                if isinstance(child, str):
                    continue
                if child.tag == "tr":
                    cells = [c for c in child.children if isinstance(c, Node)
                             and c.tag in {"th", "td"}]
                    if all(c.tag == "th" for c in cells) and len(rows) == header_rows:
                        header_rows += 1
                    rows.append([self.inline(c.children).strip().replace("\n", " ")
                                 for c in cells])
                else:
                    walk(child)

        walk(node)
        if not rows:
            return ""
        width = max(len(r) for r in rows)
        rows = [r + [""] * (width - len(r)) for r in rows]
        header = rows[0] if header_rows else [""] * width
        body = rows[1:] if header_rows else rows
        lines = ["| " + " | ".join(header) + " |", "|" + "---|" * width]
        lines += ["| " + " | ".join(r) + " |" for r in body]
        return "\n".join(lines)


_BLOCK_HANDLERS = {
    "p": _Converter._p,
    "blockquote": _Converter._blockquote,
    "pre": _Converter._pre,
    "ul": _Converter._list,
    "ol": _Converter._list,
    "hr": _Converter._hr,
    "table": _Converter._table,
    **{f"h{n}": _Converter._heading for n in range(1, 7)},
}


def heading_text(markdown: str) -> str:
    """One line; a trailing "#" is escaped so it is not read as a closing sequence."""
    text = " ".join(markdown.replace("\\\n", " ").split())
    return text[:-1] + "\\#" if text.endswith("#") else text


def quote(markdown: str) -> str:
    """Prefix every line with ``> `` (blank lines become ``>`` so the quote continues)."""
    return "\n".join(f"> {line}" if line else ">" for line in markdown.split("\n"))


def html_to_markdown(html: str, *, top_heading: int = 3) -> str:
    """Convert a sanitised HTML fragment; its highest heading becomes ``top_heading``."""
    return _Converter(heading_offset(html, top_heading)).render(html)


def _italic(html: str) -> str:
    """The note with every paragraph (and list item) in italics."""
    return _Converter(heading_offset(html, 3), italic=True).render(html)


def github_anchors(titles: list[str]) -> list[str]:
    """Anchors as GitHub/GitLab make them from heading text, so the contents links work."""
    slugs = []
    for title in titles:
        slug = re.sub(r"[^\w\- ]", "", title.lower(), flags=re.UNICODE).replace(" ", "-")
        slugs.append(slug)
    seen: dict[str, int] = {}
    result = []
    for slug in slugs:
        count = seen.get(slug, 0)
        result.append(slug if count == 0 else f"{slug}-{count}")
        seen[slug] = count + 1
    return result


def print_line(line: Line) -> str:
    """A printed line of the document, its links as Markdown links."""
    return "".join(link(escape(span.text), span.href) if span.href else escape(span.text)
                   for span in line)


def _section(section: Section) -> list[str]:
    blocks = [f"## {heading_text(escape(section.title))}"]
    if section.introduction_html:
        blocks.append(html_to_markdown(section.introduction_html))
    for excerpt in section.excerpts:
        blocks.append(quote(html_to_markdown(excerpt.body_html)))
        if excerpt.credit_line:  # empty for a contribution withheld from a published version
            blocks.append(print_line(excerpt.credit_line))
        if excerpt.editorial_note_html:
            blocks.append(f"**{NOTE_LABEL}**")
            blocks.append(_italic(excerpt.editorial_note_html))
    return blocks


def export(doc: GuideDocument) -> str:
    blocks = [f"# {heading_text(escape(doc.title))}"]
    if doc.subtitle:
        blocks.append(_escape_line_starts(escape(doc.subtitle)))
    for line in (doc.publisher_line, doc.edition_line):
        if line:
            blocks.append(_escape_line_starts(escape(line)))
    if doc.online_line:
        blocks.append(print_line(doc.online_line))

    titles = [entry.title for entry in doc.contents]
    # The contents heading is a heading too, so it takes its anchor first.
    anchors = github_anchors([CONTENTS_TITLE, *titles])[1:]
    blocks.append(f"## {CONTENTS_TITLE}")
    blocks.append("\n".join(f"{n}. {link(escape(title), '#' + anchor)}" for n, (title, anchor)
                            in enumerate(zip(titles, anchors, strict=True), start=1)))

    if doc.introduction_html:
        blocks += [f"## {INTRODUCTION_TITLE}", html_to_markdown(doc.introduction_html)]
    for section in doc.sections:
        blocks += _section(section)
    if doc.contributing_organisations:
        blocks.append(f"## {ORGANISATIONS_TITLE}")
        blocks.append("\n".join(f"- {escape(name)}" for name in doc.contributing_organisations))
    blocks += [_escape_line_starts(print_line(line)) for line in doc.closing_lines]
    return "\n\n".join(b for b in blocks if b.strip()) + "\n"
