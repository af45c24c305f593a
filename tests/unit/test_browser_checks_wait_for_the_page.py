"""An axe check straight after a click can run while the browser is between two pages: it then
fails with "Cannot read properties of null" (CI, session 21) or, worse, passes on the page being
left. Every browser test waits for something on the new page before checking it."""

from __future__ import annotations

import ast
from itertools import pairwise
from pathlib import Path

BROWSER_TESTS = Path(__file__).resolve().parents[1] / "browser"
ACTIONS_THAT_MAY_NAVIGATE = {"click", "press", "check", "dblclick", "submit", "select_option"}


def _called_name(statement: ast.stmt) -> str | None:
    if isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Call):
        function = statement.value.func
        if isinstance(function, ast.Attribute):
            return function.attr
        if isinstance(function, ast.Name):
            return function.id
    return None


def _axe_checks_straight_after_an_action(path: Path) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(path.read_text())):
        body = getattr(node, "body", None)
        if not isinstance(body, list):
            continue
        for before, statement in pairwise(body):
            if (_called_name(statement) == "assert_no_axe_violations"
                    and _called_name(before) in ACTIONS_THAT_MAY_NAVIGATE):
                found.append(f"{path.name}:{statement.lineno}")
    return found


def test_no_browser_test_checks_a_page_before_it_has_arrived() -> None:
    offenders = [where for path in sorted(BROWSER_TESTS.glob("test_*.py"))
                 for where in _axe_checks_straight_after_an_action(path)]
    assert offenders == [], (
        "wait for the new page (expect a heading or field on it) before assert_no_axe_violations: "
        + ", ".join(offenders))


def test_the_check_finds_an_axe_check_straight_after_a_click(tmp_path: Path) -> None:
    sample = tmp_path / "test_sample.py"
    sample.write_text("def test_x(page):\n"
                      "    page.get_by_role('link', name='Next').click()\n"
                      "    assert_no_axe_violations(page)\n")
    assert _axe_checks_straight_after_an_action(sample) == ["test_sample.py:3"]
