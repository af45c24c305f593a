"""OpenDocument Text (ODT) export with odfdo, from the same model and in the same style as
the DOCX: A4, en-GB, one typeface, quotations indented with a rule, real lists, a footer
with the title and "Page N of M", a contents index filled in when the file is made.

The styles are set through odfdo on its own text template; what that template carries of
its maker (generator, thumbnail, editor settings) is replaced or removed.
"""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import replace
from datetime import date
from datetime import datetime
from datetime import time
from io import BytesIO
from typing import Any

from odfdo import TOC
from odfdo import Cell
from odfdo import Document
from odfdo import Element
from odfdo import Header
from odfdo import HeaderRows
from odfdo import LineBreak
from odfdo import Link
from odfdo import List
from odfdo import ListItem
from odfdo import Paragraph
from odfdo import Row
from odfdo import Span
from odfdo import Style
from odfdo import StyleFooter
from odfdo import StyleMasterPage
from odfdo import Tab
from odfdo import Table
from odfdo import VarPageCount
from odfdo import VarPageNumber

from forum.guides.document import CONTENTS_PAGES_NOTE
from forum.guides.document import CONTENTS_TITLE
from forum.guides.document import INTRODUCTION_TITLE
from forum.guides.document import NOTE_LABEL
from forum.guides.document import ORGANISATIONS_TITLE
from forum.guides.document import GuideDocument
from forum.guides.document import Line
from forum.guides.export import Node
from forum.guides.export import collapse_whitespace
from forum.guides.export import heading_offset
from forum.guides.export import parse_fragment
from forum.guides.export import reproducible_zip
from forum.guides.export import table_rows
from forum.guides.export.docx_template import BULLETS
from forum.guides.export.docx_template import FONT
from forum.guides.export.docx_template import LINK_COLOUR
from forum.guides.export.docx_template import MONO_FONT
from forum.guides.export.docx_template import NOTE_RULE_COLOUR
from forum.guides.export.docx_template import RULE_COLOUR
from forum.guides.export.docx_template import SECONDARY_COLOUR
from forum.guides.export.docx_template import TEXT_COLOUR

QUOTE = "Quote"
NESTED_QUOTE = "Guide_20_Nested_20_Quote"
CREDIT = "Guide_20_Credit"
NOTE = "Guide_20_Editorial_20_Note"
CLOSING = "Guide_20_Closing"
CONTENTS_NOTE = "Guide_20_Contents_20_Note"
BULLET_LIST = "Guide_20_Bullets"
NUMBER_LIST = "Guide_20_Numbers"
QUOTE_BULLET_LIST = "Guide_20_Quote_20_Bullets"
QUOTE_NUMBER_LIST = "Guide_20_Quote_20_Numbers"
COVER_PAGE = "Guide_20_Cover"
FIRST_HEADING = "Guide_20_First_20_Heading"
GENERATOR = "forum guides (odfdo)"
INLINE_STYLES = {"em": "Emphasis", "strong": "Strong_20_Emphasis", "del": "Guide_20_Strike",
                 "s": "Guide_20_Strike", "code": "Source_20_Text"}


def _colour(hex_value: str) -> str:
    return f"#{hex_value.lower()}"


def _paragraph_style(document: Document, name: str, display: str, *, parent: str = "Standard",
                     paragraph: dict[str, str] | None = None,
                     text: dict[str, str] | None = None, **extra: Any) -> None:
    style = Style("paragraph", name=name, display_name=display, parent_style=parent, **extra)
    if paragraph:
        style.set_properties(paragraph, area="paragraph")
    if text:
        style.set_properties(text, area="text")
    document.insert_style(style)


def _text_style(document: Document, name: str, display: str, text: dict[str, str]) -> None:
    style = Style("text", name=name, display_name=display)
    style.set_properties(text, area="text")
    document.insert_style(style)


def _list_style(document: Document, name: str, display: str, *, numbered: bool,
                base: float = 0.0) -> None:
    """Bullets or numbers; ``base`` (cm) indents the whole list (inside a quotation)."""
    style = Style("list", name=name, display_name=display)
    for level in range(1, 11):
        if numbered:
            level_style = style.set_level_style(level, num_format="1", suffix=".")
        else:
            level_style = style.set_level_style(level, bullet_char=BULLETS[(level - 1) % 3])
        indent = base + 0.635 * level
        properties = Element.from_tag(
            '<style:list-level-properties text:list-level-position-and-space-mode='
            '"label-alignment"><style:list-level-label-alignment text:label-followed-by='
            f'"listtab" text:list-tab-stop-position="{indent:.3f}cm" '
            f'fo:text-indent="-0.635cm" fo:margin-left="{indent:.3f}cm"/>'
            "</style:list-level-properties>")
        level_style.append(properties)
    document.insert_style(style)


def _styles(document: Document, doc: GuideDocument) -> None:
    """The house style, the DOCX template's in ODF terms."""
    font = {"fo:font-family": FONT, "style:font-family-generic": "swiss",
            "style:font-pitch": "variable"}
    default = Style("paragraph")
    default.set_properties({**font, "fo:font-size": "11pt", "fo:language": "en",
                            "fo:country": "GB", "fo:color": _colour(TEXT_COLOUR)}, area="text")
    document.insert_style(default, default=True)
    # odfdo's blank document is French by default: its drawings' default style said so.
    for properties in document.styles.get_elements("//style:default-style/style:text-properties"):
        if properties.get_attribute("fo:language") is not None:
            properties.set_attribute("fo:language", "en")
            properties.set_attribute("fo:country", "GB")
    standard = document.get_style("paragraph", "Standard")
    standard.set_properties({"fo:margin-bottom": "0.28cm", "fo:line-height": "120%"},
                            area="paragraph")
    standard.set_properties({**font, "fo:font-size": "11pt", "fo:language": "en",
                             "fo:country": "GB"}, area="text")
    bold = {"fo:font-weight": "bold", "style:font-weight-complex": "bold"}
    _paragraph_style(document, "Title", "Title", master_page=COVER_PAGE,
                     paragraph={"fo:margin-bottom": "0.42cm"},
                     text={**bold, "fo:font-size": "28pt"})
    _paragraph_style(document, "Subtitle", "Subtitle", paragraph={"fo:margin-bottom": "0.42cm"},
                     text={"fo:font-size": "16pt", "fo:color": _colour(SECONDARY_COLOUR)})
    for level, size, before in [(1, 18, 0.85), (2, 14, 0.63), (3, 12, 0.5), (4, 11, 0.42),
                                (5, 11, 0.42), (6, 11, 0.42)]:
        heading = document.get_style("paragraph", f"Heading_20_{level}")
        heading.set_properties({"fo:margin-top": f"{before}cm", "fo:margin-bottom": "0.3cm",
                                "fo:keep-with-next": "always"}, area="paragraph")
        heading.set_properties({**font, **bold, "fo:font-size": f"{size}pt",
                                "fo:font-style": "normal"}, area="text")
    contents = document.get_style("paragraph", "Contents_20_Heading")
    contents.set_properties({"fo:break-before": "page"}, area="paragraph")
    contents.set_properties({**font, **bold, "fo:font-size": "18pt"}, area="text")
    rule = f"0.05cm solid {_colour(RULE_COLOUR)}"
    quote = {"fo:margin-left": "1cm", "fo:border-left": rule, "fo:padding-left": "0.35cm",
             "fo:margin-bottom": "0.21cm"}
    _paragraph_style(document, QUOTE, "Quote", paragraph=quote,
                     text={"fo:font-style": "normal", "fo:font-size": "11pt"})
    _paragraph_style(document, NESTED_QUOTE, "Guide Nested Quote", parent=QUOTE,
                     paragraph={**quote, "fo:margin-left": "2cm"})
    _paragraph_style(document, CREDIT, "Guide Credit",
                     paragraph={"fo:margin-left": "1cm", "fo:margin-bottom": "0.5cm",
                                "fo:keep-together": "always"},
                     text={"fo:font-size": "10pt", "fo:color": _colour(SECONDARY_COLOUR)})
    _paragraph_style(document, NOTE, "Guide Editorial Note",
                     paragraph={"fo:margin-left": "1cm", "fo:margin-bottom": "0.14cm",
                                "fo:background-color": "#f3f2f1", "fo:padding-left": "0.35cm",
                                "fo:border-left": f"0.05cm solid {_colour(NOTE_RULE_COLOUR)}"},
                     text={"fo:font-style": "italic"})
    _paragraph_style(document, CONTENTS_NOTE, "Guide Contents Note",
                     paragraph={"fo:margin-top": "0.35cm", "fo:margin-bottom": "0.28cm"},
                     text={"fo:font-size": "10pt", "fo:font-style": "italic",
                           "fo:color": _colour(SECONDARY_COLOUR)})
    _paragraph_style(document, CLOSING, "Guide Closing",
                     paragraph={"fo:margin-bottom": "0.14cm"},
                     text={"fo:font-size": "10pt", "fo:color": _colour(SECONDARY_COLOUR)})
    _paragraph_style(document, "Footer", "Footer",
                     paragraph={"fo:margin-bottom": "0cm"},
                     text={"fo:font-size": "9pt", "fo:color": _colour(SECONDARY_COLOUR)})
    footer = document.get_style("paragraph", "Footer")
    footer.append(Element.from_tag(
        '<style:paragraph-properties><style:tab-stops><style:tab-stop style:position="17cm" '
        'style:type="right"/></style:tab-stops></style:paragraph-properties>'))
    _text_style(document, "Emphasis", "Emphasis", {"fo:font-style": "italic"})
    _text_style(document, "Strong_20_Emphasis", "Strong Emphasis", bold)
    _text_style(document, "Guide_20_Strike", "Guide Strike",
                {"style:text-line-through-style": "solid"})
    _text_style(document, "Source_20_Text", "Source Text",
                {"fo:font-family": MONO_FONT, "style:font-family-generic": "modern",
                 "style:font-pitch": "fixed", "fo:font-size": "10pt"})
    _text_style(document, "Internet_20_link", "Internet link",
                {"fo:color": _colour(LINK_COLOUR), "style:text-underline-style": "solid",
                 "style:text-underline-width": "auto"})
    _paragraph_style(document, FIRST_HEADING, "Guide First Heading", parent="Heading_20_1",
                     paragraph={"fo:break-before": "page"})
    document.get_style("paragraph", FIRST_HEADING).set_attribute(
        "style:default-outline-level", "1")
    _list_style(document, BULLET_LIST, "Guide Bullets", numbered=False)
    _list_style(document, NUMBER_LIST, "Guide Numbers", numbered=True)
    _list_style(document, QUOTE_BULLET_LIST, "Guide Quote Bullets", numbered=False, base=1.35)
    _list_style(document, QUOTE_NUMBER_LIST, "Guide Quote Numbers", numbered=True, base=1.35)
    _pages(document, doc)


def _pages(document: Document, doc: GuideDocument) -> None:
    """A4 with 20 mm side margins; the cover without a footer, the others with one."""
    for layout in document.get_styles("page-layout"):
        layout.set_properties({"fo:page-width": "21cm", "fo:page-height": "29.7cm",
                               "style:print-orientation": "portrait",
                               "fo:margin-left": "2cm", "fo:margin-right": "2cm",
                               "fo:margin-top": "2.2cm", "fo:margin-bottom": "1.6cm"},
                              area="page-layout")
    standard = document.get_style("master-page", "Standard")
    footer = StyleFooter()
    line = Paragraph(doc.title, style="Footer")
    line.append(Tab())
    line.append("Page ")
    line.append(VarPageNumber())
    line.append(" of ")
    line.append(VarPageCount())
    footer.append(line)
    standard.append(footer)
    layout_name = standard.get_attribute_string("style:page-layout-name") or ""
    document.insert_style(StyleMasterPage(name=COVER_PAGE, display_name="Guide Cover",
                                          page_layout=layout_name, next_style="Standard"))


def _strip_maker(document: Document, doc: GuideDocument) -> None:
    """Metadata of this guide, not of whoever made odfdo's template."""
    meta = document.meta
    meta.set_generator(GENERATOR)
    meta.set_title(doc.title)
    meta.set_subject(doc.subtitle)
    meta.set_description(doc.subtitle)
    meta.set_language("en-GB")
    meta.set_initial_creator(doc.publisher)
    meta.set_keywords("; ".join(doc.keywords))
    # A version's date (the same bytes each time it is made); a draft's, today.
    when = datetime.combine(doc.published_on or date.today(), time())
    meta.set_creation_date(when)
    meta.set_dc_date(when)
    for part in document.get_parts():
        if part.startswith(("Thumbnails/", "Configurations2/")):
            document.del_part(part)
    for path in document.manifest.get_paths():
        if path.startswith(("Thumbnails/", "Configurations2/")):
            document.manifest.del_full_path(path)


def _header(level: int, text: str | None, style: str) -> Header:
    # odfdo's Header takes a style argument but does not set it (3.27).
    header = Header(level, text)
    header.set_attribute("text:style-name", style)
    return header


def _plain_outline(document: Document) -> None:
    """Headings without numbers ("Introduction", not "1.Introduction")."""
    for level in document.styles.get_elements("//text:outline-level-style"):
        level.set_attribute("style:num-format", "")
        for name in ("style:num-suffix", "loext:num-list-format"):
            level.del_attribute(name)


def _contents(contents: TOC, doc: GuideDocument) -> None:
    """The index filled in now, one entry per contents line, each linking to its heading, and
    a last line saying page numbers come when it is updated (which replaces that line)."""
    contents.fill()
    index_body = contents.get_element("text:index-body")
    title = index_body.get_element("text:index-title")
    for child in index_body.children:
        if child.tag == "text:p":
            index_body.delete(child)
    title.get_element("text:p").set_attribute("text:style-name", "Contents_20_Heading")
    for entry in doc.contents:
        paragraph = Paragraph(style="Contents_20_1")
        paragraph.append(Link(f"#{entry.title}|outline", text=entry.title))
        index_body.append(paragraph)
    index_body.append(Paragraph(CONTENTS_PAGES_NOTE, style=CONTENTS_NOTE))


@dataclass(frozen=True)
class _Context:
    style: str
    real_headings: bool = True
    italic: bool = False
    heading_offset: int = 0
    quote_depth: int = 0


class _Writer:
    def __init__(self, document: Document) -> None:
        self.document = document
        self.body = document.body

    # Inline content ------------------------------------------------------------------
    def inline(self, parent: Element, nodes: list[Node | str], at_start: bool = True) -> bool:
        for node in nodes:
            if isinstance(node, str):
                text = collapse_whitespace(node)
                if at_start:
                    text = text.lstrip()
                if text:
                    parent.append(text)
                    at_start = False
            elif node.tag == "br":
                parent.append(LineBreak())
                at_start = True
            elif node.tag == "a" and node.attrs.get("href"):
                link = Link(node.attrs["href"], style="Internet_20_link")
                parent.append(link)
                at_start = self.inline(link, node.children, at_start)
            elif node.tag in INLINE_STYLES:
                span = Span(style=INLINE_STYLES[node.tag])
                parent.append(span)
                if node.tag == "code":
                    span.append(node.text())
                    at_start = False
                else:
                    at_start = self.inline(span, node.children, at_start)
            else:
                at_start = self.inline(parent, node.children, at_start)
        return at_start

    def line(self, paragraph: Paragraph, line: Line) -> Paragraph:
        for span in line:
            if span.href:
                paragraph.append(Link(span.href, text=span.text, style="Internet_20_link"))
            else:
                paragraph.append(span.text)
        return paragraph

    def paragraph(self, container: Element, style: str, text: str = "") -> Paragraph:
        paragraph = Paragraph(text or None, style=style)
        container.append(paragraph)
        return paragraph

    # Blocks ----------------------------------------------------------------------------
    def blocks(self, container: Element, nodes: list[Node | str], ctx: _Context) -> None:
        pending: list[Node | str] = []

        def flush() -> None:
            if pending and not all(isinstance(n, str) and not n.strip() for n in pending):
                self._inline_paragraph(container, pending, ctx)
            pending.clear()

        for node in nodes:
            if isinstance(node, str) or node.tag not in _BLOCKS:
                pending.append(node)
                continue
            flush()
            _BLOCKS[node.tag](self, container, node, ctx)
        flush()

    def _inline_paragraph(self, container: Element, nodes: list[Node | str],
                          ctx: _Context) -> None:
        paragraph = self.paragraph(container, ctx.style)
        if ctx.italic:
            span = Span(style="Emphasis")
            paragraph.append(span)
            self.inline(span, nodes)
        else:
            self.inline(paragraph, nodes)

    def _p(self, container: Element, node: Node, ctx: _Context) -> None:
        self._inline_paragraph(container, node.children, ctx)

    def _heading(self, container: Element, node: Node, ctx: _Context) -> None:
        if ctx.real_headings:
            level = max(1, min(int(node.tag[1]) + ctx.heading_offset, 6))
            heading = _header(level, None, f"Heading_20_{level}")
            container.append(heading)
            self.inline(heading, node.children)
        else:
            # A heading inside a quotation stays in it, bold, and out of the navigation.
            paragraph = self.paragraph(container, ctx.style)
            span = Span(style="Strong_20_Emphasis")
            paragraph.append(span)
            self.inline(span, node.children)

    def _blockquote(self, container: Element, node: Node, ctx: _Context) -> None:
        style = NESTED_QUOTE if ctx.style in (QUOTE, NESTED_QUOTE) else QUOTE
        self.blocks(container, node.children,
                    replace(ctx, style=style, real_headings=False,
                            quote_depth=ctx.quote_depth + 1))

    def _pre(self, container: Element, node: Node, ctx: _Context) -> None:
        paragraph = self.paragraph(container, ctx.style)
        for n, text in enumerate(node.text().rstrip("\n").split("\n")):
            if n:
                paragraph.append(LineBreak())
            paragraph.append(Span(text, style="Source_20_Text"))

    def _list(self, container: Element, node: Node, ctx: _Context) -> None:
        numbered = node.tag == "ol"
        if ctx.quote_depth:
            style = QUOTE_NUMBER_LIST if numbered else QUOTE_BULLET_LIST
        else:
            style = NUMBER_LIST if numbered else BULLET_LIST
        items = List(style=style)
        container.append(items)
        first = True
        for child in node.children:
            if isinstance(child, str) or child.tag != "li":
                continue
            item = ListItem()
            if first and numbered and node.attrs.get("start", "1") not in ("", "1"):
                item.set_attribute("text:start-value", str(int(node.attrs["start"])))
            first = False
            items.append(item)
            self.blocks(item, child.children, ctx)

    def _hr(self, container: Element, node: Node, ctx: _Context) -> None:
        self.paragraph(container, ctx.style, "* * *")

    def _table(self, container: Element, node: Node, ctx: _Context) -> None:
        rows, header_rows = table_rows(node)
        width = max((len(r) for r in rows), default=0)
        if not width:
            return
        table = Table(f"Table{len(self.body.get_tables()) + 1}")
        header = HeaderRows() if header_rows else None
        if header is not None:
            # The table's heading rows: read out with each cell, repeated on each page.
            table.append(header)
        for number, cells in enumerate(rows):
            row = Row()
            for cell_node in cells + [Node("td")] * (width - len(cells)):
                cell = Cell()
                paragraph = Paragraph(style="Standard")
                cell.append(paragraph)
                target: Element = paragraph
                if cell_node.tag == "th":
                    target = Span(style="Strong_20_Emphasis")
                    paragraph.append(target)
                self.inline(target, cell_node.children)
                row.append(cell)
            (header if header is not None and number < header_rows else table).append(row)
        container.append(table)

    def html(self, html: str | None, ctx: _Context) -> None:
        if html:
            ctx = replace(ctx, heading_offset=heading_offset(html, 2))
            self.blocks(self.body, parse_fragment(html).children, ctx)


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


def export(doc: GuideDocument) -> bytes:
    document = Document("text")
    document.body.clear()
    _styles(document, doc)
    _plain_outline(document)
    _strip_maker(document, doc)
    writer = _Writer(document)
    body = document.body

    writer.paragraph(body, "Title", doc.title)
    if doc.subtitle:
        writer.paragraph(body, "Subtitle", doc.subtitle)
    for text in (doc.publisher_line, doc.edition_line):
        if text:
            writer.paragraph(body, "Standard", text)
    if doc.online_line:
        writer.line(writer.paragraph(body, "Standard"), doc.online_line)

    contents = TOC(title=CONTENTS_TITLE, name="Contents", outline_level=1)
    body.append(contents)

    body_started = False

    def heading(title: str) -> None:
        nonlocal body_started
        # The body starts on a page of its own, after the contents.
        style = "Heading_20_1" if body_started else FIRST_HEADING
        body_started = True
        body.append(_header(1, title, style))

    if doc.introduction_html:
        heading(INTRODUCTION_TITLE)
        writer.html(doc.introduction_html, _Context("Standard"))
    for section in doc.sections:
        heading(section.title)
        writer.html(section.introduction_html, _Context("Standard"))
        for excerpt in section.excerpts:
            writer.html(excerpt.body_html, _Context(QUOTE, real_headings=False, quote_depth=1))
            if excerpt.credit_line:
                writer.line(writer.paragraph(body, CREDIT), excerpt.credit_line)
            if excerpt.editorial_note_html:
                label = writer.paragraph(body, NOTE)
                label.append(Span(NOTE_LABEL, style="Strong_20_Emphasis"))
                writer.html(excerpt.editorial_note_html,
                            _Context(NOTE, real_headings=False, italic=True))
    if doc.contributing_organisations:
        heading(ORGANISATIONS_TITLE)
        organisations = List(style=BULLET_LIST)
        for name in doc.contributing_organisations:
            item = ListItem()
            item.append(Paragraph(name, style="Standard"))
            organisations.append(item)
        body.append(organisations)
    for line in doc.closing_lines:
        writer.line(writer.paragraph(body, CLOSING), line)

    _contents(contents, doc)
    buffer = BytesIO()
    document.save(buffer)
    return reproducible_zip(buffer.getvalue())
