"""Editing your own posts keeps every earlier version, newest first."""

from __future__ import annotations

import pytest
from sqlalchemy import delete
from sqlalchemy import func
from sqlalchemy import select

from forum.extensions import db
from forum.models import LearningSet
from forum.models import Membership
from forum.models import ModerationPolicy
from forum.models import Post
from forum.models import PostRevision
from forum.models import PostStatus
from forum.models import Thread
from forum.models import User
from tests import factories


@pytest.fixture
def world(app, world):
    """The usual world, in a set where edits publish at once ("after the fact"): these tests
    are about revisions; edits that wait for a moderator are in test_moderation_text."""
    with app.app_context():
        db.session.get(LearningSet, world.learning_set.id).moderation_policy = \
            ModerationPolicy.AFTER_THE_FACT
        db.session.commit()
    return world


def _opening_post_id(app, thread_id: int) -> int:
    with app.app_context():
        return db.session.scalar(select(func.min(Post.id)).where(Post.thread_id == thread_id))


def test_edit_form_starts_with_the_current_text_and_title(app, client, world):
    client.sign_in_as(world.member)
    page = client.get(f"/posts/{_opening_post_id(app, world.thread.id)}/edit").text
    assert "What did you call yours?</textarea>" in page
    assert 'value="Naming the assembly"' in page


def test_editing_keeps_the_previous_text_as_a_revision(app, client, world):
    client.sign_in_as(world.member)
    post_id = _opening_post_id(app, world.thread.id)
    response = client.post(f"/posts/{post_id}/edit", data={
        "title": "Naming your assembly", "body": "What did you **call** yours?"})
    assert response.status_code == 302
    assert response.location.endswith(f"#post-{post_id}")
    with app.app_context():
        post = db.session.get(Post, post_id)
        assert post.body_html == "<p>What did you <strong>call</strong> yours?</p>\n"
        assert post.edited_at is not None
        assert post.thread.title == "Naming your assembly"
        [revision] = post.revisions
        assert revision.previous_source == "What did you call yours?"
        assert revision.editor_id == world.member.id
    page = client.get(f"/threads/{world.thread.id}").text
    assert "edited<span" in page
    assert "Your changes have been saved." in page


def test_revisions_page_lists_earlier_versions_newest_first(app, client, world):
    client.sign_in_as(world.member)
    post_id = _opening_post_id(app, world.thread.id)
    for body in ["Second *version*", "Third version"]:
        assert client.post(f"/posts/{post_id}/edit",
                           data={"title": "Naming the assembly", "body": body}).status_code == 302
    client.sign_in_as(world.moderator)
    page = client.get(f"/posts/{post_id}/revisions").text
    current = page.index("Third version")
    second = page.index("Second <em>version</em>")
    first = page.index("What did you call yours?")
    assert current < second < first
    assert page.count("Edited by Mo Member") == 2


def test_unchanged_edit_stores_no_revision(app, client, world):
    client.sign_in_as(world.member)
    post_id = _opening_post_id(app, world.thread.id)
    response = client.post(f"/posts/{post_id}/edit", follow_redirects=True, data={
        "title": "Naming the assembly", "body": "What did you call yours?"})
    assert "Nothing was changed." in response.text
    with app.app_context():
        assert db.session.scalar(select(func.count(PostRevision.id))) == 0
        assert db.session.get(Post, post_id).edited_at is None


def test_retitling_alone_does_not_mark_the_post_edited(app, client, world):
    client.sign_in_as(world.member)
    post_id = _opening_post_id(app, world.thread.id)
    client.post(f"/posts/{post_id}/edit",
                data={"title": "A better title", "body": "What did you call yours?"})
    with app.app_context():
        post = db.session.get(Post, post_id)
        assert (post.thread.title, post.edited_at) == ("A better title", None)


@pytest.mark.parametrize(("data", "message"), [
    ({"title": "Naming the assembly", "body": "   "}, "Enter your post"),
    ({"title": "", "body": "Kept words"}, "Enter a title"),
    ({"title": "x" * 201, "body": "Kept words"}, "Title must be 200 characters or fewer"),
    ({"title": "Naming the assembly", "body": "y" * 20_001},
     "Your post must be 20,000 characters or fewer"),
])
def test_invalid_edit_is_refused_and_keeps_what_was_typed(app, client, world, data, message):
    client.sign_in_as(world.member)
    post_id = _opening_post_id(app, world.thread.id)
    response = client.post(f"/posts/{post_id}/edit", data=data)
    assert response.status_code == 200
    assert message in response.text
    if data["body"].strip():
        assert data["body"][:50] in response.text
    with app.app_context():
        assert db.session.get(Post, post_id).body_source == "What did you call yours?"


def test_editing_a_reply_offers_no_title(app, client, world):
    with app.app_context():
        thread = db.session.get(Thread, world.thread.id)
        reply = factories.make_post(thread, db.session.get(User, world.member.id),
                                    parent=thread.posts[0], body="My reply")
        db.session.commit()
        reply_id = reply.id
    client.sign_in_as(world.member)
    page = client.get(f"/posts/{reply_id}/edit").text
    assert 'name="title"' not in page
    assert client.post(f"/posts/{reply_id}/edit",
                       data={"title": "Hijacked", "body": "My edited reply"}).status_code == 302
    with app.app_context():
        assert db.session.get(Thread, world.thread.id).title == "Naming the assembly"


@pytest.mark.parametrize("status", [PostStatus.HIDDEN, PostStatus.WITHDRAWN])
def test_hidden_or_withdrawn_posts_cannot_be_edited_by_their_author(app, client, world, status):
    with app.app_context():
        thread = db.session.get(Thread, world.thread.id)
        reply = factories.make_post(thread, db.session.get(User, world.member.id),
                                    parent=thread.posts[0], body="My reply", status=status)
        db.session.commit()
        reply_id = reply.id
    client.sign_in_as(world.member)
    assert client.get(f"/posts/{reply_id}/edit").status_code == 403
    assert client.post(f"/posts/{reply_id}/edit", data={"body": "x"}).status_code == 403


def test_an_author_removed_from_the_set_while_editing_is_told_why_and_keeps_the_text(
        app, client, world):
    with app.app_context():
        db.session.get(LearningSet, world.learning_set.id).visibility = "network"
        db.session.execute(delete(Membership).where(Membership.user_id == world.member.id))
        db.session.commit()
    client.sign_in_as(world.member)
    response = client.post(f"/posts/{_opening_post_id(app, world.thread.id)}/edit",
                           data={"title": "Naming the assembly", "body": "My better wording."})
    assert response.status_code == 403
    assert (f"Only members of “{world.learning_set.name}” can edit their own posts in it, and "
            "you are not a member of it.") in response.text
    assert "My better wording." in response.text


def test_pending_post_can_be_edited_by_its_author(app, client, world):
    with app.app_context():
        thread = db.session.get(Thread, world.thread.id)
        reply = factories.make_post(thread, db.session.get(User, world.member.id),
                                    parent=thread.posts[0], body="Draft",
                                    status=PostStatus.PENDING)
        db.session.commit()
        reply_id = reply.id
    client.sign_in_as(world.member)
    assert client.post(f"/posts/{reply_id}/edit", data={"body": "Better"}).status_code == 302
