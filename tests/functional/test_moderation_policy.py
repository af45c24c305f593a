"""A set's moderation policy decides whether a new post waits; facilitators choose it."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from forum.extensions import db
from forum.models import ActionKind
from forum.models import LearningSet
from forum.models import ModerationAction
from forum.models import ModerationPolicy
from forum.models import Post
from forum.models import PostStatus
from forum.models import Thread
from tests import factories


def _set_policy(app, policy, threshold=3):
    with app.app_context():
        learning_set = db.session.scalar(select(LearningSet).where(LearningSet.slug == "comms"))
        learning_set.moderation_policy = policy
        learning_set.new_member_post_threshold = threshold
        db.session.commit()


def _give_approved_posts(app, world, count):
    """The member already has the world's opening post; add more up to ``count`` approved."""
    with app.app_context():
        thread = db.session.get(Thread, world.thread.id)
        for n in range(count - 1):
            factories.make_post(thread, world.member, parent=thread.posts[0], body=f"Old {n}")
        db.session.commit()


def _reply_status(app, client, world, user):
    client.sign_in_as(user)
    with app.app_context():
        opening_id = db.session.get(Thread, world.thread.id).posts[0].id
    response = client.post(f"/posts/{opening_id}/reply", data={"body": "A fresh reply."})
    assert response.status_code == 302
    with app.app_context():
        return db.session.scalar(select(Post.status).where(Post.body_source == "A fresh reply."))


@pytest.mark.parametrize(("policy", "role", "approved_before", "expected"), [
    (ModerationPolicy.EVERY_POST, "member", 10, PostStatus.PENDING),
    (ModerationPolicy.EVERY_POST, "moderator", 0, PostStatus.APPROVED),
    (ModerationPolicy.EVERY_POST, "facilitator", 0, PostStatus.APPROVED),
    (ModerationPolicy.EVERY_POST, "admin", 0, PostStatus.APPROVED),
    (ModerationPolicy.NEW_MEMBERS, "member", 1, PostStatus.PENDING),
    (ModerationPolicy.NEW_MEMBERS, "member", 2, PostStatus.PENDING),
    (ModerationPolicy.NEW_MEMBERS, "member", 3, PostStatus.APPROVED),
    (ModerationPolicy.NEW_MEMBERS, "moderator", 0, PostStatus.APPROVED),
    (ModerationPolicy.AFTER_THE_FACT, "member", 1, PostStatus.APPROVED),
])
def test_the_policy_decides_whether_a_new_post_waits(
        app, client, world, policy, role, approved_before, expected):
    _set_policy(app, policy)
    if role == "member":
        _give_approved_posts(app, world, approved_before)
    assert _reply_status(app, client, world, world.user(role)) == expected


def test_pending_posts_do_not_count_towards_the_new_member_threshold(app, client, world):
    _set_policy(app, ModerationPolicy.NEW_MEMBERS, threshold=2)
    with app.app_context():
        thread = db.session.get(Thread, world.thread.id)
        for n in range(3):
            factories.make_post(thread, world.member, body=f"Waiting {n}",
                                status=PostStatus.PENDING)
        db.session.commit()
    assert _reply_status(app, client, world, world.member) == PostStatus.PENDING


def test_a_new_thread_by_a_new_member_waits_and_moderators_are_told(app, client, world):
    client.sign_in_as(world.member)
    response = client.post("/sets/comms/threads/new",
                           data={"title": "Recruiting by lottery", "body": "How?"},
                           follow_redirects=True)
    assert "once a moderator of the set approves it" in response.get_data(as_text=True)
    with app.app_context():
        from forum.models import Notification
        from forum.models import NotificationKind
        recipients = set(db.session.scalars(select(Notification.user_id).where(
            Notification.kind == NotificationKind.POST_WAITING)))
    assert recipients == {world.moderator.id, world.facilitator.id}


def test_facilitator_changes_the_policy_and_it_is_logged(app, client, world):
    client.sign_in_as(world.facilitator)
    page = client.get("/sets/comms/moderation-policy").get_data(as_text=True)
    assert "Each member&#39;s first posts wait for approval" in page
    response = client.post("/sets/comms/moderation-policy",
                           data={"policy": "new_members", "threshold": "5"})
    assert response.status_code == 303
    with app.app_context():
        learning_set = db.session.scalar(select(LearningSet).where(LearningSet.slug == "comms"))
        assert learning_set.new_member_post_threshold == 5
        rows = db.session.scalars(select(ModerationAction)).all()
        assert [(r.action, r.reason, r.post_id, r.thread_id) for r in rows] == [
            (ActionKind.SET_POLICY, "Each member's first 5 posts wait for approval", None, None)]
    client.post("/sets/comms/moderation-policy", data={"policy": "every_post", "threshold": ""})
    with app.app_context():
        learning_set = db.session.scalar(select(LearningSet).where(LearningSet.slug == "comms"))
        assert learning_set.moderation_policy == ModerationPolicy.EVERY_POST
        assert learning_set.new_member_post_threshold == 5


@pytest.mark.parametrize(("threshold", "message"), [
    ("", "Enter a whole number from 1 to 50"),
    ("0", "Enter a whole number from 1 to 50"),
    ("51", "Enter a whole number from 1 to 50"),
    ("three", "Enter a whole number from 1 to 50"),
])
def test_the_new_member_threshold_must_be_a_sensible_number(app, client, world, threshold,
                                                            message):
    client.sign_in_as(world.facilitator)
    page = client.post("/sets/comms/moderation-policy",
                       data={"policy": "new_members", "threshold": threshold}).get_data(
        as_text=True)
    assert message in page
    assert "There is a problem" in page
    assert f'value="{threshold}"' in page


@pytest.mark.parametrize(("role", "status"), [
    ("anonymous", 302), ("outsider", 404), ("member", 403), ("moderator", 403),
    ("facilitator", 200), ("admin", 200),
])
def test_only_facilitators_and_admins_reach_the_policy_page(app, client, world, role, status):
    user = world.user(role)
    if user is not None:
        client.sign_in_as(user)
    assert client.get("/sets/comms/moderation-policy").status_code == status
