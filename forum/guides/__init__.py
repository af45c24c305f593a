"""Guides: facilitators' curated collections of approved posts, published in several formats.

:mod:`forum.guides.document` and :mod:`forum.guides.export` are the database-free layer;
:mod:`forum.guides.service` and :mod:`forum.guides.compile` curate and publish; the views
(this blueprint) show the curation page, the preview and the published guide.
"""

from __future__ import annotations

from flask import Blueprint
from flask.blueprints import BlueprintSetupState

from forum.guides.document import TEMPLATE_WORDS
from forum.guides.document import format_date
from forum.guides.export.html import guide_html
from forum.guides.export.html import quotation_html

bp = Blueprint("guides", __name__)

# The published page and the preview render the document with the exporter's own filters,
# so the web page and the downloaded HTML place headings and quotations the same way.
bp.add_app_template_filter(guide_html, "guide_html")
bp.add_app_template_filter(quotation_html, "quotation_html")
bp.add_app_template_filter(format_date, "guide_date")
for _name, _words in TEMPLATE_WORDS.items():
    bp.add_app_template_global(_words, _name)  # type: ignore[arg-type]


@bp.app_template_global()
def public_guides() -> list:
    """Published guides anyone can read (for the home page); queried only when called."""
    from forum.extensions import db
    from forum.guides.queries import public_guides as query

    return query(db.session)


@bp.record_once
def _follow_credit_choices(state: BlueprintSetupState) -> None:
    """Published guides follow a member's lowered credit (see forum.guides.recredit)."""
    from forum import signals
    from forum.guides.recredit import on_credit_preference_changed

    signals.credit_preference_changed.connect(on_credit_preference_changed, sender=state.app)


from forum.guides import curation_views  # noqa: E402,F401
from forum.guides import views  # noqa: E402,F401
