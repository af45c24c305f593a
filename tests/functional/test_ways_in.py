"""Pages that tell people how to get in, or what they are not shown, tell the truth: the network
takes requests to join, network and public sets take requests, and visitors are told that
members see more events (an empty list is not "nothing is planned")."""

from __future__ import annotations

from datetime import datetime

import pytest

from forum.extensions import db
from forum.models import Event
from forum.models import EventAudience
from forum.models import EventKind
from tests.functional.guide_builders import build_guide

ASK_THE_NETWORK = 'href="/network/#request"'


@pytest.mark.parametrize("path", ["/", "/sign-in"])
def test_visitors_are_pointed_to_the_request_to_join_the_network(client, world, path):
    body = client.get(path).get_data(as_text=True)
    assert ASK_THE_NETWORK in body
    assert "ask a facilitator of a learning set to invite you" not in body
    assert "To join a set, ask its facilitator for an invitation" not in body


def test_my_sets_says_readable_sets_take_requests_to_join(client, world):
    client.sign_in_as(world.outsider)
    body = client.get("/sets/").get_data(as_text=True)
    assert "Sets are invite-only" not in body
    assert "open it and ask to join" in body


def test_a_member_without_sets_is_told_they_can_ask_to_join(client, world):
    client.sign_in_as(world.outsider)
    body = client.get("/").get_data(as_text=True)
    assert "ask to join it" in body


def test_signed_in_home_lists_the_published_guides(app, client, world):
    with app.app_context():
        build_guide(world, title="Reaching residents", publish=True, is_public=True)
    client.sign_in_as(world.member)
    body = client.get("/").get_data(as_text=True)
    assert "Published guides" in body
    assert 'href="/guides/reaching-residents/"' in body


def _network_workshop(world) -> None:
    db.session.add(Event(kind=EventKind.WORKSHOP, title="Members-only workshop",
                         starts_at=datetime(2031, 1, 23, 10), ends_at=datetime(2031, 1, 23, 16),
                         place="Leeds", audience=EventAudience.NETWORK, signup_open=False,
                         description_source="", description_html="",
                         created_by_id=world.admin.id, sequence=0))
    db.session.commit()


@pytest.mark.parametrize("path", ["/events/", "/events/archive"])
def test_visitors_are_told_members_see_more_events(app, client, world, path):
    with app.app_context():
        _network_workshop(world)
    body = client.get(path).get_data(as_text=True)
    assert "Members-only workshop" not in body
    assert "No events are planned yet" not in body
    assert "shown only to them" in body
    assert "/sign-in?next=" in body


def test_members_are_not_told_to_sign_in_for_events(app, client, world):
    with app.app_context():
        _network_workshop(world)
    client.sign_in_as(world.member)
    body = client.get("/events/").get_data(as_text=True)
    assert "Members-only workshop" in body
    assert "shown only to them" not in body


def test_a_visitor_finds_every_public_guide_from_the_header_and_back_from_a_guide(app, client,
                                                                                  world):
    with app.app_context():
        build_guide(world, title="Reaching residents", publish=True, is_public=True)
        build_guide(world, title="Members only", publish=True, thread_title="Members thread")
    home = client.get("/").get_data(as_text=True)
    assert 'href="/guides/">Published guides</a>' in home
    listing = client.get("/guides/").get_data(as_text=True)
    assert 'href="/guides/reaching-residents/"' in listing
    assert "Members only" not in listing
    guide = client.get("/guides/reaching-residents/").get_data(as_text=True)
    assert 'class="govuk-breadcrumbs__link" href="/guides/"' in guide


def test_a_member_finds_their_sets_guides_in_the_list(app, client, world):
    with app.app_context():
        build_guide(world, title="Members only", publish=True)
    client.sign_in_as(world.member)
    assert 'href="/guides/members-only/"' in client.get("/guides/").get_data(as_text=True)
    client.sign_in_as(world.outsider)
    assert "Members only" not in client.get("/guides/").get_data(as_text=True)


def test_a_guides_draft_title_is_not_listed_before_it_is_published(app, client, world):
    """A published guide whose curator has since renamed it in the draft: the lists (header's
    list, home page, the set's guides) show the published title, as the guide's page does,
    not the draft's ('Drafts are never shown', the settings page says)."""
    from forum.models import Guide

    with app.app_context():
        built = build_guide(world, title="Reaching residents", publish=True, is_public=True)
        guide = db.session.get(Guide, built.id)
        guide.title, guide.subtitle = "Unpublished rename", "Unpublished subtitle"
        db.session.commit()
    for reader in (None, world.member):
        if reader is not None:
            client.sign_in_as(reader)
        for url in ("/", "/guides/", "/sets/comms/guides/", f"/guides/{built.slug}/"):
            page = client.get(url).get_data(as_text=True)
            assert "Unpublished" not in page, (reader, url)
        assert "Reaching residents" in client.get("/guides/").get_data(as_text=True)
    client.sign_in_as(world.facilitator)  # its curator sees the draft's title to curate it
    assert "Unpublished rename" in client.get("/sets/comms/guides/").get_data(as_text=True)
