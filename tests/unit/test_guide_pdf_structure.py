"""The PDF's structure tree, read back with pypdf: what a screen reader gets, and the layout."""

from __future__ import annotations

import io
import re
from collections import Counter

import pypdf
import pytest

from forum.guides.export import export
from tests.guide_readers import assert_carries
from tests.guide_readers import expected_items
from tests.guide_readers import pdf_text
from tests.unit.test_guide_exports import sample_document

DOC = sample_document()


@pytest.fixture(scope="module")
def reader() -> pypdf.PdfReader:
    # One render (about a second) for the whole module: the machine is shared.
    return pypdf.PdfReader(io.BytesIO(export(DOC, "pdf")))


def _walk(node, found: list) -> None:
    node = node.get_object()
    if isinstance(node, pypdf.generic.DictionaryObject):
        if node.get("/Type") == "/OBJR":
            found.append(("OBJR", node["/Obj"].get_object()))
            return
        if "/S" in node:
            found.append((node["/S"][1:], node))
        kids = node.get("/K")
        if kids is not None:
            for kid in kids if isinstance(kids, pypdf.generic.ArrayObject) else [kids]:
                if not isinstance(kid, pypdf.generic.NumberObject):
                    _walk(kid, found)


@pytest.fixture(scope="module")
def structure(reader: pypdf.PdfReader) -> list:
    found: list = []
    _walk(reader.trailer["/Root"]["/StructTreeRoot"], found)
    return found


def _links(structure: list) -> list:
    """Each Link structure element's annotation."""
    links = []
    for kind, node in structure:
        if kind == "Link":
            annotations = [k.get_object() for k in node["/K"]
                           if not isinstance(k, pypdf.generic.NumberObject)
                           and k.get_object().get("/Type") == "/OBJR"]
            links += [a["/Obj"].get_object() for a in annotations]
    return links


def test_headings_quotes_and_lists_are_in_the_structure(structure: list) -> None:
    kinds = Counter(kind for kind, _ in structure)
    assert kinds["H1"] == 1
    assert kinds["H2"] == len(DOC.contents) + 1  # and the contents' own heading
    assert kinds["BlockQuote"] >= DOC.excerpt_count
    assert kinds["L"] >= 2 and kinds["LI"] >= len(DOC.contents)
    assert kinds["Caption"] == DOC.excerpt_count  # each credit line captions its quotation


def test_every_link_is_named_by_its_text_not_its_target(structure: list) -> None:
    names = [str(annotation.get("/Contents", "")) for annotation in _links(structure)]
    assert names, "no links in the structure"
    assert not [n for n in names if n.startswith("#") or not n.strip()]
    titles = [entry.title for entry in DOC.contents]
    start = names.index(titles[0])  # after the cover's link to the guide online
    assert names[start:start + len(titles)] == titles
    assert "Original post by Sam Patel, Northbridge Borough Council" in names


def test_the_contents_page_has_no_dots_of_text(reader: pypdf.PdfReader) -> None:
    contents = reader.pages[1].extract_text()
    assert contents.startswith("Contents")
    assert not re.search(r"\.{3,}|(\. ){3,}", contents)
    # The dotted leaders are drawn, and marked as artifacts.
    assert b"/Artifact" in reader.pages[1].get_contents().get_data()


def test_metadata_names_title_author_publisher_and_language(reader: pypdf.PdfReader) -> None:
    root = reader.trailer["/Root"]
    assert root["/Lang"] == "en-GB"
    assert root["/ViewerPreferences"]["/DisplayDocTitle"]
    info = reader.metadata
    assert info.title == DOC.title
    assert info.author == DOC.publisher
    # WeasyPrint writes <meta name=publisher> as a custom entry (its names are lower case).
    assert info["/publisher"] == DOC.publisher
    assert "/viewport" not in info


def test_one_font_family_footer_included(reader: pypdf.PdfReader) -> None:
    fonts = set()
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            fonts.add(str(font.get_object()["/BaseFont"]).split("+")[-1])
    # Liberation Sans (Arial's metric twin) and its mono sibling for code; nothing else.
    assert {f.split("-")[0] + "-" + f.split("-")[1] for f in fonts} <= {
        "Liberation-Sans", "Liberation-Mono"}


def _sizes(page: pypdf.PageObject) -> dict[str, float]:
    sizes: dict[str, float] = {}

    def visit(text: str, cm, tm, font, size) -> None:
        if text.strip():
            sizes.setdefault(text.strip(), size * abs(tm[0]) * abs(cm[0] or 1))

    page.extract_text(visitor_text=visit)
    return sizes


def test_quotations_are_no_larger_than_the_text(reader: pypdf.PdfReader) -> None:
    sizes = _sizes(reader.pages[2])
    body = next(v for k, v in sizes.items() if k.startswith("What councils learnt"))
    quote = next(v for k, v in sizes.items() if k.startswith("We wrote to"))
    assert quote <= body


def test_short_sections_share_pages(reader: pypdf.PdfReader) -> None:
    pages = [page.extract_text() for page in reader.pages]
    introduction = next(n for n, text in enumerate(pages) if text.startswith("Introduction"))
    assert DOC.sections[0].title in pages[introduction]
    organisations = next(n for n, text in enumerate(pages)
                         if "Contributing organisations" in text and n > 1)
    assert DOC.sections[-1].title in pages[organisations] or not pages[organisations].startswith(
        "Contributing organisations")


def test_the_pdf_carries_every_item_in_order(reader: pypdf.PdfReader) -> None:
    data = io.BytesIO()
    pypdf.PdfWriter(clone_from=reader).write(data)
    assert_carries(pdf_text(data.getvalue()), expected_items(DOC), "PDF read by pypdf")


def _marked_text(page: pypdf.PageObject) -> list[tuple[str, tuple]]:
    """Each piece of text on the page with the marked-content sequences it sits in, innermost
    last: ``("/Span", 12)`` for tagged content (its MCID), ``("/Artifact", "/Footer")``."""
    stack: list[tuple] = []
    found: list[tuple[str, tuple]] = []

    def before(operator: bytes, args: list, cm, tm) -> None:
        if operator in (b"BDC", b"BMC"):
            properties = args[1] if len(args) > 1 else {}
            properties = properties.get_object() if hasattr(properties, "get_object") else {}
            detail = properties.get("/MCID", properties.get("/Subtype"))
            stack.append((str(args[0]), detail if detail is None else (
                int(detail) if isinstance(detail, int) else str(detail))))
        elif operator == b"EMC":
            stack.pop()

    def text(value: str, cm, tm, font, size) -> None:
        if value.strip():
            found.append((value.strip(), tuple(stack)))

    page.extract_text(visitor_operand_before=before, visitor_text=text)
    return found


def test_the_footer_is_a_pagination_artifact_and_all_other_text_is_tagged(
        reader: pypdf.PdfReader) -> None:
    parent_tree = reader.trailer["/Root"]["/StructTreeRoot"]["/ParentTree"]["/Nums"]
    pages = len(reader.pages)
    for number, page in enumerate(reader.pages, start=1):
        pieces = _marked_text(page)
        footer = [(value, stack) for value, stack in pieces if value.startswith("Page ")]
        if number == 1:
            assert not footer, "the cover has no footer"
        else:
            # A screen reader skips artifacts: "Page 2 of 5" is not read on every page.
            assert footer == [(f"Page {number} of {pages}", (("/Artifact", "/Footer"),))]
        # Everything else is tagged content: an MCID that the page's parent tree maps
        # to a structure element (so nothing is read out of the structure).
        mapped = parent_tree[2 * (number - 1) + 1].get_object()
        for value, stack in pieces:
            if value.startswith("Page "):
                continue
            assert stack and stack[-1][0] != "/Artifact", value
            mcid = next((d for kind, d in reversed(stack) if isinstance(d, int)), None)
            assert mcid is not None and mcid < len(mapped), value
            assert mapped[mcid].get_object()["/P"] is not None, value
