"""Guide exports: every format says what the document model holds, and only that."""

from __future__ import annotations

import html
import io
import re
import zipfile
from dataclasses import dataclass
from datetime import date
from html.parser import HTMLParser

import docx
import pypdf
import pytest
from hypothesis import given
from hypothesis import strategies as st
from markdown_it import MarkdownIt

from forum.guides.document import Excerpt
from forum.guides.document import GuideDocument
from forum.guides.document import Section
from forum.guides.document import slugify
from forum.guides.export import FORMATS
from forum.guides.export import export
from forum.guides.export import html as html_export
from forum.guides.export import markdown as markdown_export
from forum.text import plain_text
from forum.text import render_markdown

GUIDE_URL = "https://forum.example.org/guides/telling-the-story"
# Wrote an anonymous post: the model only ever holds "A participant", so no export may say it.
HIDDEN_AUTHOR = "Quentin Hushwood"
HIDDEN_COUNCIL = "Eastmere District Council"


@dataclass
class SourcePost:
    """What the curation layer will have: more than a guide may show."""

    author: str
    organisation: str
    credit_as: str  # "person", "organisation" or "anonymous"
    markdown: str


def resolve_credit(post: SourcePost) -> str:
    if post.credit_as == "person":
        return f"{post.author}, {post.organisation}"
    if post.credit_as == "organisation":
        return post.organisation
    return "A participant"


_SENTENCES = [
    "We recruited forty residents by sending invitations to ten thousand households.",
    "Stratified sampling kept the panel close to the census on age and tenure.",
    "Members asked for more time with the expert witnesses on flood risk.",
    "Our facilitators kept a parking board for questions we could not answer on the day.",
    "Translating the evidence packs took longer than we planned, so start early.",
    "The council agreed to respond to every recommendation within three months.",
    "Paying for childcare and travel made the biggest difference to who could attend.",
    "A short film of the final weekend reached more people than the written report.",
]

_SOURCES = [
    SourcePost("Sam Patel", "Northbridge Borough Council", "person",
               "We wrote to **10,000** households.\n\n## What we would change\n\n"
               "- start earlier\n- pay for childcare\n\nSee [the recruitment plan]"
               "(https://northbridge.example.gov.uk/plan)."),
    SourcePost("Ade Okafor", "Westvale County Council", "organisation",
               "The panel met *six* times; the `sortition` script is on our site."),
    SourcePost(HIDDEN_AUTHOR, HIDDEN_COUNCIL, "anonymous",
               "Some members felt the timetable was rushed.\n\n> Could we have had one more "
               "weekend?\n\nWe think so."),
]


def sample_document(n_excerpts: int = 7, n_sections: int = 3,
                    words_per_excerpt: int | None = None) -> GuideDocument:
    """A guide with every kind of credit, a trimmed excerpt, an editorial note and links.

    With ``words_per_excerpt`` the bodies are generated prose of about that length (the bench
    uses ~65 words, ~400 characters, every other one in two paragraphs); otherwise they
    cycle through :data:`_SOURCES`.
    """
    sections = []
    n = 0  # excerpts so far, across sections
    for s in range(n_sections):
        excerpts = []
        for _ in range(n_excerpts // n_sections + (1 if s < n_excerpts % n_sections else 0)):
            source = _SOURCES[n % len(_SOURCES)]
            body = source.markdown
            if words_per_excerpt:
                words = " ".join(_SENTENCES[(n + i) % len(_SENTENCES)]
                                 for i in range(words_per_excerpt // 8 + 1)).split()
                words[0] = f"**{words[0]}**"  # some formatting to convert, as in real posts
                words = words[:words_per_excerpt]
                if n % 2:  # every other excerpt has two paragraphs, as real posts do
                    words[len(words) // 2] += "\n\n"
                body = " ".join(words)
            excerpts.append(Excerpt(
                body_html=render_markdown(body),
                credit=resolve_credit(source),
                source_url=f"https://forum.example.org/posts/{100 + n}",
                trimmed=n == 1,
                editorial_note_html=(render_markdown("Figures are from the *2024* evaluation.")
                                     if n % 4 == 2 else None),
                posted_on=date(2025, 1 + n % 12, 1 + n % 28),
            ))
            n += 1
        sections.append(Section(
            title=["Recruiting members", "Running the sessions",
                   "Reporting back"][s % 3] + ("" if s < 3 else f" ({s // 3 + 1})"),
            introduction_html=render_markdown(f"What councils learnt, part {s + 1}."),
            excerpts=excerpts,
        ))
    return GuideDocument(
        title="Telling the story of an assembly",
        subtitle="What councils learnt from running citizens’ assemblies",
        introduction_html=render_markdown("This guide collects **approved** posts from the set."),
        version=2,
        published_on=date(2026, 3, 14),
        url=GUIDE_URL,
        sections=sections,
        contributing_organisations=["Northbridge Borough Council", "Westvale County Council"],
        publisher="Northbridge set, Learning Sets",
        licence="cc-by-4.0",
    )


DOC = sample_document()
CREDITS = ["Sam Patel, Northbridge Borough Council", "Westvale County Council", "A participant"]
SECTION_TITLES = [s.title for s in DOC.sections]


@pytest.fixture(scope="module")
def pdf_bytes() -> bytes:
    # WeasyPrint is a core dependency, so these tests run everywhere; render once (≈1 s).
    return export(DOC, "pdf")


@pytest.fixture(scope="module")
def docx_document() -> docx.document.Document:
    return docx.Document(io.BytesIO(export(DOC, "docx")))


def text_of(format_name: str, data: bytes) -> str:
    if format_name == "pdf":
        return "\n".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(data)).pages)
    if format_name == "docx":
        document = docx.Document(io.BytesIO(data))
        return "\n".join(p.text for p in document.paragraphs)
    if format_name == "odt":
        return odt_text(data)
    return data.decode("utf-8")


def odt_text(data: bytes) -> str:
    """The text of an ODT's body, with its spaces (``<text:s/>``) and line ends kept."""
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        xml = package.read("content.xml").decode("utf-8")
    xml = re.sub(r'<text:s text:c="(\d+)"/>', lambda m: " " * int(m.group(1)), xml)
    xml = xml.replace("<text:s/>", " ").replace("<text:tab/>", "\t")
    xml = re.sub(r"<text:line-break/>|</text:p>|</text:h>", "\n", xml)
    return html.unescape(re.sub(r"<[^>]+>", "", xml))


# --- The model ---------------------------------------------------------------------------

def test_sections_get_unique_anchors_that_avoid_the_guide_s_own_ids() -> None:
    doc = GuideDocument(title="T", sections=[
        Section(title="Contents"), Section(title="Recruiting & pay"),
        Section(title="Recruiting: pay"), Section(title="¿¿¿")])
    assert [s.anchor for s in doc.sections] == [
        "contents-2", "recruiting-pay", "recruiting-pay-2", "section"]


def test_slug_is_ascii_lower_case() -> None:
    assert slugify("Café Société 2025") == "cafe-societe-2025"


# --- Every format ------------------------------------------------------------------------

@pytest.fixture(scope="module", params=sorted(FORMATS))
def exported(request: pytest.FixtureRequest) -> tuple[str, str]:
    name = request.param
    return name, text_of(name, export(DOC, name))


def test_every_format_carries_every_section_and_credit(exported: tuple[str, str]) -> None:
    _, text = exported
    for expected in [DOC.title, *SECTION_TITLES, *CREDITS, "(trimmed)",
                     "Northbridge Borough Council", "Westvale County Council"]:
        assert expected in text


def test_no_format_reveals_what_the_model_does_not_hold(exported: tuple[str, str]) -> None:
    _, text = exported
    assert HIDDEN_AUTHOR not in text
    assert HIDDEN_COUNCIL not in text


# --- HTML --------------------------------------------------------------------------------

class _HtmlReader(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.elements: list[tuple[str, dict[str, str], list[str]]] = []
        self.text: dict[int, list[str]] = {}
        self.open: list[int] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.append((tag, {k: v or "" for k, v in attrs}, list(self.stack)))
        if tag not in {"meta", "br", "hr", "link", "img", "input"}:
            self.stack.append(tag)
            self.open.append(len(self.elements) - 1)

    def handle_endtag(self, tag: str) -> None:
        assert self.stack and self.stack[-1] == tag, f"</{tag}> closes <{self.stack[-1:]}>"
        self.stack.pop()
        self.open.pop()

    def handle_data(self, data: str) -> None:
        for index in self.open:
            self.text.setdefault(index, []).append(data)

    def find(self, tag: str, **attrs: str) -> list[tuple[dict[str, str], str, list[str]]]:
        return [(a, " ".join("".join(self.text.get(i, [])).split()), parents)
                for i, (t, a, parents) in enumerate(self.elements)
                if t == tag and all(a.get(k) == v for k, v in attrs.items())]


@pytest.fixture(scope="module")
def html_page() -> _HtmlReader:
    reader = _HtmlReader()
    reader.feed(html_export.export(DOC))
    reader.close()
    assert reader.stack == []
    return reader


def test_html_is_a_titled_english_page_with_one_h1(html_page: _HtmlReader) -> None:
    assert html_page.find("html")[0][0]["lang"] == "en-GB"
    assert html_page.find("title")[0][1] == DOC.title
    assert [text for _, text, _ in html_page.find("h1")] == [DOC.title]


def test_html_has_a_section_heading_per_section(html_page: _HtmlReader) -> None:
    headings = [text for _, text, parents in html_page.find("h2") if "main" in parents]
    assert headings == ["Introduction", *SECTION_TITLES, "Contributing organisations"]


def test_html_contents_links_all_lead_somewhere(html_page: _HtmlReader) -> None:
    ids = {attrs["id"] for _, attrs, _ in html_page.elements if "id" in attrs}
    links = [attrs["href"] for attrs, _, parents in html_page.find("a") if "nav" in parents]
    assert len(links) == len(SECTION_TITLES) + 2
    assert all(link.startswith("#") and link[1:] in ids for link in links)


def test_html_shows_excerpts_as_quotations_with_credits(html_page: _HtmlReader) -> None:
    first = DOC.sections[0].excerpts[0]
    assert len(html_page.find("blockquote", cite=first.source_url or "")) == 1
    captions = [text for _, text, _ in html_page.find("figcaption")]
    assert len(captions) == DOC.excerpt_count
    assert captions[0] == ("— Sam Patel, Northbridge Borough Council, 1 January 2025 "
                           "· Original post")
    assert sum("(trimmed)" in c for c in captions) == 1
    assert "(trimmed)" in captions[1]


def test_html_keeps_editorial_notes_apart_from_the_quotation(html_page: _HtmlReader) -> None:
    notes = html_page.find("div", **{"class": "editorial-note"})
    assert len(notes) == sum(1 for s in DOC.sections for e in s.excerpts
                             if e.editorial_note_html)
    assert all("blockquote" not in parents for _, _, parents in notes)
    assert "Figures are from the 2024 evaluation." in notes[0][1]


def test_html_headings_inside_excerpts_sit_below_section_headings(html_page: _HtmlReader) -> None:
    assert not [h for h in html_page.find("h2") if "blockquote" in h[2]]
    # The post's highest heading (its author's "##", an h3 on the forum) sits right below.
    assert "What we would change" in [text for _, text, _ in html_page.find("h3")]


@pytest.mark.parametrize(("fragment", "expected"), [
    ("<h2>A</h2><h3>B</h3>", "<h3>A</h3><h4>B</h4>"),
    ("<h4>A</h4><h6>B</h6>", "<h3>A</h3><h5>B</h5>"),
    ("<h3>A</h3>", "<h3>A</h3>"),
    ("<p>no heading</p>", "<p>no heading</p>"),
])
def test_headings_in_posts_sit_just_below_the_section(fragment: str, expected: str) -> None:
    assert html_export.place_headings(fragment) == expected


def test_html_makes_no_requests(html_page: _HtmlReader) -> None:
    assert not html_page.find("link") and not html_page.find("script") and not html_page.find("img")
    assert not [a for _, a, _ in html_page.elements if "src" in a]
    styles = " ".join(text for _, text, _ in html_page.find("style"))
    assert "url(" not in styles and "@import" not in styles


def test_html_links_to_the_online_guide_and_lists_organisations(html_page: _HtmlReader) -> None:
    assert GUIDE_URL in [a["href"] for a, _, _ in html_page.find("a")]
    assert [text for _, text, parents in html_page.find("li") if "section" in parents
            and "blockquote" not in parents][-2:] == list(DOC.contributing_organisations)


def test_html_escapes_text_from_the_model() -> None:
    doc = GuideDocument(title="Q&A <b>live</b>", sections=[
        Section(title="<script>alert(1)</script>",
                excerpts=[Excerpt(body_html="<p>ok</p>", credit="<i>Ann</i>")])])
    reader = _HtmlReader()
    reader.feed(html_export.export(doc))
    assert reader.find("h1")[0][1] == "Q&A <b>live</b>"
    assert not reader.find("b") and not reader.find("i") and not reader.find("script")


# --- Markdown ----------------------------------------------------------------------------

@pytest.fixture(scope="module")
def markdown_text() -> str:
    return markdown_export.export(DOC)


_commonmark = MarkdownIt("commonmark").enable(["table", "strikethrough"])


def test_markdown_has_headings_and_a_contents_list(markdown_text: str) -> None:
    lines = markdown_text.splitlines()
    assert lines[0] == f"# {DOC.title}"
    assert [line[3:] for line in lines if line.startswith("## ")] == [
        "Contents", "Introduction", *SECTION_TITLES, "Contributing organisations"]
    assert "2. [Recruiting members](#recruiting-members)" in lines


def test_markdown_quotes_excerpts_and_credits_them(markdown_text: str) -> None:
    lines = markdown_text.splitlines()
    assert "> We wrote to **10,000** households." in lines
    assert "> > Could we have had one more weekend?" in lines
    assert "> ### What we would change" in lines
    credits = [line for line in lines if line.startswith("— ")]
    assert len(credits) == DOC.excerpt_count
    assert credits[2] == ("— A participant, 3 March 2025 · "
                          "[Original post](https://forum.example.org/posts/102)")
    assert credits[1].startswith("— Westvale County Council, 2 February 2025 (trimmed)")


def test_markdown_puts_editorial_notes_in_italics(markdown_text: str) -> None:
    assert "*Figures are from the 2024 evaluation.*" in markdown_text.splitlines()


def test_markdown_renders_back_to_the_same_structure(markdown_text: str) -> None:
    rendered = _commonmark.render(markdown_text)
    assert rendered.count("<h2>") == len(SECTION_TITLES) + 3
    # One quotation per excerpt, plus the nested quotation inside the anonymous post.
    assert rendered.count("<blockquote>") == DOC.excerpt_count + 2
    assert '<a href="https://northbridge.example.gov.uk/plan">' in rendered
    assert "<li>Westvale County Council</li>" in rendered


@given(st.text(st.characters(codec="utf-8", exclude_categories=["Cc", "Cs"]), max_size=40))
def test_markdown_shows_any_text_literally(text: str) -> None:
    from markupsafe import escape

    markdown = markdown_export.html_to_markdown(f"<p>{escape(text)}</p>")
    shown = plain_text(_commonmark.render(markdown))
    assert " ".join(shown.split()) == " ".join(text.split())


# --- PDF ---------------------------------------------------------------------------------

def test_pdf_is_tagged_a4_with_a_title(pdf_bytes: bytes) -> None:
    reader = pypdf.PdfReader(io.BytesIO(pdf_bytes))
    root = reader.trailer["/Root"]
    assert bool(root["/MarkInfo"]["/Marked"])
    assert root["/Lang"] == "en-GB"
    assert "/StructTreeRoot" in root
    assert reader.metadata.title == DOC.title
    width, height = (float(v) for v in reader.pages[0].mediabox.upper_right)
    assert (round(width * 25.4 / 72), round(height * 25.4 / 72)) == (210, 297)


def test_pdf_starts_with_a_cover_page(pdf_bytes: bytes) -> None:
    cover = pypdf.PdfReader(io.BytesIO(pdf_bytes)).pages[0].extract_text()
    for expected in [DOC.title, DOC.subtitle, "Version 2, published 14 March 2026", GUIDE_URL]:
        assert expected in cover
    assert "Page 1" not in cover


def test_pdf_contents_gives_the_page_each_section_starts_on(pdf_bytes: bytes) -> None:
    pages = [p.extract_text() for p in pypdf.PdfReader(io.BytesIO(pdf_bytes)).pages]
    contents = pages[1]
    assert contents.startswith("Contents")
    for title in SECTION_TITLES:
        match = re.search(re.escape(title) + r"[ .]*?(\d+)\s*$", contents, re.MULTILINE)
        assert match, title
        # Each section starts a page, except the first, which shares one with the short
        # introduction.
        page = pages[int(match[1]) - 1]
        assert page.startswith(title) or (title == SECTION_TITLES[0] and title in page)


def test_pdf_pages_are_numbered_in_the_footer(pdf_bytes: bytes) -> None:
    pages = [p.extract_text() for p in pypdf.PdfReader(io.BytesIO(pdf_bytes)).pages]
    assert [f"Page {n} of {len(pages)}" in text for n, text in enumerate(pages, start=1)] == [
        False] + [True] * (len(pages) - 1)


def test_pdf_has_a_bookmark_per_section(pdf_bytes: bytes) -> None:
    outline = pypdf.PdfReader(io.BytesIO(pdf_bytes)).outline
    assert outline[0].title == DOC.title
    assert [item.title for item in outline[1]] == [
        "Contents", "Introduction", *SECTION_TITLES, "Contributing organisations"]


def test_pdf_links_to_the_online_guide_and_the_original_posts(pdf_bytes: bytes) -> None:
    uris = {annotation.get_object()["/A"]["/URI"]
            for page in pypdf.PdfReader(io.BytesIO(pdf_bytes)).pages
            for annotation in page.get("/Annots", [])
            if "/URI" in annotation.get_object().get("/A", {})}
    assert GUIDE_URL in uris
    assert {e.source_url for s in DOC.sections for e in s.excerpts} <= uris


@pytest.mark.parametrize(("html", "expected"), [
    ("<p>a</p>\n<ul>\n<li><em>b</em> <strong>c</strong></li>\n</ul>",
     "<p>a</p><ul><li><em>b</em> <strong>c</strong></li></ul>"),
    # Sanitised code is escaped, so its text never holds a literal tag.
    ("<pre><code>x &gt;\n  &lt;p&gt; y\n</code></pre>",
     "<pre><code>x &gt;\n  &lt;p&gt; y\n</code></pre>"),
    ("<a>x</a> <b>y</b>\n", "<a>x</a> <b>y</b>\n"),
])
def test_pdf_markup_loses_only_whitespace_between_blocks(html: str, expected: str) -> None:
    from forum.guides.export.pdf import compact

    assert compact(html) == expected


def test_a_one_paragraph_excerpt_is_quoted_without_its_paragraph() -> None:
    assert html_export.quotation_html("<p>One <em>idea</em>.</p>\n") == "One <em>idea</em>."
    two = "<p>One.</p>\n<p>Two.</p>"
    assert html_export.quotation_html(two) == two


def test_pdf_export_refuses_to_fetch_anything() -> None:
    from forum.guides.export.pdf import ExternalResourceRefused
    from forum.guides.export.pdf import refuse_fetch

    with pytest.raises(ExternalResourceRefused):
        refuse_fetch("https://tracker.example/pixel.png")


# --- DOCX --------------------------------------------------------------------------------

def _styled(document: docx.document.Document, style: str) -> list[str]:
    return [p.text for p in document.paragraphs if p.style.name == style]


def test_docx_uses_title_and_heading_styles(docx_document: docx.document.Document) -> None:
    assert _styled(docx_document, "Title") == [DOC.title]
    assert _styled(docx_document, "Subtitle") == [DOC.subtitle]
    assert _styled(docx_document, "Heading 1") == [
        "Introduction", *SECTION_TITLES, "Contributing organisations"]
    assert docx_document.core_properties.title == DOC.title


def test_docx_has_a_contents_field_listing_the_sections(
        docx_document: docx.document.Document) -> None:
    body = docx_document.element.body.xml
    assert 'TOC \\o "1-2"' in body
    assert _styled(docx_document, "TOC Heading") == ["Contents"]
    # Filled in when the file is made, each entry a link to its heading's bookmark.
    assert _styled(docx_document, "toc 1") == [
        "Introduction", *SECTION_TITLES, "Contributing organisations"]
    anchors = re.findall(r'w:anchor="([^"]+)"', body)
    bookmarks = re.findall(r'w:bookmarkStart w:id="\d+" w:name="([^"]+)"', body)
    assert anchors == bookmarks and len(anchors) == len(SECTION_TITLES) + 2


def test_docx_quotes_excerpts_and_credits_them(docx_document: docx.document.Document) -> None:
    quotes = _styled(docx_document, "Quote")
    assert "We wrote to 10,000 households." in quotes
    assert "Could we have had one more weekend?" in quotes
    assert "What we would change" in quotes  # a heading inside a quote stays a quote
    assert "start earlier" in quotes  # a real list item (see the numbering test)
    credits = _styled(docx_document, "Guide Credit")
    assert len(credits) == DOC.excerpt_count
    assert credits[1] == ("— Westvale County Council, 2 February 2025 (trimmed) · "
                          "Original post")


def test_docx_formats_runs_from_the_excerpt_html(docx_document: docx.document.Document) -> None:
    paragraph = next(p for p in docx_document.paragraphs
                     if p.text == "We wrote to 10,000 households.")
    assert [r.text for r in paragraph.runs if r.bold] == ["10,000"]
    links = {h.address: h.text for p in docx_document.paragraphs for h in p.hyperlinks}
    assert links["https://northbridge.example.gov.uk/plan"] == "the recruitment plan"
    assert links[GUIDE_URL] == GUIDE_URL
    assert links["https://forum.example.org/posts/100"] == "Original post"


def test_docx_editorial_notes_are_italic(docx_document: docx.document.Document) -> None:
    notes = [p for p in docx_document.paragraphs if p.style.name == "Guide Editorial Note"]
    assert notes[0].text == "Editor’s note"
    assert notes[1].text == "Figures are from the 2024 evaluation."
    assert notes[1].style.font.italic and all(r.italic for r in notes[1].runs)


def test_docx_section_introduction_headings_nest_under_the_section() -> None:
    doc = GuideDocument(title="T", sections=[Section(
        title="Recruiting", introduction_html="<h4>Background</h4><p>Why.</p><h5>Cost</h5>")])
    document = docx.Document(io.BytesIO(export(doc, "docx")))
    assert [(p.style.name, p.text) for p in document.paragraphs
            if p.style.name.startswith("Heading")] == [
        ("Heading 1", "Recruiting"), ("Heading 2", "Background"), ("Heading 3", "Cost")]


def test_docx_lists_contributing_organisations(docx_document: docx.document.Document) -> None:
    assert _styled(docx_document, "List Bullet") == list(DOC.contributing_organisations)


# That the DOCX and ODT open in a real word processor, with every item in order, is checked
# once, by LibreOffice, in tests/unit/test_guide_formats_agree.py.
