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


def export(doc: GuideDocument) -> bytes:
    # Imported here so that the other formats never pay for loading pango and friends.
    import weasyprint

    document = weasyprint.HTML(
        string=compact(html.render(doc, for_print=True)),
        url_fetcher=refuse_fetch,
        base_url=doc.url or None,
    )
    # PDF/UA-1: tagged structure, document title shown in the window, language set.
    return document.write_pdf(pdf_variant="pdf/ua-1", uncompressed_pdf=False)
