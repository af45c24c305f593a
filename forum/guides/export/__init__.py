"""Exporters: one module per format, each ``export(doc)`` from the same :class:`GuideDocument`.

Also holds the small HTML-fragment parser that the Markdown and DOCX exporters share: the
HTML in the model is the sanitised subset from :mod:`forum.text`, so a full HTML library
would be overkill.
"""

from __future__ import annotations

import importlib
import re
from dataclasses import dataclass
from dataclasses import field
from html.parser import HTMLParser

from forum.guides.document import GuideDocument

# Bump when any renderer's output changes: kept files made by an older one are then made
# again on their next download, or all at once by ``flask guides regenerate``.
RENDERER_REVISION = "2026-12-02.3"


@dataclass(frozen=True)
class ExportFormat:
    name: str
    label: str
    extension: str
    media_type: str
    module: str


FORMATS: dict[str, ExportFormat] = {
    f.name: f for f in [
        ExportFormat("html", "Web page (HTML)", "html", "text/html; charset=utf-8",
                     "forum.guides.export.html"),
        ExportFormat("pdf", "PDF", "pdf", "application/pdf", "forum.guides.export.pdf"),
        ExportFormat("docx", "Word document (DOCX)", "docx",
                     "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                     "forum.guides.export.docx"),
        ExportFormat("odt", "OpenDocument text (ODT)", "odt",
                     "application/vnd.oasis.opendocument.text", "forum.guides.export.odt"),
        ExportFormat("markdown", "Markdown", "md", "text/markdown; charset=utf-8",
                     "forum.guides.export.markdown"),
    ]
}


def export(doc: GuideDocument, format_name: str) -> bytes:
    """Export ``doc`` in the named format, always as bytes (UTF-8 for the text formats).

    Modules are imported on demand so that asking for Markdown never loads WeasyPrint.
    """
    result = importlib.import_module(FORMATS[format_name].module).export(doc)
    return result.encode("utf-8") if isinstance(result, str) else result


# --- A tiny tree for the sanitised HTML subset -------------------------------------------

VOID_TAGS = frozenset({"br", "hr"})
BLOCK_TAGS = frozenset({
    "p", "blockquote", "pre", "ul", "ol", "li", "h1", "h2", "h3", "h4", "h5", "h6",
    "table", "thead", "tbody", "tr", "th", "td", "hr",
})


@dataclass
class Node:
    tag: str
    attrs: dict[str, str] = field(default_factory=dict)
    children: list[Node | str] = field(default_factory=list)

    def text(self) -> str:
        return "".join(c if isinstance(c, str) else c.text() for c in self.children)


class _TreeBuilder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Node("#root")
        self.stack = [self.root]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        node = Node(tag, {k: v or "" for k, v in attrs})
        self.stack[-1].children.append(node)
        if tag not in VOID_TAGS:
            self.stack.append(node)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.stack[-1].children.append(Node(tag, {k: v or "" for k, v in attrs}))

    def handle_endtag(self, tag: str) -> None:
        # Close up to the matching element; a stray end tag is ignored.
        for depth in range(len(self.stack) - 1, 0, -1):
            if self.stack[depth].tag == tag:
                del self.stack[depth:]
                return

    def handle_data(self, data: str) -> None:
        self.stack[-1].children.append(data)


def parse_fragment(html: str) -> Node:
    """Parse an HTML fragment into a :class:`Node` tree (root tag ``#root``)."""
    builder = _TreeBuilder()
    builder.feed(html)
    builder.close()
    return builder.root


def table_rows(table: Node) -> tuple[list[list[Node]], int]:
    """A table's rows (each its ``th``/``td`` cells) and how many of the first are heading rows.

    Heading rows are those of its ``thead`` (Markdown puts the header line there), else the
    leading rows made only of ``th`` cells. The DOCX and ODT files mark them as the table's
    header, so a screen reader announces each cell with its column heading.
    """
    rows: list[list[Node]] = []
    in_head: list[bool] = []

    def walk(node: Node, head: bool) -> None:
        for child in node.children:
            if isinstance(child, Node):
                if child.tag == "tr":
                    rows.append([c for c in child.children
                                 if isinstance(c, Node) and c.tag in {"th", "td"}])
                    in_head.append(head)
                else:
                    walk(child, head or child.tag == "thead")

    walk(table, False)
    header = 0
    if any(in_head):
        while header < len(rows) and in_head[header]:
            header += 1
    else:
        while (header < len(rows) and rows[header]
               and all(cell.tag == "th" for cell in rows[header])):
            header += 1
    return rows, header


_HEADING_OPEN = re.compile(r"<h([1-6])\b")


def heading_offset(html: str, top: int) -> int:
    """How far to move a fragment's headings so its highest one sits at level ``top``.

    A post's "##" and "###" under a section heading keep their relative order, and no
    level is skipped below the section (h2 section -> h3, h4 ...).
    """
    levels = [int(level) for level in _HEADING_OPEN.findall(html)]
    return top - min(levels) if levels else 0


_WHITESPACE = re.compile(r"\s+")


def collapse_whitespace(text: str) -> str:
    return _WHITESPACE.sub(" ", text)


def reproducible_zip(data: bytes) -> bytes:
    """The same ZIP package (DOCX, ODT) with every entry dated 1 January 1980 and stored in
    the same order: the same document then makes the same bytes, hence the same ETag."""
    import io
    import zipfile

    source = zipfile.ZipFile(io.BytesIO(data))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as target:
        for info in source.infolist():
            entry = zipfile.ZipInfo(info.filename, date_time=(1980, 1, 1, 0, 0, 0))
            # ODF wants its "mimetype" entry first and uncompressed; keep each entry's method.
            entry.compress_type = info.compress_type
            entry.external_attr = info.external_attr
            target.writestr(entry, source.read(info.filename))
    return buffer.getvalue()
