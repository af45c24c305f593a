"""Post bodies: Markdown in, sanitised HTML out; the one place Markdown and bleach are set up."""

from __future__ import annotations

import html as html_lib
from functools import partial

import bleach
from bleach.linkifier import LinkifyFilter
from markdown_it import MarkdownIt
from markupsafe import Markup

ALLOWED_TAGS = frozenset({
    "p", "br", "hr", "blockquote", "pre", "code", "em", "strong", "del", "s",
    "a", "ul", "ol", "li", "h2", "h3", "h4", "h5", "h6",
    "table", "thead", "tbody", "tr", "th", "td",
})
ALLOWED_ATTRIBUTES = {
    "a": ["href", "title", "rel"],
    "ol": ["start"],
    "th": ["align"],
    "td": ["align"],
}
ALLOWED_PROTOCOLS = frozenset({"http", "https", "mailto"})

# Raw HTML in Markdown is shown as text, not interpreted; bleach still cleans the result.
_markdown = MarkdownIt("commonmark", {"html": False}).enable(["table", "strikethrough"])


def _rel_nofollow_noopener(attrs: dict, new: bool = False) -> dict:
    href_key = (None, "href")
    if href_key not in attrs:
        return attrs
    if attrs[href_key].startswith("mailto:"):
        return attrs
    attrs[(None, "rel")] = "nofollow noopener"
    return attrs


_cleaner = bleach.Cleaner(
    tags=ALLOWED_TAGS,
    attributes=ALLOWED_ATTRIBUTES,
    protocols=ALLOWED_PROTOCOLS,
    strip=True,
    filters=[partial(LinkifyFilter, callbacks=[_rel_nofollow_noopener], skip_tags={"pre", "code"})],
)


def _demote_headings(html: str) -> str:
    # A post sits under the page's own h1/h2: Markdown "# Heading" becomes h2 and below.
    for level in range(5, 0, -1):
        html = html.replace(f"<h{level}>", f"<h{level + 1}>").replace(
            f"</h{level}>", f"</h{level + 1}>")
    return html


def render_markdown(source: str) -> str:
    """Render Markdown to HTML that is safe to show as-is."""
    html = _markdown.render(source)
    return _cleaner.clean(_demote_headings(html))


def safe_html(stored_html: str) -> Markup:
    """Mark HTML produced by :func:`render_markdown` as safe for templates."""
    return Markup(stored_html)


def plain_text(html: str) -> str:
    """Strip all tags and entities: for excerpts and email bodies (escape it again to show it)."""
    return html_lib.unescape(bleach.clean(html, tags=set(), strip=True))


def excerpt(html: str, length: int = 160) -> str:
    text = " ".join(plain_text(html).split())
    if len(text) <= length:
        return text
    return text[: length - 1].rsplit(" ", 1)[0] + "…"
