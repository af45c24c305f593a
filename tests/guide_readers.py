"""Read a guide file back with a reader other than the one that wrote it, and compare.

:func:`expected_items` lists the visible text a guide must carry, item by item, in reading
order, from the document model; :func:`assert_carries` checks that a format's text holds every
item in that order. Whitespace is ignored (line breaks, justification and page layout differ
from format to format), and so is anything between items (list markers, page numbers in the
contents, footers).
"""

from __future__ import annotations

import io
import re
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

from forum.guides.document import CONTENTS_TITLE
from forum.guides.document import INTRODUCTION_TITLE
from forum.guides.document import NOTE_LABEL
from forum.guides.document import ORGANISATIONS_TITLE
from forum.guides.document import GuideDocument
from forum.guides.document import line_text
from forum.guides.export import BLOCK_TAGS
from forum.guides.export import Node
from forum.guides.export import parse_fragment

SOFFICE = shutil.which("soffice")
SOFFICE_MISSING = ("LibreOffice is not installed (apt-get install --no-install-recommends "
                   "libreoffice-writer-nogui): the file is not opened in a word processor")


def _blocks(node: Node, out: list[str], buffer: list[str]) -> None:
    for child in node.children:
        if isinstance(child, str):
            buffer.append(child)
        elif child.tag in BLOCK_TAGS or child.tag == "br":
            _flush(out, buffer)
            _blocks(child, out, buffer)
            _flush(out, buffer)
        else:
            _blocks(child, out, buffer)


def _flush(out: list[str], buffer: list[str]) -> None:
    text = " ".join("".join(buffer).split())
    if text:
        out.append(text)
    buffer.clear()


def html_items(html: str | None) -> list[str]:
    """The texts of an HTML fragment's blocks, in order."""
    out: list[str] = []
    buffer: list[str] = []
    _blocks(parse_fragment(html or ""), out, buffer)
    _flush(out, buffer)
    return out


def expected_items(doc: GuideDocument) -> list[str]:
    """Everything a reader sees in the guide, in reading order."""
    items = [doc.title, doc.subtitle, doc.publisher_line, doc.edition_line,
             line_text(doc.online_line), CONTENTS_TITLE,
             *(entry.title for entry in doc.contents)]
    if doc.introduction_html:
        items += [INTRODUCTION_TITLE, *html_items(doc.introduction_html)]
    for section in doc.sections:
        items += [section.title, *html_items(section.introduction_html)]
        for excerpt in section.excerpts:
            items += [*html_items(excerpt.body_html), line_text(excerpt.credit_line)]
            if excerpt.editorial_note_html:
                items += [NOTE_LABEL, *html_items(excerpt.editorial_note_html)]
    if doc.contributing_organisations:
        items += [ORGANISATIONS_TITLE, *doc.contributing_organisations]
    items += [line_text(line) for line in doc.closing_lines]
    return [item for item in items if item]


_SPACE = re.compile(r"\s+")


def squash(text: str) -> str:
    return _SPACE.sub("", text)


def assert_carries(text: str, items: list[str], what: str) -> None:
    """``text`` holds every item, in order (whitespace ignored)."""
    haystack = squash(text)
    position = 0
    for number, item in enumerate(items):
        found = haystack.find(squash(item), position)
        assert found >= 0, (
            f"{what}: item {number} of {len(items)} missing or out of order: {item!r}; "
            f"text from there: {haystack[position:position + 200]!r}")
        position = found + len(squash(item))


class _Text(HTMLParser):
    """The visible text of an HTML page (no head, no style)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.skip = 0
        self.parts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in {"head", "style", "script", "title"}:
            self.skip += 1
        elif tag in BLOCK_TAGS or tag in {"br", "div", "figcaption", "footer", "header"}:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in {"head", "style", "script", "title"}:
            self.skip -= 1

    def handle_data(self, data: str) -> None:
        if not self.skip:
            self.parts.append(data)


def html_text(html: str) -> str:
    reader = _Text()
    reader.feed(html)
    reader.close()
    return "".join(reader.parts)


def markdown_text(markdown: str) -> str:
    """What a Markdown reader shows: render it with markdown-it, then take the text."""
    from markdown_it import MarkdownIt

    renderer = MarkdownIt("commonmark").enable(["table", "strikethrough"])
    return html_text(renderer.render(markdown))


def pdf_text(data: bytes) -> str:
    import pypdf

    return "\n".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(data)).pages)


def libreoffice_text(data: bytes, suffix: str, tmp_path: Path) -> str:
    """Open the file in LibreOffice Writer and save it as plain text."""
    assert SOFFICE is not None
    source = tmp_path / f"guide.{suffix}"
    source.write_bytes(data)
    # A profile of its own: parallel runs sharing one can silently skip a file and exit 0.
    profile = (tmp_path / "profile").as_uri()
    subprocess.run(
        [SOFFICE, "--headless", "--norestore", f"-env:UserInstallation={profile}",
         "--convert-to", "txt:Text (encoded):UTF8", "--outdir", str(tmp_path / "out"),
         str(source)], check=True, capture_output=True, timeout=180)
    converted = tmp_path / "out" / "guide.txt"
    assert converted.exists(), f"LibreOffice did not open the {suffix.upper()} file"
    return converted.read_text(encoding="utf-8-sig")


def format_text(format_name: str, data: bytes, tmp_path: Path | None = None) -> str:
    """The text of an exported file, read by a reader other than its writer."""
    if format_name == "html":
        return html_text(data.decode("utf-8"))
    if format_name == "markdown":
        return markdown_text(data.decode("utf-8"))
    if format_name == "pdf":
        return pdf_text(data)
    assert tmp_path is not None, "DOCX and ODT are read by LibreOffice, in a folder"
    return libreoffice_text(data, {"docx": "docx", "odt": "odt"}[format_name], tmp_path)
