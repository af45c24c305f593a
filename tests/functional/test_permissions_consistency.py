"""Lists, pickers, notifications and pages agree with forum.permissions: nothing is listed or
offered that the page behind it would refuse, and nothing a page refuses is shown elsewhere."""

from __future__ import annotations

import re

from sqlalchemy import delete
from sqlalchemy import select

from forum import signals
from forum.extensions import db
from forum.guides import service as guides
from forum.models import LearningSet
from forum.models import Membership
from forum.models import Notification
from forum.models import Post
from forum.models import PostStatus
from forum.models import QueuedEmail
from forum.models import Role
from forum.models import Thread
from forum.models import User
from forum.moderation import service as moderation
from tests import factories
from tests.functional.guide_helpers import build_guide_world
from tests.functional.guide_helpers import delete_account


def _waiting_thread(app, world, title: str = "A thread still waiting") -> tuple[int, int]:
    """A thread by the member whose opening post waits for approval: (thread id, post id)."""
    with app.app_context():
        learning_set = db.session.get(LearningSet, world.learning_set.id)
        thread = factories.make_thread(learning_set, db.session.get(User, world.member.id),
                                       title=title, body="Not yet approved text.")
        opening = thread.posts[0]
        opening.status = PostStatus.PENDING
        db.session.commit()
        return thread.id, opening.id


# --- the guide thread picker -------------------------------------------------------------

def test_new_guide_thread_picker_leaves_out_a_thread_still_awaiting_approval(app, client, world):
    _waiting_thread(app, world, title="Budget worries, not yet approved")
    client.sign_in_as(world.facilitator)

    page = client.get("/sets/comms/guides/new").get_data(as_text=True)

    assert "Naming the assembly" in page  # the world's published thread
    assert "Budget worries, not yet approved" not in page


def test_guide_settings_picker_leaves_out_a_thread_still_awaiting_approval(app, client, world):
    with app.app_context():
        guide = guides.create_guide(
            db.session, learning_set=db.session.get(LearningSet, world.learning_set.id),
            creator=db.session.get(User, world.facilitator.id), title="A guide",
            thread_ids=[world.thread.id])
        db.session.commit()
        guide_id = guide.id
    _waiting_thread(app, world, title="Budget worries, not yet approved")
    client.sign_in_as(world.facilitator)

    page = client.get(f"/sets/comms/guides/{guide_id}/settings").get_data(as_text=True)

    assert re.search(rf'value="{world.thread.id}"\s+checked', page)
    assert "Budget worries, not yet approved" not in page


# --- the members page ------------------------------------------------------------------

def _membership_id(app, world, user: User) -> int:
    with app.app_context():
        return db.session.scalar(select(Membership.id).where(
            Membership.user_id == user.id, Membership.learning_set_id == world.learning_set.id))


def test_facilitator_is_offered_remove_for_others_but_not_for_themself(app, client, world):
    own = _membership_id(app, world, world.facilitator)
    member = _membership_id(app, world, world.member)
    client.sign_in_as(world.facilitator)

    page = client.get("/sets/comms/members").get_data(as_text=True)

    assert f"/sets/comms/members/{member}/remove" in page
    assert f"/sets/comms/members/{own}/remove" not in page


def test_facilitator_cannot_remove_themself_even_with_another_facilitator(app, client, world):
    with app.app_context():
        db.session.execute(delete(Membership).where(Membership.user_id == world.moderator.id))
        factories.add_member(db.session.get(User, world.moderator.id),
                             db.session.get(LearningSet, world.learning_set.id),
                             Role.FACILITATOR)
        db.session.commit()
    own = _membership_id(app, world, world.facilitator)
    client.sign_in_as(world.facilitator)

    assert client.get(f"/sets/comms/members/{own}/remove").status_code == 403
    assert client.post(f"/sets/comms/members/{own}/remove").status_code == 403
    with app.app_context():
        assert db.session.get(Membership, own) is not None


# --- notifications -------------------------------------------------------------------------

def test_a_member_who_leaves_a_private_set_no_longer_sees_notifications_about_it(
        app, client, world):
    with app.app_context():
        thread = db.session.get(Thread, world.thread.id)
        reply = factories.make_post(thread, db.session.get(User, world.member.id),
                                    parent=thread.posts[0], status=PostStatus.PENDING)
        moderation.approve(db.session, db.session.get(User, world.moderator.id), reply)
        db.session.commit()
    client.sign_in_as(world.member)
    assert "Naming the assembly" in client.get("/notifications").get_data(as_text=True)

    with app.app_context():
        db.session.execute(delete(Membership).where(Membership.user_id == world.member.id))
        db.session.commit()
    page = client.get("/notifications").get_data(as_text=True)

    assert "Naming the assembly" not in page
    assert "You have no unread notifications." in page
    with app.app_context():
        from forum.notifications import inbox

        member = db.session.get(User, world.member.id)
        assert inbox.unread_count(db.session, member) == 0
        assert db.session.scalar(select(Notification.id)) is not None  # kept, not deleted


def test_approving_announces_the_post_and_notifications_answer(app, world):
    """The moderation service sends post_approved inside its transaction; the notifications
    area, subscribed in its init_app, adds the author's notification to the same session."""
    heard = []

    def listener(sender, *, session, post, moderator, **_):
        heard.append((sender, post.id, moderator.id))

    with app.app_context():
        thread = db.session.get(Thread, world.thread.id)
        post = factories.make_post(thread, db.session.get(User, world.member.id),
                                   parent=thread.posts[0], status=PostStatus.PENDING)
        with signals.post_approved.connected_to(listener, sender=app):
            moderation.approve(db.session, db.session.get(User, world.moderator.id), post)
        assert heard == [(app, post.id, world.moderator.id)]
        told = db.session.scalars(select(Notification.user_id)).all()
        assert told == [world.member.id]
        db.session.rollback()  # nothing was committed by the service or its receivers
        assert db.session.scalar(select(Notification.id)) is None


# --- moderation pages ------------------------------------------------------------------------

def test_report_page_of_a_reply_in_a_thread_awaiting_approval_is_not_found_for_others(
        app, client, world):
    """The reply itself is published, but its thread exists only for its author and the
    set's moderators: no page may show it to anyone else."""
    thread_id, opening_id = _waiting_thread(app, world)
    with app.app_context():
        other = factories.make_user(display_name="Olu Other")
        factories.add_member(other, db.session.get(LearningSet, world.learning_set.id))
        reply = factories.make_post(db.session.get(Thread, thread_id),
                                    db.session.get(User, world.moderator.id),
                                    parent=db.session.get(Post, opening_id),
                                    body="A moderator's published answer.")
        db.session.commit()
        other_id, reply_id = other.id, reply.id
    client.sign_in_as(User(id=other_id))

    response = client.get(f"/posts/{reply_id}/report")

    assert response.status_code == 404
    assert "A moderator's published answer." not in response.get_data(as_text=True)


def test_the_daily_summary_leaves_out_threads_of_a_set_the_member_left(app, world, runner):
    with app.app_context():
        from forum.notifications import service as notifications

        thread = db.session.get(Thread, world.thread.id)
        reply = factories.make_post(thread, db.session.get(User, world.moderator.id),
                                    parent=thread.posts[0])
        notifications.notify_reply(db.session, reply)  # replies wait for the daily summary
        db.session.execute(delete(Membership).where(Membership.user_id == world.member.id))
        db.session.commit()

    result = runner.invoke(args=["notifications", "send-digests"])

    assert "Queued 0 daily summaries." in result.output
    with app.app_context():
        assert db.session.scalar(select(QueuedEmail.id)) is None


# --- guides ----------------------------------------------------------------------------------

def test_curation_offers_only_posts_a_guide_may_quote(db_session):
    """A post whose author deleted their account cannot be quoted, so it is not offered."""
    gw = build_guide_world()
    gone = gw.posts["anonymous"].id
    delete_account(gw.anonymous)

    offered = [item.post.id for item in guides.curation_items(db.session, gw.guide)]

    assert gone not in offered
    assert gw.posts["named"].id in offered
