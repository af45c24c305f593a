"""The OpenDocument (ODT) file: the same words and the same house style as the Word file."""

from __future__ import annotations

import io
import re
import zipfile

import pytest

from forum.guides.document import CONTENTS_PAGES_NOTE
from forum.guides.export import export
from forum.guides.export.docx_template import FONT
from tests.unit.test_guide_docx_style import QUOTED_LIST
from tests.unit.test_guide_docx_style import TABLE
from tests.unit.test_guide_exports import sample_document

DOC = sample_document()


@pytest.fixture(scope="module")
def package() -> zipfile.ZipFile:
    return zipfile.ZipFile(io.BytesIO(export(DOC, "odt")))


def _part(package: zipfile.ZipFile, name: str) -> str:
    return package.read(name).decode("utf-8")


def test_it_is_an_odf_text_package(package: zipfile.ZipFile) -> None:
    assert package.namelist()[0] == "mimetype"
    assert package.read("mimetype") == b"application/vnd.oasis.opendocument.text"
    assert package.getinfo("mimetype").compress_type == zipfile.ZIP_STORED


def test_nothing_is_left_of_the_libraries_template(package: zipfile.ZipFile) -> None:
    assert not [n for n in package.namelist() if n.startswith(("Thumbnails", "Configurations2"))]
    manifest = _part(package, "META-INF/manifest.xml")
    assert "Thumbnails" not in manifest and "Configurations2" not in manifest
    meta = _part(package, "meta.xml")
    assert "LibreOffice/" not in meta and "MacOSX" not in meta


def test_metadata_names_the_guide_its_publisher_and_language(package: zipfile.ZipFile) -> None:
    meta = _part(package, "meta.xml")
    assert f"<dc:title>{DOC.title}</dc:title>" in meta
    assert "<meta:initial-creator>Northbridge set, Learning Sets</meta:initial-creator>" in meta
    assert "<dc:language>en-GB</dc:language>" in meta
    assert "Recruiting members; Running the sessions; Reporting back" in meta


def test_a4_en_gb_and_one_typeface(package: zipfile.ZipFile) -> None:
    styles = _part(package, "styles.xml")
    assert 'fo:page-width="21cm"' in styles and 'fo:page-height="29.7cm"' in styles
    assert 'fo:language="en" fo:country="GB"' in styles or (
        'fo:country="GB"' in styles and 'fo:language="en"' in styles)
    assert f'fo:font-family="{FONT}"' in styles
    assert 'fo:country="US"' not in styles
    # Every language the file names is British English (none left from the library's template).
    assert set(re.findall(r'fo:language="([^"]*)" fo:country="([^"]*)"', styles)) == {("en", "GB")}


def test_quotations_have_an_indent_and_a_rule_and_are_not_italic(
        package: zipfile.ZipFile) -> None:
    styles = _part(package, "styles.xml")
    quote = styles[styles.index('style:name="Quote"'):]
    quote = quote[:quote.index("</style:style>")]
    assert 'fo:margin-left="1cm"' in quote and "fo:border-left=" in quote
    assert 'fo:font-style="normal"' in quote


def test_lists_are_real_lists_numbered_from_their_start() -> None:
    content = _part(zipfile.ZipFile(io.BytesIO(export(QUOTED_LIST, "odt"))), "content.xml")
    assert content.count("<text:list ") == 3
    assert 'text:start-value="3"' in content
    assert ">1. wrote" not in content


def test_a_tables_heading_row_is_its_header_row() -> None:
    content = _part(zipfile.ZipFile(io.BytesIO(export(TABLE, "odt"))), "content.xml")
    header = content.split("<table:table-header-rows>", 1)[1].split("</table:table-header-rows>")[0]
    assert header.count("<table:table-row>") == 1
    assert "Council" in header and "Turnout" in header and "Northbridge" not in header


def test_the_footer_has_the_title_and_page_n_of_m(package: zipfile.ZipFile) -> None:
    styles = _part(package, "styles.xml")
    footer = styles[styles.index("<style:footer>"):styles.index("</style:footer>")]
    assert DOC.title in footer
    assert "<text:page-number" in footer and "<text:page-count" in footer


def test_contents_are_filled_in_and_link_to_their_headings(package: zipfile.ZipFile) -> None:
    content = _part(package, "content.xml")
    for entry in DOC.contents:
        assert f'xlink:href="#{entry.title}|outline">{entry.title}</text:a>' in content
    # As in the Word file, the index's last line says where page numbers come from; it is
    # inside the index body, so updating the index replaces it.
    index = content[content.index("<text:index-body>"):content.index("</text:index-body>")]
    assert index.count("<text:a ") == len(DOC.contents)
    assert index.rstrip().endswith(f"{CONTENTS_PAGES_NOTE}</text:p>")


def test_the_same_guide_makes_the_same_bytes() -> None:
    assert export(DOC, "odt") == export(DOC, "odt")


# LibreOffice opening the ODT and reading every item in order: test_guide_formats_agree.py.
