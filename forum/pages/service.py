"""Reading and changing the site's own pages.

Each page has default text written for this product (``templates/pages/defaults/*.md``, filled
in with the site's settings) until an admin saves their own; the saved Markdown is rendered and
sanitised once, when saved, exactly as posts are.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask import current_app
from flask import render_template
from flask import url_for
from markupsafe import Markup
from sqlalchemy.orm import Session

from forum.extensions import added_unless_made_meanwhile
from forum.models import SitePage
from forum.models import User
from forum.models import utcnow
from forum.text import render_markdown
from forum.text import safe_html

# slug -> title; the slug is also the address (/privacy, /accessibility), except for the About
# the network page, which /network/ shows with its request-to-join form (forum.network).
PAGES = {
    "privacy": "Privacy notice",
    "accessibility": "Accessibility statement",
    "network": "About the network",
}
SHOWN_ELSEWHERE = {"network": "network.about"}
BODY_MAX = 50_000


@dataclass(frozen=True)
class PageContent:
    slug: str
    title: str
    source: str
    html: Markup
    updated_at: datetime | None  # None: the default text, never changed by an admin
    updated_by: str | None


def address(slug: str) -> str:
    """Where the page is read."""
    return url_for(SHOWN_ELSEWHERE.get(slug, "pages.show"),
                   **({} if slug in SHOWN_ELSEWHERE else {"slug": slug}))


# Where the default pages send people when no CONTACT_EMAIL is set: said plainly, with a way
# to reach someone, rather than an address-shaped gap.
NO_CONTACT = ("the site's administrators (this site has not published a contact email address "
              "yet, so ask the facilitator of your learning set to pass your message on)")


def contact(email: str | None) -> str:
    """How the default pages tell people where to write, as Markdown."""
    return f"[{email}](mailto:{email})" if email else NO_CONTACT


def default_source(slug: str) -> str:
    return render_template(f"pages/defaults/{slug}.md", title=PAGES[slug],
                           contact=contact(current_app.config.get("CONTACT_EMAIL"))
                           ).strip() + "\n"


def page_content(session: Session, slug: str) -> PageContent:
    saved = session.get(SitePage, slug)
    if saved is None:
        source = default_source(slug)
        return PageContent(slug, PAGES[slug], source, safe_html(render_markdown(source)),
                           None, None)
    editor = saved.updated_by.display_name if saved.updated_by else None
    return PageContent(slug, PAGES[slug], saved.body_source, safe_html(saved.body_html),
                       saved.updated_at, editor)


class SavedMeanwhile(Exception):
    """Another admin's text for the page was saved first, at the same moment."""


def _stored_page(session: Session, slug: str) -> SitePage | None:
    return session.get(SitePage, slug)


def save_page(session: Session, editor: User, slug: str, source: str) -> None:
    """Keep an admin's text for the page (the caller has checked they may).

    Raises :class:`SavedMeanwhile` when the page's first text is saved by someone else at
    the same moment: theirs is kept, as when the form finds a change made meanwhile."""
    page = _stored_page(session, slug)
    values = {"body_source": source, "body_html": render_markdown(source),
              "updated_at": utcnow(), "updated_by_id": editor.id}
    if page is None:
        if not added_unless_made_meanwhile(session, SitePage(slug=slug, **values)):
            raise SavedMeanwhile(slug)
        return
    for name, value in values.items():
        setattr(page, name, value)


def restore_default(session: Session, slug: str) -> bool:
    """Go back to the default text; returns whether there was an admin's text to drop."""
    page = session.get(SitePage, slug)
    if page is None:
        return False
    session.delete(page)
    return True
