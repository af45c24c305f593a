"""A facilitator attaches files to a set meeting through the real form (a disguised program
refused first), a member downloads one, and the facilitator removes it; axe-core runs on
each page."""

from __future__ import annotations

import re

from playwright.sync_api import Page
from playwright.sync_api import expect

from tests import file_samples
from tests.browser.accessibility import assert_no_axe_violations
from tests.browser.pages import sign_in
from tests.browser.seed import Seed

TITLE = "Set meeting 7: papers for the joint session"


def test_a_facilitator_attaches_a_meetings_papers_and_a_member_downloads_them(
        page: Page, seed: Seed) -> None:
    sign_in(page, seed.facilitator_email, seed.password)
    page.goto(f"/sets/{seed.set_slug}/meetings/new")
    page.get_by_label("Title").fill(TITLE)
    page.get_by_label("Date").fill("2031-06-11")
    page.get_by_label("Starts at").fill("10:00")
    page.get_by_label("Ends at").fill("12:00")
    page.get_by_label("Online link").fill("https://meet.example.org/comms")
    page.get_by_role("button", name="Schedule the meeting").click()
    expect(page.get_by_role("heading", level=1, name=TITLE)).to_be_visible()
    expect(page.get_by_text("No files have been added.")).to_be_visible()
    page.get_by_role("link", name=re.compile("^Add files")).click()
    expect(page.get_by_role("heading", level=1, name="Add files to the meeting")).to_be_visible()
    assert_no_axe_violations(page)

    # A program named like a PDF is refused beside the field.
    page.get_by_label("Files").set_input_files(files=[{
        "name": "agenda.pdf", "mimeType": "application/pdf", "buffer": file_samples.EXE}])
    page.get_by_role("button", name="Add the files").click()
    expect(page.locator(".govuk-error-summary")).to_be_focused()
    expect(page.locator("#files-error")).to_contain_text("is a program")
    assert_no_axe_violations(page)

    page.get_by_label("Files").set_input_files(files=[
        {"name": "Joint session agenda.pdf", "mimeType": "application/pdf",
         "buffer": file_samples.PDF},
        {"name": "Actions so far.csv", "mimeType": "text/csv", "buffer": file_samples.CSV}])
    page.get_by_role("button", name="Add the files").click()
    expect(page.get_by_text("2 files added")).to_be_visible()
    expect(page.get_by_role("link", name="Joint session agenda.pdf")).to_be_visible()
    assert_no_axe_violations(page)
    meeting_url = page.url.split("#")[0]
    page.get_by_role("button", name="Sign out").click()

    sign_in(page, seed.member_email, seed.password)
    page.goto(meeting_url)
    expect(page.get_by_role("button", name=re.compile("^Remove"))).to_have_count(0)
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Joint session agenda.pdf").click()
    download = download_info.value
    assert download.suggested_filename == "Joint session agenda.pdf"
    with open(download.path(), "rb") as stream:
        assert stream.read() == file_samples.PDF
    assert_no_axe_violations(page)
    page.get_by_role("button", name="Sign out").click()

    sign_in(page, seed.facilitator_email, seed.password)
    page.goto(meeting_url)
    page.get_by_role("button", name="Remove Actions so far.csv").click()
    expect(page.get_by_text("“Actions so far.csv” was removed.")).to_be_visible()
    expect(page.get_by_role("link", name="Actions so far.csv")).to_have_count(0)
    expect(page.get_by_role("link", name="Joint session agenda.pdf")).to_be_visible()
