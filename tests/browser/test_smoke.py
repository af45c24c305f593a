"""The browser harness itself: the live server answers and axe runs on a real page."""

from __future__ import annotations

from playwright.sync_api import Page
from playwright.sync_api import expect

from tests.browser.accessibility import assert_no_axe_violations
from tests.browser.accessibility import describe_violations


def test_home_page_loads_with_its_heading_and_passes_axe(page: Page) -> None:
    response = page.goto("/")

    assert response is not None and response.ok
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    expect(page.get_by_role("link", name="Sign in")).to_be_visible()
    assert_no_axe_violations(page)


def test_axe_helper_reports_a_missing_label_by_rule_and_selector(page: Page) -> None:
    # Proves the helper can fail: an unlabelled input is a WCAG 2 A violation.
    page.set_content("<!doctype html><html lang='en'><head><title>t</title></head>"
                     "<body><main><h1>t</h1><input id='nameless' type='text'></main></body></html>")

    try:
        assert_no_axe_violations(page)
    except AssertionError as error:
        message = str(error)
    else:
        raise AssertionError("an unlabelled input passed axe")

    assert "- label (critical)" in message
    assert "#nameless" in message


def test_describe_violations_lists_each_element_under_its_rule() -> None:
    violations = [{
        "id": "color-contrast", "impact": "serious", "help": "Elements must have contrast",
        "helpUrl": "https://example.org/cc",
        "nodes": [{"target": [".a"], "failureSummary": "Fix any of the following:\n  low"},
                  {"target": [["iframe", ".b"]], "failureSummary": None}],
    }]

    assert describe_violations(violations) == (
        "- color-contrast (serious): Elements must have contrast <https://example.org/cc>\n"
        "    at .a\n"
        "       Fix any of the following:\n"
        "       low\n"
        "    at iframe >> .b")


def test_a_content_security_policy_violation_is_caught(page: Page,
                                                       csp_violations: list[str]) -> None:
    # Proves the check can fail: the app's policy refuses an inline script without the nonce.
    page.goto("/")
    page.evaluate("""() => {
        const script = document.createElement("script");
        script.textContent = "document.title = 'injected'";
        document.body.append(script);
    }""")
    page.wait_for_timeout(200)

    assert page.title() != "injected"
    assert any("Content Security Policy" in v for v in csp_violations), csp_violations
    csp_violations.clear()


def test_the_nonced_inline_script_runs(page: Page) -> None:
    page.goto("/")
    assert "govuk-frontend-supported" in (page.get_attribute("body", "class") or "")
