"""PDF export: WeasyPrint renders the HTML export with paged-media CSS into a tagged A4 PDF."""

from __future__ import annotations

import re
from typing import Any

from forum.guides.document import GuideDocument
from forum.guides.export import html

# Whitespace between a tag and a block-level tag never renders, but WeasyPrint still builds
# (and tags) a box for it: dropping it saves about a tenth of a 1,000-excerpt guide's time.
_SPACE_BEFORE_BLOCK_TAG = re.compile(
    r">\s+<(?=/?(?:p|ul|ol|li|blockquote|h[1-6]|pre|table|thead|tbody|tr|th|td|figure"
    r"|figcaption|div|section|nav|main|header|footer|style|title|meta|head|body)\b)")


def compact(html_text: str) -> str:
    """Remove whitespace that only separates block-level tags (``<pre>`` text is untouched)."""
    return _SPACE_BEFORE_BLOCK_TAG.sub("><", html_text)


class ExternalResourceRefused(ValueError):
    """The guide asked for a resource outside the document; exports never fetch anything."""


def refuse_fetch(url: str, *args: Any, **kwargs: Any) -> dict[str, Any]:
    # Excerpts are sanitised (no images) and the CSS is inline, so any fetch is a bug or an
    # attack: fail loudly rather than make a network request while rendering.
    raise ExternalResourceRefused(url)


def link_name(element: Any) -> str:
    """What a link is called: its aria-label, else its text ("Recruiting members", not the
    "#recruiting-members" WeasyPrint gives a link annotation)."""
    label = element.get("aria-label")
    return label or " ".join("".join(element.itertext()).split())


def _name_links() -> None:
    """Have WeasyPrint describe each link annotation by the link's name, not its target.

    WeasyPrint (62-70) writes the target into the annotation's /Contents, which assistive
    technology reads as the link's description. This wraps its page-link step once; should
    a later WeasyPrint rename it, links keep their targets and the structure test says so.
    """
    import pydyf
    import weasyprint.pdf as weasy_pdf

    original = getattr(weasy_pdf, "add_links", None)
    if original is None or getattr(original, "names_links", False):
        return

    def add_links(links_and_anchors: Any, matrix: Any, pdf: Any, page: Any, names: Any,
                  tags: Any) -> None:
        original(links_and_anchors, matrix, pdf, page, names, tags)
        for _kind, _target, _rectangle, box in links_and_anchors[0]:
            annotation = getattr(box, "link_annotation", None)
            if annotation is not None and box.element is not None:
                name = link_name(box.element)
                if name:
                    annotation["Contents"] = pydyf.String(name)

    add_links.names_links = True  # type: ignore[attr-defined]
    weasy_pdf.add_links = add_links


def _margins_as_artifacts() -> None:
    """Have WeasyPrint mark the page margin boxes (the footer's "Page N of M") as pagination
    artifacts, so a screen reader skips them instead of reading them on every page.

    WeasyPrint (57-70) tags margin-box text as ``/Span`` marked content with an MCID and
    builds structure elements for it that it leaves out of the tree: outside the structure,
    but not an artifact either (Kozea/WeasyPrint#1836, open: it plans Artifact structure
    elements, which only PDF 2.0 allows). PDF/UA-1 wants such content marked
    ``/Artifact <</Type /Pagination /Subtype /Footer>> BDC``; this wraps its drawing of each
    margin box in that, with no tagging inside, and leaves margin boxes out of the tag tree.
    The structure test reads the footer back and fails should a later WeasyPrint change this.
    """
    import pydyf
    import weasyprint.draw as weasy_draw
    import weasyprint.pdf.tags as weasy_tags
    from weasyprint.formatting_structure import boxes

    draw = getattr(weasy_draw, "draw_stacking_context", None)
    build = getattr(weasy_tags, "_build_box_tree", None)
    if draw is None or build is None or getattr(draw, "margins_as_artifacts", False):
        return

    def draw_stacking_context(stream: Any, stacking_context: Any) -> None:
        box = stacking_context.box
        tags = getattr(stream, "_tags", None)
        if tags is None or not isinstance(box, boxes.MarginBox):
            draw(stream, stacking_context)
            return
        subtype = "/Header" if box.at_keyword.startswith("@top") else (
            "/Footer" if box.at_keyword.startswith("@bottom") else None)
        properties = pydyf.Dictionary({"Type": "/Pagination"})
        if subtype:
            properties["Subtype"] = subtype
        stream.begin_marked_content("Artifact", properties)
        stream._tags = None  # nothing inside an artifact is tagged
        try:
            draw(stream, stacking_context)
        finally:
            stream._tags = tags
            stream.end_marked_content()

    def build_box_tree(box: Any, *args: Any) -> Any:
        if isinstance(box, boxes.MarginBox):
            return iter(())  # drawn as an artifact: no marked content to map
        return build(box, *args)

    draw_stacking_context.margins_as_artifacts = True  # type: ignore[attr-defined]
    weasy_draw.draw_stacking_context = draw_stacking_context
    weasy_tags._build_box_tree = build_box_tree


def export(doc: GuideDocument) -> bytes:
    # Imported here so that the other formats never pay for loading pango and friends.
    import weasyprint

    _name_links()
    _margins_as_artifacts()
    document = weasyprint.HTML(
        string=compact(html.render(doc, for_print=True)),
        url_fetcher=refuse_fetch,
        base_url=doc.url or None,
    )
    # PDF/UA-1: tagged structure, document title shown in the window, language set;
    # custom metadata adds the publisher to the document information.
    return document.write_pdf(pdf_variant="pdf/ua-1", uncompressed_pdf=False,
                              custom_metadata=True)
