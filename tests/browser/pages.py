"""Small steps that several browser tests take, written with accessible locators."""

from __future__ import annotations

import re

from playwright.sync_api import Locator
from playwright.sync_api import Page
from playwright.sync_api import expect
from pytest_playwright.pytest_playwright import CreateContextCallback


def sign_in(page: Page, email: str, password: str) -> None:
    """Sign in through the real form (its labels are part of what is tested)."""
    page.goto("/sign-in")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()


def signed_in_page(new_context: CreateContextCallback, email: str, password: str) -> Page:
    """A browser of its own (its own cookies) with a page signed in as ``email``."""
    page = new_context().new_page()
    sign_in(page, email, password)
    return page


def approve_in_queue(page: Page, text: str) -> None:
    """On the moderation queue, approve the waiting post whose text holds ``text``."""
    item = page.get_by_role("listitem").filter(has_text=text)
    item.get_by_role("button", name=re.compile(r"^Approve")).click()
    expect(page.get_by_text("Post approved.")).to_be_visible()


def ask_to_join_network(page: Page, *, name: str, email: str, organisation: str, role: str,
                        hope: str) -> None:
    """Fill in and send the form on About the network (the page is open)."""
    page.get_by_label("Your name").fill(name)
    page.get_by_label("Work email address").fill(email)
    page.get_by_label("Organisation").fill(organisation)
    page.get_by_label("Your role").fill(role)
    page.get_by_label("What do you hope to get from the network?").fill(hope)
    # A person takes more than the three seconds a robot does not (the too-fast answer has its
    # own tests in tests/functional/test_network_requests.py).
    page.wait_for_timeout(3_000)
    page.get_by_role("button", name="Send request").click()
    expect(page.get_by_role("heading", level=1, name="Request sent")).to_be_visible()


def post_with_text(page: Page, text: str) -> Locator:
    """The one post (an article) whose body contains ``text``."""
    return page.get_by_role("article").filter(has_text=text)
