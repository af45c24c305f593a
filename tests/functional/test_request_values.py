"""Query and form values with NUL or other control characters: never a 500, never echoed raw.

A NUL ended the search pattern in SQLite's LIKE, so ``/admin/?q=...%00`` listed everyone, and
it was written raw into the page. Every value a view reads now arrives without them.
"""

from __future__ import annotations

import re

import pytest

CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
JUNK = "%00%07%1B"


def test_admin_search_ignores_a_nul_and_writes_none_into_the_page(client, world):
    client.sign_in_as(world.admin)
    page = client.get(f"/admin/?q=Mia{JUNK}").get_data(as_text=True)
    assert "Mia Moderator" in page
    assert "Mo Member" not in page  # the NUL no longer turns the search into "everyone"
    assert not CONTROL.search(page)
    assert 'value="Mia"' in page


GETS = [
    ("admin", "/admin/?q={j}&page={j}"),
    ("moderator", "/moderation/?set={j}&page={j}"),
    ("moderator", "/sets/comms/moderation-log?action={j}&moderator={j}&page={j}"),
    ("facilitator", "/sets/comms/guides/new?thread={j}"),
    ("member", "/notifications?page={j}"),
    ("member", "/threads/{thread}?page={j}"),
    ("member", "/sets/comms/?page={j}"),
    ("anonymous", "/sign-in?next=/sets/{j}"),
    ("anonymous", "/sets/co{j}mms/"),
    ("anonymous", "/invitations/abc{j}"),
    ("anonymous", "/password/reset/abc{j}"),
    ("anonymous", "/guides/a{j}/"),
]


@pytest.mark.parametrize(("role", "url"), GETS)
def test_control_characters_in_the_address_never_fail_or_echo(client, world, role, url):
    if world.user(role) is not None:
        client.sign_in_as(world.user(role))
    response = client.get(url.format(j=JUNK, thread=world.thread.id))
    assert response.status_code in (200, 302, 403, 404)
    assert not CONTROL.search(response.get_data(as_text=True))


def test_a_path_with_a_nul_is_not_found(client, world):
    client.sign_in_as(world.member)
    assert client.get("/sets/comms%00/").status_code == 404


@pytest.mark.parametrize(("url", "data"), [
    ("/sign-in", {"email": "a\x00@b\x07", "password": "x\x00"}),
    ("/password/forgot", {"email": "someone\x00@example.org\x1b"}),
])
def test_a_refused_form_is_shown_again_without_control_characters(client, url, data):
    response = client.post(url, data=data)
    assert response.status_code in (200, 302, 429)
    assert not CONTROL.search(response.get_data(as_text=True))
