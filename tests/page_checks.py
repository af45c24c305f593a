"""Checks of a rendered page's markup that the HTML checker and axe do not make.

The route matrix runs them over every page for every role (tests/functional/test_route_matrix).
"""

from __future__ import annotations

import re
from html import unescape
from html.parser import HTMLParser
from urllib.parse import urlsplit


def off_site(address: str) -> bool:
    """Whether a link or ``Location`` takes the browser off the site under test (a browser
    reads ``\\`` as ``/``)."""
    parts = urlsplit(address.replace("\\", "/"))
    return parts.netloc not in ("", "localhost") or parts.scheme not in ("", "http")


TITLE = re.compile(r"<title>(.*?)</title>", re.S)


def title_problems(html: str, site_name: str) -> list[str]:
    """What is wrong with a page's title: it names the page, then the site once; it starts
    "Error: " exactly when the page shows an error summary (GOV.UK's pattern)."""
    found = TITLE.search(html)
    if found is None:
        return ["no title"]
    title = unescape(found.group(1).strip())
    problems = []
    if not title.endswith(f" – {site_name}") or title.count(site_name) != 1:
        problems.append(f"{title!r} does not end with the site name once")
    if title.count("Error: ") > 1 or ("Error: " in title and not title.startswith("Error: ")):
        problems.append(f"{title!r} says Error: twice or not first")
    has_summary = 'class="govuk-error-summary' in html
    if has_summary != title.startswith("Error: "):
        problems.append(f"{title!r}: an error summary {'is' if has_summary else 'is not'} shown")
    return problems


class _ErrorMarkup(HTMLParser):
    """Collects ids, aria-describedby references, error messages and error summary links."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.ids: set[str] = set()
        self.described_by: set[str] = set()
        self.messages: list[tuple[str | None, str]] = []  # (id, text)
        self.summary_links: list[str] = []
        self._message: list[str] | None = None
        self._message_id: str | None = None
        self._message_depth = 0
        self._in_summary_list = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        classes = values.get("class", "").split()
        if "id" in values:
            self.ids.add(values["id"])
        self.described_by.update(values.get("aria-describedby", "").split())
        if self._message is not None:
            self._message_depth += 1
        elif "govuk-error-message" in classes:
            self._message, self._message_id, self._message_depth = [], values.get("id"), 1
        if "govuk-error-summary__list" in classes:
            self._in_summary_list = 1
        elif self._in_summary_list:
            self._in_summary_list += 1
            if tag == "a":
                self.summary_links.append(values.get("href", ""))

    def handle_endtag(self, tag: str) -> None:
        if self._message is not None:
            self._message_depth -= 1
            if self._message_depth == 0:
                text = " ".join("".join(self._message).split())
                self.messages.append((self._message_id, text))
                self._message = None
        if self._in_summary_list:
            self._in_summary_list -= 1

    def handle_data(self, data: str) -> None:
        if self._message is not None:
            self._message.append(data)


def error_message_problems(html: str) -> list[str]:
    """GOV.UK's error pattern: each error message has an id that a field's ``aria-describedby``
    names (so a screen reader reads it with the field), and each link in the error summary
    goes to an element on the page."""
    markup = _ErrorMarkup()
    markup.feed(html)
    markup.close()
    problems = [f"error message {text!r} is not tied to a field (aria-describedby)"
                for message_id, text in markup.messages
                if message_id is None or message_id not in markup.described_by]
    problems += [f"error summary link {href!r} goes to nothing on the page"
                 for href in markup.summary_links
                 if not href.startswith("#") or href[1:] not in markup.ids]
    return problems
