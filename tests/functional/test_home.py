"""The home page: what the forum is for visitors, your own sets once signed in."""

from __future__ import annotations

from datetime import datetime

import pytest

from forum.extensions import db
from forum.models import LearningSet
from forum.models import Thread
from forum.models import Visibility
from tests import factories

SET_NAME = "Communicating assemblies"


@pytest.fixture
def more_sets(app, world):
    with app.app_context():
        factories.make_set("open-doors", name="Open doors", visibility=Visibility.PUBLIC,
                           purpose="Anyone can read how we run open sessions.")
        factories.make_set("network-news", name="Network news", visibility=Visibility.NETWORK)
        factories.make_set("secret-garden", name="Secret garden", visibility=Visibility.PRIVATE)
        db.session.commit()


def test_visitors_learn_what_the_forum_is_and_can_sign_in(client, world):
    body = client.get("/").get_data(as_text=True)
    assert "citizens’ assemblies" in body
    assert "deliberative" in body
    assert 'href="/sign-in"' in body


def test_visitors_see_public_sets_only(client, world, more_sets):
    body = client.get("/").get_data(as_text=True)
    assert "Open doors" in body
    assert "Anyone can read how we run open sessions." in body
    for hidden in (SET_NAME, "Network news", "Secret garden"):
        assert hidden not in body


def test_visitors_are_told_when_there_are_no_public_sets(client, world):
    body = client.get("/").get_data(as_text=True)
    assert "There are no public sets at the moment" in body
    assert SET_NAME not in body


def test_members_see_their_sets_with_role_purpose_and_latest_activity(app, client, world):
    with app.app_context():
        db.session.get(LearningSet, world.learning_set.id).purpose = "Press, radio and leaflets."
        db.session.get(Thread, world.thread.id).last_activity_at = datetime(2025, 3, 7, 14, 5)
        db.session.commit()
    client.sign_in_as(world.moderator)
    body = client.get("/").get_data(as_text=True)
    assert "Your learning sets" in body
    assert SET_NAME in body
    assert "Your role: Moderator" in body
    assert "Press, radio and leaflets." in body
    assert "Latest activity 7 March 2025 at 14:05" in body
    assert 'href="/sets/"' in body


@pytest.mark.parametrize("role", ["outsider", "admin"])
def test_home_page_lists_only_sets_you_belong_to(client, world, more_sets, role):
    client.sign_in_as(world.user(role))
    body = client.get("/").get_data(as_text=True)
    assert "Your learning sets" in body
    for name in (SET_NAME, "Secret garden", "Open doors", "Network news"):
        assert name not in body
    assert "You are not in any learning sets yet" in body


@pytest.mark.parametrize("page", ["/", "/sets/"])
def test_an_admin_in_no_set_is_pointed_to_creating_one_not_to_asking_to_join(client, world,
                                                                            page):
    """On a new site the admin's first step is to create a set, not to ask to join one."""
    client.sign_in_as(world.admin)
    body = client.get(page).get_data(as_text=True)
    assert "As a site admin you can <a class=\"govuk-link\" href=\"/sets/new\">create a " \
        "learning set</a>" in body
    assert "ask to join it, or wait for a facilitator" not in body
    client.sign_in_as(world.outsider)
    assert "ask to join it, or wait for a facilitator" in client.get(page).get_data(as_text=True)


def test_long_purposes_are_shortened_on_the_home_page(app, client, world):
    with app.app_context():
        db.session.get(LearningSet, world.learning_set.id).purpose = "word " * 200
        db.session.commit()
    client.sign_in_as(world.member)
    body = client.get("/").get_data(as_text=True)
    assert "word " * 30 in body
    assert "word " * 60 not in body
    assert "…" in body
