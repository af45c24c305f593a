"""Small steps that several browser tests take, written with accessible locators."""

from __future__ import annotations

from playwright.sync_api import Locator
from playwright.sync_api import Page
from playwright.sync_api import expect


def sign_in(page: Page, email: str, password: str) -> None:
    """Sign in through the real form (its labels are part of what is tested)."""
    page.goto("/sign-in")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()


def post_with_text(page: Page, text: str) -> Locator:
    """The one post (an article) whose body contains ``text``."""
    return page.get_by_role("article").filter(has_text=text)
