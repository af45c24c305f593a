"""Curating guides: threads, sections, excerpts, attention, publishing versions, query counts."""

from __future__ import annotations

import pytest
from flask_login import AnonymousUserMixin
from sqlalchemy import func
from sqlalchemy import select

from forum import permissions
from forum.extensions import db
from forum.guides import credit
from forum.guides import service
from forum.guides.compile import WITHHELD_HTML
from forum.guides.compile import compile_guide
from forum.guides.compile import get_version
from forum.guides.compile import latest_version
from forum.guides.compile import publish
from forum.guides.compile import version_document
from forum.guides.service import GuideError
from forum.models import CreditPreference
from forum.models import Guide
from forum.models import GuideExcerpt
from forum.models import PostStatus
from forum.models import Role
from forum.models import Visibility
from forum.models import utcnow
from forum.text import render_markdown
from tests import factories
from tests.functional.guide_helpers import build_guide_world
from tests.functional.guide_helpers import delete_account
from tests.querycount import recording_statements


@pytest.fixture
def gw(db_session):
    return build_guide_world()


def _texts(document) -> str:
    return "\n".join(e.body_html + e.credit for s in document.sections for e in s.excerpts)


# --- creating guides ------------------------------------------------------

def test_guides_with_the_same_title_get_different_addresses(gw):
    other = service.create_guide(db.session, learning_set=gw.learning_set, creator=gw.facilitator,
                                 title="Telling the story!", thread_ids=[gw.thread.id])
    assert gw.guide.slug == "telling-the-story"
    assert other.slug == "telling-the-story-2"
    assert [t.id for t in other.threads] == [gw.thread.id]


def _thread_elsewhere(gw) -> int:
    other_set = factories.make_set(facilitator=gw.facilitator)
    return factories.make_thread(other_set, gw.facilitator).id


def _thread_awaiting_approval(gw) -> int:
    thread = factories.make_thread(gw.learning_set, gw.named)
    thread.posts[0].status = PostStatus.PENDING
    db.session.flush()
    return thread.id


@pytest.mark.parametrize(("make_ids", "message"), [
    (lambda gw: [], "Choose at least one thread"),
    (lambda gw: [_thread_elsewhere(gw)], "Choose threads from this learning set"),
    (lambda gw: [_thread_awaiting_approval(gw)], "Choose threads from this learning set"),
    (lambda gw: [gw.thread.id, 999_999], "Choose threads from this learning set"),
    (lambda gw: [2**40], "Choose at least one thread"),
])
def test_a_guide_only_draws_on_visible_threads_of_its_own_set(gw, make_ids, message):
    with pytest.raises(GuideError, match=message):
        service.create_guide(db.session, learning_set=gw.learning_set, creator=gw.facilitator,
                             title="Another", thread_ids=make_ids(gw))


@pytest.mark.parametrize(("title", "message"), [
    ("", "Enter a title"), ("   ", "Enter a title"),
    ("x" * 201, "200 characters or fewer"),
])
def test_a_guide_needs_a_short_title(gw, title, message):
    with pytest.raises(GuideError, match=message):
        service.create_guide(db.session, learning_set=gw.learning_set, creator=gw.facilitator,
                             title=title, thread_ids=[gw.thread.id])


def test_settings_change_and_a_thread_with_excerpts_cannot_be_dropped(gw):
    second = factories.make_thread(gw.learning_set, gw.named, title="Second thread")
    service.update_guide(db.session, gw.guide, title="New title", subtitle="Sub",
                         introduction_source="Read *this*", is_public=True,
                         thread_ids=[gw.thread.id, second.id])
    assert (gw.guide.title, gw.guide.subtitle, gw.guide.is_public) == ("New title", "Sub", True)
    assert gw.guide.introduction_html == render_markdown("Read *this*")
    assert gw.guide.slug == "telling-the-story"  # the address never changes
    section = service.add_section(db.session, gw.guide, title="One")
    service.add_excerpt(db.session, section, gw.posts["named"])
    with pytest.raises(GuideError, match="Remove the excerpts from “Naming the assembly”"):
        service.update_guide(db.session, gw.guide, title="New title", subtitle="",
                             introduction_source="", is_public=True, thread_ids=[second.id])
    assert {t.id for t in gw.guide.threads} == {gw.thread.id, second.id}


# --- sections -------------------------------------------------------------

def _titles(guide: Guide) -> list[str]:
    return [s.title for s in sorted(guide.sections, key=lambda s: s.position)]


def test_sections_are_added_at_the_end_renamed_reordered_and_deleted(gw):
    a, b, c = (service.add_section(db.session, gw.guide, title=t) for t in "ABC")
    service.update_section(db.session, b, title="Bee", introduction_source="About *bees*")
    assert b.introduction_html == render_markdown("About *bees*")
    service.move_section(db.session, c, "up")
    assert _titles(gw.guide) == ["A", "C", "Bee"]
    service.move_section(db.session, a, "up")      # already first: nothing happens
    service.move_section(db.session, b, "down")    # already last: nothing happens
    assert _titles(gw.guide) == ["A", "C", "Bee"]
    service.add_excerpt(db.session, c, gw.posts["named"])
    service.delete_section(db.session, c)
    db.session.flush()
    assert _titles(gw.guide) == ["A", "Bee"]
    assert [s.position for s in gw.guide.sections] == [0, 1]
    assert db.session.scalar(select(func.count(GuideExcerpt.id))) == 0
    with pytest.raises(GuideError):
        service.move_section(db.session, a, "sideways")


# --- excerpts -------------------------------------------------------------

@pytest.mark.parametrize("status", [PostStatus.PENDING, PostStatus.REJECTED, PostStatus.HIDDEN,
                                    PostStatus.WITHDRAWN])
def test_only_approved_posts_can_be_excerpted(gw, status):
    section = service.add_section(db.session, gw.guide, title="One")
    post = factories.make_post(gw.thread, gw.named, body="Not yet.", status=status)
    with pytest.raises(GuideError, match="Only approved posts"):
        service.add_excerpt(db.session, section, post)
    assert section.excerpts == []


def test_a_post_from_a_thread_outside_the_guide_cannot_be_excerpted(gw):
    section = service.add_section(db.session, gw.guide, title="One")
    elsewhere = factories.make_thread(gw.learning_set, gw.named, title="Not in the guide")
    with pytest.raises(GuideError, match="one of this guide's threads"):
        service.add_excerpt(db.session, section, elsewhere.posts[0])


def test_a_whole_post_is_not_trimmed_and_a_shortened_one_says_so(gw):
    section = service.add_section(db.session, gw.guide, title="One")
    post = gw.posts["named"]
    whole = service.add_excerpt(db.session, section, post)
    same = service.add_excerpt(db.session, section, post, body_source=post.body_source + "\n")
    part = service.add_excerpt(db.session, section, post,
                               body_source="We called ours the **Northbridge Climate Assembly**. …")
    assert (whole.is_trimmed, same.is_trimmed, part.is_trimmed) == (False, False, True)
    assert whole.post_id == part.post_id == post.id
    assert "The name helped" not in part.body_html
    document = compile_guide(gw.guide, link=lambda p: f"/posts/{p.id}")
    assert [e.trimmed for e in document.sections[0].excerpts] == [False, False, True]
    assert document.sections[0].excerpts[0].source_url == f"/posts/{post.id}"


@pytest.mark.parametrize(("trimmed", "allowed"), [
    ("… The name helped a lot.", True),
    ("We called ours the **Northbridge Climate Assembly** … helped a lot.", True),
    ("[…] The name helped …", True),
    ("The name helped a lot.", False),  # the start was left out without a mark
    ("we called ours the **northbridge climate assembly** … helped a lot.", False),
    ("The name was a disaster.", False),
    ("We called ours the Eastmoor Climate Assembly.", False),
    ("   ", False),
])
def test_trimming_may_leave_words_out_but_never_change_them(gw, trimmed, allowed):
    section = service.add_section(db.session, gw.guide, title="One")
    if allowed:
        assert service.add_excerpt(db.session, section, gw.posts["named"],
                                   body_source=trimmed).is_trimmed
    else:
        with pytest.raises(GuideError):
            service.add_excerpt(db.session, section, gw.posts["named"], body_source=trimmed)


def test_excerpts_reorder_within_a_section_and_move_to_another(gw):
    one = service.add_section(db.session, gw.guide, title="One")
    two = service.add_section(db.session, gw.guide, title="Two")
    a, b, c = (service.add_excerpt(db.session, one, gw.posts[k])
               for k in ("named", "org_only", "anonymous"))
    service.move_excerpt(db.session, c, "up")
    assert [e.id for e in one.excerpts] == [a.id, c.id, b.id]
    service.move_excerpt(db.session, a, "up")  # first already: nothing happens
    assert [e.id for e in one.excerpts] == [a.id, c.id, b.id]
    service.move_excerpt_to_section(db.session, c, two)
    assert [e.id for e in one.excerpts] == [a.id, b.id]
    assert [e.position for e in one.excerpts] == [0, 1]
    assert [e.id for e in two.excerpts] == [c.id] and c.section is two
    service.remove_excerpt(db.session, a)
    assert [(e.id, e.position) for e in one.excerpts] == [(b.id, 0)]
    document = compile_guide(gw.guide, link=lambda p: None)
    assert [len(s.excerpts) for s in document.sections] == [1, 1]


def test_an_editorial_note_is_rendered_and_can_be_changed(gw):
    section = service.add_section(db.session, gw.guide, title="One")
    excerpt = service.add_excerpt(db.session, section, gw.posts["named"],
                                  editorial_note_source="See *also* section two.")
    assert excerpt.editorial_note_html == render_markdown("See *also* section two.")
    service.update_excerpt(db.session, excerpt, body_source="… The name helped a lot.",
                           editorial_note_source="", credit_override=None)
    assert excerpt.editorial_note_html == "" and excerpt.is_trimmed
    service.update_excerpt(db.session, excerpt, body_source=None, editorial_note_source="",
                           credit_override=None)
    assert not excerpt.is_trimmed


ORDER = [CreditPreference.ANONYMOUS, CreditPreference.ORGANISATION,
         CreditPreference.NAME_AND_ORGANISATION]


@pytest.mark.parametrize("author", ["named", "org_only", "anonymous"])
@pytest.mark.parametrize("override", ORDER)
def test_a_facilitator_can_lower_credit_but_never_raise_it(gw, author, override):
    section = service.add_section(db.session, gw.guide, title="One")
    post = gw.posts[author]
    choice = post.author.credit_preference
    if ORDER.index(override) > ORDER.index(choice):
        with pytest.raises(GuideError, match="cannot credit this member more than they allow"):
            service.add_excerpt(db.session, section, post, credit_override=override)
        excerpt = service.add_excerpt(db.session, section, post)
        with pytest.raises(GuideError, match="more than they allow"):
            service.update_excerpt(db.session, excerpt, body_source=None,
                                   editorial_note_source="", credit_override=override.value)
        assert credit.effective_credit(excerpt) == choice
    else:
        excerpt = service.add_excerpt(db.session, section, post, credit_override=override)
        assert credit.effective_credit(excerpt) == override


def test_a_member_who_lowers_their_choice_later_is_credited_by_the_new_choice(gw):
    section = service.add_section(db.session, gw.guide, title="One")
    excerpt = service.add_excerpt(db.session, section, gw.posts["named"])
    assert credit.credit_text(excerpt) == "Sam Patel, Northbridge Borough Council"
    gw.named.credit_preference = CreditPreference.ANONYMOUS
    assert credit.credit_text(excerpt) == "A participant"


# --- attention --------------------------------------------------------------

def _hide(gw, post):
    post.status = PostStatus.HIDDEN


def _withdraw(gw, post):
    post.status = PostStatus.WITHDRAWN


def _resubmit(gw, post):
    post.status = PostStatus.PENDING


def _delete_post(gw, post):
    db.session.delete(post)
    db.session.flush()
    db.session.expire_all()


def _delete_author(gw, post):
    delete_account(post.author)


CHANGES = [
    (_hide, "The source post was hidden by a moderator"),
    (_withdraw, "The source post was withdrawn by its author"),
    (_resubmit, "The source post is no longer approved"),
    (_delete_post, "The source post was deleted"),
]


@pytest.mark.parametrize(("change", "reason"), CHANGES)
def test_a_source_post_that_goes_away_needs_attention_and_blocks_publishing(gw, change, reason):
    section = service.add_section(db.session, gw.guide, title="One")
    kept = service.add_excerpt(db.session, section, gw.posts["named"])
    gone = service.add_excerpt(db.session, section, gw.posts["org_only"])
    assert credit.attention_reason(gone) is None
    change(gw, gw.posts["org_only"])
    assert credit.attention_reason(gone) == reason
    assert credit.attention_reason(kept) is None
    document = compile_guide(gw.guide, link=lambda p: None)
    assert len(document.sections[0].excerpts) == 1
    assert "Eastmoor" not in _texts(document)
    assert document.contributing_organisations == ("Northbridge Borough Council",)
    with pytest.raises(GuideError, match="1 excerpt needs attention"):
        publish(db.session, gw.guide, by=gw.facilitator)
    service.remove_excerpt(db.session, gone)
    assert publish(db.session, gw.guide, by=gw.facilitator).number == 1


@pytest.mark.parametrize(("change", "reason"), CHANGES)
def test_a_published_version_withholds_a_post_that_goes_away_later(gw, change, reason):
    section = service.add_section(db.session, gw.guide, title="One")
    service.add_excerpt(db.session, section, gw.posts["named"])
    service.add_excerpt(db.session, section, gw.posts["org_only"])
    version = publish(db.session, gw.guide, by=gw.facilitator)
    db.session.commit()
    before = version_document(version)
    assert "Eastmoor Talks" in _texts(before)
    assert before.contributing_organisations == ("Eastmoor District Council",
                                                 "Northbridge Borough Council")
    change(gw, gw.posts["org_only"])
    db.session.commit()
    after = version_document(db.session.get(type(version), version.id))
    excerpts = after.sections[0].excerpts
    assert excerpts[0] == before.sections[0].excerpts[0]
    assert excerpts[1].body_html == WITHHELD_HTML and excerpts[1].credit == ""
    assert "withdrawn while the facilitator reviews it" in excerpts[1].body_html
    assert "Eastmoor" not in _texts(after)
    assert after.contributing_organisations == ("Northbridge Borough Council",)


def test_an_excerpt_of_an_author_who_deleted_their_account_stays_credited_anonymously(gw):
    section = service.add_section(db.session, gw.guide, title="One")
    excerpt = service.add_excerpt(db.session, section, gw.posts["named"])
    _delete_author(gw, gw.posts["named"])
    assert credit.attention_reason(excerpt) is None
    document = compile_guide(gw.guide, link=lambda p: None)
    assert [e.credit for e in document.sections[0].excerpts] == ["A participant"]
    assert "Sam Patel" not in _texts(document)
    assert "Northbridge Borough Council" not in document.contributing_organisations


def test_an_excerpt_cannot_be_taken_from_a_post_whose_author_left(gw):
    section = service.add_section(db.session, gw.guide, title="One")
    post_id = gw.posts["anonymous"].id
    delete_account(gw.anonymous)
    post = db.session.get(type(gw.posts["named"]), post_id)
    with pytest.raises(GuideError, match="deleted their account"):
        service.add_excerpt(db.session, section, post)


# --- publishing versions ------------------------------------------------------

def test_publishing_refuses_a_guide_without_excerpts(gw):
    with pytest.raises(GuideError, match="Add at least one excerpt"):
        publish(db.session, gw.guide, by=gw.facilitator)
    service.add_section(db.session, gw.guide, title="Empty")
    with pytest.raises(GuideError, match="Add at least one excerpt"):
        publish(db.session, gw.guide, by=gw.facilitator)
    assert latest_version(gw.guide) is None


def test_published_versions_are_numbered_dated_and_never_change(gw):
    section = service.add_section(db.session, gw.guide, title="Naming")
    whole = service.add_excerpt(db.session, section, gw.posts["named"])
    v1 = publish(db.session, gw.guide, by=gw.facilitator)
    db.session.commit()
    first = version_document(v1)
    assert (v1.number, first.version, first.published_on) == (1, 1, utcnow().date())
    assert v1.published_by_id == gw.facilitator.id
    assert "Northbridge Climate Assembly" in _texts(first)

    # Edit the draft and, through the thread, the quoted post itself.
    service.update_section(db.session, section, title="Choosing a name", introduction_source="")
    service.update_excerpt(db.session, whole, body_source=None,
                           editorial_note_source="A new note.", credit_override=None)
    post = gw.posts["named"]
    post.body_source = "We renamed it the **Northbridge Travel Assembly**."
    post.body_html = render_markdown(post.body_source)
    db.session.commit()

    draft = compile_guide(gw.guide, link=lambda p: None)
    assert draft.sections[0].title == "Choosing a name"
    # The excerpt keeps the text it quoted until the facilitator takes the edit.
    assert "Northbridge Climate Assembly" in _texts(draft)
    assert "Northbridge Travel Assembly" not in _texts(draft)
    assert version_document(v1) == first  # v1 is frozen
    with pytest.raises(GuideError, match="1 excerpt needs attention"):
        publish(db.session, gw.guide, by=gw.facilitator)
    service.accept_source_change(db.session, whole)

    v2 = publish(db.session, gw.guide, by=gw.facilitator)
    db.session.commit()
    second = version_document(v2)
    assert v2.number == 2 and second.version == 2
    assert second.sections[0].title == "Choosing a name"
    assert "Northbridge Travel Assembly" in _texts(second)
    assert "A new note." in second.sections[0].excerpts[0].editorial_note_html
    assert latest_version(gw.guide).number == 2
    assert get_version(gw.guide, 1).id == v1.id and get_version(gw.guide, 3) is None
    assert version_document(get_version(gw.guide, 1)) == first


# --- the curation list and query counts ---------------------------------------

def test_curation_lists_approved_posts_in_reading_order_with_context(gw):
    factories.make_post(gw.thread, gw.named, parent=gw.posts["opening"], body="Secret draft",
                        status=PostStatus.PENDING)
    section = service.add_section(db.session, gw.guide, title="One")
    service.add_excerpt(db.session, section, gw.posts["org_only"])
    items = service.curation_items(db.session, gw.guide)
    assert [i.post.id for i in items] == [gw.posts[k].id for k in
                                          ("opening", "named", "org_only", "anonymous")]
    assert [i.depth for i in items] == [0, 1, 2, 1]
    assert items[0].parent_excerpt is None
    assert items[2].parent_excerpt.startswith("We called ours the Northbridge")
    assert items[2].used_in == [section] and items[1].used_in == []
    assert (items[3].author_name, items[3].organisation, items[3].credit_preference) == (
        "Zelda Quiet", "Hiddenvale Parish Council", CreditPreference.ANONYMOUS)


def _guide_of(size: int) -> int:
    """A guide over two threads of ``size`` posts in all, by many authors, half excerpted."""
    facilitator = factories.make_user()
    learning_set = factories.make_set(facilitator=facilitator)
    authors = [factories.make_user() for _ in range(max(2, size // 5))]
    for author in authors:
        factories.add_member(author, learning_set)
    threads = [factories.make_thread(learning_set, authors[0]) for _ in range(2)]
    posts = [t.posts[0] for t in threads]
    for n in range(size - 2):
        thread = threads[n % 2]
        posts.append(factories.make_post(thread, authors[n % len(authors)],
                                         parent=thread.posts[-1], body=f"Post {n}"))
    guide = service.create_guide(db.session, learning_set=learning_set, creator=facilitator,
                                 title=f"Guide of {size}", thread_ids=[t.id for t in threads])
    sections = [service.add_section(db.session, guide, title=f"S{n}") for n in range(3)]
    for n, post in enumerate(posts[::2]):
        service.add_excerpt(db.session, sections[n % 3], post)
    guide_id = guide.id
    db.session.commit()
    db.session.expunge_all()
    return guide_id


def _curation_queries(guide_id: int) -> int:
    with recording_statements() as statements:
        guide = service.load_guide_for_curation(db.session, guide_id)
        items = service.curation_items(db.session, guide)
        for item in items:
            (item.author_name, [s.title for s in item.used_in], item.thread.title)
        for section in guide.sections:
            for excerpt in section.excerpts:
                (credit.attention_reason(excerpt), credit.credit_text(excerpt),
                 credit.excerpt_body_html(excerpt), excerpt.post.thread.title)
        (guide.learning_set.name, [v.number for v in guide.versions])
    db.session.expunge_all()
    return len(statements)


def test_curation_runs_the_same_number_of_queries_for_5_or_50_posts(db_session):
    small, large = _guide_of(5), _guide_of(50)
    assert _curation_queries(small) == _curation_queries(large) <= 8


def test_load_guide_for_curation_ignores_impossible_ids(db_session):
    assert service.load_guide_for_curation(db.session, 0) is None
    assert service.load_guide_for_curation(db.session, 2**40) is None
    assert service.load_guide_for_curation(db.session, 12345) is None


# --- who may curate and read -------------------------------------------------

@pytest.mark.parametrize(("who", "curate"), [
    ("facilitator", True), ("admin", True), ("moderator", False), ("member", False),
    ("outsider", False), ("anonymous", False),
])
def test_only_facilitators_and_admins_curate(gw, who, curate):
    users = {"facilitator": gw.facilitator, "member": gw.named,
             "admin": factories.make_user(is_admin=True), "outsider": factories.make_user(),
             "anonymous": AnonymousUserMixin()}
    if who == "moderator":
        users["moderator"] = factories.make_user()
        factories.add_member(users["moderator"], gw.learning_set, Role.MODERATOR)
    assert permissions.can_curate_guide(users[who], gw.guide) is curate
    assert permissions.can_curate_guide(users[who], gw.learning_set) is curate


@pytest.mark.parametrize(("visibility", "is_public", "readers"), [
    (Visibility.PRIVATE, False, {"member"}),
    (Visibility.PRIVATE, True, {"member", "outsider", "anonymous"}),
    (Visibility.NETWORK, False, {"member", "outsider"}),
    (Visibility.PUBLIC, False, {"member", "outsider", "anonymous"}),
])
def test_a_published_guide_is_readable_where_its_set_is_or_when_marked_public(
        db_session, visibility, is_public, readers):
    gw = build_guide_world(visibility=visibility)
    gw.guide.is_public = is_public
    users = {"member": gw.named, "outsider": factories.make_user(),
             "anonymous": AnonymousUserMixin()}
    # A draft is for curators only.
    assert not any(permissions.can_view_published_guide(u, gw.guide) for u in users.values())
    section = service.add_section(db.session, gw.guide, title="One")
    service.add_excerpt(db.session, section, gw.posts["named"])
    publish(db.session, gw.guide, by=gw.facilitator)
    assert {name for name, user in users.items()
            if permissions.can_view_published_guide(user, gw.guide)} == readers
