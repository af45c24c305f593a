"""axe-core checks for the page a browser test is looking at."""

from __future__ import annotations

from typing import Any

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page

WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
_axe = Axe()


def axe_violations(page: Page) -> list[dict[str, Any]]:
    """Run axe-core (shipped with axe-playwright-python) against the WCAG 2.2 A/AA rules."""
    options = {"runOnly": {"type": "tag", "values": WCAG_TAGS}, "resultTypes": ["violations"]}
    return _axe.run(page, options=options).response["violations"]


def describe_violations(violations: list[dict[str, Any]]) -> str:
    """One readable block per violated rule: id, impact, help text and the offending elements."""
    lines: list[str] = []
    for violation in violations:
        lines.append(f"- {violation['id']} ({violation.get('impact') or 'no impact given'}): "
                     f"{violation['help']} <{violation.get('helpUrl', '')}>")
        for node in violation["nodes"]:
            lines.append(f"    at {', '.join(_selector(t) for t in node['target'])}")
            summary = (node.get("failureSummary") or "").strip()
            for detail in summary.splitlines():
                lines.append(f"       {detail.strip()}")
    return "\n".join(lines)


def assert_no_axe_violations(page: Page) -> None:
    """Fail with a list of every WCAG A/AA violation axe finds on the current page."""
    violations = axe_violations(page)
    if violations:
        raise AssertionError(
            f"axe found {len(violations)} WCAG 2.2 A/AA violation(s) on {page.url} "
            f"(title {page.title()!r}):\n{describe_violations(violations)}")


def _selector(target: Any) -> str:
    # A target is a CSS selector, or a list of them when the element is inside a frame/shadow DOM.
    return " >> ".join(target) if isinstance(target, list) else str(target)
