"""PDF export: WeasyPrint renders the HTML export with paged-media CSS into a tagged A4 PDF."""

from __future__ import annotations

from typing import Any

from forum.guides.document import GuideDocument
from forum.guides.export import html


class ExternalResourceRefused(ValueError):
    """The guide asked for a resource outside the document; exports never fetch anything."""


def refuse_fetch(url: str, *args: Any, **kwargs: Any) -> dict[str, Any]:
    # Excerpts are sanitised (no images) and the CSS is inline, so any fetch is a bug or an
    # attack: fail loudly rather than make a network request while rendering.
    raise ExternalResourceRefused(url)


def export(doc: GuideDocument) -> bytes:
    # Imported here so that the other formats never pay for loading pango and friends.
    import weasyprint

    document = weasyprint.HTML(
        string=html.render(doc, for_print=True),
        url_fetcher=refuse_fetch,
        base_url=doc.url or None,
    )
    # PDF/UA-1: tagged structure, document title shown in the window, language set.
    return document.write_pdf(pdf_variant="pdf/ua-1", uncompressed_pdf=False)
