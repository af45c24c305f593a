"""The guide pages at work: creating, curating, previewing, publishing, versions and downloads."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from forum.demo import load_demo
from forum.demo.guide import GUIDE_SLUG
from forum.extensions import db
from forum.forms import EXPIRED_FORM_MESSAGE
from forum.models import CreditPreference
from forum.models import Guide
from forum.models import GuideExcerpt
from forum.models import GuideSection
from forum.models import LearningSet
from forum.models import Post
from forum.models import PostStatus
from forum.models import User
from forum.models import Visibility
from tests import factories
from tests.functional.guide_builders import BuiltGuide
from tests.functional.guide_builders import build_guide

TITLE = "Telling the story of an assembly"
RADIO = "We used local radio. It reached older residents."


@pytest.fixture
def guide(app, world) -> BuiltGuide:
    with app.app_context():
        return build_guide(world)


@pytest.fixture
def facilitator(client, world):
    client.sign_in_as(world.facilitator)
    return client


def _base(g: BuiltGuide) -> str:
    return f"/sets/{g.set_slug}/guides/{g.id}"


def _text(response) -> str:
    return response.get_data(as_text=True)


def _sections(app, g: BuiltGuide) -> list[tuple[str, list[int]]]:
    """Each section's title and its excerpts' ids, in guide order."""
    with app.app_context():
        guide = db.session.get(Guide, g.id)
        return [(s.title, [e.id for e in s.excerpts]) for s in guide.sections]


def _excerpt(app, excerpt_id: int) -> GuideExcerpt | None:
    with app.app_context():
        excerpt = db.session.get(GuideExcerpt, excerpt_id)
        if excerpt is not None:
            db.session.expunge(excerpt)
        return excerpt


def _set_post_status(app, post_id: int, status: PostStatus) -> None:
    with app.app_context():
        db.session.get(Post, post_id).status = status
        db.session.commit()


def _document_part(page: str) -> str:
    """The guide's contents and sections as the page shows them."""
    start = page.index('<nav class="guide-contents"')
    return page[start:page.index("<!-- end of the guide -->", start)]


# --- creating a guide ----------------------------------------------------

def test_facilitator_creates_a_guide_from_a_thread_and_lands_on_its_curation_page(
        app, facilitator, world):
    form = _text(facilitator.get(f"/sets/comms/guides/new?thread={world.thread.id}"))
    assert re.search(rf'value="{world.thread.id}"\s+checked', form)

    response = facilitator.post("/sets/comms/guides/new", data={
        "title": "Naming things", "subtitle": "What we called our assemblies",
        "introduction": "From the *comms* set.", "threads": str(world.thread.id)})

    with app.app_context():
        guide = db.session.scalar(select(Guide))
        assert (guide.title, guide.slug, [t.id for t in guide.threads]) == (
            "Naming things", "naming-things", [world.thread.id])
    assert response.status_code == 302
    assert response.location.endswith(f"/sets/comms/guides/{guide.id}/#add-section")
    page = _text(facilitator.get(response.location))
    assert "The guide “Naming things” was created." in page
    assert "<em>comms</em>" in page
    assert "What did you call yours?" in page  # the thread's opening post, ready to quote


def test_two_guides_given_one_title_at_the_same_moment_both_get_an_address(
        app, facilitator, world, monkeypatch):
    """Both read "naming-things is free" before either saves: the second takes the next free
    address instead of a 500 from the unique constraint."""
    from forum.guides import service

    data = {"title": "Naming things", "threads": str(world.thread.id)}
    assert facilitator.post("/sets/comms/guides/new", data=data).status_code == 302
    real, stale = service.unique_guide_slug, ["naming-things"]
    monkeypatch.setattr(service, "unique_guide_slug",
                        lambda session, title: stale.pop() if stale else real(session, title))
    assert facilitator.post("/sets/comms/guides/new", data=data).status_code == 302
    with app.app_context():
        assert sorted(db.session.scalars(select(Guide.slug))) == ["naming-things",
                                                                   "naming-things-2"]


def test_a_new_guide_without_title_or_threads_is_refused_and_keeps_what_was_typed(
        app, facilitator):
    response = facilitator.post("/sets/comms/guides/new", data={
        "title": "  ", "subtitle": "Kept subtitle", "introduction": "Kept introduction"})

    page = _text(response)
    assert response.status_code == 200
    assert "Enter a title for the guide" in page
    assert "Choose at least one thread" in page
    assert 'value="Kept subtitle"' in page
    assert "Kept introduction</textarea>" in page
    with app.app_context():
        assert db.session.scalar(select(Guide)) is None


def test_a_thread_of_another_set_cannot_be_drawn_from(app, facilitator, world):
    with app.app_context():
        other = factories.make_set("elsewhere")
        thread = factories.make_thread(other, db.session.get(User, world.member.id))
        db.session.commit()
        thread_id = thread.id

    response = facilitator.post("/sets/comms/guides/new",
                                data={"title": "Mixed", "threads": str(thread_id)})

    assert response.status_code == 200
    assert "not a valid choice" in _text(response)
    with app.app_context():
        assert db.session.scalar(select(Guide)) is None


def test_settings_can_mark_a_guide_readable_without_signing_in(app, facilitator, guide, world):
    response = facilitator.post(f"{_base(guide)}/settings", data={
        "title": "Retitled", "subtitle": "", "introduction": "", "is_public": "y",
        "threads": str(_thread_id(app, guide))})

    assert response.status_code == 302
    with app.app_context():
        saved = db.session.get(Guide, guide.id)
        assert (saved.title, saved.is_public) == ("Retitled", True)
    page = _text(facilitator.get(response.location))
    assert "The guide’s settings were saved." in page
    assert "Anyone, without signing in" in page


def test_making_a_private_sets_guide_public_says_the_set_is_named_in_it(facilitator, guide):
    """Every published copy names the set as its publisher: the facilitator of a private set
    is told before they open its guide to everyone (the set's name then goes with it)."""
    page = _text(facilitator.get(f"{_base(guide)}/settings"))
    assert "Readable without signing in" in page
    assert "even if the set is private, and name the set as their publisher" in page


def test_a_member_asking_to_make_a_guide_is_told_who_may(client, world, guide):
    client.sign_in_as(world.member)
    response = client.get(f"/sets/{guide.set_slug}/guides/new")
    assert response.status_code == 403
    page = _text(response).replace("&#8217;", "’")
    assert "Only the set’s facilitators can make, change and publish its guides." in page
    assert f'href="/sets/{guide.set_slug}/guides/">See the set’s guides</a>' in page


def test_the_readable_without_signing_in_box_is_explained_once(facilitator, guide):
    """Its explanation under the box, read (and heard) once: not also as a hint above it."""
    page = _text(facilitator.get(f"{_base(guide)}/settings"))
    assert page.count("can be read by anyone with the link, even if the set is private") == 1
    box = re.search(r'<input[^>]*name="is_public"[^>]*>', page).group(0)
    assert 'aria-describedby="is_public-item-hint"' in box


def test_settings_with_an_empty_title_keep_the_rest_of_the_input(app, facilitator, guide):
    response = facilitator.post(f"{_base(guide)}/settings", data={
        "title": "", "subtitle": "A new subtitle", "threads": str(_thread_id(app, guide))})

    assert response.status_code == 200
    assert "Enter a title for the guide" in _text(response)
    assert 'value="A new subtitle"' in _text(response)
    with app.app_context():
        assert db.session.get(Guide, guide.id).title == TITLE


def _thread_id(app, g: BuiltGuide) -> int:
    with app.app_context():
        return db.session.get(Guide, g.id).threads[0].id


# --- sections ------------------------------------------------------------

def test_adding_a_section_puts_it_last_and_returns_to_it(app, facilitator, guide):
    response = facilitator.post(f"{_base(guide)}/sections",
                                data={"title": "Working with the press",
                                      "introduction": "What *journalists* asked."})

    sections = _sections(app, guide)
    assert [title for title, _ in sections][-1] == "Working with the press"
    with app.app_context():
        new_id = db.session.scalar(select(GuideSection.id).where(
            GuideSection.title == "Working with the press"))
    assert response.location.endswith(f"#section-{new_id}")
    page = _text(facilitator.get(response.location))
    assert "The section “Working with the press” was added." in page
    assert "What <em>journalists</em> asked." in page


def test_a_section_without_a_title_is_refused_on_the_curation_page_keeping_its_introduction(
        app, facilitator, guide):
    response = facilitator.post(f"{_base(guide)}/sections",
                                data={"title": "", "introduction": "Kept words"})

    page = _text(response)
    assert response.status_code == 200
    assert "Enter a title for the section" in page
    assert "Kept words</textarea>" in page
    assert 'href="#title"' in page  # the error summary links to the field
    assert len(_sections(app, guide)) == 2


@pytest.mark.parametrize(("which", "direction", "expected", "message"), [
    (1, "up", ["Reaching residents", "Naming the assembly"], "moved up"),
    (0, "down", ["Reaching residents", "Naming the assembly"], "moved down"),
    (0, "up", ["Naming the assembly", "Reaching residents"], "already first"),
])
def test_sections_move_up_and_down(app, facilitator, guide, which, direction, expected, message):
    section_id = guide.section_ids[which]
    response = facilitator.post(f"{_base(guide)}/sections/{section_id}/move",
                                data={"direction": direction})

    assert [title for title, _ in _sections(app, guide)] == expected
    assert response.location.endswith(f"#section-{section_id}")
    assert message in _text(facilitator.get(response.location))


def test_renaming_a_section_and_writing_its_introduction(app, facilitator, guide):
    url = f"{_base(guide)}/sections/{guide.section_ids[0]}/edit"
    assert 'value="Naming the assembly"' in _text(facilitator.get(url))

    refused = facilitator.post(url, data={"title": "", "introduction": "Kept"})
    assert "Enter a title for the section" in _text(refused)
    assert "Kept</textarea>" in _text(refused)

    response = facilitator.post(url, data={"title": "Names", "introduction": "Short is *good*."})
    assert _sections(app, guide)[0][0] == "Names"
    page = _text(facilitator.get(response.location))
    assert "The section “Names” was saved." in page
    assert "Short is <em>good</em>." in page


def test_deleting_a_section_asks_first_then_deletes_its_excerpts(app, facilitator, guide):
    url = f"{_base(guide)}/sections/{guide.section_ids[0]}/delete"
    question = _text(facilitator.get(url))
    assert "Delete the section “Naming the assembly”?" in question
    assert "Its 2 excerpts" in question
    assert len(_sections(app, guide)) == 2

    response = facilitator.post(url)

    assert [title for title, _ in _sections(app, guide)] == ["Reaching residents"]
    assert _excerpt(app, guide.excerpt_ids[0]) is None
    with app.app_context():
        assert db.session.get(Post, guide.post_ids[0]) is not None
    assert ("The section “Naming the assembly” was deleted, with its 2 excerpts."
            in _text(facilitator.get(response.location)))


# --- excerpts ------------------------------------------------------------

def test_quoting_a_post_unchanged_adds_the_whole_post(app, facilitator, guide):
    response = facilitator.post(f"{_base(guide)}/excerpts", data={
        "post_id": str(guide.post_ids[1]), "section_id": str(guide.section_ids[0]),
        "body": RADIO + "\r\n", "note": "Radio is *cheap*."})

    excerpt_id = _sections(app, guide)[0][1][-1]
    excerpt = _excerpt(app, excerpt_id)
    assert (excerpt.post_id, excerpt.is_trimmed) == (guide.post_ids[1], False)
    assert response.location.endswith(f"#excerpt-{excerpt_id}")
    page = _text(facilitator.get(response.location))
    assert "The whole of Mia Moderator’s post was added to “Naming the assembly”." in page
    assert "Radio is <em>cheap</em>." in page


def test_trimming_a_post_marks_the_excerpt_trimmed_on_curation_and_preview(
        app, facilitator, guide):
    facilitator.post(f"{_base(guide)}/excerpts", data={
        "post_id": str(guide.post_ids[1]), "section_id": str(guide.section_ids[0]),
        "body": "We used local radio. ..."})

    excerpt = _excerpt(app, _sections(app, guide)[0][1][-1])
    assert (excerpt.is_trimmed, excerpt.body_source) == (True, "We used local radio. …")
    curation = _text(facilitator.get(f"{_base(guide)}/"))
    assert "Trimmed" in curation.split(f'id="excerpt-{excerpt.id}"')[1].split("</li>")[0]
    preview = _text(facilitator.get(f"{_base(guide)}/preview"))
    assert "We used local radio. …</p>" in preview
    assert "(trimmed)" in preview


def test_a_trim_that_rewords_the_post_is_refused_and_the_text_kept(app, facilitator, guide):
    before = _sections(app, guide)
    response = facilitator.post(f"{_base(guide)}/excerpts", data={
        "post_id": str(guide.post_ids[1]), "section_id": str(guide.section_ids[0]),
        "body": "We used television.", "note": "My note"})

    page = _text(response)
    assert response.status_code == 200
    assert "Quote a post" in page
    assert "“television” is not in the post" in page
    assert "We used television.</textarea>" in page
    assert "My note</textarea>" in page
    assert _sections(app, guide) == before


def test_quoting_a_post_outside_the_guides_threads_adds_nothing(app, facilitator, guide, world):
    with app.app_context():
        other = factories.make_thread(db.session.get(LearningSet, world.learning_set.id),
                                      db.session.get(User, world.member.id))
        db.session.commit()
        post_id = other.posts[0].id
    before = _sections(app, guide)

    response = facilitator.post(f"{_base(guide)}/excerpts", data={
        "post_id": str(post_id), "section_id": str(guide.section_ids[0])})

    assert response.status_code == 302
    assert "nothing was added" in _text(facilitator.get(response.location))
    assert _sections(app, guide) == before


@pytest.mark.parametrize("status", [PostStatus.PENDING, PostStatus.HIDDEN, PostStatus.WITHDRAWN,
                                    PostStatus.REJECTED])
@pytest.mark.parametrize("body", ["", "We used local radio. …"], ids=["whole", "trimmed"])
def test_a_post_that_is_not_approved_cannot_be_quoted_even_by_a_forged_form(
        app, facilitator, guide, status, body):
    """The curation page offers approved posts only; a hand-made POST is refused too."""
    _set_post_status(app, guide.post_ids[1], status)
    before = _sections(app, guide)

    response = facilitator.post(f"{_base(guide)}/excerpts", data={
        "post_id": str(guide.post_ids[1]), "section_id": str(guide.section_ids[0]),
        "body": body})

    assert _sections(app, guide) == before
    page = _text(facilitator.get(response.location) if response.status_code == 302
                 else response)
    assert "Only approved posts can be quoted in a guide" in page
    assert f'name="post_id" value="{guide.post_ids[1]}"' not in _text(
        facilitator.get(f"{_base(guide)}/"))


def test_excerpts_move_within_a_section_and_to_another(app, facilitator, guide):
    first, second, third = guide.excerpt_ids
    facilitator.post(f"{_base(guide)}/excerpts/{third}/move", data={"direction": "up"})
    assert _sections(app, guide)[0][1] == [third, first]

    response = facilitator.post(f"{_base(guide)}/excerpts/{third}/move-to",
                                data={"section_id": str(guide.section_ids[1])})

    assert _sections(app, guide) == [("Naming the assembly", [first]),
                                     ("Reaching residents", [second, third])]
    assert response.location.endswith(f"#excerpt-{third}")
    assert "moved to the end of “Reaching residents”" in _text(
        facilitator.get(response.location))


def test_removing_an_excerpt_leaves_its_post_alone(app, facilitator, guide):
    response = facilitator.post(f"{_base(guide)}/excerpts/{guide.excerpt_ids[1]}/remove")

    assert _sections(app, guide)[1] == ("Reaching residents", [])
    with app.app_context():
        assert db.session.get(Post, guide.post_ids[1]).status == PostStatus.APPROVED
    assert "was removed from “Reaching residents”" in _text(facilitator.get(response.location))


def test_a_move_sent_from_an_expired_page_changes_nothing_and_says_so(app, facilitator, guide):
    response = facilitator.post(f"{_base(guide)}/sections/{guide.section_ids[1]}/move",
                                data={"direction": "up"}, csrf=False)

    assert [t for t, _ in _sections(app, guide)] == ["Naming the assembly", "Reaching residents"]
    assert EXPIRED_FORM_MESSAGE in _text(facilitator.get(response.location))


# --- credit --------------------------------------------------------------

def _set_credit(app, user_id: int, preference: CreditPreference, organisation: str) -> None:
    with app.app_context():
        user = db.session.get(User, user_id)
        user.credit_preference, user.organisation = preference, organisation
        db.session.commit()


@pytest.mark.parametrize(("preference", "offered"), [
    (CreditPreference.NAME_AND_ORGANISATION,
     ["name_and_organisation", "organisation", "anonymous"]),
    (CreditPreference.ORGANISATION, ["organisation", "anonymous"]),
    (CreditPreference.ANONYMOUS, ["anonymous"]),
])
def test_credit_choices_go_no_higher_than_the_authors_own(app, facilitator, guide, world,
                                                          preference, offered):
    _set_credit(app, world.moderator.id, preference, "Riverside Council")
    page = _text(facilitator.get(f"{_base(guide)}/excerpts/{guide.excerpt_ids[1]}/edit"))

    assert re.findall(r'name="credit" type="radio" value="([a-z_]+)"', page) == offered
    assert re.search(rf'value="{preference.value}"\s+checked', page)
    assert "(the author’s choice)" in page


def test_lowering_an_excerpts_credit_to_anonymous_hides_the_organisation(app, facilitator,
                                                                         guide, world):
    _set_credit(app, world.moderator.id, CreditPreference.NAME_AND_ORGANISATION,
                "Riverside Council")
    assert "Mia Moderator, Riverside Council" in _text(facilitator.get(f"{_base(guide)}/preview"))

    response = facilitator.post(f"{_base(guide)}/excerpts/{guide.excerpt_ids[1]}/edit", data={
        "body": RADIO, "note": "Worth trying.", "credit": "anonymous"})

    assert response.status_code == 302
    assert _excerpt(app, guide.excerpt_ids[1]).credit_override == CreditPreference.ANONYMOUS
    preview = _text(facilitator.get(f"{_base(guide)}/preview"))
    assert "— A participant" in preview
    assert "Riverside Council" not in preview
    assert "Worth trying." in preview


def test_credit_above_the_authors_choice_is_refused(app, facilitator, guide):
    # The author (the moderator) keeps the default: organisation only.
    response = facilitator.post(f"{_base(guide)}/excerpts/{guide.excerpt_ids[1]}/edit", data={
        "body": RADIO, "note": "Kept note", "credit": "name_and_organisation"})

    assert response.status_code == 200
    assert "Kept note</textarea>" in _text(response)
    assert _excerpt(app, guide.excerpt_ids[1]).credit_override is None
    assert "Mia Moderator" not in _text(facilitator.get(f"{_base(guide)}/preview"))


def test_editing_an_excerpts_text_to_part_of_the_post_marks_it_trimmed(app, facilitator, guide):
    response = facilitator.post(f"{_base(guide)}/excerpts/{guide.excerpt_ids[1]}/edit", data={
        "body": "… It reached older residents.", "note": "", "credit": "organisation"})

    assert _excerpt(app, guide.excerpt_ids[1]).is_trimmed is True
    assert "was saved (trimmed)" in _text(facilitator.get(response.location))


# --- posts needing attention ---------------------------------------------

@pytest.mark.parametrize(("status", "reason"), [
    (PostStatus.HIDDEN, "The source post was hidden by a moderator"),
    (PostStatus.WITHDRAWN, "The source post was withdrawn by its author"),
])
def test_an_excerpt_whose_post_is_no_longer_approved_needs_attention_and_is_left_out(
        app, facilitator, guide, status, reason):
    _set_post_status(app, guide.post_ids[1], status)

    curation = _text(facilitator.get(f"{_base(guide)}/"))
    excerpt_html = curation.split(f'id="excerpt-{guide.excerpt_ids[1]}"')[1].split("</li>")[0]
    assert "Needs attention" in excerpt_html
    assert reason in excerpt_html
    assert "local radio" not in curation
    preview = _text(facilitator.get(f"{_base(guide)}/preview"))
    assert "local radio" not in preview
    assert "1 excerpt needs attention" in preview
    assert not re.search(r"Publish version 1\s*</button>", preview)
    for fmt in ("markdown", "html"):
        assert b"local radio" not in facilitator.get(f"{_base(guide)}/download/{fmt}").data

    refused = facilitator.post(f"{_base(guide)}/publish")
    assert "The guide was not published. 1 excerpt needs attention" in _text(
        facilitator.get(refused.location))
    with app.app_context():
        assert not db.session.get(Guide, guide.id).versions


def test_removing_the_excerpt_that_needs_attention_lets_the_guide_be_published(
        app, facilitator, guide):
    _set_post_status(app, guide.post_ids[1], PostStatus.HIDDEN)
    facilitator.post(f"{_base(guide)}/excerpts/{guide.excerpt_ids[1]}/remove")

    response = facilitator.post(f"{_base(guide)}/publish")

    assert response.location.endswith(f"/guides/{guide.slug}/")


# --- preview and publishing ----------------------------------------------

def test_preview_shows_the_draft_exactly_as_it_will_be_published(app, facilitator, guide):
    preview = _text(facilitator.get(f"{_base(guide)}/preview"))
    assert "Draft — not published" in preview
    assert "Publishing freezes this draft as version 1" in preview
    assert re.search(r"Publish version 1\s*</button>", preview)

    response = facilitator.post(f"{_base(guide)}/publish")

    assert response.status_code == 302
    assert response.location.endswith(f"/guides/{guide.slug}/")
    published = _text(facilitator.get(response.location))
    assert "Version 1 of “Telling the story of an assembly” is published." in published
    assert re.search(r"Version 1, published \d{1,2} \w+ \d{4}", published)
    assert "Draft — not published" not in published
    assert _document_part(published) == _document_part(preview)


def test_two_facilitators_publishing_at_the_same_moment_are_told_not_shown_an_error(
        app, facilitator, guide, monkeypatch):
    """Both read "the next version is 1" before either saves: the second is refused by the
    database, and is told so on the preview (not a 500); version 1 stays the first one's."""
    from forum.guides import compile as compiler

    assert facilitator.post(f"{_base(guide)}/publish").status_code == 302
    monkeypatch.setattr(compiler, "_next_number", lambda session, g: 1)  # a stale read
    response = facilitator.post(f"{_base(guide)}/publish")
    assert response.status_code == 302 and response.location.endswith("/preview")
    page = _text(facilitator.get(response.location))
    assert ("The guide was not published. Someone else published version 1 at the same "
            "moment") in page
    with app.app_context():
        assert [v.number for v in db.session.get(Guide, guide.id).versions] == [1]


def test_publishing_again_makes_version_two_and_keeps_version_one_unchanged(
        app, facilitator, guide):
    facilitator.post(f"{_base(guide)}/publish")
    facilitator.post(f"{_base(guide)}/sections/{guide.section_ids[0]}/edit",
                     data={"title": "What to call it", "introduction": ""})
    assert "Readers see" in _text(facilitator.get(f"{_base(guide)}/preview"))

    facilitator.post(f"{_base(guide)}/publish")

    latest = _text(facilitator.get(f"/guides/{guide.slug}/"))
    assert "Version 2, published" in latest
    assert "What to call it" in latest
    assert f'href="/guides/{guide.slug}/v1/">Version 1</a>' in latest
    older = _text(facilitator.get(f"/guides/{guide.slug}/v1/"))
    assert "This is an older version of the guide." in older
    assert "Naming the assembly" in older
    assert "What to call it" not in older


def test_a_published_version_withholds_an_excerpt_whose_post_is_later_hidden(
        app, client, world):
    with app.app_context():
        g = build_guide(world, publish=True)
    _set_post_status(app, g.post_ids[1], PostStatus.HIDDEN)
    client.sign_in_as(world.member)

    page = _text(client.get(f"/guides/{g.slug}/"))

    assert "local radio" not in page
    assert "withdrawn while the facilitator reviews it" in page
    assert b"local radio" not in client.get(f"/guides/{g.slug}/v1/download/markdown").data


# --- downloads -----------------------------------------------------------

@pytest.mark.parametrize(("fmt", "content_type", "extension", "magic"), [
    ("html", "text/html; charset=utf-8", "html", b"<!DOCTYPE html>"),
    ("markdown", "text/markdown; charset=utf-8", "md", b"# Telling the story"),
    ("pdf", "application/pdf", "pdf", b"%PDF"),
    ("docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", "docx",
     b"PK"),
    ("odt", "application/vnd.oasis.opendocument.text", "odt", b"PK"),
])
def test_downloads_are_attachments_named_after_the_guide_and_version(
        app, client, world, fmt, content_type, extension, magic):
    with app.app_context():
        g = build_guide(world, publish=True)
    client.sign_in_as(world.member)

    response = client.get(f"/guides/{g.slug}/v1/download/{fmt}")

    assert response.status_code == 200
    assert response.headers["Content-Type"] == content_type
    assert response.headers["Content-Disposition"] == (
        f'attachment; filename="telling-the-story-of-an-assembly-v1.{extension}"')
    assert response.data.lstrip().startswith(magic)
    if fmt == "markdown":
        assert "Naming the assembly" in response.data.decode()


def test_a_drafts_download_is_named_as_a_draft(facilitator, guide):
    response = facilitator.get(f"{_base(guide)}/download/markdown")

    assert response.headers["Content-Disposition"] == (
        'attachment; filename="telling-the-story-of-an-assembly-draft.md"')
    assert b"Reaching residents" in response.data


def test_the_published_page_offers_every_format(app, client, world):
    with app.app_context():
        g = build_guide(world, publish=True)
    client.sign_in_as(world.member)
    page = _text(client.get(f"/guides/{g.slug}/"))
    for fmt in ("html", "markdown", "pdf", "docx", "odt"):
        assert f'href="/guides/{g.slug}/v1/download/{fmt}"' in page
    assert "OpenDocument text (ODT)" in page


@pytest.mark.parametrize("reader, links", [("anonymous", False), ("outsider", False),
                                           ("member", True)])
def test_links_to_the_original_posts_go_only_to_readers_who_can_open_them(
        app, client, world, reader, links):
    """A public guide of a private set: its threads are "Page not found" to outsiders, so
    neither the page nor a download offers them a link there."""
    with app.app_context():
        g = build_guide(world, publish=True, is_public=True)
        thread_id = db.session.get(Post, g.post_ids[0]).thread_id
    if reader != "anonymous":
        client.sign_in_as(getattr(world, reader))
    post_link = f"/threads/{thread_id}#post-{g.post_ids[0]}"

    page = _text(client.get(f"/guides/{g.slug}/"))
    markdown = _text(client.get(f"/guides/{g.slug}/v1/download/markdown"))

    assert "We named ours" in page and "We named ours" in markdown
    assert ("Original post" in page) is links
    assert (post_link in page) is links
    assert (post_link in markdown) is links
    assert ("Original post" in markdown) is links


# --- finding guides ------------------------------------------------------

def test_the_home_page_lists_only_published_guides_anyone_may_read(app, client, world):
    with app.app_context():
        build_guide(world, title="Public and published", publish=True, is_public=True)
        build_guide(world, title="Private and published", publish=True)
        build_guide(world, title="Public draft", is_public=True)

    page = _text(client.get("/"))

    assert "Published guides</h2>" in page
    assert 'href="/guides/public-and-published/">Public and published</a>' in page
    assert "Private and published" not in page
    assert "Public draft" not in page


def test_the_home_page_has_no_guides_heading_when_there_are_none(client):
    # The heading, not the header's link to the list, which every page has.
    assert "Published guides</h2>" not in _text(client.get("/"))


def test_the_set_page_links_to_its_guides(client, world):
    client.sign_in_as(world.member)
    assert 'href="/sets/comms/guides/">Guides</a>' in _text(client.get("/sets/comms/"))


@pytest.mark.parametrize(("role", "sees_draft"), [("member", False), ("facilitator", True)])
def test_a_sets_guide_list_shows_drafts_only_to_those_who_curate(app, client, world, role,
                                                                 sees_draft):
    with app.app_context():
        build_guide(world, title="Already out", publish=True)
        build_guide(world, title="Still a draft")
    client.sign_in_as(world.user(role))

    page = _text(client.get("/sets/comms/guides/"))

    assert "Already out" in page
    assert ("Still a draft" in page) is sees_draft
    assert ("Create a guide" in page) is sees_draft


def test_a_public_sets_published_guide_is_readable_without_signing_in(app, client, world):
    with app.app_context():
        db.session.get(LearningSet, world.learning_set.id).visibility = Visibility.PUBLIC
        db.session.commit()
        g = build_guide(world, publish=True)

    page = _text(client.get(f"/guides/{g.slug}/"))

    assert "We named ours <strong>the People’s Panel</strong>." in page
    assert "Curate this guide" not in page


def test_the_demo_guide_is_linked_from_the_home_page_for_visitors(app, client):
    with app.app_context():
        load_demo(db.session, "velvet-harbour-sixteen-crane")
        db.session.commit()

    home = _text(client.get("/"))

    assert f'href="/guides/{GUIDE_SLUG}/">Telling the story of an assembly</a>' in home
    assert client.get(f"/guides/{GUIDE_SLUG}/").status_code == 200
