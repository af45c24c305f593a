"""Compiling a curated guide into its document, without a database: credit, order, attention."""

from __future__ import annotations

import json
from datetime import date
from datetime import datetime
from types import SimpleNamespace

import pytest

from forum.guides.compile import compile_guide
from forum.guides.compile import document_to_json
from forum.guides.credit import credit_for
from forum.guides.credit import effective_credit
from forum.guides.service import trimmed_problem
from forum.models import CreditPreference
from forum.models import PostStatus

NAMED = CreditPreference.NAME_AND_ORGANISATION
ORG = CreditPreference.ORGANISATION
ANON = CreditPreference.ANONYMOUS


def _author(name: str, organisation: str, preference: CreditPreference):
    return SimpleNamespace(display_name=name, organisation=organisation,
                           credit_preference=preference)


def _post(post_id: int, author, body: str = "<p>Body</p>", status=PostStatus.APPROVED,
          parent_id: int | None = None):
    return SimpleNamespace(id=post_id, author=author, parent_id=parent_id,
                           author_id=None if author is None else post_id,
                           status=status, body_html=body, body_source="Body",
                           created_at=datetime(2025, 3, 3, 10))


def _excerpt(post, position: int = 0, *, trimmed_html: str | None = None, override=None,
             note: str = "", quoted_html: str = "<p>Body as quoted</p>",
             reply: bool = False):
    return SimpleNamespace(post=post, post_id=None if post is None else post.id,
                           position=position, is_trimmed=trimmed_html is not None,
                           body_html=trimmed_html or quoted_html, quoted_source="Body",
                           reviewed_source=None, show_in_reply_to=reply,
                           credit_override=override, editorial_note_html=note)


def _guide(*sections):
    return SimpleNamespace(
        title="Telling the story", subtitle="A guide", introduction_html="<p>Intro</p>",
        sections=[SimpleNamespace(position=p, title=t, introduction_html="", excerpts=list(e))
                  for p, (t, e) in sections])


SAM = _author("Sam Patel", "Northbridge Borough Council", NAMED)
OLU = _author("Olu Okafor", "Eastmoor District Council", ORG)
ZED = _author("Zelda Quiet", "Hiddenvale Parish Council", ANON)


def _link(post) -> str:
    return f"https://forum.example/threads/1#post-{post.id}"


@pytest.mark.parametrize(("author", "preference", "expected"), [
    (SAM, NAMED, "Sam Patel, Northbridge Borough Council"),
    (SAM, ORG, "Northbridge Borough Council"),
    (SAM, ANON, "A participant"),
    (_author("Ann", "", NAMED), NAMED, "Ann"),
    (_author("Ann", "  ", ORG), ORG, "A participant"),
    (None, NAMED, "A participant"),
])
def test_credit_text_follows_the_chosen_level(author, preference, expected):
    assert credit_for(author, preference) == expected


@pytest.mark.parametrize(("choice", "override", "expected"), [
    (NAMED, None, NAMED), (NAMED, ORG, ORG), (NAMED, ANON, ANON),
    (ORG, None, ORG), (ORG, NAMED, ORG), (ORG, ANON, ANON),
    (ANON, None, ANON), (ANON, NAMED, ANON), (ANON, ORG, ANON),
])
def test_effective_credit_is_never_above_the_members_choice(choice, override, expected):
    post = _post(1, _author("A", "B", choice))
    assert effective_credit(_excerpt(post, override=override)) == expected


def test_sections_and_excerpts_follow_their_positions_with_credit_and_links():
    guide = _guide(
        (1, ("Second", [_excerpt(_post(3, ZED), 0)])),
        (0, ("First", [_excerpt(_post(2, OLU), 1), _excerpt(_post(1, SAM), 0)])),
    )
    document = compile_guide(guide, version=4, published_on=date(2025, 3, 4),
                             url="https://forum.example/guides/g/v4/", link=_link)
    assert [s.title for s in document.sections] == ["First", "Second"]
    first = document.sections[0].excerpts
    assert [e.credit for e in first] == ["Sam Patel, Northbridge Borough Council",
                                         "Eastmoor District Council"]
    assert first[0].source_url == "https://forum.example/threads/1#post-1"
    assert first[0].posted_on == date(2025, 3, 3)
    assert document.sections[1].excerpts[0].credit == "A participant"
    assert document.edition_line == "Version 4, published 4 March 2025"
    assert document.contributing_organisations == ("Eastmoor District Council",
                                                   "Northbridge Borough Council")


def test_an_excerpt_quotes_its_own_copy_never_the_posts_later_text():
    post = _post(1, SAM, body="<p>INJECTEDAFTERQUOTE <a href=\"https://evil.example\">x</a></p>")
    document = compile_guide(_guide((0, ("S", [
        _excerpt(post, 0, quoted_html="<p>The quoted text</p>"),
        _excerpt(post, 1, trimmed_html="<p>The quoted …</p>")]))),
        link=_link)
    whole, part = document.sections[0].excerpts
    assert (whole.body_html, whole.trimmed) == ("<p>The quoted text</p>", False)
    assert (part.body_html, part.trimmed) == ("<p>The quoted …</p>", True)


def test_a_reply_says_whom_it_answers_as_that_author_allows_when_both_are_quoted():
    opening, reply = _post(1, ZED), _post(2, SAM, parent_id=1)
    elsewhere = _post(3, OLU, parent_id=99)  # answers a post the guide does not quote
    document = compile_guide(_guide((0, ("S", [
        _excerpt(opening, 0), _excerpt(reply, 1, reply=True),
        _excerpt(elsewhere, 2, reply=True)]))), link=_link)
    assert [e.credit for e in document.sections[0].excerpts] == [
        "A participant",
        "Sam Patel, Northbridge Borough Council (in reply to A participant)",
        "Eastmoor District Council"]


@pytest.mark.parametrize("make_post", [
    lambda: None,                                            # deleted
    lambda: _post(9, SAM, status=PostStatus.HIDDEN),
    lambda: _post(9, SAM, status=PostStatus.WITHDRAWN),
    lambda: _post(9, SAM, status=PostStatus.PENDING),
])
def test_an_excerpt_needing_attention_is_left_out_with_its_organisation(make_post):
    document = compile_guide(_guide((0, ("S", [
        _excerpt(_post(1, OLU), 0), _excerpt(make_post(), 1)]))), link=_link)
    assert [e.credit for e in document.sections[0].excerpts] == ["Eastmoor District Council"]
    assert document.contributing_organisations == ("Eastmoor District Council",)


def test_an_excerpt_whose_author_deleted_their_account_stays_credited_anonymously():
    document = compile_guide(_guide((0, ("S", [
        _excerpt(_post(1, OLU), 0), _excerpt(_post(9, None), 1)]))), link=_link)
    assert [e.credit for e in document.sections[0].excerpts] == [
        "Eastmoor District Council", "A participant"]
    assert document.contributing_organisations == ("Eastmoor District Council",)


def test_an_organisation_credited_twice_is_listed_once_and_anonymous_ones_never():
    document = compile_guide(_guide((0, ("S", [
        _excerpt(_post(1, OLU), 0), _excerpt(_post(2, OLU), 1), _excerpt(_post(3, ZED), 2),
        _excerpt(_post(4, SAM), 3, override=ANON)]))), link=_link)
    assert document.contributing_organisations == ("Eastmoor District Council",)


def test_the_frozen_form_is_plain_json_that_remembers_each_source_post():
    document = compile_guide(_guide((0, ("S", [_excerpt(_post(7, SAM), 0, note="<p>N</p>")]))),
                             version=1, published_on=date(2025, 3, 4), link=_link)
    frozen = document_to_json(document, [[{"post_id": 7, "organisation": "Northbridge"}]])
    assert json.loads(json.dumps(frozen)) == frozen
    excerpt = frozen["sections"][0]["excerpts"][0]
    assert (excerpt["post_id"], excerpt["posted_on"], excerpt["editorial_note_html"]) == (
        7, "2025-03-03", "<p>N</p>")
    assert frozen["published_on"] == "2025-03-04" and frozen["version"] == 1


@pytest.mark.parametrize(("trimmed", "allowed"), [
    ("**First point.** …", True),
    ("**First** … third …", True),
    ("… Second *point* ...", False),  # emphasis added
    ("… Second point …", True),
    ("[...] third point.", True),
    ("**First point.** Second point.\n\n- third point.", True),
    ("**First point.** Second point. third point.", True),  # list bullets are free
    ("First point. …", False),  # bold taken away
    ("first POINT … third", False),  # case changed
    ("**First point.** Second point.", False),  # the end was left out unmarked
    ("… third point. **First point.**", False),  # reordered
    ("A fourth point.", False),
    ("**First** … fourth point", False),
])
def test_a_trimmed_excerpt_may_only_leave_words_out(trimmed, allowed):
    original = "**First point.** Second point.\n\n- third point."
    assert (trimmed_problem(original, trimmed) is None) is allowed
