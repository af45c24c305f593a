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


def export(doc: GuideDocument) -> bytes:
    # Imported here so that the other formats never pay for loading pango and friends.
    import weasyprint

    _name_links()
    document = weasyprint.HTML(
        string=compact(html.render(doc, for_print=True)),
        url_fetcher=refuse_fetch,
        base_url=doc.url or None,
    )
    # PDF/UA-1: tagged structure, document title shown in the window, language set;
    # custom metadata adds the publisher to the document information.
    return document.write_pdf(pdf_variant="pdf/ua-1", uncompressed_pdf=False,
                              custom_metadata=True)
