"""The Word file in house style: the project's own template, A4, en-GB, real lists, a footer."""

from __future__ import annotations

import io
import re
import zipfile

import docx
import pytest
from docx.oxml.ns import qn

from forum.guides.document import CONTENTS_PAGES_NOTE
from forum.guides.document import Excerpt
from forum.guides.document import GuideDocument
from forum.guides.document import Section
from forum.guides.export import docx_template
from forum.guides.export import export
from forum.text import render_markdown
from tests.unit.test_guide_exports import sample_document

DOC = sample_document()
TABLE = GuideDocument(title="Turnout", publisher="Northbridge set, Learning Sets", sections=[
    Section(title="Figures", excerpts=[Excerpt(
        body_html=render_markdown("| Council | Turnout |\n|---|---|\n| Northbridge | 40% |\n"
                                  "| Eastmoor | 35% |"),
        credit="A participant")])])
QUOTED_LIST = GuideDocument(title="Lists", publisher="Northbridge set, Learning Sets", sections=[
    Section(title="Steps", excerpts=[Excerpt(
        body_html=render_markdown("We did it *this* way:\n\n1. wrote\n2. met\n\n"
                                  "Then:\n\n3. reported\n4. repeated\n\n- a bullet"),
        credit="A participant")])])


@pytest.fixture(scope="module")
def package() -> zipfile.ZipFile:
    return zipfile.ZipFile(io.BytesIO(export(DOC, "docx")))


@pytest.fixture(scope="module")
def document() -> docx.document.Document:
    return docx.Document(io.BytesIO(export(DOC, "docx")))


def test_the_committed_template_is_what_the_builder_makes() -> None:
    assert docx_template.TEMPLATE_PATH.read_bytes() == docx_template.build(), (
        "run: python -m forum.guides.export.docx_template")


def test_nothing_is_left_from_another_template(package: zipfile.ZipFile) -> None:
    names = package.namelist()
    assert not [n for n in names if n.startswith("customXml/")]  # no bibliography part
    assert not [n for n in names if "thumbnail" in n]
    assert "word/stylesWithEffects.xml" not in names
    app = package.read("docProps/app.xml").decode()
    assert "<Application>" not in app and "Microsoft" not in app
    styles = package.read("word/styles.xml").decode()
    assert "Calibri" not in styles and "Cambria" not in styles and "Times" not in styles


def test_the_page_is_a4_and_the_language_en_gb_throughout(
        package: zipfile.ZipFile, document: docx.document.Document) -> None:
    section = document.sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)
    styles = package.read("word/styles.xml").decode()
    defaults = styles[styles.index("<w:docDefaults>"):styles.index("</w:docDefaults>")]
    assert 'w:lang w:val="en-GB"' in defaults
    assert "en-US" not in styles and "en-US" not in package.read("word/settings.xml").decode()
    assert 'w:themeFontLang w:val="en-GB"' in package.read("word/settings.xml").decode()
    assert document.core_properties.language == "en-GB"


def test_one_sans_typeface_the_pdfs(package: zipfile.ZipFile) -> None:
    styles = package.read("word/styles.xml").decode()
    fonts = set(re.findall(r'w:ascii="([^"]+)"', styles))
    assert fonts == {docx_template.FONT, docx_template.MONO_FONT}  # code keeps a mono face


def test_core_properties_name_the_guide_and_its_publisher(
        document: docx.document.Document) -> None:
    properties = document.core_properties
    assert properties.title == DOC.title
    assert properties.author == "Northbridge set, Learning Sets"
    assert properties.keywords == "Recruiting members; Running the sessions; Reporting back"
    assert properties.last_modified_by in ("", None)


def test_quotations_are_indented_with_a_rule_and_keep_their_emphasis() -> None:
    document = docx.Document(io.BytesIO(export(QUOTED_LIST, "docx")))
    quote = document.styles["Quote"]
    assert quote.paragraph_format.left_indent > 0
    assert not quote.font.italic
    assert quote.element.pPr.find(qn("w:pBdr")).find(qn("w:left")) is not None
    first = next(p for p in document.paragraphs if p.text.startswith("We did it"))
    assert [r.text for r in first.runs if r.italic] == ["this"]


def test_lists_are_real_lists_numbered_from_their_start() -> None:
    document = docx.Document(io.BytesIO(export(QUOTED_LIST, "docx")))
    items = {p.text: p._p.pPr.numPr for p in document.paragraphs if p._p.pPr.numPr is not None}
    assert set(items) == {"wrote", "met", "reported", "repeated", "a bullet"}
    assert not [p.text for p in document.paragraphs if re.match(r"\d+\.", p.text)]
    ordered = {text: num.numId.val for text, num in items.items() if text != "a bullet"}
    assert ordered["wrote"] == ordered["met"] != ordered["reported"] == ordered["repeated"]
    numbering = document.part.numbering_part.element
    second = next(n for n in numbering.num_lst if n.numId == ordered["reported"])
    assert second.xpath("./w:lvlOverride/w:startOverride/@w:val") == ["3"]
    abstract = {n.numId: n.abstractNumId.val for n in numbering.num_lst}
    assert abstract[items["a bullet"].numId.val] != abstract[ordered["wrote"]]


def test_a_tables_heading_row_is_marked_as_its_header_row() -> None:
    # Word's accessibility checker asks for it: a screen reader then reads each cell with its
    # column's heading, and the row repeats on each page the table runs onto.
    document = docx.Document(io.BytesIO(export(TABLE, "docx")))
    (table,) = document.tables
    headers = [[cell.text for cell in row.cells] for row in table.rows
               if row._tr.trPr is not None and row._tr.trPr.find(qn("w:tblHeader")) is not None]
    assert headers == [["Council", "Turnout"]]


def test_every_page_after_the_cover_has_the_title_and_page_n_of_m(
        package: zipfile.ZipFile, document: docx.document.Document) -> None:
    footer = package.read("word/footer1.xml").decode()
    assert DOC.title in footer and " PAGE " in footer and " NUMPAGES " in footer
    assert docx_template.FOOTER_TITLE not in footer
    assert document.sections[0].different_first_page_header_footer  # the cover has none


def test_the_contents_field_asks_word_to_add_page_numbers(package: zipfile.ZipFile) -> None:
    body = package.read("word/document.xml").decode()
    assert 'w:fldCharType="begin" w:dirty="true"' in body
    assert '<w:updateFields w:val="true"/>' in package.read("word/settings.xml").decode()


def test_the_contents_are_filled_in_with_links_and_say_where_page_numbers_come_from(
        document: docx.document.Document) -> None:
    """Without a word processor at hand the pages are unknown: the field's result lists every
    heading (linked to its bookmark) and, last, says page numbers come when it is updated."""
    body = document.element.body
    begin = body.xpath('.//w:fldChar[@w:fldCharType="begin"]')[0].getparent().getparent()
    paragraphs = list(body.iterchildren(qn("w:p")))
    start = paragraphs.index(begin)
    field: list = []
    for paragraph in paragraphs[start:]:
        field.append(paragraph)
        if paragraph.xpath('.//w:fldChar[@w:fldCharType="end"]'):
            break
    assert "".join(begin.xpath(".//w:instrText/text()")).split()[0] == "TOC"
    entries = [("".join(p.xpath(".//w:hyperlink//w:t/text()")), p.xpath(".//w:hyperlink/@w:anchor"))
               for p in field[:-1]]
    bookmarks = set(body.xpath(".//w:bookmarkStart/@w:name"))
    assert [title for title, _ in entries] == [entry.title for entry in DOC.contents]
    assert all(len(anchor) == 1 and anchor[0] in bookmarks for _, anchor in entries)
    note = docx.text.paragraph.Paragraph(field[-1], document)
    assert note.text == CONTENTS_PAGES_NOTE  # inside the field: updating it replaces the line


def test_the_same_guide_makes_the_same_bytes() -> None:
    assert export(DOC, "docx") == export(DOC, "docx")
