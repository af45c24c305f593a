"""The list of sets and one set's page: who sees what, and paging through threads."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from forum.extensions import db
from forum.models import LearningSet
from forum.models import Thread
from forum.models import Visibility
from forum.models import utcnow
from tests import factories
from tests.conftest import ROLE_NAMES
from tests.functional.page_text import without_nonce

PRIVATE, NETWORK, PUBLIC = Visibility.PRIVATE, Visibility.NETWORK, Visibility.PUBLIC
SET_NAME = "Communicating assemblies"


def _sign_in(client, world, role: str) -> None:
    user = world.user(role)
    if user is not None:
        client.sign_in_as(user)


def _set_visibility(app, world, visibility: Visibility) -> None:
    with app.app_context():
        db.session.get(LearningSet, world.learning_set.id).visibility = visibility
        db.session.commit()


def _row(*codes: int) -> dict[str, int]:
    return dict(zip(ROLE_NAMES, codes, strict=True))


#                    anonymous outsider member moderator facilitator admin
SET_PAGE = {
    PRIVATE: _row(404, 404, 200, 200, 200, 200),
    NETWORK: _row(404, 200, 200, 200, 200, 200),
    PUBLIC: _row(200, 200, 200, 200, 200, 200),
}


@pytest.mark.parametrize("visibility", [PRIVATE, NETWORK, PUBLIC])
@pytest.mark.parametrize("role", ROLE_NAMES)
def test_set_page_is_shown_only_to_those_who_may_read_the_set(app, client, world, role,
                                                               visibility):
    _set_visibility(app, world, visibility)
    _sign_in(client, world, role)
    response = client.get("/sets/comms/")
    assert response.status_code == SET_PAGE[visibility][role]
    body = response.get_data(as_text=True)
    if response.status_code == 404:
        assert SET_NAME not in body
    else:
        assert SET_NAME in body
        assert "Naming the assembly" in body


@pytest.mark.parametrize("role", ["anonymous", "outsider"])
def test_unknown_and_private_sets_give_the_same_not_found_page(client, world, role):
    _sign_in(client, world, role)
    private = client.get("/sets/comms/")
    unknown = client.get("/sets/no-such-set/")
    assert private.status_code == unknown.status_code == 404
    # Identical apart from the address itself (echoed in the sign-in link) and the CSRF token
    # of the sign-out button (timestamped, so it changes when the clock ticks between requests).
    assert (_without_csrf_token(private.get_data(as_text=True)).replace("comms", "x")
            == _without_csrf_token(unknown.get_data(as_text=True)).replace("no-such-set", "x"))


def _without_csrf_token(page: str) -> str:
    page = without_nonce(page)
    return re.sub(r'name="csrf_token" value="[^"]*"', 'name="csrf_token" value=""', page)


@pytest.mark.parametrize("role, sees_button", [
    ("member", True), ("moderator", True), ("facilitator", True), ("admin", True),
    ("outsider", False),
])
def test_start_thread_button_is_offered_to_those_who_can_post(app, client, world, role,
                                                              sees_button):
    _set_visibility(app, world, NETWORK)
    _sign_in(client, world, role)
    body = client.get("/sets/comms/").get_data(as_text=True)
    assert ("Start a new thread" in body) is sees_button
    assert ("/sets/comms/threads/new" in body) is sees_button


@pytest.mark.parametrize("role, expected", [
    ("member", "Member"), ("moderator", "Moderator"), ("facilitator", "Facilitator"),
])
def test_set_page_shows_your_role_and_explains_visibility(client, world, role, expected):
    _sign_in(client, world, role)
    body = client.get("/sets/comms/").get_data(as_text=True)
    assert f">{expected}<" in body.replace("\n", "").replace("  ", "")
    assert "Only members of the set can find it and read it." in body


@pytest.mark.parametrize("role, sees_settings, sees_members", [
    ("member", False, True), ("facilitator", True, True), ("admin", True, True),
    ("outsider", False, False),
])
def test_set_page_links_to_members_and_settings_for_those_allowed(
        app, client, world, role, sees_settings, sees_members):
    _set_visibility(app, world, NETWORK)
    _sign_in(client, world, role)
    body = client.get("/sets/comms/").get_data(as_text=True)
    assert ("/sets/comms/settings" in body) is sees_settings
    assert ("/sets/comms/members" in body) is sees_members


# --- paging through threads ------------------------------------------------

@pytest.fixture
def busy_set(app, world):
    """45 threads: the world's (pinned, oldest), then "Thread 01" ... "Thread 44" (newest)."""
    with app.app_context():
        learning_set = db.session.get(LearningSet, world.learning_set.id)
        member = factories.make_user()
        factories.add_member(member, learning_set)
        start = utcnow() - timedelta(days=100)
        db.session.get(Thread, world.thread.id).last_activity_at = start - timedelta(days=1)
        for n in range(1, 45):
            thread = factories.make_thread(learning_set, member, title=f"Thread {n:02d}")
            thread.last_activity_at = start + timedelta(hours=n)
        pinned = db.session.get(Thread, world.thread.id)
        pinned.is_pinned = True
        db.session.commit()
    return world


def test_threads_are_listed_pinned_first_then_latest_activity(app, client, busy_set):
    app.config["THREADS_PER_PAGE"] = 20
    client.sign_in_as(busy_set.member)
    body = client.get("/sets/comms/").get_data(as_text=True)
    assert body.index("Naming the assembly") < body.index("Thread 44") < body.index("Thread 43")
    assert "Pinned" in body
    assert "Thread 26" in body
    assert "Thread 25" not in body


@pytest.mark.parametrize("page, first, last, absent", [
    (1, "Thread 44", "Thread 26", "Thread 25"),
    (2, "Thread 25", "Thread 06", "Thread 26"),
    (3, "Thread 05", "Thread 01", "Thread 06"),
])
def test_forty_five_threads_are_split_into_three_pages(app, client, busy_set, page, first, last,
                                                       absent):
    app.config["THREADS_PER_PAGE"] = 20
    client.sign_in_as(busy_set.member)
    response = client.get(f"/sets/comms/?page={page}")
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert first in body and last in body
    assert absent not in body
    assert "govuk-pagination" in body
    assert 'aria-current="page"' in body
    assert f"?page={page}" in body


def test_pagination_links_to_next_and_previous_pages(app, client, busy_set):
    app.config["THREADS_PER_PAGE"] = 20
    client.sign_in_as(busy_set.member)
    body = client.get("/sets/comms/?page=2").get_data(as_text=True)
    assert 'href="/sets/comms/?page=1" rel="prev"' in body
    assert 'href="/sets/comms/?page=3" rel="next"' in body


@pytest.mark.parametrize("query, status", [
    ("page=0", 200), ("page=-3", 200), ("page=abc", 200), ("page=", 200),
    ("page=4", 404), ("page=99999999999999999999999", 200),
])
def test_bad_page_numbers_show_page_one_or_not_found(app, client, busy_set, query, status):
    app.config["THREADS_PER_PAGE"] = 20
    client.sign_in_as(busy_set.member)
    response = client.get(f"/sets/comms/?{query}")
    assert response.status_code == status
    if status == 200:
        assert "Thread 44" in response.get_data(as_text=True)


def test_a_set_with_few_threads_has_no_pagination(client, world):
    client.sign_in_as(world.member)
    body = client.get("/sets/comms/").get_data(as_text=True)
    assert "govuk-pagination" not in body


# --- the list of sets ------------------------------------------------------

@pytest.fixture
def other_sets(app, world):
    with app.app_context():
        factories.make_set("open-doors", name="Open doors", visibility=PUBLIC)
        factories.make_set("network-news", name="Network news", visibility=NETWORK)
        factories.make_set("secret-garden", name="Secret garden", visibility=PRIVATE)
        db.session.commit()


def test_sets_list_needs_sign_in(client, world):
    response = client.get("/sets/")
    assert response.status_code == 302
    assert "/sign-in" in response.headers["Location"]


def test_member_sees_their_sets_with_role_and_other_readable_sets(client, world, other_sets):
    client.sign_in_as(world.moderator)
    body = client.get("/sets/").get_data(as_text=True)
    mine, others = body.split("Other sets you can read")
    assert SET_NAME in mine and "Your role: Moderator" in mine
    assert "Open doors" in others and "Network news" in others
    assert "Secret garden" not in body


def test_outsider_never_sees_private_set_names_in_the_list(client, world, other_sets):
    client.sign_in_as(world.outsider)
    body = client.get("/sets/").get_data(as_text=True)
    assert SET_NAME not in body
    assert "Secret garden" not in body
    assert "Open doors" in body
    # Someone in no set is told both ways in, as the home page tells them.
    assert "Open one of the sets you can read and ask to join it, or wait for a facilitator" in body


def test_admin_sees_every_set_in_the_list(client, world, other_sets):
    client.sign_in_as(world.admin)
    body = client.get("/sets/").get_data(as_text=True)
    for name in (SET_NAME, "Open doors", "Network news", "Secret garden"):
        assert name in body


@pytest.mark.parametrize("page", ["", "meetings", "guides/", "moderation-log",
                                  "moderation-policy"])
def test_a_sets_pages_answer_only_at_its_own_address(app, client, world, page):
    """An address that merely begins with a set's (longest possible) slug is not the set's:
    the meetings, guides and moderation pages cut the slug to 80 characters before looking."""
    slug = "s" * 80
    with app.app_context():
        factories.make_set(slug, visibility=PUBLIC)
        db.session.commit()
    client.sign_in_as(world.admin)
    assert client.get(f"/sets/{slug}/{page}").status_code == 200
    assert client.get(f"/sets/{slug}-and-more/{page}").status_code == 404
