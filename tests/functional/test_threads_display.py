"""The thread page: the reply tree, and which posts each reader sees."""

from __future__ import annotations

import re
from dataclasses import dataclass

import pytest

from forum.extensions import db
from forum.models import Post
from forum.models import PostStatus
from forum.models import Thread
from forum.models import User
from forum.models import utcnow
from tests import factories


@dataclass
class Statuses:
    author: User
    ids: dict[str, int]


@pytest.fixture
def statuses(app, world) -> Statuses:
    """Replies by Pat (a member) in every status, and an approved answer under the pending one."""
    with app.app_context():
        thread = db.session.get(Thread, world.thread.id)
        opening = thread.posts[0]
        pat = factories.make_user(display_name="Pat Poster", organisation="Camden Council")
        factories.add_member(pat, thread.learning_set)
        member = db.session.get(User, world.member.id)
        ids = {}
        for status in PostStatus:
            post = factories.make_post(thread, pat, parent=opening, status=status,
                                       body=f"Text of the {status.value} post")
            ids[status.value] = post.id
        ids["under_pending"] = factories.make_post(
            thread, member, parent=db.session.get(Post, ids["pending"]),
            body="Answer under the pending post").id
        db.session.commit()
        db.session.refresh(pat)
        db.session.expunge(pat)
        return Statuses(pat, ids)


def _viewer(world, statuses: Statuses, who: str) -> User:
    return statuses.author if who == "author" else getattr(world, who)


# What each reader sees of a post in each status: "text", "placeholder" or "nothing".
VISIBILITY = [
    # status      author         other member   moderator  tag shown with the text
    ("approved", "text", "text", "text", None),
    ("pending", "text", "nothing", "text", "Awaiting approval"),
    ("rejected", "text", "nothing", "text", "Returned by a moderator"),
    ("hidden", "placeholder", "placeholder", "text", "Hidden by a moderator"),
    ("withdrawn", "text", "nothing", "text", "Withdrawn"),
]
CASES = [(status, who, seen[i], tag) for status, *seen, tag in VISIBILITY
         for i, who in enumerate(["author", "member", "moderator"])]


def _article(page: str, post_id: int) -> str | None:
    match = re.search(rf'<article id="post-{post_id}".*?</article>', page, re.S)
    return match.group(0) if match else None


@pytest.mark.parametrize(("status", "who", "seen", "tag"), CASES)
def test_each_reader_sees_a_post_according_to_its_status(client, world, statuses, status, who,
                                                         seen, tag):
    client.sign_in_as(_viewer(world, statuses, who))
    page = client.get(f"/threads/{world.thread.id}").text
    article = _article(page, statuses.ids[status])
    text = f"Text of the {status} post"
    if seen == "nothing":
        assert article is None
        assert text not in page
    elif seen == "placeholder":
        assert "This post was hidden by a moderator" in article
        assert text not in page
    else:
        assert text in article
        if tag:
            assert tag in article
            assert "govuk-tag" in article


@pytest.mark.parametrize("who", ["member", "outsider"])
def test_reply_under_an_unseen_post_still_shows(app, client, world, statuses, who):
    if who == "outsider":  # an admin reading a set they are not in still sees the post
        client.sign_in_as(world.admin)
    else:
        client.sign_in_as(world.member)
    page = client.get(f"/threads/{world.thread.id}").text
    article = _article(page, statuses.ids["under_pending"])
    assert "Answer under the pending post" in article
    if who == "member":
        assert "In reply to a post that is not shown" in article
    else:
        assert f'href="#post-{statuses.ids["pending"]}"' in article


@pytest.mark.parametrize("who", ["author", "member", "moderator"])
def test_an_unseen_post_cannot_be_opened_directly(client, world, statuses, who):
    client.sign_in_as(_viewer(world, statuses, who))
    expected = 404 if who == "member" else 200
    assert client.get(f"/posts/{statuses.ids['pending']}/revisions").status_code == expected
    hidden_revisions = client.get(f"/posts/{statuses.ids['hidden']}/revisions")
    assert hidden_revisions.status_code == (200 if who == "moderator" else 404)


def test_reply_count_counts_only_approved_replies(client, world, statuses):
    client.sign_in_as(world.moderator)
    # approved reply + the approved answer under the pending post
    assert "2 replies." in client.get(f"/threads/{world.thread.id}").text


def test_replies_are_indented_by_depth_up_to_the_configured_maximum(app, client, world):
    with app.app_context():
        thread = db.session.get(Thread, world.thread.id)
        member = db.session.get(User, world.member.id)
        parent = thread.posts[0]
        chain = []
        for n in range(1, 9):
            parent = factories.make_post(thread, member, parent=parent, body=f"Level {n}")
            chain.append(parent.id)
        db.session.commit()
    client.sign_in_as(world.member)
    page = client.get(f"/threads/{world.thread.id}").text
    levels = [int(level) for level in re.findall(r'class="forum-post forum-depth-(\d+)', page)]
    assert levels == [1, 2, 3, 4, 5, 5, 5, 5]
    assert app.config["MAX_REPLY_INDENT"] == 5
    positions = [page.index(f'id="post-{post_id}"') for post_id in chain]
    assert positions == sorted(positions)


def test_each_post_shows_author_organisation_date_and_edited_link(app, client, world):
    with app.app_context():
        post = db.session.get(Thread, world.thread.id).posts[0]
        post.edited_at = utcnow()
        db.session.commit()
        post_id, created = post.id, post.created_at
    client.sign_in_as(world.member)
    page = client.get(f"/threads/{world.thread.id}").text
    article = _article(page, post_id)
    assert "<bdi>Mo Member</bdi>, <bdi>Testshire County Council</bdi>" in article
    assert f'<time datetime="{created.strftime("%Y-%m-%dT%H:%M:%SZ")}">' in article
    assert f'href="/posts/{post_id}/revisions">edited' in article


def test_thread_page_has_one_h1_and_an_article_per_post(app, client, world, statuses):
    client.sign_in_as(world.moderator)
    page = client.get(f"/threads/{world.thread.id}").text
    assert page.count("<h1") == 1
    assert page.count("<article") == 1 + len(statuses.ids)
    assert "<title>Naming the assembly – " in page
    assert '<h2 class="govuk-heading-m">Replies</h2>' in page
    assert 'href="/sets/comms/"' in page


def test_unedited_post_has_no_edited_link(client, world):
    client.sign_in_as(world.member)
    assert "edited" not in client.get(f"/threads/{world.thread.id}").text


@pytest.mark.parametrize(("opening_status", "who", "expected"), [
    (PostStatus.PENDING, "member", 200),       # the author
    (PostStatus.PENDING, "facilitator", 200),  # a moderator of the set
    (PostStatus.PENDING, "admin", 200),
    (PostStatus.PENDING, "outsider_member", 404),
    (PostStatus.REJECTED, "outsider_member", 404),
    (PostStatus.WITHDRAWN, "outsider_member", 404),
])
def test_thread_whose_opening_post_awaits_approval_is_only_for_author_and_moderators(
        app, client, world, opening_status, who, expected):
    with app.app_context():
        db.session.get(Thread, world.thread.id).posts[0].status = opening_status
        other = factories.make_user(display_name="Other Member")
        factories.add_member(other, db.session.get(Thread, world.thread.id).learning_set)
        db.session.commit()
        db.session.refresh(other)
        db.session.expunge(other)
    client.sign_in_as(other if who == "outsider_member" else getattr(world, who))
    response = client.get(f"/threads/{world.thread.id}")
    assert response.status_code == expected
    assert ("Naming the assembly" in response.text) == (expected == 200)


def test_thread_whose_opening_post_was_hidden_stays_with_a_placeholder(app, client, world):
    with app.app_context():
        thread = db.session.get(Thread, world.thread.id)
        thread.posts[0].status = PostStatus.HIDDEN
        factories.make_post(thread, db.session.get(type(thread.author), world.moderator.id),
                            parent=thread.posts[0], body="A reply that stays.")
        db.session.commit()
    other_id = _other_member(app, world)
    with client.session_transaction() as session:
        session["_user_id"] = f"{other_id}:0"
    page = client.get(f"/threads/{world.thread.id}").text
    assert "Naming the assembly" in page
    assert "hidden by a moderator" in page
    assert "What did you call yours?" not in page
    assert "A reply that stays." in page
    assert "Naming the assembly" in client.get(f"/sets/{world.learning_set.slug}/").text


def _other_member(app, world) -> int:
    with app.app_context():
        other = factories.make_user(display_name="Other Member")
        factories.add_member(other, db.session.get(Thread, world.thread.id).learning_set)
        db.session.commit()
        return other.id
