"""The demo guide as a reader downloads it: every format, read back by another program, says
what the HTML says, item by item."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from forum.demo import load_demo
from forum.demo.guide import GUIDE_SLUG
from forum.extensions import db
from forum.guides.compile import latest_version
from forum.guides.compile import version_document
from forum.guides.export import FORMATS
from forum.models import Guide
from forum.models import Visibility
from tests.guide_readers import SOFFICE
from tests.guide_readers import SOFFICE_MISSING
from tests.guide_readers import assert_carries
from tests.guide_readers import expected_items
from tests.guide_readers import format_text


@pytest.fixture
def demo_items(app) -> tuple[int, list[str], set[str]]:
    """The demo guide's latest version as a visitor gets it (no links into private sets)."""
    with app.app_context():
        load_demo(db.session)
        db.session.commit()
        guide = db.session.scalar(select(Guide).where(Guide.slug == GUIDE_SLUG))
        version = latest_version(guide)
        doc = version_document(version).with_base_url(app.config["PUBLIC_BASE_URL"])
        if guide.learning_set.visibility != Visibility.PUBLIC:
            doc = doc.without_source_links()  # a visitor cannot open the set's threads
        credits = {e.credit for s in doc.sections for e in s.excerpts}
        return version.number, expected_items(doc), credits


@pytest.mark.parametrize("format_name", sorted(FORMATS))
def test_each_download_of_the_demo_guide_carries_the_htmls_items(
        client, demo_items, format_name, tmp_path: Path):
    if format_name in ("docx", "odt") and SOFFICE is None:
        pytest.skip(SOFFICE_MISSING)
    number, items, credits = demo_items
    # Every kind of credit is in the demo: a name and organisation, an organisation only,
    # and "A participant".
    assert "A participant" in credits and len(credits) >= 3
    html = client.get(f"/guides/{GUIDE_SLUG}/v{number}/download/html")
    assert_carries(format_text("html", html.data), items, "HTML")
    response = client.get(f"/guides/{GUIDE_SLUG}/v{number}/download/{format_name}")
    assert response.status_code == 200
    assert_carries(format_text(format_name, response.data, tmp_path), items, format_name)
