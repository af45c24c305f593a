"""Asking to join the network in a real browser, with axe-core on each page: a visitor asks
from About the network, an admin accepts with a set
ticked, and the invited person creates their account from the emailed link and lands in it."""

from __future__ import annotations

import re

from flask import Flask
from playwright.sync_api import expect
from pytest_playwright.pytest_playwright import CreateContextCallback

from tests.browser.accessibility import assert_no_axe_violations
from tests.browser.pages import ask_to_join_network
from tests.browser.pages import signed_in_page
from tests.browser.seed import Seed
from tests.mailbox import sent_messages

VISITOR = "olu.adeyemi@brackwater.example.gov.uk"
PASSWORD = "copper kettle meadow 58"


def test_visitor_asks_admin_accepts_and_the_invited_person_joins(
        new_context: CreateContextCallback, seed: Seed, live_app: Flask) -> None:
    visitor = new_context().new_page()
    visitor.goto("/")
    visitor.get_by_role("link", name="About the network").first.click()
    expect(visitor.get_by_role("heading", level=1, name="About the network")).to_be_visible()
    assert_no_axe_violations(visitor)
    # The robots' field is out of reach: not in the accessibility tree.
    expect(visitor.get_by_role("textbox", name="Leave this empty")).to_have_count(0)

    ask_to_join_network(visitor, name="Olu Adeyemi", email=VISITOR,
                        organisation="Brackwater Borough Council", role="Participation officer",
                        hope="Help planning our first citizens' jury.")
    assert_no_axe_violations(visitor)

    admin = signed_in_page(new_context, seed.admin_email, seed.password)
    admin.get_by_role("link", name="Join requests").click()
    expect(admin.get_by_role("heading", level=3, name="Olu Adeyemi")).to_be_visible()
    assert_no_axe_violations(admin)
    admin.get_by_role("link", name="Accept Olu Adeyemi's request").click()
    expect(admin.get_by_label(seed.set_name)).to_be_visible()
    assert_no_axe_violations(admin)
    admin.get_by_label(seed.set_name).check()
    admin.get_by_role("button", name="Accept and send the invitation").click()
    expect(admin.get_by_text("Olu Adeyemi has been invited to the network")).to_be_visible()
    assert_no_axe_violations(admin)

    invitation = [m for m in sent_messages(live_app)
                  if m["To"] == VISITOR and "invitation" in m["Subject"]][-1]
    text = invitation.get_body(preferencelist=("plain",)).get_content()
    link = re.search(r"(/network/join/\S+)", text).group(1)

    invited = new_context().new_page()
    invited.goto(link)
    expect(invited.get_by_role("heading", level=1)).to_have_text(
        "Create your account to join the network")
    assert_no_axe_violations(invited)
    invited.get_by_label("Your name").fill("Olu Adeyemi")
    invited.get_by_label("Organisation").fill("Brackwater Borough Council")
    invited.get_by_label("Password", exact=True).fill(PASSWORD)
    invited.get_by_label("Confirm password").fill(PASSWORD)
    invited.get_by_role("button", name="Create account and join").click()
    expect(invited.get_by_text(f"You have joined {seed.set_name}")).to_be_visible()
    expect(invited.get_by_role("button", name="Sign out")).to_be_visible()
    assert_no_axe_violations(invited)
