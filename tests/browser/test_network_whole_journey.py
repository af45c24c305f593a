"""One newcomer's whole way through the network in a real browser, with axe-core on every page
visited: a visitor asks to join from About the network, an admin accepts with a set ticked, the
invited person creates their account from the emailed link, proposes a topic for an upcoming
workshop (an admin approves it), signs up, and after the workshop downloads its slides, which an
admin added through the materials form. The downloaded bytes are the PDF that was uploaded.

The parts have tests of their own (test_network_request_journey.py, test_workshop_topics_journey.py,
test_events_journey.py, tests/functional/test_uploads.py); this one checks they join up. The live
server's database is shared by every browser test, so names and titles carry a token of their own.
"""

from __future__ import annotations

import re
import uuid
from datetime import datetime
from datetime import timedelta
from pathlib import Path

from flask import Flask
from playwright.sync_api import expect
from pytest_playwright.pytest_playwright import CreateContextCallback

from forum.extensions import db
from forum.models import Event
from forum.models import EventAudience
from forum.models import EventKind
from forum.models import utcnow
from tests import factories
from tests import file_samples as samples
from tests.browser.accessibility import assert_no_axe_violations
from tests.browser.pages import ask_to_join_network
from tests.browser.pages import signed_in_page
from tests.browser.seed import Seed
from tests.mailbox import sent_messages

PASSWORD = "harbour lantern thistle 73"


def test_a_visitor_joins_proposes_signs_up_and_later_downloads_the_slides(
        new_context: CreateContextCallback, seed: Seed, live_app: Flask) -> None:
    token = uuid.uuid4().hex[:8]
    name = f"Noor Haddad {token}"
    email = f"noor.haddad.{token}@kestrelford.example.gov.uk"
    workshop = f"Workshop: juries that last ({token})"
    topic = f"Paying jurors fairly ({token})"
    slides_title = f"Slides from the workshop ({token})"
    slides_file = f"juries-that-last-{token}.pdf"

    # A set of its own to invite them to (other browser tests count the seeded sets' members),
    # and an upcoming workshop in the network, open for sign-up (and so for topics).
    set_name = f"Juries that last ({token})"
    starts = (utcnow() + timedelta(days=30)).replace(hour=9, minute=30, second=0, microsecond=0)
    with live_app.app_context():
        factories.make_set(f"juries-{token}", name=set_name)
        event = Event(kind=EventKind.WORKSHOP, title=workshop, starts_at=starts,
                      ends_at=starts + timedelta(hours=4), audience=EventAudience.NETWORK,
                      signup_open=True, sequence=0)
        db.session.add(event)
        db.session.commit()
        event_id = event.id

    # --- A visitor asks to join ------------------------------------------------------------
    visitor = new_context().new_page()
    visitor.goto("/network/")
    expect(visitor.get_by_role("heading", level=1, name="About the network")).to_be_visible()
    assert_no_axe_violations(visitor)
    ask_to_join_network(visitor, name=name, email=email,
                        organisation="Kestrelford District Council",
                        role="Democratic services officer",
                        hope="Ideas for keeping a citizens' jury going after its first year.")
    assert_no_axe_violations(visitor)

    # --- An admin accepts, with a set ticked ------------------------------------------------
    admin = signed_in_page(new_context, seed.admin_email, seed.password)
    assert_no_axe_violations(admin)
    admin.get_by_role("link", name="Join requests").click()
    expect(admin.get_by_role("heading", level=3, name=name, exact=True)).to_be_visible()
    assert_no_axe_violations(admin)
    admin.get_by_role("link", name=f"Accept {name}'s request", exact=True).click()
    expect(admin.get_by_label(set_name, exact=True)).to_be_visible()
    assert_no_axe_violations(admin)
    admin.get_by_label(set_name, exact=True).check()
    admin.get_by_role("button", name="Accept and send the invitation").click()
    expect(admin.get_by_text(f"{name} has been invited to the network")).to_be_visible()
    assert_no_axe_violations(admin)

    # --- The invited person joins from the emailed link -------------------------------------
    invitations = [m for m in sent_messages(live_app)
                   if m["To"] == email and "invitation" in m["Subject"]]
    assert len(invitations) == 1, [m["Subject"] for m in sent_messages(live_app)
                                   if m["To"] == email]
    text = invitations[0].get_body(preferencelist=("plain",)).get_content()
    link = re.search(r"(/network/join/\S+)", text).group(1)

    person = new_context().new_page()
    person.goto(link)
    expect(person.get_by_role("heading", level=1)).to_have_text(
        "Create your account to join the network")
    assert_no_axe_violations(person)
    person.get_by_label("Your name").fill(name)
    person.get_by_label("Organisation").fill("Kestrelford District Council")
    person.get_by_label("Password", exact=True).fill(PASSWORD)
    person.get_by_label("Confirm password").fill(PASSWORD)
    person.get_by_role("button", name="Create account and join").click()
    expect(person.get_by_text(f"You have joined {set_name}")).to_be_visible()
    expect(person.get_by_role("button", name="Sign out")).to_be_visible()
    assert_no_axe_violations(person)

    # --- They find the workshop and propose a topic; an admin approves it -------------------
    person.get_by_role("navigation", name="Account and sections") \
        .get_by_role("link", name="Events", exact=True).click()
    expect(person.get_by_role("heading", level=1)).to_be_visible()
    assert_no_axe_violations(person)
    person.get_by_role("link", name=workshop, exact=True).click()
    expect(person.get_by_role("heading", level=1, name=workshop, exact=True)).to_be_visible()
    assert_no_axe_violations(person)
    person.get_by_label("Topic", exact=True).fill(topic)
    person.get_by_label("Why discuss it? (optional)") \
        .fill("Our jurors asked whether a day rate is fair to those in work.")
    person.get_by_role("button", name="Propose the topic").click()
    expect(person.get_by_text("waits for a coordinator’s approval")).to_be_visible()
    mine = person.locator(".forum-topics__item", has_text=topic)
    expect(mine.get_by_text("Waiting for approval")).to_be_visible()
    assert_no_axe_violations(person)

    event_url = f"/events/{event_id}"
    admin.goto(event_url)
    assert_no_axe_violations(admin)
    admin.get_by_role("button", name=re.compile(f"^Approve\\W+{re.escape(topic)}$")).click()
    expect(admin.locator(".forum-topics__item", has_text=topic)
           .get_by_text("Waiting for approval")).to_have_count(0)
    assert_no_axe_violations(admin)

    # --- They sign up -----------------------------------------------------------------------
    person.reload()
    expect(mine.get_by_text("Waiting for approval")).to_have_count(0)
    expect(mine.get_by_text(f"Proposed by {name}.")).to_be_visible()
    person.get_by_role("button", name="Sign up", exact=True).click()
    expect(person.get_by_text("You have a place at this event.")).to_be_visible()
    assert_no_axe_violations(person)
    admin.reload()
    expect(admin.get_by_role("listitem").filter(has_text=re.compile(f"^{name}$"))) \
        .to_be_visible()

    # --- The workshop takes place: time moves on past it ------------------------------------
    with live_app.app_context():
        held = db.session.get(Event, event_id)
        held.starts_at = datetime(2025, 3, 4, 9, 30)
        held.ends_at = datetime(2025, 3, 4, 13, 30)
        db.session.commit()

    # An admin adds the slides through the materials form.
    admin.reload()
    admin.get_by_role("link", name=f"Add a recording, notes or a file to {workshop}",
                      exact=True).click()
    expect(admin.get_by_role("heading", level=1, name="Add a recording, notes or a file")) \
        .to_be_visible()
    assert_no_axe_violations(admin)
    admin.get_by_label("A file (slides, a paper, a spreadsheet)").check()
    admin.get_by_label("Title", exact=True).fill(slides_title)
    admin.get_by_label("File", exact=True).set_input_files(
        files=[{"name": slides_file, "mimeType": "application/pdf", "buffer": samples.PDF}])
    admin.get_by_role("button", name="Add to the event").click()
    expect(admin.get_by_text("Added to the event's materials.")).to_be_visible()
    assert_no_axe_violations(admin)

    # --- Later, they find the past workshop and download its slides -------------------------
    person.get_by_role("navigation", name="Account and sections") \
        .get_by_role("link", name="Events", exact=True).click()
    person.get_by_role("link", name="Past events, with their recordings and notes").click()
    expect(person.get_by_role("heading", level=1, name="Past events")).to_be_visible()
    assert_no_axe_violations(person)
    person.get_by_label("Title contains").fill(token)
    person.get_by_role("button", name="Filter").click()
    expect(person.get_by_text(f"Materials: {slides_title} (file)")).to_be_visible()
    assert_no_axe_violations(person)
    person.get_by_role("link", name=workshop, exact=True).click()
    expect(person.get_by_role("heading", level=1, name=workshop, exact=True)).to_be_visible()
    # Over now: no sign-up or proposing controls, the topic stays listed, the slides are there.
    expect(person.get_by_role("button", name="Give up my place")).to_have_count(0)
    expect(person.get_by_role("button", name="Propose the topic")).to_have_count(0)
    expect(person.get_by_text("Proposals are closed.")).to_be_visible()
    expect(person.locator(".forum-topics__item", has_text=topic)).to_be_visible()
    materials = person.locator(".forum-events__item", has_text=slides_title)
    expect(materials.get_by_text("(PDF, ")).to_be_visible()
    assert_no_axe_violations(person)

    with person.expect_download() as download_info:
        materials.get_by_role("link", name=slides_file, exact=True).click()
    download = download_info.value
    assert download.suggested_filename == slides_file
    assert Path(download.path()).read_bytes() == samples.PDF
