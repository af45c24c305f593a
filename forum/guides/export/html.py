"""HTML export: one standalone file (inline CSS, no scripts, fonts or other requests)."""

from __future__ import annotations

import re
from functools import lru_cache

from jinja2 import Environment
from jinja2 import FileSystemLoader
from markupsafe import Markup

from forum.guides.document import TEMPLATE_WORDS
from forum.guides.document import GuideDocument
from forum.guides.document import format_date
from forum.guides.export import heading_offset
from forum.resources import resource_dir

_HEADING_TAG = re.compile(r"<(/?)h([1-6])\b")


def place_headings(html: str, top: int = 3) -> str:
    """Move the fragment's headings so the highest is ``top`` (h3: under a section's h2)."""
    offset = heading_offset(html, top)
    if not offset:
        return html
    return _HEADING_TAG.sub(
        lambda m: f"<{m[1]}h{max(1, min(int(m[2]) + offset, 6))}", html)


def guide_html(html: str | None) -> Markup:
    # The model holds HTML already sanitised by forum.text; only its headings move.
    return Markup(place_headings(html or ""))


def quotation_html(html: str) -> Markup:
    """An excerpt's body for a ``<blockquote>``: a lone paragraph is unwrapped.

    Same rendering, one block box fewer per excerpt: that saves WeasyPrint about a sixth of
    its time on a 1,000-excerpt guide.
    """
    body = html.strip()
    if (body.startswith("<p>") and body.endswith("</p>")
            and body.count("<p>") == 1 and body.count("</p>") == 1):
        body = body[3:-4]
    return guide_html(body)


@lru_cache(maxsize=1)
def environment() -> Environment:
    """A Jinja environment of its own, so exports work without an app or request context."""
    env = Environment(
        loader=FileSystemLoader(resource_dir("templates")),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["guide_html"] = guide_html
    env.filters["quotation_html"] = quotation_html
    env.filters["guide_date"] = format_date
    env.globals.update(TEMPLATE_WORDS)
    return env


def render(doc: GuideDocument, *, for_print: bool = False) -> str:
    """Render the guide; ``for_print`` adds the paged-media CSS the PDF export needs."""
    return environment().get_template("guides/export.html").render(doc=doc, for_print=for_print)


def export(doc: GuideDocument) -> str:
    return render(doc)
