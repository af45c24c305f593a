"""Text no moderator approved never reaches readers: earlier versions, edits of published posts,
approvals of text the moderator never saw, and approving one's own post."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from forum import permissions
from forum.extensions import db
from forum.models import ActionKind
from forum.models import Membership
from forum.models import ModerationAction
from forum.models import ModerationPolicy
from forum.models import Notification
from forum.models import Post
from forum.models import PostRevision
from forum.models import PostStatus
from forum.models import QueuedEmail
from forum.models import Role
from forum.models import Thread
from forum.models import User
from tests import factories


def _policy(app, world, policy: ModerationPolicy) -> None:
    with app.app_context():
        db.session.get(Thread, world.thread.id).learning_set.moderation_policy = policy
        db.session.commit()


def _reader(app, world) -> User:
    """Another ordinary member of the set."""
    with app.app_context():
        user = factories.make_user(display_name="Rae Reader")
        factories.add_member(user, db.session.get(Thread, world.thread.id).learning_set)
        db.session.commit()
        db.session.refresh(user)
        db.session.expunge(user)
        return user


def _pending_reply(app, world, body: str) -> int:
    with app.app_context():
        thread = db.session.get(Thread, world.thread.id)
        post = factories.make_post(thread, world.member, parent=thread.posts[0], body=body,
                                   status=PostStatus.PENDING)
        db.session.commit()
        return post.id


def _approved_reply(app, world, body: str) -> int:
    with app.app_context():
        thread = db.session.get(Thread, world.thread.id)
        post = factories.make_post(thread, world.member, parent=thread.posts[0], body=body)
        db.session.commit()
        return post.id


def _post(app, post_id: int) -> Post:
    with app.app_context():
        post = db.session.get(Post, post_id)
        db.session.expunge(post)
        return post


def _version(app, post_id: int) -> int:
    return _post(app, post_id).version


def _page(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return response.get_data(as_text=True)


def _thread_page(client, world) -> str:
    return _page(client, f"/threads/{world.thread.id}")


# --- earlier versions --------------------------------------------------------------------


def test_unapproved_versions_of_an_edit_approved_post_are_not_in_its_revisions(
        app, client, world):
    post_id = _pending_reply(app, world, "UNAPPROVED-ONE")
    client.sign_in_as(world.member)
    client.post(f"/posts/{post_id}/edit", data={"body": "UNAPPROVED-TWO"})
    client.post(f"/posts/{post_id}/edit", data={"body": "UNAPPROVED-THREE"})
    client.sign_in_as(world.moderator)
    client.post(f"/moderation/posts/{post_id}/edit",
                data={"body": "The approved text.", "original": "UNAPPROVED-THREE"})
    assert _post(app, post_id).status == PostStatus.APPROVED

    client.sign_in_as(_reader(app, world))
    page = _page(client, f"/posts/{post_id}/revisions")
    assert "The approved text." in page
    for text in ("UNAPPROVED-ONE", "UNAPPROVED-TWO", "UNAPPROVED-THREE"):
        assert text not in page
    assert "No earlier version of this post was published." in page

    for who in (world.member, world.moderator):
        client.sign_in_as(who)
        page = _page(client, f"/posts/{post_id}/revisions")
        assert all(text in page for text in ("UNAPPROVED-ONE", "UNAPPROVED-TWO",
                                             "UNAPPROVED-THREE"))
        assert "Never published" in page


def test_the_text_of_a_returned_post_is_not_in_its_revisions_once_approved(app, client, world):
    post_id = _pending_reply(app, world, "REJECTED-TEXT")
    client.sign_in_as(world.moderator)
    client.post(f"/moderation/posts/{post_id}/reject", data={"reason": "Name the council."})
    client.sign_in_as(world.member)
    client.post(f"/posts/{post_id}/edit", data={"body": "Fixed text for Testshire."})
    client.sign_in_as(world.facilitator)
    client.post(f"/moderation/posts/{post_id}/approve",
                data={f"version-{post_id}": _version(app, post_id)})
    assert _post(app, post_id).status == PostStatus.APPROVED

    client.sign_in_as(_reader(app, world))
    page = _page(client, f"/posts/{post_id}/revisions")
    assert "Fixed text for Testshire." in page
    assert "REJECTED-TEXT" not in page


def test_edits_of_a_published_post_stay_in_its_revisions_for_readers(app, client, world):
    _policy(app, world, ModerationPolicy.AFTER_THE_FACT)
    post_id = _approved_reply(app, world, "First published text.")
    client.sign_in_as(world.member)
    client.post(f"/posts/{post_id}/edit", data={"body": "Second published text."})
    client.sign_in_as(_reader(app, world))
    page = _page(client, f"/posts/{post_id}/revisions")
    assert "First published text." in page and "Second published text." in page
    assert "Never published" not in page


@pytest.mark.parametrize("was_published", [True, False])
@pytest.mark.parametrize("role", ["anonymous", "outsider", "member", "moderator", "facilitator",
                                  "admin", "reader"])
def test_the_revision_predicate_and_its_query_filter_agree(app, world, role, was_published):
    reader = _reader(app, world)
    with app.app_context():
        post = db.session.get(Post, _approved_reply(app, world, "Now."))
        db.session.add(PostRevision(post_id=post.id, editor_id=world.member.id,
                                    previous_source="Before.", was_published=was_published))
        db.session.commit()
        user = reader if role == "reader" else world.user(role)
        viewer = db.session.get(User, user.id) if user is not None else None
        from flask_login import AnonymousUserMixin
        viewer = viewer or AnonymousUserMixin()
        [revision] = db.session.scalars(select(PostRevision)).all()
        listed = db.session.scalars(select(PostRevision).where(
            permissions.visible_revisions(viewer, post))).all()
        assert (revision in listed) == permissions.can_view_revision(viewer, revision)


# --- edits that wait -----------------------------------------------------------------------


def test_under_every_post_an_edit_of_a_published_post_waits_for_a_moderator(
        app, client, world):
    _policy(app, world, ModerationPolicy.EVERY_POST)
    post_id = _approved_reply(app, world, "The approved words.")
    reader = _reader(app, world)
    client.sign_in_as(world.member)
    page = client.post(f"/posts/{post_id}/edit", data={"body": "PROPOSED-WORDS"},
                       follow_redirects=True).get_data(as_text=True)
    assert "once a moderator approves it" in page
    assert "Edit awaiting approval" in page and "PROPOSED-WORDS" in page
    assert "The approved words." in page

    client.sign_in_as(reader)
    page = _thread_page(client, world)
    assert "The approved words." in page
    assert "PROPOSED-WORDS" not in page and "Edit awaiting approval" not in page
    assert "PROPOSED-WORDS" not in _page(client, f"/posts/{post_id}/revisions")
    with app.app_context():
        texts = db.session.scalars(select(Notification.text)).all()
        bodies = db.session.scalars(select(QueuedEmail.text_body)).all()
    assert not any("PROPOSED-WORDS" in text for text in [*texts, *bodies])

    client.sign_in_as(world.moderator)
    queue = _page(client, "/moderation/")
    assert f'id="queue-edit-{post_id}"' in queue
    assert "The approved words." in queue and "PROPOSED-WORDS" in queue
    assert "Published text" in queue and "Proposed text" in queue
    response = client.post(f"/moderation/posts/{post_id}/approve-edit",
                           data={f"version-{post_id}": _version(app, post_id)},
                           follow_redirects=True)
    assert "Edit approved" in response.get_data(as_text=True)

    client.sign_in_as(reader)
    page = _thread_page(client, world)
    assert "PROPOSED-WORDS" in page and "The approved words." not in page
    assert "The approved words." in _page(client, f"/posts/{post_id}/revisions")
    with app.app_context():
        kinds = db.session.scalars(select(ModerationAction.action)
                                   .where(ModerationAction.post_id == post_id)).all()
        told = db.session.scalars(select(Notification.text)
                                  .where(Notification.user_id == world.member.id)).all()
    assert kinds == [ActionKind.APPROVE_EDIT]
    assert any("approved your edit" in text for text in told)


def test_a_returned_edit_leaves_the_approved_text_and_tells_the_author_why(app, client, world):
    _policy(app, world, ModerationPolicy.EVERY_POST)
    post_id = _approved_reply(app, world, "The approved words.")
    client.sign_in_as(world.member)
    client.post(f"/posts/{post_id}/edit", data={"body": "PROPOSED-WORDS"})
    client.sign_in_as(world.moderator)
    form = _page(client, f"/moderation/posts/{post_id}/return-edit")
    assert "PROPOSED-WORDS" in form and "The approved words." in form
    version = re.search(r'name="version"[^>]*value="(\d+)"', form).group(1)
    client.post(f"/moderation/posts/{post_id}/return-edit",
                data={"reason": "Please keep the council's name.", "version": version})
    post = _post(app, post_id)
    assert post.body_source == "The approved words." and not post.has_pending_edit

    client.sign_in_as(world.member)
    edit = _page(client, f"/posts/{post_id}/edit")
    assert "Please keep the council&#39;s name." in edit
    assert "A moderator returned your last edit" in edit
    # Nothing the author wrote is lost: the proposal is kept, for them and moderators only.
    assert "PROPOSED-WORDS" in _page(client, f"/posts/{post_id}/revisions")
    with app.app_context():
        reasons = db.session.scalars(select(Notification.reason)
                                     .where(Notification.user_id == world.member.id)).all()
    assert "Please keep the council's name." in reasons
    client.sign_in_as(_reader(app, world))
    assert "PROPOSED-WORDS" not in _page(client, f"/posts/{post_id}/revisions")


def test_under_after_the_fact_an_edit_shows_at_once_and_can_be_reported(app, client, world):
    _policy(app, world, ModerationPolicy.AFTER_THE_FACT)
    post_id = _approved_reply(app, world, "The approved words.")
    client.sign_in_as(world.member)
    client.post(f"/posts/{post_id}/edit", data={"body": "Changed at once."})
    reader = _reader(app, world)
    client.sign_in_as(reader)
    assert "Changed at once." in _thread_page(client, world)
    assert client.post(f"/posts/{post_id}/report",
                       data={"reason": "Rude."}).status_code == 303


def test_moderators_own_edits_never_wait(app, client, world):
    _policy(app, world, ModerationPolicy.EVERY_POST)
    with app.app_context():
        thread = db.session.get(Thread, world.thread.id)
        post = factories.make_post(thread, world.moderator, parent=thread.posts[0],
                                   body="Words of a moderator.")
        db.session.commit()
        post_id = post.id
    client.sign_in_as(world.moderator)
    client.post(f"/posts/{post_id}/edit", data={"body": "New words of a moderator."})
    client.sign_in_as(_reader(app, world))
    assert "New words of a moderator." in _thread_page(client, world)


def test_a_waiting_edit_of_an_opening_post_keeps_the_old_title_for_readers(app, client, world):
    _policy(app, world, ModerationPolicy.EVERY_POST)
    with app.app_context():
        opening_id = db.session.get(Thread, world.thread.id).posts[0].id
    client.sign_in_as(world.member)
    client.post(f"/posts/{opening_id}/edit", data={"title": "SECRET-TITLE",
                                                    "body": "What did you call yours?"})
    client.sign_in_as(_reader(app, world))
    page = _thread_page(client, world)
    assert "Naming the assembly" in page and "SECRET-TITLE" not in page
    client.sign_in_as(world.moderator)
    client.post(f"/moderation/posts/{opening_id}/approve-edit",
                data={f"version-{opening_id}": _version(app, opening_id)})
    assert "SECRET-TITLE" in _thread_page(client, world)


# --- approving what the moderator saw ---------------------------------------------------------


def test_approve_is_refused_when_the_author_changed_the_post_after_the_queue_loaded(
        app, client, world):
    post_id = _pending_reply(app, world, "Text A as queued.")
    client.sign_in_as(world.moderator)
    queue = _page(client, "/moderation/")
    seen = re.search(rf'name="version-{post_id}" value="(\d+)"', queue).group(1)
    client.sign_in_as(world.member)
    client.post(f"/posts/{post_id}/edit", data={"body": "Text B, never seen."})
    client.sign_in_as(world.moderator)
    page = client.post(f"/moderation/posts/{post_id}/approve",
                       data={f"version-{post_id}": seen},
                       follow_redirects=True).get_data(as_text=True)
    assert "Mo Member changed the post in “Naming the assembly” after you opened it" in page
    assert _post(app, post_id).status == PostStatus.PENDING
    assert "Text B, never seen." in page  # the queue now shows the new text


def test_approve_selected_refuses_the_changed_post_and_approves_the_others(app, client, world):
    changed = _pending_reply(app, world, "Text A as queued.")
    unchanged = _pending_reply(app, world, "Steady text.")
    client.sign_in_as(world.member)
    client.post(f"/posts/{changed}/edit", data={"body": "Text B, never seen."})
    client.sign_in_as(world.moderator)
    page = client.post("/moderation/approve-selected",
                       data={"post_ids": [changed, unchanged], f"version-{changed}": "1",
                             f"version-{unchanged}": "1"},
                       follow_redirects=True).get_data(as_text=True)
    assert "1 post approved." in page
    assert "changed the post" in page
    assert _post(app, changed).status == PostStatus.PENDING
    assert _post(app, unchanged).status == PostStatus.APPROVED


def test_approving_an_edit_is_refused_when_the_author_changed_it_since(app, client, world):
    _policy(app, world, ModerationPolicy.EVERY_POST)
    post_id = _approved_reply(app, world, "The approved words.")
    client.sign_in_as(world.member)
    client.post(f"/posts/{post_id}/edit", data={"body": "Edit seen by the moderator."})
    seen = _version(app, post_id)
    client.post(f"/posts/{post_id}/edit", data={"body": "EDIT-NEVER-SEEN"})
    client.sign_in_as(world.moderator)
    page = client.post(f"/moderation/posts/{post_id}/approve-edit",
                       data={f"version-{post_id}": seen},
                       follow_redirects=True).get_data(as_text=True)
    assert "after you opened it" in page
    assert _post(app, post_id).body_source == "The approved words."


# --- nobody approves their own post -----------------------------------------------------------


def _promote(app, world) -> None:
    with app.app_context():
        membership = db.session.scalar(select(Membership).where(
            Membership.user_id == world.member.id,
            Membership.learning_set_id == world.learning_set.id))
        membership.role = Role.MODERATOR
        db.session.commit()


def test_a_member_promoted_to_moderator_cannot_approve_their_own_waiting_post(
        app, client, world):
    post_id = _pending_reply(app, world, "My own waiting post.")
    _promote(app, world)
    client.sign_in_as(world.member)
    queue = _page(client, "/moderation/")
    assert "waiting for another moderator" in queue
    assert f'/moderation/posts/{post_id}/approve"' not in queue
    assert f'value="{post_id}"' not in queue  # no checkbox for "approve selected"
    thread = _thread_page(client, world)
    assert f"/moderation/posts/{post_id}/approve" not in thread
    assert "Waiting for another moderator" in thread

    data = {f"version-{post_id}": "1"}
    assert client.post(f"/moderation/posts/{post_id}/approve", data=data).status_code == 403
    assert client.get(f"/moderation/posts/{post_id}/edit").status_code == 403
    assert client.post(f"/moderation/posts/{post_id}/edit",
                       data={"body": "x", "original": "My own waiting post."}).status_code == 403
    assert client.post(f"/moderation/posts/{post_id}/reject",
                       data={"reason": "x"}).status_code == 403
    page = client.post("/moderation/approve-selected", data={"post_ids": [post_id], **data},
                       follow_redirects=True).get_data(as_text=True)
    assert "You cannot approve or return your own post" in page
    assert _post(app, post_id).status == PostStatus.PENDING

    client.sign_in_as(world.facilitator)
    client.post(f"/moderation/posts/{post_id}/approve", data=data)
    assert _post(app, post_id).status == PostStatus.APPROVED


def test_a_moderator_cannot_approve_the_edit_of_their_own_post(app, client, world):
    _policy(app, world, ModerationPolicy.EVERY_POST)
    post_id = _approved_reply(app, world, "The approved words.")
    client.sign_in_as(world.member)
    client.post(f"/posts/{post_id}/edit", data={"body": "My own edit."})
    _promote(app, world)
    data = {f"version-{post_id}": _version(app, post_id)}
    assert client.post(f"/moderation/posts/{post_id}/approve-edit",
                       data=data).status_code == 403
    assert client.get(f"/moderation/posts/{post_id}/return-edit").status_code == 403
    assert "Approve edit" not in _thread_page(client, world)
    assert _post(app, post_id).has_pending_edit


# --- the returned post ------------------------------------------------------------------------


def test_a_returned_post_shows_the_reason_as_markup_on_the_thread_and_edit_pages(
        app, client, world):
    post_id = _pending_reply(app, world, "Too vague.")
    client.sign_in_as(world.moderator)
    client.post(f"/moderation/posts/{post_id}/reject", data={"reason": "Say <which> council."})
    client.sign_in_as(world.member)
    thread = _thread_page(client, world)
    assert "<strong>Returned by a moderator:</strong> Say &lt;which&gt; council." in thread
    assert "&lt;strong&gt;" not in thread
    edit = _page(client, f"/posts/{post_id}/edit")
    assert "A moderator returned your post" in edit
    assert "Say &lt;which&gt; council." in edit
    assert re.search(r"<button[^>]*>\s*Send for approval again\s*</button>", edit)
    assert "Save changes" not in edit


def test_a_hidden_post_shows_the_reason_as_markup(app, client, world):
    post_id = _approved_reply(app, world, "Personal details.")
    client.sign_in_as(world.moderator)
    client.post(f"/moderation/posts/{post_id}/hide", data={"reason": "Names a resident."})
    page = _thread_page(client, world)
    assert "<strong>Hidden by a moderator:</strong> Names a resident." in page
    assert "&lt;strong&gt;" not in page
