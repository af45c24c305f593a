"""Search finds published guides as readers see them and events their audience may see, and
nothing else: not a draft, not an excerpt the published page withholds, not a private set's
guide or a set's event to people outside it (both databases)."""

from __future__ import annotations

import re
from datetime import datetime

import pytest

from forum.extensions import db
from forum.guides import compile as compiler
from forum.guides import service as guides
from forum.models import Event
from forum.models import EventAudience
from forum.models import EventKind
from forum.models import Guide
from forum.models import LearningSet
from forum.models import Post
from forum.models import PostStatus
from forum.models import User
from tests.functional.guide_builders import build_guide


def _count(page: str) -> str:
    match = re.search(r'<h2 class="govuk-heading-m" id="results-heading">\s*([^<]*)', page)
    return match.group(1).strip() if match else ""


def _search(client, q: str, **more: str) -> str:
    return client.get("/search", query_string={"q": q, **more}).text


def test_a_member_finds_a_published_guide_by_its_excerpts_and_opens_the_section(
        app, client, world):
    with app.app_context():
        built = build_guide(world, publish=True)
    client.sign_in_as(world.member)
    page = _search(client, "radio", kind="guide")
    assert _count(page) == "1 result"
    assert "Guide: <bdi>Telling the story of an assembly</bdi>" in page
    assert f'href="/guides/{built.slug}/#' in page
    assert "<mark>radio</mark>" in page
    # Everything: the guide and the reply it quotes, each once.
    assert _count(_search(client, "radio")) == "2 results"


def test_a_draft_is_never_found_not_even_by_its_facilitator(app, client, world):
    with app.app_context():
        build_guide(world, title="Quixotic draft guide")
    for role in ("member", "facilitator", "admin"):
        client.sign_in_as(world.user(role))
        assert _count(_search(client, "quixotic", kind="guide")) == "No results", role


def test_words_changed_in_the_draft_are_found_only_once_published_again(app, client, world):
    with app.app_context():
        built = build_guide(world, publish=True)
        guide = db.session.get(Guide, built.id)
        guides.update_guide(db.session, guide, title="Xanthous new title",
                            subtitle=guide.subtitle, introduction_source="",
                            is_public=guide.is_public,
                            thread_ids=[thread.id for thread in guide.threads])
        db.session.commit()
    client.sign_in_as(world.member)
    assert _count(_search(client, "xanthous")) == "No results"
    assert _count(_search(client, "telling story", kind="guide")) == "1 result"
    with app.app_context():
        compiler.publish(db.session, db.session.get(Guide, built.id),
                         by=db.session.get(User, world.facilitator.id))
        db.session.commit()
    assert _count(_search(client, "xanthous")) == "1 result"
    assert _count(_search(client, "telling story", kind="guide")) == "No results"


@pytest.mark.parametrize("change", ["hidden", "withdrawn", "deleted"])
def test_an_excerpt_withheld_from_the_published_page_is_not_found(app, client, world, change):
    with app.app_context():
        built = build_guide(world, publish=True)
        reply = db.session.get(Post, built.post_ids[1])
        if change == "deleted":
            db.session.delete(reply)
        else:
            reply.status = PostStatus(change)
        db.session.commit()
    client.sign_in_as(world.moderator)  # moderators still read the hidden post itself
    assert _count(_search(client, "radio", kind="guide")) == "No results"
    assert "older residents" not in _search(client, "radio residents", kind="guide")
    # The rest of the guide is still found.
    assert _count(_search(client, "station", kind="guide")) == "1 result"


@pytest.mark.parametrize("role, public, found", [
    ("anonymous", False, False), ("outsider", False, False), ("member", False, True),
    ("anonymous", True, True), ("outsider", True, True),
])
def test_a_guide_is_found_by_those_who_may_read_it(app, client, world, role, public, found):
    with app.app_context():
        build_guide(world, publish=True, is_public=public)
    if role != "anonymous":
        client.sign_in_as(world.user(role))
    page = _search(client, "radio", kind="guide")
    assert _count(page) == ("1 result" if found else "No results")
    assert ("older residents" in page) == found


def _event(world, audience: EventAudience, title: str, sets=()) -> int:
    event = Event(kind=EventKind.WORKSHOP, title=title, starts_at=datetime(2031, 1, 23, 10),
                  ends_at=datetime(2031, 1, 23, 16), place="Manchester Central",
                  audience=audience, description_source="Bring a **quandary** about budgets.",
                  description_html="<p>Bring a <strong>quandary</strong> about budgets.</p>",
                  created_by_id=world.admin.id, sequence=0)
    event.sets = list(sets)
    db.session.add(event)
    db.session.commit()
    return event.id


@pytest.mark.parametrize("audience, seen_by", [
    (EventAudience.PUBLIC, {"anonymous", "outsider", "member"}),
    (EventAudience.NETWORK, {"outsider", "member"}),
    (EventAudience.SETS, {"member"}),
])
def test_events_are_found_by_their_audience_only(app, client, world, audience, seen_by):
    with app.app_context():
        event_id = _event(world, audience, "Quillwort workshop",
                          sets=[db.session.get(LearningSet, world.learning_set.id)])
    for role in ("anonymous", "outsider", "member"):
        client.sign_out()
        if role != "anonymous":
            client.sign_in_as(world.user(role))
        page = _search(client, "quillwort")
        assert _count(page) == ("1 result" if role in seen_by else "No results"), role
        assert (f'href="/events/{event_id}"' in page) == (role in seen_by), role
        # The description is searched too, with the word highlighted.
        described = _search(client, "quandary", kind="event")
        assert ("<mark>quandary</mark>" in described) == (role in seen_by), role


def test_the_kind_and_set_filters_cover_guides_and_events(app, client, world):
    with app.app_context():
        build_guide(world, publish=True, title="Budget guide")
        _event(world, EventAudience.NETWORK, "Budget workshop")
    client.sign_in_as(world.member)
    assert _count(_search(client, "budget", kind="event")) == "1 result"
    assert _count(_search(client, "budget", kind="guide")) == "1 result"
    # The event is for the whole network, not this set: a search within the set leaves it out.
    assert _count(_search(client, "budget", kind="event", set="comms")) == "No results"
    assert _count(_search(client, "budget", kind="guide", set="comms")) == "1 result"


def test_rebuilding_keeps_guides_and_events(app, runner, client, world):
    with app.app_context():
        build_guide(world, publish=True)
        _event(world, EventAudience.NETWORK, "Quillwort workshop")
    assert runner.invoke(args=["search", "rebuild"]).exit_code == 0
    client.sign_in_as(world.member)
    assert _count(_search(client, "radio", kind="guide")) == "1 result"
    assert _count(_search(client, "quillwort")) == "1 result"


def test_the_count_stops_at_the_cap_and_says_more(app, client, world, monkeypatch):
    from forum.models import Thread
    from forum.search import service as search_service
    from tests import factories

    with app.app_context():
        thread = db.session.get(Thread, world.thread.id)
        for number in range(4):
            factories.make_post(thread, db.session.get(User, world.member.id),
                                parent=thread.posts[0], body=f"Quokka sighting {number}")
        db.session.commit()
    monkeypatch.setattr(search_service, "COUNT_CAP", 2)
    client.sign_in_as(world.member)
    page = _search(client, "quokka")
    assert _count(page) == "More than 2 results"
    assert "Only the best 2 results are shown" in page
    monkeypatch.setattr(search_service, "COUNT_CAP", 1000)
    assert _count(_search(client, "quokka")) == "4 results"
