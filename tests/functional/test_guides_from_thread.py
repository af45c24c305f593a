"""From a thread to a guide in one step, ticking several posts at once, and quoted posts that
are edited after they were quoted."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from sqlalchemy import select

from forum.extensions import db
from forum.guides import credit
from forum.guides import service
from forum.guides.compile import publish
from forum.models import Guide
from forum.models import GuideExcerpt
from forum.models import GuideVersion
from forum.models import Post
from forum.models import PostStatus
from forum.models import User
from forum.moderation import service as moderation_service
from forum.threads import service as thread_service
from tests import factories
from tests.functional.guide_helpers import build_guide_world
from tests.functional.guide_helpers import delete_account

INJECTED = "INJECTEDAFTERQUOTE see the [council website](https://evil.example/phish)."


@dataclass
class Ids:
    facilitator: int
    member: int
    named: int
    thread: int
    guide: int
    set_slug: str
    posts: dict[str, int]


@pytest.fixture
def ids(app) -> Ids:
    with app.app_context():
        gw = build_guide_world()
        thread, opening = gw.thread, gw.posts["opening"]
        hidden_author = factories.make_user(display_name="Hana Hidden")
        factories.add_member(hidden_author, gw.learning_set)
        posts = {key: post.id for key, post in gw.posts.items()}
        for status in (PostStatus.PENDING, PostStatus.HIDDEN, PostStatus.WITHDRAWN,
                       PostStatus.REJECTED):
            posts[status.value] = factories.make_post(
                thread, hidden_author, parent=opening, body=f"SECRET {status.value} text",
                status=status).id
        gone = factories.make_user(display_name="Gwen Gone")
        factories.add_member(gone, gw.learning_set)
        posts["gone"] = factories.make_post(thread, gone, parent=opening,
                                            body="Posted by a deleted account").id
        delete_account(gone)
        db.session.commit()
        return Ids(gw.facilitator.id, gw.org_only.id, gw.named.id, thread.id, gw.guide.id,
                   gw.learning_set.slug, posts)


def _sign_in(client, user_id: int):
    with client.application.app_context():
        client.sign_in_as(db.session.get(User, user_id))
    return client


def _text(response) -> str:
    return response.get_data(as_text=True)


def _newest_guide(app) -> tuple[int, list[list[int]]]:
    with app.app_context():
        guide = db.session.scalar(select(Guide).order_by(Guide.id.desc()))
        return guide.id, [[e.post_id for e in s.excerpts] for s in guide.sections]


# --- from a thread to a guide ----------------------------------------------

def test_a_facilitator_makes_a_draft_guide_of_every_approved_post_in_thread_order(
        app, client, ids):
    _sign_in(client, ids.facilitator)
    thread_page = _text(client.get(f"/threads/{ids.thread}"))
    assert "Make a guide from this thread" in thread_page

    response = client.post(f"/threads/{ids.thread}/guide")

    guide_id, sections = _newest_guide(app)
    assert guide_id != ids.guide
    assert response.status_code == 302
    assert response.location.endswith(f"/sets/{ids.set_slug}/guides/{guide_id}/#sections")
    posts = ids.posts
    # Replies follow the post they answer; waiting, hidden, withdrawn and returned posts and
    # the deleted account's post are left out.
    assert sections == [[posts["opening"], posts["named"], posts["org_only"],
                         posts["anonymous"]]]
    page = _text(client.get(response.location))
    assert "4 approved posts, whole and in thread order" in page
    assert "A former member’s post was not added: its author deleted their account." in page

    preview = _text(client.get(f"/sets/{ids.set_slug}/guides/{guide_id}/preview"))
    assert "SECRET" not in preview and "deleted account" not in preview
    # Each credited as its author allows, saying whom it answers in the same terms.
    assert "— Network Office" in preview
    assert ("— Sam Patel, Northbridge Borough Council (in reply to Network Office)"
            in preview)
    assert ("— Eastmoor District Council (in reply to Sam Patel, Northbridge Borough "
            "Council)") in preview
    assert "— A participant (in reply to Network Office)" in preview
    assert "Zelda" not in preview and "Hiddenvale" not in preview


def test_only_the_sets_facilitators_are_offered_or_allowed_to_make_a_guide_of_a_thread(
        app, client, ids):
    _sign_in(client, ids.member)
    assert "Make a guide from this thread" not in _text(client.get(f"/threads/{ids.thread}"))
    before = _newest_guide(app)

    response = client.post(f"/threads/{ids.thread}/guide")

    assert response.status_code == 403
    assert _newest_guide(app) == before


def test_a_thread_whose_opening_post_waits_offers_no_guide(app, client, ids):
    with app.app_context():
        opening = db.session.get(Post, ids.posts["opening"])
        opening.status = PostStatus.PENDING
        db.session.commit()
    _sign_in(client, ids.facilitator)
    assert "Make a guide from this thread" not in _text(client.get(f"/threads/{ids.thread}"))
    before = _newest_guide(app)

    response = client.post(f"/threads/{ids.thread}/guide")

    assert response.status_code == 302
    assert ("No guide was made. The thread’s opening post is not approved"
            in _text(client.get(response.location)))
    assert _newest_guide(app) == before


# --- ticking several posts -------------------------------------------------

def _section(app, guide_id: int, title: str = "Naming") -> int:
    with app.app_context():
        section = service.add_section(db.session, db.session.get(Guide, guide_id), title=title)
        db.session.commit()
        return section.id


def test_ticked_posts_are_added_whole_in_thread_order_and_never_twice(app, client, ids):
    section_id = _section(app, ids.guide)
    _sign_in(client, ids.facilitator)
    url = f"/sets/{ids.set_slug}/guides/{ids.guide}/excerpts/several"
    posts = ids.posts

    response = client.post(url, data={"section_id": str(section_id),
                                      "post_ids": [str(posts["anonymous"]),
                                                   str(posts["named"])]})

    assert response.status_code == 302
    assert "2 posts were added to “Naming”" in _text(client.get(response.location))
    assert _newest_guide(app)[1] == [[posts["named"], posts["anonymous"]]]

    again = client.post(url, data={"section_id": str(section_id),
                                   "post_ids": [str(posts["named"]), str(posts["org_only"])]})
    page = _text(client.get(again.location))
    assert "1 post was added" in page
    assert "Sam Patel’s post was not added: it is already quoted in “Naming”." in page
    assert _newest_guide(app)[1] == [[posts["named"], posts["anonymous"], posts["org_only"]]]


@pytest.mark.parametrize(("ticked", "message"), [
    ([], "Tick at least one post to add"),
    (["pending"], "A ticked post can no longer be quoted"),
])
def test_ticking_nothing_or_a_post_that_cannot_be_quoted_adds_nothing(
        app, client, ids, ticked, message):
    section_id = _section(app, ids.guide)
    _sign_in(client, ids.facilitator)

    response = client.post(
        f"/sets/{ids.set_slug}/guides/{ids.guide}/excerpts/several",
        data={"section_id": str(section_id), "post_ids": [str(ids.posts[k]) for k in ticked]})

    assert response.status_code == 200
    assert message in _text(response)
    assert "There is a problem" in _text(response)
    assert _newest_guide(app)[1] == [[]]


# --- a quoted post edited afterwards ------------------------------------------

def _quote_and_publish(app, ids: Ids, *, trim: str | None = None) -> int:
    with app.app_context():
        guide = db.session.get(Guide, ids.guide)
        section = service.add_section(db.session, guide, title="Naming")
        excerpt = service.add_excerpt(db.session, section, db.session.get(Post, ids.posts["named"]),
                                      body_source=trim)
        publish(db.session, guide, by=db.session.get(User, ids.facilitator))
        db.session.commit()
        return excerpt.id


def _author_edits(app, ids: Ids, body: str) -> None:
    """The author edits the quoted post and, where the set's policy makes edits wait, a
    moderator approves the edit: the post's approved text changes."""
    with app.app_context():
        post = db.session.get(Post, ids.posts["named"])
        thread_service.edit_post(db.session, db.session.get(User, ids.named), post, body=body)
        if post.has_pending_edit:
            moderation_service.approve_edit(db.session, db.session.get(User, ids.facilitator),
                                            post, seen_version=post.version)
        db.session.commit()


def _versions(app, guide_id: int) -> list[str]:
    with app.app_context():
        return [str(v.document) for v in db.session.scalars(
            select(GuideVersion).where(GuideVersion.guide_id == guide_id)
            .order_by(GuideVersion.number))]


def test_an_edit_made_after_quoting_reaches_no_guide_until_the_facilitator_takes_it(
        app, client, ids):
    excerpt_id = _quote_and_publish(app, ids)
    _author_edits(app, ids, INJECTED)
    _sign_in(client, ids.facilitator)
    base = f"/sets/{ids.set_slug}/guides/{ids.guide}"

    preview = _text(client.get(f"{base}/preview"))
    assert "INJECTEDAFTERQUOTE" not in preview and "evil.example" not in preview
    assert "Northbridge Climate Assembly" in preview
    curation = _text(client.get(f"{base}/"))
    item = curation.split(f'id="excerpt-{excerpt_id}"')[1].split("</li>")[0]
    assert "The post was edited after it was quoted" in item
    assert "Quoted text" in item and "Northbridge Climate Assembly" in item
    assert "The post’s approved text now" in item and "INJECTEDAFTERQUOTE" in item
    assert "Use the new text" in item and "Keep the quoted text" in item

    refused = client.post(f"{base}/publish")
    assert "needs attention" in _text(client.get(refused.location))
    assert len(_versions(app, ids.guide)) == 1

    kept = client.post(f"{base}/excerpts/{excerpt_id}/source", data={"decision": "keep"})
    assert "keeps the text it quoted" in _text(client.get(kept.location))
    client.post(f"{base}/publish")
    versions = _versions(app, ids.guide)
    assert len(versions) == 2 and "INJECTEDAFTERQUOTE" not in versions[1]

    # A further edit is flagged again; taking it quotes the new approved text.
    _author_edits(app, ids, "We renamed it the **Northbridge Travel Assembly**.")
    assert "The post was edited after it was quoted" in _text(client.get(f"{base}/"))
    taken = client.post(f"{base}/excerpts/{excerpt_id}/source", data={"decision": "accept"})
    assert "now quotes its new text, whole" in _text(client.get(taken.location))
    client.post(f"{base}/publish")
    versions = _versions(app, ids.guide)
    assert len(versions) == 3 and "Northbridge Travel Assembly" in versions[2]


@pytest.mark.parametrize(("edit", "still_trimmed"), [
    ("We also ran a poll. We called ours the **Northbridge Climate Assembly**. The name "
     "helped a lot.", True),
    ("We called ours the **Northbridge Travel Assembly**.", False),
])
def test_taking_the_new_text_keeps_a_trim_whose_words_are_all_still_there(
        app, client, ids, edit, still_trimmed):
    excerpt_id = _quote_and_publish(app, ids, trim="… The name helped a lot.")
    _author_edits(app, ids, edit)
    _sign_in(client, ids.facilitator)

    client.post(f"/sets/{ids.set_slug}/guides/{ids.guide}/excerpts/{excerpt_id}/source",
                data={"decision": "accept"})

    with app.app_context():
        excerpt = db.session.get(GuideExcerpt, excerpt_id)
        assert excerpt.is_trimmed is still_trimmed
        assert excerpt.quoted_source == edit
        assert excerpt.body_source == ("… The name helped a lot." if still_trimmed else edit)
        assert not credit.needs_attention(excerpt)


def test_a_post_that_was_not_edited_offers_no_choice(app, client, ids):
    excerpt_id = _quote_and_publish(app, ids)
    _sign_in(client, ids.facilitator)

    response = client.post(
        f"/sets/{ids.set_slug}/guides/{ids.guide}/excerpts/{excerpt_id}/source",
        data={"decision": "accept"})

    assert "has not changed since it was quoted" in _text(client.get(response.location))


# --- the public address ------------------------------------------------------

@pytest.mark.parametrize(("address", "development", "refused"), [
    ("http://127.0.0.1:5000", False, True),
    ("http://localhost:8000/", False, True),
    ("http://[::1]:5000", False, True),
    ("http://0.0.0.0", False, True),
    ("", False, True),
    (None, True, True),
    ("not a url", True, True),
    ("http://127.0.0.1:5000", True, False),
    ("https://sets.example.org", False, False),
    ("http://10.1.2.3:8080", False, False),
])
def test_guides_are_published_only_with_a_public_address_readers_can_open(
        address, development, refused):
    problem = service.public_address_problem(address, development=development)
    assert (problem is not None) is refused
    if refused:
        assert "FORUM_PUBLIC_BASE_URL" in problem


def test_publishing_on_a_server_with_a_loopback_address_is_refused_with_a_message(
        app, client, ids):
    _quote_and_publish(app, ids)
    _sign_in(client, ids.facilitator)
    app.config.update(TESTING=False, PUBLIC_BASE_URL="http://127.0.0.1:5000")

    preview = _text(client.get(f"/sets/{ids.set_slug}/guides/{ids.guide}/preview"))
    assert "You cannot publish yet." in preview and "only the server itself" in preview
    assert f'action="/sets/{ids.set_slug}/guides/{ids.guide}/publish"' not in preview

    response = client.post(f"/sets/{ids.set_slug}/guides/{ids.guide}/publish")

    assert response.location.endswith("/preview")
    page = _text(client.get(response.location))
    assert "The guide was not published." in page and "only the server itself can open" in page
    assert len(_versions(app, ids.guide)) == 1

    app.config["PUBLIC_BASE_URL"] = "https://sets.example.org"
    client.post(f"/sets/{ids.set_slug}/guides/{ids.guide}/publish")
    assert len(_versions(app, ids.guide)) == 2


def test_a_reply_quoted_on_its_own_says_whom_it_answers_once_the_facilitator_asks(
        app, client, ids):
    with app.app_context():
        guide = db.session.get(Guide, ids.guide)
        section = service.add_section(db.session, guide, title="Naming")
        service.add_excerpt(db.session, section, db.session.get(Post, ids.posts["opening"]))
        reply = service.add_excerpt(db.session, section,
                                    db.session.get(Post, ids.posts["named"]))
        db.session.commit()
        reply_id, body = reply.id, reply.body_source
    _sign_in(client, ids.facilitator)
    base = f"/sets/{ids.set_slug}/guides/{ids.guide}"
    assert "in reply to" not in _text(client.get(f"{base}/preview"))
    assert "Say whom this reply answers" in _text(client.get(f"{base}/excerpts/{reply_id}/edit"))

    client.post(f"{base}/excerpts/{reply_id}/edit", data={
        "body": body, "note": "", "credit": "name_and_organisation", "show_in_reply_to": "y"})

    assert ("— Sam Patel, Northbridge Borough Council (in reply to Network Office)"
            in _text(client.get(f"{base}/preview")))
