"""DOCX export with python-docx, from the project's own template (see :mod:`.docx_template`).

Excerpt HTML (the sanitised subset from :mod:`forum.text`) becomes paragraphs and runs:
bold, italic, strikethrough, code, links, real bulleted and numbered lists (numbering
definitions, restarted per list), nested quotes (indented, with the Quote style's rule) and
tables. The contents field is filled in when the file is made (each entry links to its
heading) and marked for Word to add page numbers when it is opened.
"""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import replace
from datetime import UTC
from datetime import datetime
from datetime import time
from functools import lru_cache
from io import BytesIO

from docx import Document as open_document
from docx.document import Document
from docx.enum.text import WD_BREAK
from docx.opc.constants import RELATIONSHIP_TYPE
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Twips
from docx.styles.style import ParagraphStyle
from docx.text.paragraph import Paragraph
from docx.text.run import Run

from forum.guides.document import CONTENTS_PAGES_NOTE
from forum.guides.document import CONTENTS_TITLE
from forum.guides.document import INTRODUCTION_TITLE
from forum.guides.document import NOTE_LABEL
from forum.guides.document import ORGANISATIONS_TITLE
from forum.guides.document import Excerpt
from forum.guides.document import GuideDocument
from forum.guides.document import Line
from forum.guides.export import Node
from forum.guides.export import collapse_whitespace
from forum.guides.export import heading_offset
from forum.guides.export import parse_fragment
from forum.guides.export import reproducible_zip
from forum.guides.export import table_rows
from forum.guides.export.docx_template import FOOTER_TITLE
from forum.guides.export.docx_template import LIST_STEP
from forum.guides.export.docx_template import QUOTE_INDENT
from forum.guides.export.docx_template import TEMPLATE_PATH

CREDIT_STYLE = "Guide Credit"
CONTENTS_NOTE_STYLE = "Guide Contents Note"
NOTE_STYLE = "Guide Editorial Note"
CLOSING_STYLE = "Guide Closing"
BULLET_ABSTRACT, NUMBER_ABSTRACT = 0, 1
BULLET_NUM_ID = 1


@lru_cache(maxsize=1)
def _template() -> bytes:
    return TEMPLATE_PATH.read_bytes()


@dataclass(frozen=True)
class _Format:
    bold: bool = False
    italic: bool = False
    strike: bool = False
    code: bool = False
    href: str | None = None


@dataclass(frozen=True)
class _Context:
    """Where blocks are going: their paragraph style, indent and whether headings are real."""

    style: ParagraphStyle
    indent: int = 0  # quotation depth below the style's own indent
    real_headings: bool = True
    italic: bool = False
    # Added to h1-h6 so the fragment's highest heading is Heading 2 (under a Heading 1).
    heading_offset: int = 0
    list_level: int = -1  # -1: not in a list
    # The paragraph style's own left indent (twips), which direct indents must add to.
    base_indent: int = 0


class _Writer:
    def __init__(self, document: Document) -> None:
        self.document = document
        self._styles: dict[str, ParagraphStyle] = {}
        self._link_ids: dict[str, str] = {}
        self._numbering = document.part.numbering_part.element
        self._bookmarks = 0

    # Styles ----------------------------------------------------------------------------
    def style(self, name: str) -> ParagraphStyle:
        # Looking a style up by name walks the whole styles part: cache the objects.
        if name not in self._styles:
            self._styles[name] = self.document.styles[name]
        return self._styles[name]

    # Paragraphs and runs -------------------------------------------------------------------
    def paragraph(self, style: ParagraphStyle | str, text: str = "", *,
                  indent: int = 0, base_indent: int = 0) -> Paragraph:
        if isinstance(style, str):
            style = self.style(style)
        paragraph = self.document.add_paragraph()
        # Set the style id directly: ``paragraph.style = ...`` looks up the default style
        # among all styles on every call, which made a 1,000-excerpt guide take seconds.
        paragraph._p.style = style.style_id
        if text:
            paragraph.add_run(text)
        if indent:
            paragraph.paragraph_format.left_indent = Twips(base_indent + QUOTE_INDENT * indent)
        return paragraph

    def run(self, paragraph: Paragraph, text: str, fmt: _Format = _Format()) -> Run:
        if fmt.href:
            run = Run(self._hyperlink(paragraph, fmt.href), paragraph)
            run.text = text
            run.style = self._character_style("Hyperlink")
        else:
            run = paragraph.add_run(text)
        if fmt.bold:
            run.bold = True
        if fmt.italic:
            run.italic = True
        if fmt.strike:
            run.font.strike = True
        if fmt.code:
            run.style = self._character_style("Guide Code")
        return run

    def _character_style(self, name: str):
        if name not in self._styles:
            self._styles[name] = self.document.styles[name]
        return self._styles[name]

    def _hyperlink(self, paragraph: Paragraph, url: str) -> OxmlElement:
        """Append ``<w:hyperlink>`` with an empty run to the paragraph; return the run."""
        hyperlink = OxmlElement("w:hyperlink")
        if url.startswith("#"):
            hyperlink.set(qn("w:anchor"), url[1:])
        else:
            if url not in self._link_ids:
                # One relationship per address, named by us: python-docx's get-or-add scans
                # every relationship (quadratic over a guide's thousand source links).
                r_id = f"rIdGuideLink{len(self._link_ids) + 1}"
                self.document.part.rels.add_relationship(
                    RELATIONSHIP_TYPE.HYPERLINK, url, r_id, is_external=True)
                self._link_ids[url] = r_id
            hyperlink.set(qn("r:id"), self._link_ids[url])
        run = OxmlElement("w:r")
        hyperlink.append(run)
        paragraph._p.append(hyperlink)
        return run

    def link(self, paragraph: Paragraph, text: str, url: str) -> None:
        self.run(paragraph, text, _Format(href=url))

    def line(self, paragraph: Paragraph, line: Line) -> Paragraph:
        """A printed line of the document (its words come from the model)."""
        for span in line:
            self.run(paragraph, span.text, _Format(href=span.href))
        return paragraph

    def bookmark(self, paragraph: Paragraph, name: str) -> None:
        """Bookmark the paragraph's text (what the contents entries link to)."""
        self._bookmarks += 1
        start = OxmlElement("w:bookmarkStart")
        start.set(qn("w:id"), str(self._bookmarks))
        start.set(qn("w:name"), name)
        end = OxmlElement("w:bookmarkEnd")
        end.set(qn("w:id"), str(self._bookmarks))
        paragraph._p.insert(1 if paragraph._p.pPr is not None else 0, start)
        paragraph._p.append(end)

    @staticmethod
    def bookmark_name(anchor: str) -> str:
        # Word takes letters, digits and underscores (40 at most); a leading _ hides it.
        return "_Toc_" + "".join(c if c.isalnum() else "_" for c in anchor)[:35]

    def heading(self, title: str, anchor: str, *, page_break: bool = False) -> Paragraph:
        paragraph = self.paragraph("Heading 1", title)
        self.bookmark(paragraph, self.bookmark_name(anchor))
        if page_break:
            paragraph.paragraph_format.page_break_before = True
        return paragraph

    # Lists -----------------------------------------------------------------------------
    def _numbered_list(self, start: int) -> int:
        """A numbering instance of its own, so each list counts from its start."""
        num = self._numbering.add_num(NUMBER_ABSTRACT)
        num.add_lvlOverride(ilvl=0).add_startOverride(start)
        return num.numId

    @staticmethod
    def _number(paragraph: Paragraph, num_id: int, level: int, left: int) -> None:
        p_pr = paragraph._p.get_or_add_pPr()
        num_pr = p_pr.get_or_add_numPr()
        num_pr.get_or_add_ilvl().val = level
        num_pr.get_or_add_numId().val = num_id
        fmt = paragraph.paragraph_format
        fmt.left_indent = Twips(left)
        fmt.first_line_indent = Twips(-LIST_STEP)

    # HTML -> paragraphs ----------------------------------------------------------------
    def inline(self, paragraph: Paragraph, nodes: list[Node | str], fmt: _Format,
               at_start: bool = True) -> bool:
        """Add runs; returns whether the paragraph still has no text (to trim leading space)."""
        for node in nodes:
            if isinstance(node, str):
                text = collapse_whitespace(node)
                if at_start:
                    text = text.lstrip()
                if text:
                    self.run(paragraph, text, fmt)
                    at_start = False
                continue
            tag = node.tag
            if tag == "br":
                self.run(paragraph, "", fmt).add_break(WD_BREAK.LINE)
                at_start = True
            elif tag == "code":
                self.run(paragraph, node.text(), replace(fmt, code=True))
                at_start = False
            else:
                child_fmt = {
                    "strong": replace(fmt, bold=True),
                    "em": replace(fmt, italic=True),
                    "del": replace(fmt, strike=True),
                    "s": replace(fmt, strike=True),
                    "a": replace(fmt, href=node.attrs.get("href") or None),
                }.get(tag, fmt)
                at_start = self.inline(paragraph, node.children, child_fmt, at_start)
        return at_start

    def _new(self, ctx: _Context) -> Paragraph:
        return self.paragraph(ctx.style, indent=ctx.indent, base_indent=ctx.base_indent)

    def blocks(self, nodes: list[Node | str], ctx: _Context,
               first: Paragraph | None = None) -> None:
        """Write block content; ``first`` (a list item's paragraph) takes the first inline run."""
        pending: list[Node | str] = []
        base = _Format(italic=ctx.italic)

        def flush() -> None:
            nonlocal first
            if not pending:
                return
            if first is None and all(isinstance(n, str) and not n.strip() for n in pending):
                pending.clear()
                return
            paragraph = first or self._new(ctx)
            first = None
            self.inline(paragraph, pending, base)
            pending.clear()

        for node in nodes:
            if isinstance(node, str) or node.tag not in _BLOCKS:
                pending.append(node)
                continue
            flush()
            if node.tag == "p" and first is not None:
                self.inline(first, node.children, base)
                first = None
            else:
                _BLOCKS[node.tag](self, node, ctx)
        flush()

    def _p(self, node: Node, ctx: _Context) -> None:
        self.inline(self._new(ctx), node.children, _Format(italic=ctx.italic))

    def _heading(self, node: Node, ctx: _Context) -> None:
        if ctx.real_headings:
            level = max(1, min(int(node.tag[1]) + ctx.heading_offset, 6))
            paragraph = self.paragraph(f"Heading {level}", indent=ctx.indent)
            self.inline(paragraph, node.children, _Format())
        else:
            # Headings inside a quotation stay in the quotation, and out of the navigation.
            self.inline(self._new(ctx), node.children, _Format(bold=True, italic=ctx.italic))

    def _blockquote(self, node: Node, ctx: _Context) -> None:
        self.blocks(node.children, replace(ctx, indent=ctx.indent + 1, real_headings=False))

    def _pre(self, node: Node, ctx: _Context) -> None:
        paragraph = self._new(ctx)
        for n, line in enumerate(node.text().rstrip("\n").split("\n")):
            run = self.run(paragraph, line, _Format(code=True))
            if n:
                run._r.insert(0, OxmlElement("w:br"))

    def _list(self, node: Node, ctx: _Context) -> None:
        level = ctx.list_level + 1
        num_id = (self._numbered_list(int(node.attrs.get("start") or 1)) if node.tag == "ol"
                  else BULLET_NUM_ID)
        left = ctx.base_indent + QUOTE_INDENT * ctx.indent + LIST_STEP * (level + 1)
        item_ctx = replace(ctx, list_level=level)
        for child in node.children:
            if isinstance(child, str) or child.tag != "li":
                continue
            paragraph = self._new(ctx)
            self._number(paragraph, num_id, min(level, 8), left)
            self.blocks(child.children, item_ctx, first=paragraph)

    def _hr(self, node: Node, ctx: _Context) -> None:
        paragraph = self._new(ctx)
        paragraph.add_run("* * *")

    def _table(self, node: Node, ctx: _Context) -> None:
        rows, header_rows = table_rows(node)
        width = max((len(r) for r in rows), default=0)
        if not width:
            return
        table = self.document.add_table(rows=len(rows), cols=width)
        table.style = self.document.styles["Table Grid"]
        for number, (cells, row) in enumerate(zip(rows, table.rows, strict=True)):
            if number < header_rows:
                # Word's "Repeat as header row": read out with each cell, and repeated on
                # each page the table runs onto.
                row._tr.get_or_add_trPr().append(OxmlElement("w:tblHeader"))
            for cell_node, cell in zip(cells, row.cells, strict=False):
                paragraph = cell.paragraphs[0]
                self.inline(paragraph, cell_node.children, _Format(bold=cell_node.tag == "th"))

    def html(self, html: str | None, ctx: _Context) -> None:
        if html:
            ctx = replace(ctx, heading_offset=heading_offset(html, 2))
            self.blocks(parse_fragment(html).children, ctx)


_BLOCKS = {
    "p": _Writer._p,
    "blockquote": _Writer._blockquote,
    "pre": _Writer._pre,
    "ul": _Writer._list,
    "ol": _Writer._list,
    "hr": _Writer._hr,
    "table": _Writer._table,
    **{f"h{n}": _Writer._heading for n in range(1, 7)},
}


# The elements that follow w:updateFields in CT_Settings (ECMA-376 part 1, 17.15.1.78).
_AFTER_UPDATE_FIELDS = tuple(f"w:{name}" for name in (
    "hdrShapeDefaults", "footnotePr", "endnotePr", "compat", "docVars", "rsids")) + (
    "m:mathPr",) + tuple(f"w:{name}" for name in (
    "attachedSchema", "themeFontLang", "clrSchemeMapping", "doNotIncludeSubdocsInStats",
    "doNotAutoCompressPictures", "forceUpgrade", "captions", "readModeInkLockDown",
    "smartTagType")) + ("sl:schemaLibrary",) + tuple(f"w:{name}" for name in (
    "shapeDefaults", "doNotEmbedSmartTags", "decimalSymbol", "listSeparator"))


def _field_char(paragraph: Paragraph, kind: str, *, dirty: bool = False) -> None:
    run = OxmlElement("w:r")
    char = OxmlElement("w:fldChar")
    char.set(qn("w:fldCharType"), kind)
    if dirty:
        char.set(qn("w:dirty"), "true")
    run.append(char)
    paragraph._p.append(run)


def _contents(writer: _Writer, doc: GuideDocument) -> None:
    """A Word TOC field over Heading 1-2, filled in now: each entry links to its heading.

    Marked dirty (and ``updateFields`` set) so that Word offers to add the page numbers on
    opening. Until the field is updated its last line says so (updating replaces it).
    """
    writer.paragraph("TOC Heading", CONTENTS_TITLE)
    entries = doc.contents
    first = writer.paragraph("toc 1")
    _field_char(first, "begin", dirty=True)
    instruction = OxmlElement("w:instrText")
    instruction.set(qn("xml:space"), "preserve")
    instruction.text = ' TOC \\o "1-2" \\h \\z \\u '
    run = OxmlElement("w:r")
    run.append(instruction)
    first._p.append(run)
    _field_char(first, "separate")
    for n, entry in enumerate(entries):
        paragraph = first if n == 0 else writer.paragraph("toc 1")
        writer.link(paragraph, entry.title, f"#{writer.bookmark_name(entry.anchor)}")
    last = writer.paragraph(CONTENTS_NOTE_STYLE, CONTENTS_PAGES_NOTE)
    _field_char(last, "end")
    update = OxmlElement("w:updateFields")
    update.set(qn("w:val"), "true")
    # settings.xml is a strict sequence: Word rejects the file if updateFields is misplaced.
    writer.document.settings.element.insert_element_before(update, *_AFTER_UPDATE_FIELDS)


def _excerpt(writer: _Writer, excerpt: Excerpt) -> None:
    writer.html(excerpt.body_html, _Context(writer.style("Quote"), real_headings=False,
                                            base_indent=QUOTE_INDENT))
    if excerpt.credit_line:  # empty for a contribution withheld from a published version
        writer.line(writer.paragraph(CREDIT_STYLE), excerpt.credit_line)
    if excerpt.editorial_note_html:
        note_style = writer.style(NOTE_STYLE)
        label = writer.paragraph(note_style)
        writer.run(label, NOTE_LABEL, _Format(bold=True))
        writer.html(excerpt.editorial_note_html,
                    _Context(note_style, real_headings=False, italic=True,
                             base_indent=QUOTE_INDENT))


def _properties(document: Document, doc: GuideDocument) -> None:
    properties = document.core_properties
    properties.title = doc.title
    properties.subject = doc.subtitle
    properties.author = doc.publisher
    properties.language = "en-GB"
    properties.keywords = "; ".join(doc.keywords)
    if doc.published_on:
        published = datetime.combine(doc.published_on, time(), tzinfo=UTC)
        properties.created = properties.modified = published


def _footer(document: Document, doc: GuideDocument) -> None:
    for run in document.sections[0].footer.paragraphs[0].runs:
        if run.text == FOOTER_TITLE:
            run.text = doc.title


def export(doc: GuideDocument) -> bytes:
    document = open_document(BytesIO(_template()))
    _properties(document, doc)
    _footer(document, doc)
    writer = _Writer(document)
    normal = writer.style("Normal")

    writer.paragraph("Title", doc.title)
    if doc.subtitle:
        writer.paragraph("Subtitle", doc.subtitle)
    for text in (doc.publisher_line, doc.edition_line):
        if text:
            writer.paragraph("Normal", text)
    if doc.online_line:
        writer.line(writer.paragraph("Normal"), doc.online_line)

    _contents(writer, doc)

    page_break = True  # the body starts on a page of its own, after the contents
    if doc.introduction_html:
        writer.heading(INTRODUCTION_TITLE, doc.contents[0].anchor, page_break=page_break)
        page_break = False
        writer.html(doc.introduction_html, _Context(normal))
    for section in doc.sections:
        writer.heading(section.title, section.anchor, page_break=page_break)
        page_break = False
        writer.html(section.introduction_html, _Context(normal))
        for excerpt in section.excerpts:
            _excerpt(writer, excerpt)
    if doc.contributing_organisations:
        writer.heading(ORGANISATIONS_TITLE, doc.contents[-1].anchor, page_break=page_break)
        for name in doc.contributing_organisations:
            writer.paragraph("List Bullet", name)
    for line in doc.closing_lines:
        writer.line(writer.paragraph(CLOSING_STYLE), line)

    buffer = BytesIO()
    document.save(buffer)
    return reproducible_zip(buffer.getvalue())
