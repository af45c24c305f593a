"""One skeleton: every format prints the same words, item by item, from the document model."""

from __future__ import annotations

import io
from pathlib import Path

import docx
import pytest

from forum.guides.document import CONTENTS_PAGES_NOTE
from forum.guides.document import CONTENTS_TITLE
from forum.guides.document import DEFAULT_LICENCE
from forum.guides.document import LICENCES
from forum.guides.export import FORMATS
from forum.guides.export import export
from tests.guide_readers import SOFFICE
from tests.guide_readers import SOFFICE_MISSING
from tests.guide_readers import assert_carries
from tests.guide_readers import expected_items
from tests.guide_readers import format_text
from tests.guide_readers import squash
from tests.unit.test_guide_exports import sample_document

DOC = sample_document()


def _docx_paragraphs(data: bytes) -> str:
    return "\n".join(p.text for p in docx.Document(io.BytesIO(data)).paragraphs)


@pytest.mark.parametrize("format_name", sorted(FORMATS))
def test_every_format_carries_the_same_items_in_the_same_order(format_name: str,
                                                               tmp_path: Path) -> None:
    """Each file read back by another program (LibreOffice for DOCX and ODT, pypdf for PDF,
    markdown-it for Markdown) holds the model's items in order."""
    if format_name in ("docx", "odt") and SOFFICE is None:
        pytest.skip(SOFFICE_MISSING)
    text = format_text(format_name, export(DOC, format_name), tmp_path)
    assert_carries(text, expected_items(DOC), format_name)
    if format_name in ("docx", "odt"):
        # The editable files cannot know their page numbers; both say so the same way, as the
        # contents' last line, before the first heading.
        assert_carries(text, [CONTENTS_TITLE, *(e.title for e in DOC.contents),
                              CONTENTS_PAGES_NOTE, DOC.contents[0].title], format_name)
    else:
        assert squash(CONTENTS_PAGES_NOTE) not in squash(text)


def test_the_docx_paragraphs_carry_the_items_too() -> None:
    """Without LibreOffice: python-docx reads the Word file's paragraphs."""
    assert_carries(_docx_paragraphs(export(DOC, "docx")), expected_items(DOC), "docx")


def test_the_skeleton_holds_publisher_licence_and_closing_line() -> None:
    items = expected_items(DOC)
    assert "Published by Northbridge set, Learning Sets" in items
    assert items[-3:] == [
        "Telling the story of an assembly. Version 2, published 14 March 2026.",
        "The latest version is online at https://forum.example.org/guides/telling-the-story",
        f"You may reuse this guide under the {LICENCES[DEFAULT_LICENCE].name}."]


def test_a_credit_line_is_worded_once() -> None:
    trimmed = DOC.sections[0].excerpts[1]
    assert [span.text for span in trimmed.credit_line] == [
        "— Westvale County Council, 2 February 2025 (trimmed) · ", "Original post"]
    assert trimmed.credit_line[1].href == trimmed.source_url
    assert trimmed.credit_line[1].described_as == "Original post by Westvale County Council"


def test_links_to_the_site_become_absolute_only_for_files() -> None:
    from dataclasses import replace

    doc = replace(DOC, url="/guides/telling-the-story/")
    doc = doc.with_base_url("https://learning.example.gov.uk/")
    assert doc.url == "https://learning.example.gov.uk/guides/telling-the-story/"
    # Addresses that are already absolute (versions frozen before) stay as they were.
    assert doc.sections[0].excerpts[0].source_url == "https://forum.example.org/posts/100"
