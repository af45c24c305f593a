"""Markup in templates is written as markup, never built by joining strings.

Joining with ``~`` escapes a plain string as soon as one part is safe markup, so the page
shows literal tags (a returned post once read "<strong>Returned by a moderator:</strong>");
and ``| safe`` on a joined string would trust whatever user text went into it. Write the
markup in a ``{% set x %}…{% endset %}`` block instead, where autoescaping applies to the
user's text alone.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"

# A string literal holding a tag, joined with ~ on either side; or the |safe filter.
JOINED_MARKUP = re.compile(
    r"""~\s*(["'])[^"'\n]*<[a-zA-Z/]|(["'])[^"'\n]*<[a-zA-Z/][^"'\n]*\2\s*~""")
SAFE_FILTER = re.compile(r"\|\s*safe\b")


def _templates() -> list[Path]:
    return sorted(TEMPLATES.rglob("*.html"))


def test_the_templates_are_found() -> None:
    assert len(_templates()) > 20


@pytest.mark.parametrize("path", _templates(), ids=lambda p: str(p.relative_to(TEMPLATES)))
def test_no_template_builds_markup_by_joining_strings(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    problems = [f"{path.name}:{text.count(chr(10), 0, m.start()) + 1}: {m.group(0)}"
                for pattern in (JOINED_MARKUP, SAFE_FILTER) for m in pattern.finditer(text)]
    assert problems == []


# A table the site serves sits in a scroll region (templates/main/_scroll_region.html): at
# 320 px a table as wide as its cells otherwise pushes the whole page sideways (WCAG 1.4.10).
# The summary inside a download of someone's data is a file, not a page of the site.
NOT_SITE_PAGES = {"people/summary.html"}
TAGS = re.compile(r"{%-?\s*call\s+(\w+)|{%-?\s*endcall\s*-?%}|<table\b")


def _tables_outside_a_scroll_region(text: str) -> list[int]:
    """The lines of the ``<table>`` tags not inside a ``{% call scroll_region(...) %}``."""
    calls: list[str] = []
    lines = []
    for match in TAGS.finditer(text):
        if match.group(1):
            calls.append(match.group(1))
        elif match.group(0).startswith("{%"):
            calls.pop()
        elif "scroll_region" not in calls:
            lines.append(text.count("\n", 0, match.start()) + 1)
    return lines


@pytest.mark.parametrize("path", [p for p in _templates()
                                  if str(p.relative_to(TEMPLATES)) not in NOT_SITE_PAGES],
                         ids=lambda p: str(p.relative_to(TEMPLATES)))
def test_every_table_on_a_page_scrolls_in_a_region_of_its_own(path: Path) -> None:
    assert _tables_outside_a_scroll_region(path.read_text(encoding="utf-8")) == []
