"""Every ``next`` the app reads sends the browser only to a path on this site, and never 500s.

Browsers drop tabs and newlines inside a URL and read ``\\`` as ``/``: ``/<tab>/evil.example``
took a moderator to another site from the reject, edit and hide forms and the pin buttons, and
``/<newline>`` gave a 500. Each route that takes a ``next`` is driven with the same corpus.
"""

from __future__ import annotations

import re
from html import unescape

import pytest

from forum.extensions import db
from forum.models import PostStatus
from forum.models import Thread
from forum.redirects import is_safe_next
from forum.redirects import safe_next
from tests import factories
from tests.factories import DEFAULT_PASSWORD

UNSAFE = [
    "/\t/evil.example",
    "/\n/evil.example",
    "/\r\n/evil.example",
    "/\n",
    "/\r",
    "\t//evil.example",
    "//evil.example",
    "///evil.example",
    "/\\evil.example",
    "/\\/evil.example",
    "\\\\evil.example",
    "/x\\..\\..\\evil.example",
    "https://evil.example/",
    "http:evil.example",
    "HTTPS://evil.example",
    "javascript:alert(1)",
    "JaVaScRiPt:alert(document.cookie)",
    " javascript:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "evil.example",
    "@evil.example",
    " /evil",
    "/ /evil.example",
    # ("/\x00" and "/a\x00b" are not here: every request value loses its control characters
    # before a view sees it (forum.routing.ForumRequest, tests/functional/test_request_values),
    # so they arrive as the site's own paths "/" and "/ab".)
    "\x00//evil.example",
    "/\x7f/evil.example",
    "/\x0b/evil.example",
    "/\u2028/evil.example",
    "/\u00a0/evil.example",
    "/\u3000/evil.example",
    "\uff0f\uff0fevil.example",
    "%2F%2Fevil.example",
    "%2f%09%2fevil.example",
    "/" + "x" * 5000,
    "",
]

SAFE = {
    "/threads/1": "/threads/1",
    "/moderation/?set=comms&page=2": "/moderation/?set=comms&page=2",
    "/threads/1#post-3": "/threads/1#post-3",
    "/%2F%2Fevil.example": "/%2F%2Fevil.example",  # an encoded slash stays a path here
    "/sets/caf\u00e9/": "/sets/caf%C3%A9/",
    "/@evil.example": "/@evil.example",
}


@pytest.mark.parametrize("value", UNSAFE, ids=repr)
def test_unsafe_values_fall_back_to_the_default(value):
    assert not is_safe_next(value)
    assert safe_next(value, "/default") == "/default"


@pytest.mark.parametrize(("value", "expected"), SAFE.items(), ids=repr)
def test_paths_on_this_site_are_kept(value, expected):
    assert safe_next(value, "/default") == expected


def _stays_here(response, default: str, value: str) -> None:
    assert response.status_code < 500, (value, response.status_code)
    assert response.status_code in (302, 303), (value, response.status_code)
    assert response.headers["Location"] == default, (value, response.headers["Location"])


@pytest.fixture
def posts(app, world) -> dict[str, int]:
    with app.app_context():
        thread = db.session.get(Thread, world.thread.id)
        opening = thread.posts[0]
        ids = {"thread": thread.id, "approved": factories.make_post(
            thread, world.member, parent=opening, body="Published.").id}
        for n in range(len(UNSAFE)):
            ids[f"pending{n}"] = factories.make_post(
                thread, world.member, parent=opening, body=f"Waiting {n}.",
                status=PostStatus.PENDING).id
            ids[f"approved{n}"] = factories.make_post(
                thread, world.member, parent=opening, body=f"Published {n}.").id
        db.session.commit()
        return ids


# (name, method, URL, form data): every route that reads ``next``, and where it goes by default.
MODERATION_ROUTES = [
    ("approve", "POST", "/moderation/posts/{pending}/approve", {}, "/moderation/"),
    ("approve selected", "POST", "/moderation/approve-selected", {"post_ids": "{pending}"},
     "/moderation/"),
    ("reject", "POST", "/moderation/posts/{pending}/reject", {"reason": "Say more."},
     "/moderation/"),
    ("reject an approved post", "GET", "/moderation/posts/{approved}/reject", {},
     "/moderation/"),
    ("edit", "POST", "/moderation/posts/{pending}/edit",
     {"body": "Edited.", "original": "Waiting {n}."}, "/moderation/"),
    ("edit an approved post", "GET", "/moderation/posts/{approved}/edit", {}, "/moderation/"),
    # A post of its own each time: hiding one already hidden keeps the typed reason on the form.
    ("hide", "POST", "/moderation/posts/{approved_n}/hide", {"reason": "Off topic."},
     "/moderation/"),
    ("hide a waiting post", "GET", "/moderation/posts/{pending}/hide", {}, "/moderation/"),
    ("dismiss reports", "POST", "/moderation/posts/{approved}/dismiss-reports", {},
     "/moderation/"),
    ("pin", "POST", "/moderation/threads/{thread}/pin", {}, "/threads/{thread}"),
    ("unpin", "POST", "/moderation/threads/{thread}/unpin", {}, "/threads/{thread}"),
    ("lock", "POST", "/moderation/threads/{thread}/lock", {}, "/threads/{thread}"),
]


@pytest.mark.parametrize(("name", "method", "url", "data", "default"), MODERATION_ROUTES,
                         ids=[route[0] for route in MODERATION_ROUTES])
def test_moderation_actions_never_redirect_off_the_site(client, world, posts, name, method,
                                                       url, data, default):
    client.sign_in_as(world.moderator)
    for n, value in enumerate(UNSAFE):
        ids = {**posts, "pending": posts[f"pending{n}"], "approved_n": posts[f"approved{n}"],
               "n": n}
        target = url.format(**ids)
        if method == "GET":
            response = client.get(target, query_string={"next": value})
        else:
            form = {key: field.format(**ids) for key, field in data.items()}
            response = client.post(target, data={**form, "next": value})
        _stays_here(response, default.format(**ids), value)


def _next_and_cancel(page: str) -> tuple[str, str]:
    hidden = re.search(r'name="next"[^>]*value="([^"]*)"|value="([^"]*)"[^>]*name="next"', page)
    cancel = re.search(r'<a class="govuk-link" href="([^"]*)">Cancel</a>', page)
    assert hidden is not None and cancel is not None
    return unescape(hidden.group(1) or hidden.group(2) or ""), unescape(cancel.group(1))


@pytest.mark.parametrize("form", ["reject", "edit", "hide"])
def test_moderation_forms_carry_and_link_only_safe_paths(client, world, posts, form):
    client.sign_in_as(world.moderator)
    post = posts["approved"] if form == "hide" else posts["pending0"]
    for value in UNSAFE:
        response = client.get(f"/moderation/posts/{post}/{form}",
                              query_string={"next": value})
        assert response.status_code == 200, (value, response.status_code)
        carried, cancel = _next_and_cancel(response.text)
        assert carried == "", (value, carried)
        assert cancel == "/moderation/", (value, cancel)
    response = client.get(f"/moderation/posts/{post}/{form}",
                          query_string={"next": "/threads/1"})
    assert _next_and_cancel(response.text) == ("/threads/1", "/threads/1")


def test_a_safe_next_is_followed_after_a_moderation_action(client, world, posts):
    client.sign_in_as(world.moderator)
    response = client.post(f"/moderation/threads/{posts['thread']}/pin",
                           data={"next": "/sets/comms/?page=2"})
    assert response.headers["Location"] == "/sets/comms/?page=2"


def test_sign_in_never_redirects_off_the_site(app, client, world):
    app.config["SIGN_IN_RATE_LIMIT"] = "1000 per minute"
    with app.app_context():
        factories.make_user("signer@example.org", password=DEFAULT_PASSWORD)
        db.session.commit()
    for value in UNSAFE:
        response = client.post("/sign-in", data={
            "email": "signer@example.org", "password": DEFAULT_PASSWORD, "next": value})
        _stays_here(response, "/", value)
        # Signed in already: the sign-in page sends the visitor on at once.
        _stays_here(client.get("/sign-in", query_string={"next": value}), "/", value)
        client.sign_out()


def test_sign_in_page_does_not_carry_an_unsafe_next(client):
    for value in UNSAFE:
        page = client.get("/sign-in", query_string={"next": value}).text
        carried = re.search(r'name="next"[^>]*value="([^"]*)"', page)
        assert carried is None or carried.group(1) == "", (value, carried)


def test_sign_out_never_redirects_off_the_site(client, world):
    for value in UNSAFE:
        client.sign_in_as(world.member)
        _stays_here(client.post("/sign-out", data={"next": value}), "/", value)
