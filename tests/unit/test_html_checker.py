"""The Nu HTML checker harness (tests/htmlcheck.py) that the route matrix and browser tests use."""

from __future__ import annotations

import pytest

from tests.htmlcheck import INSTALL_COMMAND
from tests.htmlcheck import assert_valid_html
from tests.htmlcheck import html_errors
from tests.htmlcheck import require_checker

VALID = "<!DOCTYPE html><html lang='en'><head><title>ok</title></head><body><p>ok</p></body></html>"
INVALID = ("<!DOCTYPE html><html lang='en'><head><title>bad</title></head><body>\n"
           "<select name='r' required><option value='a'>A</option></select>\n"
           "<span><div>block in inline</div></span></body></html>")


def test_the_checker_names_each_page_with_errors_and_every_message():
    require_checker()

    errors = html_errors([("/fine (member)", VALID), ("/broken (admin)", INVALID)])

    assert list(errors) == ["/broken (admin)"]
    assert len(errors["/broken (admin)"]) == 2
    assert errors["/broken (admin)"][0].startswith("line 2: The first “option” element")
    assert "“div” not allowed as child of element “span”" in errors["/broken (admin)"][1]


def test_a_failure_lists_the_page_then_its_messages():
    require_checker()

    with pytest.raises(AssertionError) as failure:
        assert_valid_html([("http://127.0.0.1/sets/comms/members (200)", INVALID)])

    lines = str(failure.value).splitlines()
    assert lines[0] == "the Nu HTML checker found errors on 1 page(s):"
    assert lines[1] == "- http://127.0.0.1/sets/comms/members (200)"
    assert lines[2].startswith("    line 2: ")


def test_without_the_checker_tests_skip_with_the_install_command(monkeypatch, tmp_path):
    monkeypatch.setenv("FORUM_VNU_JAR", str(tmp_path / "absent.jar"))
    monkeypatch.delenv("FORUM_REQUIRE_BROWSER", raising=False)

    with pytest.raises(pytest.skip.Exception, match=INSTALL_COMMAND):
        require_checker()


def test_ci_fails_instead_of_skipping_when_the_checker_is_missing(monkeypatch, tmp_path):
    monkeypatch.setenv("FORUM_VNU_JAR", str(tmp_path / "absent.jar"))
    monkeypatch.setenv("FORUM_REQUIRE_BROWSER", "1")

    with pytest.raises(pytest.fail.Exception, match="FORUM_REQUIRE_BROWSER=1 requires it"):
        require_checker()
