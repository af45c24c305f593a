"""The privacy notice and accessibility statement: default text, linked from every page, edited
by admins only, with the text kept when the form is refused."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from forum.extensions import db
from forum.models import SitePage


@pytest.mark.parametrize("path", ["/", "/sign-in", "/password/forgot", "/no-such-page"])
def test_every_page_links_to_the_privacy_notice_and_accessibility_statement(client, path):
    page = client.get(path).text
    assert '<a class="govuk-footer__link" href="/privacy">Privacy notice</a>' in page
    assert ('<a class="govuk-footer__link" href="/accessibility">Accessibility statement</a>'
            in page)


def test_the_default_privacy_notice_says_what_is_kept_how_long_and_how_to_ask(app, client):
    app.config.update(SITE_OPERATOR="Northbridge Borough Council",
                      CONTACT_EMAIL="dpo@northbridge.example.org",
                      NOTIFICATION_RETENTION_DAYS=90)
    page = client.get("/privacy").text
    assert "<h1 class=\"govuk-heading-l\">Privacy notice</h1>" in page
    assert "The data controller is Northbridge Borough Council." in page
    assert "Notifications are deleted after 90 days." in page
    assert "Sent emails are kept for 30 days" in page
    assert '<a href="mailto:dpo@northbridge.example.org"' in page
    assert "Information Commissioner" in page
    assert "A participant" in page  # the anonymous credit, in the product's own words
    assert "the site's administrators have not changed it" in page


@pytest.mark.parametrize("path", ["/privacy", "/accessibility"])
def test_without_a_contact_address_the_pages_say_so_and_who_else_to_ask(app, client, path):
    """No CONTACT_EMAIL: the page said "write to the site's administrators" with no address."""
    app.config.update(CONTACT_EMAIL=None)
    page = client.get(path).text
    assert "this site has not published a contact email address yet" in page
    assert "ask the facilitator of your learning set to pass your message on" in page
    assert "mailto:" not in page


def test_the_default_accessibility_statement_names_the_standard_testing_and_how_to_report(
        client):
    page = client.get("/accessibility").text
    assert "WCAG) version 2.2 at level AA" in page
    assert "axe-core" in page and "Nu HTML Checker" in page and "keyboard alone" in page
    assert "Reporting accessibility problems" in page
    assert "Equality Advisory and Support Service" in page


def test_an_admin_edits_the_page_and_everyone_reads_the_new_text(app, client, world):
    client.sign_in_as(world.admin)
    form = client.get("/privacy/edit").text
    assert "# What we collect" in form  # the default text, ready to change
    response = client.post("/privacy/edit", data={
        "body": "# Who we are\n\nRun by *Kingsford*. <script>alert(1)</script>"})
    assert response.status_code == 302
    client.sign_out()
    page = client.get("/privacy").text
    assert "<h2>Who we are</h2>" in page and "<em>Kingsford</em>" in page
    assert "<script>alert(1)</script>" not in page
    assert "Last updated" in page
    with app.app_context():
        saved = db.session.scalar(select(SitePage).where(SitePage.slug == "privacy"))
        assert saved.updated_by_id == world.admin.id


def test_a_refused_edit_keeps_the_text_and_says_why(app, client, world):
    client.sign_in_as(world.admin)
    too_long = "A sentence about data. " * 2500
    page = client.post("/privacy/edit", data={"body": too_long}).text
    assert "The page must be 50,000 characters or fewer" in page
    assert too_long.strip()[:200] in page
    page = client.post("/privacy/edit", data={"body": "   "}).text
    assert "Enter the text of the page" in page
    with app.app_context():
        assert db.session.get(SitePage, "privacy") is None


def test_going_back_to_the_default_text(app, client, world):
    client.sign_in_as(world.admin)
    client.post("/accessibility/edit", data={"body": "Our own statement."})
    assert "Our own statement." in client.get("/accessibility").text
    client.post("/accessibility/restore-default")
    assert "Our own statement." not in client.get("/accessibility").text
    assert "WCAG) version 2.2" in client.get("/accessibility").text


@pytest.mark.parametrize("role", ["member", "moderator", "facilitator"])
def test_only_admins_may_edit(client, world, role):
    client.sign_in_as(world.user(role))
    assert client.get("/privacy/edit").status_code == 403
    assert client.post("/privacy/edit", data={"body": "Mine now."}).status_code == 403
    assert "Mine now." not in client.get("/privacy").text
    assert "Edit the privacy notice" not in client.get("/privacy").text


def test_two_admins_saving_a_pages_first_text_at_once_the_second_is_told_and_keeps_theirs(
        app, client, world, monkeypatch):
    """Both open the default text and save: the first's text is kept, and the second is told
    someone else saved meanwhile, with their text kept to save again (not a 500 from the
    primary key, nor the first's text silently replaced)."""
    from sqlalchemy import insert

    from forum.models import utcnow
    from forum.pages import service

    def saved_meanwhile(session, slug):
        session.execute(insert(SitePage).values(
            slug=slug, body_source="The first admin's text.",
            body_html="<p>The first admin's text.</p>", updated_at=utcnow()))
        session.commit()  # the other admin's request is done
        return None

    client.sign_in_as(world.admin)
    opened = client.get("/privacy/edit").text
    sent = re.search(r'name="opened_from" type="hidden" value="([0-9a-f]+)"', opened).group(1)
    monkeypatch.setattr(service, "_stored_page", saved_meanwhile)
    page = client.post("/privacy/edit", data={"body": "My careful privacy notice.",
                                              "opened_from": sent})
    assert page.status_code == 200
    assert "Someone else saved a change to this while you were editing" in page.text
    assert "My careful privacy notice." in page.text
    monkeypatch.undo()
    with app.app_context():
        assert db.session.get(SitePage, "privacy").body_source == "The first admin's text."
