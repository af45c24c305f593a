"""Moderators approve, return, edit-then-approve, bulk-approve, hide; authors withdraw and resubmit.

Every action is a conditional update: when two moderators act on the same post, exactly one
action takes effect and the other is told what already happened.
"""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func
from sqlalchemy import select

from forum.extensions import db
from forum.models import ActionKind
from forum.models import ModerationAction
from forum.models import Notification
from forum.models import NotificationKind
from forum.models import Post
from forum.models import PostRevision
from forum.models import PostStatus
from forum.models import Thread
from tests import factories
from tests.page_checks import error_message_problems


def _make_pending(app, world, body="Our assembly was called the People's Panel.", parent=True):
    with app.app_context():
        thread = db.session.get(Thread, world.thread.id)
        opening = thread.posts[0]
        post = factories.make_post(thread, world.member, parent=opening if parent else None,
                                   body=body, status=PostStatus.PENDING)
        db.session.commit()
        return post.id


def _another_member(app, world):
    with app.app_context():
        user = factories.make_user(display_name="Olu Other")
        factories.add_member(user, db.session.get(Thread, world.thread.id).learning_set)
        db.session.commit()
        db.session.refresh(user)
        db.session.expunge(user)
        return user


def _seen(*post_ids, version=1):
    """The hidden fields carrying the version of each post the moderator read."""
    return {f"version-{post_id}": str(version) for post_id in post_ids}


def _status(app, post_id):
    with app.app_context():
        return db.session.get(Post, post_id).status


def _actions(app, post_id=None):
    with app.app_context():
        query = select(ModerationAction)
        if post_id is not None:
            query = query.where(ModerationAction.post_id == post_id)
        return [(row.action, row.moderator_id, row.reason)
                for row in db.session.scalars(query.order_by(ModerationAction.id))]


def _notifications(app, user_id, kind):
    with app.app_context():
        return db.session.scalar(select(func.count(Notification.id)).where(
            Notification.user_id == user_id, Notification.kind == kind))


def test_moderator_approves_a_waiting_post_and_it_is_logged(app, client, world):
    post_id = _make_pending(app, world)
    client.sign_in_as(world.moderator)
    response = client.post(f"/moderation/posts/{post_id}/approve",
                           data={"next": "/moderation/", **_seen(post_id)})
    assert response.status_code == 303
    assert response.headers["Location"].endswith("/moderation/")
    assert _status(app, post_id) == PostStatus.APPROVED
    assert _actions(app, post_id) == [(ActionKind.APPROVE, world.moderator.id, "")]
    assert _notifications(app, world.member.id, NotificationKind.POST_APPROVED) == 1
    page = client.get("/moderation/", follow_redirects=True).get_data(as_text=True)
    assert "Post approved" in page



def test_returning_a_post_needs_a_reason_and_keeps_what_was_typed(app, client, world):
    post_id = _make_pending(app, world)
    client.sign_in_as(world.moderator)
    page = client.post(f"/moderation/posts/{post_id}/reject",
                       data={"reason": "   "}).get_data(as_text=True)
    assert "Enter a reason, so the author knows what to change" in page
    assert "There is a problem" in page
    assert _status(app, post_id) == PostStatus.PENDING
    assert _actions(app) == []


def test_author_sees_the_reason_edits_and_the_post_waits_again_in_its_place(app, client, world):
    post_id = _make_pending(app, world)
    client.sign_in_as(world.moderator)
    client.post(f"/moderation/posts/{post_id}/reject",
                data={"reason": "Please remove the officer's phone number."})
    assert _status(app, post_id) == PostStatus.REJECTED
    assert _notifications(app, world.member.id, NotificationKind.POST_REJECTED) == 1

    client.sign_in_as(world.member)
    page = client.get(f"/threads/{world.thread.id}").get_data(as_text=True)
    assert "Please remove the officer&#39;s phone number." in page
    assert "Returned by a moderator" in page
    assert "Edit your post to send it back for approval." in page
    client.post(f"/posts/{post_id}/edit", data={"body": "Our assembly was the Citizens Panel."})
    assert _status(app, post_id) == PostStatus.PENDING

    client.sign_in_as(world.moderator)
    queue = client.get("/moderation/").get_data(as_text=True)
    assert "Our assembly was the Citizens Panel." in queue
    with app.app_context():
        assert db.session.get(Post, post_id).id == post_id  # the same post, not a new one


def test_author_edits_a_waiting_post_from_the_thread_and_it_keeps_waiting_with_the_new_text(
        app, client, world):
    post_id = _make_pending(app, world, body="Frist draft.")
    client.sign_in_as(world.member)
    article = client.get(f"/threads/{world.thread.id}").get_data(as_text=True)
    article = article[article.index(f'id="post-{post_id}"'):]
    article = article[:article.index("</article>")]
    assert "Awaiting approval" in article
    assert f'href="/posts/{post_id}/edit"' in article
    assert f'action="/posts/{post_id}/withdraw"' in article

    client.post(f"/posts/{post_id}/edit", data={"body": "First draft, spelt right."})
    assert _status(app, post_id) == PostStatus.PENDING
    assert _notifications(app, world.moderator.id, NotificationKind.POST_WAITING) == 0
    client.sign_in_as(world.moderator)
    queue = client.get("/moderation/").get_data(as_text=True)
    assert "First draft, spelt right." in queue
    assert "Frist draft." not in queue
    assert queue.count(f'id="queue-post-{post_id}"') == 1


def test_a_withdrawn_post_leaves_the_queue_and_the_author_is_not_offered_it_again(
        app, client, world):
    post_id = _make_pending(app, world, body="Thinking better of this.")
    client.sign_in_as(world.member)
    response = client.post(f"/posts/{post_id}/withdraw", follow_redirects=True)
    assert "Your post has been withdrawn" in response.get_data(as_text=True)
    assert _status(app, post_id) == PostStatus.WITHDRAWN
    page = client.get(f"/threads/{world.thread.id}").get_data(as_text=True)
    assert f'action="/posts/{post_id}/withdraw"' not in page
    assert f'href="/posts/{post_id}/edit"' not in page
    client.sign_in_as(world.moderator)
    assert "Thinking better of this." not in client.get("/moderation/").get_data(as_text=True)


def test_edit_then_approve_keeps_a_revision_by_the_moderator_and_tells_the_author(
        app, client, world):
    post_id = _make_pending(app, world, body="Call 07700 900123 for details.")
    client.sign_in_as(world.moderator)
    response = client.post(f"/moderation/posts/{post_id}/edit", data={
        "body": "Contact the council for details.", "original": "Call 07700 900123 for details."})
    assert response.status_code == 303
    with app.app_context():
        post = db.session.get(Post, post_id)
        assert post.status == PostStatus.APPROVED
        assert post.body_source == "Contact the council for details."
        revision = db.session.scalar(select(PostRevision).where(PostRevision.post_id == post_id))
        assert revision.editor_id == world.moderator.id
        assert revision.previous_source == "Call 07700 900123 for details."
    assert _actions(app, post_id) == [(ActionKind.EDIT_AND_APPROVE, world.moderator.id, "")]
    assert _notifications(app, world.member.id, NotificationKind.POST_EDITED) == 1


def test_edit_then_approve_saves_nothing_if_the_author_changed_the_post_meanwhile(
        app, client, world):
    post_id = _make_pending(app, world, body="First draft.")
    with app.app_context():
        db.session.get(Post, post_id).body_source = "Second draft."
        db.session.commit()
    client.sign_in_as(world.moderator)
    response = client.post(f"/moderation/posts/{post_id}/edit",
                           data={"body": "Moderated text.", "original": "First draft."},
                           follow_redirects=True)
    page = response.get_data(as_text=True)
    assert "The author changed this post while you were editing it" in page
    # The moderator's text is kept, the message linked from the error summary.
    assert 'href="#body"' in page
    assert ">Moderated text.</textarea>" in page
    assert _status(app, post_id) == PostStatus.PENDING
    assert _actions(app) == []
    # Saving again, having been told, approves the moderator's text over the author's.
    assert 'name="original" type="hidden" value="Second draft."' in page
    response = client.post(f"/moderation/posts/{post_id}/edit",
                           data={"body": "Moderated text.", "original": "Second draft."})
    assert response.status_code == 303
    with app.app_context():
        assert db.session.get(Post, post_id).body_source == "Moderated text."


def test_an_authors_save_over_a_moderators_edit_and_approve_is_refused_with_the_text_kept(
        app, client, world):
    """The author opened their waiting post to edit it; a moderator edited and approved it
    meanwhile. The author's save must not silently replace the moderator's text."""
    post_id = _make_pending(app, world, body="Call 07700 900123 for details.")
    client.sign_in_as(world.member)
    opened = re.search(r'name="opened_from" type="hidden" value="([0-9a-f]+)"',
                       client.get(f"/posts/{post_id}/edit").get_data(as_text=True)).group(1)
    moderator = app.test_client()
    moderator.sign_in_as(world.moderator)
    assert moderator.post(f"/moderation/posts/{post_id}/edit", data={
        "body": "Contact the council for details.",
        "original": "Call 07700 900123 for details."}).status_code == 303
    mine = "Call 07700 900123 for details, after 5pm."
    response = client.post(f"/posts/{post_id}/edit",
                           data={"body": mine, "opened_from": opened})
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Someone else saved a change to this while you were editing" in page
    assert 'href="#body"' in page
    assert f">{mine}</textarea>" in page
    with app.app_context():
        assert db.session.get(Post, post_id).body_source == "Contact the council for details."
    # Saving again, having been told, is the author's deliberate edit.
    again = re.search(r'name="opened_from" type="hidden" value="([0-9a-f]+)"', page).group(1)
    assert client.post(f"/posts/{post_id}/edit",
                       data={"body": mine, "opened_from": again}).status_code == 302
    with app.app_context():
        post = db.session.get(Post, post_id)
        assert mine in (post.body_source, post.pending_source)


def test_bulk_approve_publishes_only_the_selected_posts(app, client, world):
    first, second, third = (_make_pending(app, world, body=f"Post {n}") for n in range(3))
    client.sign_in_as(world.moderator)
    response = client.post("/moderation/approve-selected",
                           data={"post_ids": [first, third], **_seen(first, third)},
                           follow_redirects=True)
    assert "2 posts approved." in response.get_data(as_text=True)
    assert [_status(app, i) for i in (first, second, third)] == [
        PostStatus.APPROVED, PostStatus.PENDING, PostStatus.APPROVED]
    assert len(_actions(app)) == 2


def test_bulk_approve_with_nothing_selected_says_so(app, client, world):
    _make_pending(app, world)
    client.sign_in_as(world.moderator)
    page = client.post("/moderation/approve-selected", data={}).get_data(as_text=True)
    assert "Select at least one post to approve" in page
    assert 'href="#post_ids"' in page


def test_bulk_approve_ignores_posts_in_sets_the_moderator_does_not_moderate(app, client, world):
    with app.app_context():
        other_set = factories.make_set("other")
        other_thread = factories.make_thread(other_set, world.outsider)
        elsewhere = factories.make_post(other_thread, world.outsider, status=PostStatus.PENDING)
        db.session.commit()
        elsewhere_id = elsewhere.id
    client.sign_in_as(world.moderator)
    client.post("/moderation/approve-selected", data={"post_ids": [elsewhere_id]})
    assert _status(app, elsewhere_id) == PostStatus.PENDING


@pytest.mark.parametrize(("first", "second", "message"), [
    ("approve", "approve", "This post was already approved by Mia Moderator."),
    ("approve", "reject", "This post was already approved by Mia Moderator."),
    ("reject", "approve", "This post was already returned to its author by Mia Moderator."),
    ("reject", "edit", "This post was already returned to its author by Mia Moderator."),
])
def test_two_moderators_acting_at_once_only_the_first_takes_effect(
        app, world, first, second, message):
    """Both moderators loaded the queue; Mia submits first, Fran's form is stale."""
    post_id = _make_pending(app, world, body="Original text.")
    data = {
        "approve": _seen(post_id),
        "reject": {"reason": "Off topic."},
        "edit": {"body": "Edited text.", "original": "Original text."},
    }
    mia, fran = app.test_client(), app.test_client()
    mia.sign_in_as(world.moderator)
    fran.sign_in_as(world.facilitator)
    assert mia.post(f"/moderation/posts/{post_id}/{first}",
                    data=data[first]).status_code == 303
    response = fran.post(f"/moderation/posts/{post_id}/{second}", data=data[second],
                         follow_redirects=True)
    page = response.get_data(as_text=True)
    assert message in page
    # The second moderator's edit or reason is not dropped: it is there to copy.
    if second == "edit":
        assert ">Edited text.</textarea>" in page
        assert 'href="#body"' in page
    if second == "reject":
        assert ">Off topic.</textarea>" in page
        assert 'href="#reason"' in page
    assert len(_actions(app, post_id)) == 1
    assert _actions(app, post_id)[0][1] == world.moderator.id


def test_the_second_moderator_reads_what_happened_as_plain_text_with_names_escaped(
        app, client, world):
    post_id = _make_pending(app, world)
    with app.app_context():
        db.session.get(type(world.moderator), world.moderator.id).display_name = "Mia <b>M</b>"
        db.session.commit()
    client.sign_in_as(world.moderator)
    client.post(f"/moderation/posts/{post_id}/approve", data=_seen(post_id))
    client.sign_in_as(world.facilitator)
    page = client.post(f"/moderation/posts/{post_id}/approve", data=_seen(post_id),
                       follow_redirects=True).get_data(as_text=True)
    assert ("<p class='govuk-notification-banner__heading'>This post was already approved by "
            "Mia &lt;b&gt;M&lt;/b&gt;.</p>") in page
    assert "&lt;p class=" not in page


def test_an_author_withdrawing_beats_a_moderator_with_a_stale_form(app, client, world):
    post_id = _make_pending(app, world)
    client.sign_in_as(world.member)
    assert client.post(f"/posts/{post_id}/withdraw").status_code == 303
    assert _status(app, post_id) == PostStatus.WITHDRAWN
    client.sign_in_as(world.moderator)
    page = client.post(f"/moderation/posts/{post_id}/approve", data=_seen(post_id),
                       follow_redirects=True).get_data(as_text=True)
    assert "Its author withdrew this post." in page
    assert _status(app, post_id) == PostStatus.WITHDRAWN


def test_members_cannot_withdraw_other_peoples_posts(app, client, world):
    other = _another_member(app, world)
    post_id = _make_pending(app, world)
    client.sign_in_as(other)
    assert client.post(f"/posts/{post_id}/withdraw").status_code == 404
    client.sign_in_as(world.moderator)
    assert client.post(f"/posts/{post_id}/withdraw").status_code == 403
    assert _status(app, post_id) == PostStatus.PENDING


def test_a_second_moderator_hiding_a_hidden_post_keeps_their_reason(app, world):
    with app.app_context():
        thread = db.session.get(Thread, world.thread.id)
        post = factories.make_post(thread, world.member, parent=thread.posts[0],
                                   body="A remark that crossed the line.")
        db.session.commit()
        post_id = post.id
    mia, fran = app.test_client(), app.test_client()
    mia.sign_in_as(world.moderator)
    fran.sign_in_as(world.facilitator)
    assert fran.get(f"/moderation/posts/{post_id}/hide").status_code == 200
    assert mia.post(f"/moderation/posts/{post_id}/hide",
                    data={"reason": "Personal attack."}).status_code == 303
    page = fran.post(f"/moderation/posts/{post_id}/hide",
                     data={"reason": "Names a colleague and mocks her."},
                     follow_redirects=True).get_data(as_text=True)
    assert "Nothing was saved: your text is kept here" in page
    assert ">Names a colleague and mocks her.</textarea>" in page
    assert 'href="#reason"' in page
    assert error_message_problems(page) == []
    assert _actions(app, post_id) == [(ActionKind.HIDE, world.moderator.id, "Personal attack.")]


def test_hiding_a_post_needs_a_reason_and_shows_a_placeholder_to_members(app, client, world):
    with app.app_context():
        thread = db.session.get(Thread, world.thread.id)
        post = factories.make_post(thread, world.member, parent=thread.posts[0],
                                   body="A remark that crossed the line.")
        db.session.commit()
        post_id = post.id
    client.sign_in_as(world.moderator)
    page = client.post(f"/moderation/posts/{post_id}/hide", data={"reason": ""}).get_data(
        as_text=True)
    assert "Enter a reason for hiding it" in page
    client.post(f"/moderation/posts/{post_id}/hide", data={"reason": "Personal attack."})
    assert _status(app, post_id) == PostStatus.HIDDEN
    assert _actions(app, post_id) == [(ActionKind.HIDE, world.moderator.id, "Personal attack.")]
    assert "A remark that crossed the line." in client.get(
        f"/threads/{world.thread.id}").get_data(as_text=True)

    client.sign_in_as(world.facilitator)
    assert "A remark that crossed the line." in client.get(
        f"/threads/{world.thread.id}").get_data(as_text=True)
    reader = _another_member(app, world)
    client.sign_in_as(reader)
    page = client.get(f"/threads/{world.thread.id}").get_data(as_text=True)
    assert "A remark that crossed the line." not in page
    assert "Personal attack." not in page  # the reason is for the author and moderators
    assert "This post was hidden by a moderator." in page


@pytest.mark.parametrize(("action", "column", "value", "kind"), [
    ("lock", "is_locked", True, ActionKind.LOCK),
    ("pin", "is_pinned", True, ActionKind.PIN),
])
def test_moderators_lock_and_pin_threads_and_a_second_click_is_told(
        app, client, world, action, column, value, kind):
    client.sign_in_as(world.moderator)
    response = client.post(f"/moderation/threads/{world.thread.id}/{action}",
                           data={"next": f"/threads/{world.thread.id}"})
    assert response.status_code == 303
    with app.app_context():
        assert getattr(db.session.get(Thread, world.thread.id), column) is value
        rows = db.session.scalars(select(ModerationAction)).all()
        assert [(r.action, r.thread_id, r.post_id) for r in rows] == [
            (kind, world.thread.id, None)]
    stale = client.post(f"/moderation/threads/{world.thread.id}/{action}",
                        follow_redirects=True).get_data(as_text=True)
    assert f"This thread was already {kind.past_tense} by Mia Moderator." in stale


def test_a_locked_thread_refuses_replies_until_unlocked(app, client, world):
    client.sign_in_as(world.moderator)
    client.post(f"/moderation/threads/{world.thread.id}/lock")
    client.sign_in_as(world.member)
    page = client.get(f"/threads/{world.thread.id}").get_data(as_text=True)
    assert "This thread is locked" in page
    with app.app_context():
        opening_id = db.session.get(Thread, world.thread.id).posts[0].id
    assert client.post(f"/posts/{opening_id}/reply", data={"body": "Me too"}).status_code == 403
    client.sign_in_as(world.moderator)
    client.post(f"/moderation/threads/{world.thread.id}/unlock")
    client.sign_in_as(world.member)
    assert client.post(f"/posts/{opening_id}/reply", data={"body": "Me too"}).status_code == 302


def test_a_post_without_a_valid_form_changes_nothing(app, client, world):
    post_id = _make_pending(app, world)
    client.sign_in_as(world.moderator)
    response = client.post(f"/moderation/posts/{post_id}/approve", csrf=False,
                           follow_redirects=True)
    assert "This page was open too long" in response.get_data(as_text=True)
    assert _status(app, post_id) == PostStatus.PENDING
    assert _actions(app) == []


def test_the_next_address_cannot_send_a_moderator_to_another_site(app, client, world):
    post_id = _make_pending(app, world)
    client.sign_in_as(world.moderator)
    response = client.post(f"/moderation/posts/{post_id}/approve",
                           data={"next": "//evil.example/", **_seen(post_id)})
    assert response.headers["Location"].endswith("/moderation/")
