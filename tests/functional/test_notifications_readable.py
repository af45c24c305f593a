"""Notifications are shown, counted and emailed only about what the recipient can still read.

Readability is asked when a notification is listed or sent, not only when it was made: a member
removed from a set stops seeing notifications that name its threads.
"""

from __future__ import annotations

import itertools

from flask_login import AnonymousUserMixin
from sqlalchemy import delete
from sqlalchemy import select

from forum import permissions
from forum.extensions import db
from forum.models import LearningSet
from forum.models import Membership
from forum.models import Notification
from forum.models import NotificationKind
from forum.models import Post
from forum.models import PostStatus
from forum.models import QueuedEmail
from forum.models import Role
from forum.models import Thread
from forum.models import User
from forum.models import Visibility
from forum.models import utcnow
from forum.notifications import inbox
from forum.notifications import service
from forum.notifications.delivery import deliver_pending
from forum.notifications.delivery import send_digests
from tests import factories


def _reply_to_member(app, world) -> int:
    """A published reply to the member's opening post, notified to the member."""
    with app.app_context():
        thread = db.session.get(Thread, world.thread.id)
        reply = factories.make_post(thread, db.session.get(User, world.moderator.id),
                                    parent=thread.posts[0], body="A reply in a private set.")
        service.notify_reply(db.session, reply)
        db.session.commit()
        return reply.id


def _remove_member(app, world) -> None:
    with app.app_context():
        db.session.execute(delete(Membership).where(
            Membership.user_id == world.member.id,
            Membership.learning_set_id == world.learning_set.id))
        db.session.commit()


def test_a_removed_member_no_longer_sees_or_counts_notifications_about_the_set(
        app, client, world):
    _reply_to_member(app, world)
    client.sign_in_as(world.member)
    page = client.get("/notifications").get_data(as_text=True)
    assert "replied to your post in “Naming the assembly”" in page
    assert "You have 1 unread notification." in page

    _remove_member(app, world)
    page = client.get("/notifications").get_data(as_text=True)
    assert "Naming the assembly" not in page
    assert "You have no unread notifications." in page
    with app.app_context():
        member = db.session.get(User, world.member.id)
        assert inbox.unread_count(db.session, member) == 0


def test_a_removed_member_gets_no_daily_summary_about_the_set(app, world):
    _reply_to_member(app, world)  # replies go in the daily summary by default
    _remove_member(app, world)
    assert send_digests(app) == 0
    with app.app_context():
        assert db.session.scalars(select(QueuedEmail.id)
                                  .where(QueuedEmail.kind == "digest")).all() == []


def test_an_email_queued_before_removal_is_not_sent_after_it(app, world):
    with app.app_context():
        thread = db.session.get(Thread, world.thread.id)
        post = factories.make_post(thread, db.session.get(User, world.member.id),
                                   parent=thread.posts[0], body="Waiting.",
                                   status=PostStatus.PENDING)
        post.status = PostStatus.APPROVED
        service.notify_post_approved(db.session, post, db.session.get(User, world.moderator.id))
        db.session.commit()
        [row] = db.session.scalars(select(QueuedEmail)).all()
        assert row.post_id == post.id
    _remove_member(app, world)
    report = deliver_pending(app)
    assert (report.sent, report.skipped) == (0, 1)
    with app.app_context():
        row = db.session.scalars(select(QueuedEmail)).one()
        assert row.sent_at is None and "can no longer read" in row.last_error


def test_the_notification_predicate_and_its_query_filter_agree(app, world):
    """Every combination of set visibility, opening-post and post status, for every kind of
    recipient: the list shows exactly the notifications the predicate allows."""
    with app.app_context():
        author = factories.make_user(display_name="Ari Author")
        moderator = factories.make_user(display_name="Mo Derator")
        member = factories.make_user(display_name="Mem Ber")
        outsider = factories.make_user(display_name="Out Sider")
        admin = factories.make_user(display_name="Ad Min", is_admin=True)
        statuses = [PostStatus.APPROVED, PostStatus.PENDING, PostStatus.HIDDEN,
                    PostStatus.REJECTED]
        for visibility in Visibility:
            learning_set = factories.make_set(visibility=visibility)
            factories.add_member(author, learning_set)
            factories.add_member(member, learning_set)
            factories.add_member(moderator, learning_set, Role.MODERATOR)
            for opening_status, post_status in itertools.product(statuses, statuses):
                thread = factories.make_thread(learning_set, author)
                opening = thread.posts[0]
                opening.status = opening_status
                reply = factories.make_post(thread, author, parent=opening, status=post_status)
                for recipient, post in itertools.product(
                        (author, moderator, member, outsider, admin), (opening, reply)):
                    db.session.add(Notification(
                        user_id=recipient.id, kind=NotificationKind.REPLY,
                        learning_set_id=learning_set.id, thread_id=thread.id, post_id=post.id,
                        text="Something happened.", created_at=utcnow()))
        # One removed member: notifications survive the membership.
        db.session.execute(delete(Membership).where(Membership.user_id == member.id,
                                                    Membership.learning_set_id
                                                    == learning_set.id))
        db.session.commit()
        permissions.forget_roles()

        checked = 0
        for user in (author, moderator, member, outsider, admin):
            rows = db.session.scalars(select(Notification)
                                      .where(Notification.user_id == user.id)).all()
            listed = set(db.session.scalars(
                select(Notification.id).where(Notification.user_id == user.id,
                                              permissions.readable_notifications(user))))
            allowed = {n.id for n in rows if permissions.can_read_notification(user, n)}
            assert listed == allowed, user.display_name
            checked += len(rows)
        assert checked == 3 * 16 * 2 * 5
        # And for posts, as the email outbox asks (including anonymous readers).
        for user in (author, moderator, member, outsider, admin, AnonymousUserMixin()):
            posts = db.session.scalars(select(Post)).all()
            readable = set(db.session.scalars(select(Post.id)
                                              .where(permissions.visible_posts_filter(user))))
            assert readable == {p.id for p in posts
                                if permissions.can_view_post(user, p)}


def test_opening_a_notification_about_a_set_made_private_leads_nowhere(app, client, world):
    """Someone declined by a network set keeps the notification; once the set is private and
    not theirs, opening it (its number is in their history) must not send them to the set's
    address, which spells its name."""
    with app.app_context():
        learning_set = factories.make_set("secret-budget-review", name="Secret budget review",
                                          visibility=Visibility.NETWORK)
        note = Notification(user_id=world.outsider.id, kind=NotificationKind.JOIN_DECLINED,
                            learning_set_id=learning_set.id, text="Your request was declined.")
        db.session.add(note)
        db.session.commit()
        note_id, set_id = note.id, learning_set.id
    client.sign_in_as(world.outsider)
    assert "secret-budget-review" in client.get(f"/notifications/{note_id}").location
    with app.app_context():
        db.session.get(LearningSet, set_id).visibility = Visibility.PRIVATE
        db.session.commit()
    response = client.get(f"/notifications/{note_id}")
    assert response.status_code == 404
    assert "secret-budget-review" not in (response.location or "")
    assert "secret-budget-review" not in response.get_data(as_text=True)
