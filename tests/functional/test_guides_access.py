"""Who may see and change guides: each guide route by role, for drafts, published and public ones.

A draft exists only for its set's facilitators and admins (everyone else gets 404, as if it did
not exist); a published guide is readable by the set's readers, and by anyone once it is marked
public or its set is public; only facilitators and admins curate (other readers get 403).
"""

from __future__ import annotations

import pytest

from forum.extensions import db
from forum.models import Guide
from forum.models import GuideExcerpt
from forum.models import GuideSection
from forum.models import GuideVersion
from forum.models import LearningSet
from forum.models import Visibility
from tests.conftest import ROLE_NAMES
from tests.functional.guide_builders import BuiltGuide
from tests.functional.guide_builders import build_guide


def _row(*codes: int) -> dict[str, int]:
    return dict(zip(ROLE_NAMES, codes, strict=True))


# The guide states each test builds: (publish?, marked public?, set visibility).
STATES = {
    "draft": (False, False, Visibility.PRIVATE),
    "published": (True, False, Visibility.PRIVATE),
    "marked-public": (True, True, Visibility.PRIVATE),
    "public-set": (True, False, Visibility.PUBLIC),
}

#                                 anonymous outsider member moderator facilitator admin
CURATE = {
    "draft":         _row(404, 404, 404, 404, 200, 200),
    "published":     _row(404, 404, 403, 403, 200, 200),
    # The set stays private: its guide pages for curators are as hidden as the set itself.
    "marked-public": _row(404, 404, 403, 403, 200, 200),
    # 302: an anonymous reader of a public set is asked to sign in first.
    "public-set":    _row(302, 403, 403, 403, 200, 200),
}
SET_GUIDES = {
    "draft":         _row(404, 404, 200, 200, 200, 200),
    "published":     _row(404, 404, 200, 200, 200, 200),
    "marked-public": _row(404, 404, 200, 200, 200, 200),
    "public-set":    _row(200, 200, 200, 200, 200, 200),
}
NEW_GUIDE = {
    "draft":         _row(404, 404, 403, 403, 200, 200),
    "published":     _row(404, 404, 403, 403, 200, 200),
    "marked-public": _row(404, 404, 403, 403, 200, 200),
    "public-set":    _row(302, 403, 403, 403, 200, 200),
}
# A facilitator following a draft's future address is shown its preview (302).
PUBLISHED = {
    "draft":         _row(404, 404, 404, 404, 302, 302),
    "published":     _row(404, 404, 200, 200, 200, 200),
    "marked-public": _row(200, 200, 200, 200, 200, 200),
    "public-set":    _row(200, 200, 200, 200, 200, 200),
}
VERSION = {
    "draft":         _row(404, 404, 404, 404, 404, 404),
    "published":     _row(404, 404, 200, 200, 200, 200),
    "marked-public": _row(200, 200, 200, 200, 200, 200),
    "public-set":    _row(200, 200, 200, 200, 200, 200),
}


POST_CODES = {302: 401}


@pytest.fixture
def built(request, app, world) -> tuple[str, BuiltGuide]:
    state = request.param
    publish, is_public, visibility = STATES[state]
    with app.app_context():
        db.session.get(LearningSet, world.learning_set.id).visibility = visibility
        db.session.commit()
        return state, build_guide(world, publish=publish, is_public=is_public)


def _sign_in(client, world, role: str) -> None:
    user = world.user(role)
    if user is not None:
        client.sign_in_as(user)


def _curation_pages(g: BuiltGuide) -> list[str]:
    base = f"/sets/{g.set_slug}/guides/{g.id}"
    section, excerpt = g.section_ids[0], g.excerpt_ids[0]
    return [f"{base}/", f"{base}/settings", f"{base}/preview", f"{base}/download/markdown",
            f"{base}/sections/{section}/edit", f"{base}/sections/{section}/delete",
            f"{base}/excerpts/{excerpt}/edit"]


def _curation_posts(g: BuiltGuide, thread_id: int) -> list[tuple[str, dict]]:
    """Every curation action, with data that would succeed for a curator."""
    base = f"/sets/{g.set_slug}/guides/{g.id}"
    first, second = g.section_ids
    excerpt = g.excerpt_ids[0]
    return [
        (f"{base}/settings", {"title": "Renamed guide", "threads": str(thread_id)}),
        (f"{base}/sections", {"title": "A third section"}),
        (f"{base}/sections/{first}/edit", {"title": "Renamed section"}),
        (f"{base}/sections/{second}/move", {"direction": "up"}),
        (f"{base}/sections/{first}/delete", {}),
        (f"{base}/excerpts", {"post_id": str(g.post_ids[2]), "section_id": str(first)}),
        (f"{base}/excerpts/{excerpt}/edit", {"body": "We named ours …", "credit": "anonymous"}),
        (f"{base}/excerpts/{excerpt}/move", {"direction": "down"}),
        (f"{base}/excerpts/{excerpt}/move-to", {"section_id": str(second)}),
        (f"{base}/excerpts/{excerpt}/remove", {}),
        (f"{base}/publish", {}),
    ]


def _snapshot(app) -> tuple:
    """Everything a curation action could change."""
    with app.app_context():
        guides = [(g.title, g.is_public, len(g.threads)) for g in db.session.query(Guide)]
        sections = [(s.id, s.title, s.position) for s in db.session.query(GuideSection)]
        excerpts = [(e.id, e.section_id, e.position, e.body_source, e.credit_override)
                    for e in db.session.query(GuideExcerpt)]
        versions = db.session.query(GuideVersion).count()
    return guides, sorted(sections), sorted(excerpts), versions


def _thread_id(app, g: BuiltGuide) -> int:
    with app.app_context():
        return db.session.get(Guide, g.id).threads[0].id


@pytest.mark.parametrize("built", list(STATES), indirect=True)
@pytest.mark.parametrize("role", ROLE_NAMES)
def test_guide_pages_answer_each_role_as_the_rules_say(client, world, built, role):
    state, g = built
    _sign_in(client, world, role)
    expected = {
        "set guides": SET_GUIDES[state][role],
        "new guide": NEW_GUIDE[state][role],
        **dict.fromkeys(_curation_pages(g), CURATE[state][role]),
        "published": PUBLISHED[state][role],
        "version 1": VERSION[state][role],
        "version 1 download": VERSION[state][role],
    }
    urls = {
        "set guides": f"/sets/{g.set_slug}/guides/",
        "new guide": f"/sets/{g.set_slug}/guides/new",
        **{url: url for url in _curation_pages(g)},
        "published": f"/guides/{g.slug}/",
        "version 1": f"/guides/{g.slug}/v1/",
        "version 1 download": f"/guides/{g.slug}/v1/download/markdown",
    }
    actual = {name: client.get(url).status_code for name, url in urls.items()}
    assert actual == expected


@pytest.mark.parametrize("built", ["draft", "published", "public-set"], indirect=True)
@pytest.mark.parametrize("role", ["anonymous", "outsider", "member", "moderator"])
def test_people_who_do_not_curate_change_nothing(app, client, world, built, role):
    state, g = built
    _sign_in(client, world, role)
    before = _snapshot(app)
    posts = [(f"/sets/{g.set_slug}/guides/new",
              {"title": "Another guide", "threads": str(_thread_id(app, g))})]
    posts += _curation_posts(g, _thread_id(app, g))
    codes = {url: client.post(url, data=data).status_code for url, data in posts}
    # A POST from an anonymous visitor gets the sign-in page itself (401), keeping their text,
    # whatever the set (a private set's answer reveals no more than its 404 would).
    assert codes == {url: 401 if role == "anonymous" else POST_CODES.get(code, code)
                     for url, code in (
        (url, (NEW_GUIDE if url.endswith("/new") else CURATE)[state][role]) for url, _ in posts)}
    assert _snapshot(app) == before


@pytest.mark.parametrize("built", ["published"], indirect=True)
@pytest.mark.parametrize("role", ["facilitator", "admin"])
@pytest.mark.parametrize("action", range(11))
def test_facilitators_and_admins_can_take_every_curation_action(app, client, world, built,
                                                                role, action):
    state, g = built
    _sign_in(client, world, role)
    url, data = _curation_posts(g, _thread_id(app, g))[action]
    before = _snapshot(app)
    response = client.post(url, data=data)
    assert response.status_code == 302
    assert f"/guides/{g.slug}/" in response.location or "/sets/" in response.location
    assert _snapshot(app) != before


@pytest.mark.parametrize("built", ["published"], indirect=True)
def test_a_curation_action_without_a_valid_form_token_changes_nothing(app, client, world,
                                                                      built):
    _, g = built
    client.sign_in_as(world.facilitator)
    before = _snapshot(app)
    for url, data in _curation_posts(g, _thread_id(app, g)):
        response = client.post(url, data=data, csrf=False)
        assert response.status_code in (200, 302), url
    assert _snapshot(app) == before


@pytest.mark.parametrize("built", ["marked-public"], indirect=True)
def test_guides_of_a_private_set_stay_hidden_from_outsiders_even_when_one_is_public(
        client, world, built):
    _, g = built
    client.sign_in_as(world.outsider)
    page = client.get(f"/guides/{g.slug}/").get_data(as_text=True)
    assert "Telling the story of an assembly" in page
    # The published page does not link into the private set.
    assert f"/sets/{g.set_slug}/" not in page
    assert "Curate this guide" not in page


@pytest.mark.parametrize("built", ["draft"], indirect=True)
def test_a_guide_of_another_set_is_not_found_under_this_sets_address(app, client, world,
                                                                     built):
    from tests import factories

    _, g = built
    with app.app_context():
        other = factories.make_set("other-set", facilitator=db.session.get(
            type(world.facilitator), world.facilitator.id))
        db.session.commit()
        other_slug = other.slug
    client.sign_in_as(world.facilitator)
    assert client.get(f"/sets/{other_slug}/guides/{g.id}/").status_code == 404
    assert client.get(f"/sets/{g.set_slug}/guides/{g.id}/").status_code == 200


@pytest.mark.parametrize("built", ["published"], indirect=True)
@pytest.mark.parametrize("url_suffix", ["download/exe", "download/", "v2/", "v0/download/pdf"])
def test_unknown_formats_and_versions_are_not_found(client, world, built, url_suffix):
    _, g = built
    client.sign_in_as(world.member)
    assert client.get(f"/guides/{g.slug}/v1/{url_suffix}"
                      if url_suffix.startswith("download") else
                      f"/guides/{g.slug}/{url_suffix}").status_code == 404
