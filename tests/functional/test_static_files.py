"""Static files: versioned addresses cached for a year; the site's styles cover what it uses."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from forum.assets import ONE_YEAR
from forum.assets import file_hashes

ROOT = Path(__file__).resolve().parents[2]
CSS = "\n".join(path.read_text() for path in (ROOT / "static" / "css").glob("*.css"))


def _stylesheets(client) -> list[str]:
    return re.findall(r'<link rel="stylesheet" href="([^"]+)"', client.get("/").text)


def test_pages_link_static_files_by_a_version_of_their_content(client):
    sheets = _stylesheets(client)
    assert sheets
    for href in sheets + re.findall(r'<script[^>]* src="([^"]+)"', client.get("/").text):
        assert re.search(r"\?v=[0-9a-f]{12}$", href), href


def test_a_versioned_static_file_is_cached_for_a_year(client):
    for href in _stylesheets(client):
        with client.get(href) as response:
            assert response.status_code == 200
            assert f"max-age={ONE_YEAR}" in response.headers["Cache-Control"]


@pytest.mark.parametrize("query", ["", "?v=0123456789ab"])
def test_an_unversioned_or_outdated_address_is_revalidated(client, query):
    with client.get(f"/static/css/forum.css{query}") as response:
        assert response.status_code == 200
        assert response.headers["Cache-Control"] == "no-cache"


def test_the_version_changes_with_the_content(tmp_path):
    (tmp_path / "css").mkdir()
    sheet = tmp_path / "css" / "a.css"
    sheet.write_text("a { color: red }")
    before = file_hashes(str(tmp_path))["css/a.css"]
    sheet.write_text("a { color: blue }")
    assert file_hashes(str(tmp_path))["css/a.css"] != before


# Classes that only name things (for tests or for GOV.UK's own styles), with nothing to style.
HOOKS = {"forum-set-list", "forum-thread-table", "guide-document", "forum-notification--unread"}


def _template_classes() -> set[str]:
    found: set[str] = set()
    for path in (ROOT / "templates").rglob("*.html"):
        for value in re.findall(r'class="([^"]*)"', path.read_text()):
            found.update(re.findall(r"\b(?:forum|guide)-[a-z0-9_-]*[a-z0-9]\b", value))
    return found


def test_every_class_the_templates_use_is_styled():
    """A list or block given a class (notifications, inline lists) but no style looks broken."""
    styled = set(re.findall(r"\.((?:forum|guide)-[a-z0-9_-]+)", CSS))
    unstyled = {name for name in _template_classes() - HOOKS - styled
                if not name.startswith("forum-depth")}
    assert not unstyled


def test_links_in_what_people_wrote_use_the_site_link_style():
    """Every block that shows post or guide HTML styles its links like .govuk-link."""
    containers = set()
    for path in (ROOT / "templates").rglob("*.html"):
        if path.name == "export.html":  # the standalone export carries its own styles
            continue
        for classes in re.findall(r'class="([^"]*)"[^>]*>\s*\{\{(?:[^}]*\|\s*(?:safe_post_html|'
                                  r'guide_html)|\s*post_body\()', path.read_text()):
            containers.add(next(c for c in classes.split() if c.startswith(("forum-", "guide-"))))
    assert {"forum-post__body", "guide-prose", "guide-excerpt__quote"} <= containers
    for container in containers:
        for state, colour in (("link", "#1d70b8"), ("visited", "#4c2c92"), ("focus", "#0b0c0c")):
            rule = re.search(rf"\.{container} a:{state}[^{{]*\{{([^}}]*)\}}", CSS)
            assert rule and f"color: {colour}" in rule.group(1), (container, state)
