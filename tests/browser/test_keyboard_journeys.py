"""The member, moderator and facilitator journeys with the keyboard alone: no clicks, no filled
fields; Tab, Shift+Tab, Enter, Space and typing. At every stop the focused element must show a
visible focus indicator, and each step checks by role and accessible name where the focus is."""

from __future__ import annotations

import re
import uuid

import pytest
from playwright.sync_api import Page
from playwright.sync_api import expect

from tests.browser.accessibility import assert_no_axe_violations
from tests.browser.keyboard import activate
from tests.browser.keyboard import assert_focus_visible
from tests.browser.keyboard import focus_description
from tests.browser.keyboard import tab_through
from tests.browser.keyboard import tab_to
from tests.browser.keyboard import type_into
from tests.browser.pages import post_with_text
from tests.browser.seed import Seed
from tests.browser.seed import ThreadRef

PAGE = ("<!doctype html><html lang='en'><head><title>t</title><style>{css}</style></head>"
        "<body style='background: #fff'><main><p><a href='#a'>First</a> <a href='#b'>Second</a>"
        "</p></main></body></html>")


@pytest.mark.parametrize(("css", "reason"), [
    ("a:focus { outline: none }", "its focused style is no different"),
    ("a:focus { outline: 3px solid transparent }", "its focused style is no different"),
    ("a:focus { outline: 3px solid #fd0; color: #fff }", "its text has a contrast of 1.00:1"),
])
def test_the_focus_check_fails_where_a_sighted_keyboard_user_loses_the_focus(
        page: Page, css: str, reason: str) -> None:
    page.set_content(PAGE.format(css=css))
    page.keyboard.press("Tab")

    with pytest.raises(AssertionError, match=f'focus on link "First" .* {re.escape(reason)}'):
        assert_focus_visible(page)


def test_the_focus_check_accepts_a_gov_uk_style_focus_and_reports_where_tab_went(
        page: Page) -> None:
    css = "a:focus { outline: 3px solid transparent; background: #fd0; color: #0b0c0c }"
    page.set_content(PAGE.format(css=css))

    assert tab_to(page, page.get_by_role("link", name="Second")) == [
        'link "First"', 'link "Second"']


DATE_PAGE = ("<!doctype html><html lang='en'><head><title>t</title><style>{css}</style></head>"
             "<body><main><label for='day'>Date</label> <input id='day' type='date'> "
             "<a href='#next'>Next</a></main></body></html>")


@pytest.mark.parametrize(("css", "shown"), [
    ("input:focus { outline: 3px solid #fd0 }", False),
    ("input:focus-within { outline: 3px solid #fd0 }", True),
])
def test_the_focus_check_follows_tab_into_a_date_fields_calendar_button(
        page: Page, css: str, shown: bool) -> None:
    # Tab stops on the day, month, year and then Chromium's calendar button, where the field
    # is no longer :focus (only :focus-within): its focus must still show there.
    page.set_content(DATE_PAGE.format(css=css))

    if shown:
        assert tab_to(page, page.get_by_role("link", name="Next"))[-1] == 'link "Next"'
    else:
        with pytest.raises(AssertionError, match="input#day .* its focused style is no different"):
            tab_to(page, page.get_by_role("link", name="Next"))


def _sign_in_with_keyboard(page: Page, email: str, password: str) -> None:
    page.goto("/")
    activate(page, page.get_by_role("banner").get_by_role("link", name="Sign in"))
    expect(page.get_by_role("heading", level=1, name="Sign in")).to_be_visible()
    type_into(page, page.get_by_label("Email address"), email)
    page.keyboard.press("Tab")
    expect(page.get_by_label("Password", exact=True)).to_be_focused()
    assert_focus_visible(page)
    page.keyboard.type(password)
    activate(page, page.get_by_role("button", name="Sign in"))
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()


def test_the_skip_link_comes_first_and_takes_focus_past_the_header(page: Page, seed: Seed) -> None:
    _sign_in_with_keyboard(page, seed.member_email, seed.password)
    page.goto(f"/sets/{seed.set_slug}/")

    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to main content")
    expect(skip).to_be_focused()
    expect(skip).to_be_in_viewport()
    page.keyboard.press("Enter")

    # Next comes the page's own content, not the header's links.
    page.keyboard.press("Tab")
    focused = page.locator("*:focus")
    expect(focused).to_have_count(1)
    assert focused.evaluate("el => !!el.closest('main')"), (
        f"after the skip link, Tab went to {focus_description(page)}, outside <main>")


def test_member_replies_in_a_reviewed_set_and_sees_it_await_approval(
        page: Page, seed: Seed, reviewed_thread: ThreadRef) -> None:
    text = f"We posted letters by second-class mail ({uuid.uuid4().hex[:8]})."
    _sign_in_with_keyboard(page, seed.member_email, seed.password)

    # From the home page to the set, then to the thread.
    activate(page, page.get_by_role("main").get_by_role("link", name=seed.reviewed_set_name))
    expect(page.get_by_role("heading", level=1, name=seed.reviewed_set_name)).to_be_visible()
    activate(page, page.get_by_role("link", name=reviewed_thread.title, exact=True))
    expect(page.get_by_role("heading", level=1, name=reviewed_thread.title)).to_be_visible()

    # Reply from the form under the thread, sent with the keyboard.
    type_into(page, page.get_by_role("textbox", name="Reply to this thread"), text)
    activate(page, page.get_by_role("button", name="Post reply"))

    expect(page.get_by_text("Your post will appear to others once a moderator")).to_be_visible()
    reply = post_with_text(page, text)
    expect(reply.get_by_text("Awaiting approval", exact=True)).to_be_visible()
    # The reply's own controls are reachable too, with their names saying what they act on.
    tab_to(page, reply.get_by_role("link", name=re.compile(r"^Edit")))
    assert_no_axe_violations(page)


def test_moderator_opens_the_queue_from_the_header_and_approves(page: Page, seed: Seed,
                                                                waiting_reply: str) -> None:
    _sign_in_with_keyboard(page, seed.moderator_email, seed.password)

    activate(page, page.get_by_role("banner").get_by_role("link", name=re.compile(
        r"^Moderation \([1-9]")))
    expect(page.get_by_role("heading", level=1, name="Moderation queue")).to_be_visible()
    item = page.get_by_role("listitem").filter(has_text=waiting_reply)
    expect(item).to_have_count(1)

    # Tabbing through the item: its checkbox first, then its Approve button.
    tab_to(page, item.get_by_role("checkbox", name=re.compile(r"^Select for approval")))
    stops = tab_to(page, item.get_by_role("button", name=re.compile(r"^Approve the post by")))
    assert len(stops) == 1, f"between the checkbox and Approve, focus went to {stops[:-1]}"
    page.keyboard.press("Enter")

    expect(page.get_by_text("Post approved.")).to_be_visible()
    expect(page.get_by_role("listitem").filter(has_text=waiting_reply)).to_have_count(0)
    assert_no_axe_violations(page)


def test_facilitator_invites_someone_and_opens_the_guides(page: Page, seed: Seed) -> None:
    address = f"new-{uuid.uuid4().hex[:8]}@council.example.org"
    _sign_in_with_keyboard(page, seed.facilitator_email, seed.password)

    activate(page, page.get_by_role("main").get_by_role("link", name=seed.set_name))
    expect(page.get_by_role("heading", level=1, name=seed.set_name)).to_be_visible()
    activate(page, page.get_by_role("link", name="People in this set"))
    expect(page.get_by_role("heading", level=1, name=f"People in {seed.set_name}")).to_be_visible()

    # The invitation form: the address, then the role radios (the checked one takes focus, and
    # the arrow keys choose), then the button.
    type_into(page, page.get_by_role("textbox", name="Email address"), address)
    page.keyboard.press("Tab")
    expect(page.get_by_role("radio", name=re.compile(r"^Member"))).to_be_focused()
    assert_focus_visible(page)
    page.keyboard.press("ArrowDown")
    moderator = page.get_by_role("radio", name=re.compile(r"^Moderator"))
    expect(moderator).to_be_focused()
    expect(moderator).to_be_checked()
    assert_focus_visible(page)
    activate(page, page.get_by_role("button", name="Send invitation"), key="Space")

    invitations = page.get_by_role("table").filter(has_text="Invited by")
    row = invitations.get_by_role("row").filter(has_text=address)
    expect(row).to_contain_text("Moderator")
    assert_no_axe_violations(page)

    # Back to the set by its breadcrumb, with Shift+Tab from the invitation form, then on to
    # the set's guides.
    tab_to(page, page.get_by_role("textbox", name="Email address"))
    breadcrumb = page.get_by_role("navigation", name="Breadcrumb").get_by_role(
        "link", name=seed.set_name)
    tab_to(page, breadcrumb, backwards=True)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1, name=seed.set_name)).to_be_visible()
    activate(page, page.get_by_role("link", name="Guides", exact=True))
    expect(page.get_by_role("heading", level=1, name=re.compile("Guides"))).to_be_visible()
    assert_no_axe_violations(page)


# Pages the journeys above do not pass through, each as the person with the most controls on it.
# Every control must show its focus, and axe checks each page.
@pytest.mark.parametrize(("who", "paths"), [
    ("facilitator", ["/sets/{reviewed}/", "/threads/{reviewed_thread}", "/sets/{set}/members",
                     "/moderation/", "/moderation/posts/{pending}/reject",
                     "/moderation/posts/{pending}/edit", "/moderation/posts/{opening}/hide",
                     "/sets/{set}/guides/", "/sets/{set}/guides/new", "/sets/{set}/settings",
                     "/sets/{reviewed}/moderation-policy", "/sets/{reviewed}/moderation-log",
                     "/notifications", "/account/profile", "/sets/{set}/meetings/new"]),
    ("member", ["/", "/sets/", "/threads/{reviewed_thread}", "/sets/{set}/threads/new",
                "/posts/{opening}/reply", "/posts/{opening}/report", "/notifications/settings",
                "/account/password"]),
    # Date and time fields: Chromium's calendar button inside a date field takes the focus too.
    ("admin", ["/admin/", "/admin/settings", "/admin/users/{member_id}", "/sets/new",
               "/events/new"]),
])
def test_every_control_on_the_other_pages_shows_where_the_focus_is(
        page: Page, seed: Seed, page_ids: dict[str, object], who: str, paths: list[str]) -> None:
    email = {"facilitator": seed.facilitator_email, "member": seed.member_email,
             "admin": seed.admin_email}[who]
    _sign_in_with_keyboard(page, email, seed.password)
    for path in paths:
        response = page.goto(path.format(**page_ids))
        assert response is not None and response.ok, f"{path}: {response and response.status}"
        stops = tab_through(page)
        assert stops[0] == 'link "Skip to main content"', f"{path}: Tab first went to {stops[0]}"
        assert 'button "Sign out"' in stops
        assert_no_axe_violations(page)
