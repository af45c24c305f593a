"""A thread's copies of what its posts say (opening status and author, published replies,
waiting posts) agree with its posts after every kind of change, and the set page and queue
that read them still show nobody text a moderator has not approved."""

from __future__ import annotations

import threading
import time

import pytest
from sqlalchemy import select

from forum import permissions
from forum.extensions import db
from forum.models import ModerationPolicy
from forum.models import Post
from forum.models import PostStatus
from forum.models import Role
from forum.models import Thread
from forum.models import User
from forum.moderation import service as moderation
from forum.moderation.queue import queue_count
from forum.threads import service as threads
from tests import factories


def _truth(thread_id: int) -> tuple:
    """The copies worked out from the posts themselves, in Python."""
    posts = list(db.session.scalars(select(Post).where(Post.thread_id == thread_id)
                                    .order_by(Post.id).execution_options(
                                        populate_existing=True)))
    roots = [post for post in posts if post.parent_id is None]
    opening = roots[0] if roots else None
    return (opening.status if opening else None, opening.author_id if opening else None,
            sum(1 for p in posts if p.parent_id is not None and p.status == PostStatus.APPROVED),
            sum(1 for p in posts if p.status == PostStatus.PENDING
                or (p.status == PostStatus.APPROVED and p.pending_at is not None)))


def _copies(thread_id: int) -> tuple:
    row = db.session.execute(
        select(Thread.opening_status, Thread.opening_author_id, Thread.reply_count,
               Thread.waiting_count).where(Thread.id == thread_id)).one()
    return tuple(row)


def _agree(thread_id: int) -> tuple:
    db.session.flush()
    copies = _copies(thread_id)
    assert copies == _truth(thread_id)
    return copies


@pytest.fixture
def people(app):
    with app.app_context():
        facilitator = factories.make_user(display_name="Fran")
        learning_set = factories.make_set(facilitator=facilitator)
        learning_set.moderation_policy = ModerationPolicy.EVERY_POST
        member = factories.make_user(display_name="Mo")
        reader = factories.make_user(display_name="Rae")
        factories.add_member(member, learning_set, Role.MEMBER)
        factories.add_member(reader, learning_set, Role.MEMBER)
        db.session.commit()
        yield learning_set, facilitator, member, reader


def test_copies_follow_every_change_of_a_post(people):
    learning_set, facilitator, member, reader = people
    thread, opening = threads.start_thread(db.session, member, learning_set, title="Budgets",
                                           body="How did you share the budget?")
    assert _agree(thread.id) == (PostStatus.PENDING, member.id, 0, 1)
    # A thread whose opening post waits is not listed to another member, nor counted.
    listed = select(Thread.id).where(Thread.id == thread.id,
                                     permissions.visible_threads_filter(reader))
    assert db.session.scalar(listed) is None
    assert db.session.scalar(select(Thread.id).where(
        Thread.id == thread.id, permissions.visible_threads_filter(member))) == thread.id

    moderation.reject(db.session, facilitator, opening, reason="Say which council.")
    assert _agree(thread.id) == (PostStatus.REJECTED, member.id, 0, 0)
    assert db.session.scalar(listed) is None

    threads.edit_post(db.session, member, opening, body="How did Testshire share it?")
    assert _agree(thread.id) == (PostStatus.PENDING, member.id, 0, 1)

    moderation.approve(db.session, facilitator, opening)
    assert _agree(thread.id) == (PostStatus.APPROVED, member.id, 0, 0)
    assert db.session.scalar(listed) == thread.id

    reply = threads.reply_to(db.session, member, opening, body="We used a citizens' jury.")
    second = threads.reply_to(db.session, member, opening, body="And a survey.")
    assert _agree(thread.id) == (PostStatus.APPROVED, member.id, 0, 2)
    moderation.edit_and_approve(db.session, facilitator, reply, "We used a jury.")
    assert _agree(thread.id) == (PostStatus.APPROVED, member.id, 1, 1)
    moderation.withdraw(db.session, member, second)
    assert _agree(thread.id) == (PostStatus.APPROVED, member.id, 1, 0)

    # An edit of a published post waits, then is approved; another waits and is returned.
    assert threads.edit_post(db.session, member, reply, body="A jury of 30.") \
        == threads.EditResult.WAITING
    assert _agree(thread.id) == (PostStatus.APPROVED, member.id, 1, 1)
    moderation.approve_edit(db.session, facilitator, reply)
    assert _agree(thread.id) == (PostStatus.APPROVED, member.id, 1, 0)
    threads.edit_post(db.session, member, reply, body="A jury of 40.")
    assert _agree(thread.id)[3] == 1
    moderation.return_edit(db.session, facilitator, reply, reason="Check the number.")
    assert _agree(thread.id) == (PostStatus.APPROVED, member.id, 1, 0)

    moderation.hide(db.session, facilitator, reply, reason="Names a resident.")
    assert _agree(thread.id) == (PostStatus.APPROVED, member.id, 0, 0)
    moderation.hide(db.session, facilitator, opening, reason="Off topic.")
    assert _agree(thread.id) == (PostStatus.HIDDEN, member.id, 0, 0)
    # Hidden after publication: still listed (behind a placeholder), as before.
    assert db.session.scalar(listed) == thread.id


def test_copies_follow_changes_made_through_the_session_and_deletes(people):
    learning_set, facilitator, member, reader = people
    thread = factories.make_thread(learning_set, member)
    opening = db.session.scalars(select(Post).where(Post.thread_id == thread.id)).one()
    reply = factories.make_post(thread, reader, parent=opening)
    waiting = factories.make_post(thread, reader, parent=reply, status=PostStatus.PENDING)
    assert _agree(thread.id) == (PostStatus.APPROVED, member.id, 1, 1)
    opening.status = PostStatus.PENDING
    assert _agree(thread.id) == (PostStatus.PENDING, member.id, 1, 2)
    db.session.delete(waiting)
    assert _agree(thread.id) == (PostStatus.PENDING, member.id, 1, 1)
    db.session.delete(reply)
    assert _agree(thread.id) == (PostStatus.PENDING, member.id, 0, 1)
    # The opening post deleted: the next root post opens the thread.
    later_root = factories.make_post(thread, reader, body="Another start.")
    db.session.delete(opening)
    assert _agree(thread.id) == (PostStatus.APPROVED, reader.id, 0, 0)
    db.session.delete(later_root)
    assert _agree(thread.id) == (None, None, 0, 0)
    db.session.commit()
    assert _copies(thread.id) == (None, None, 0, 0)


def test_the_header_count_follows_waiting_posts(people):
    learning_set, facilitator, member, reader = people
    thread, opening = threads.start_thread(db.session, member, learning_set, title="Venues",
                                           body="Where did you meet?")
    threads.reply_to(db.session, reader, opening, body="A library.")
    db.session.flush()
    assert queue_count(db.session, facilitator) == 2
    moderation.approve(db.session, facilitator, opening)
    assert queue_count(db.session, facilitator) == 1


def test_two_moderators_approving_in_one_thread_at_once_leave_the_right_count(
        app, database_url):
    """PostgreSQL: the second recount waits for the first transaction and then sees it."""
    if not (database_url and database_url.startswith("postgresql")):
        pytest.skip("SQLite writers take turns; the race needs PostgreSQL")
    with app.app_context():
        facilitator = factories.make_user()
        moderator = factories.make_user()
        member = factories.make_user()
        learning_set = factories.make_set(facilitator=facilitator)
        factories.add_member(moderator, learning_set, Role.MODERATOR)
        factories.add_member(member, learning_set, Role.MEMBER)
        thread = factories.make_thread(learning_set, member)
        opening = db.session.scalars(select(Post).where(Post.thread_id == thread.id)).one()
        first = factories.make_post(thread, member, parent=opening, status=PostStatus.PENDING)
        second = factories.make_post(thread, member, parent=opening, status=PostStatus.PENDING)
        db.session.commit()
        ids = (thread.id, first.id, second.id, facilitator.id, moderator.id)
    thread_id, first_id, second_id, facilitator_id, moderator_id = ids

    other = threading.Thread(target=_approve_in_own_session,
                             args=(app, moderator_id, second_id))
    with app.app_context():
        moderation.approve(db.session, db.session.get(User, facilitator_id),
                           db.session.get(Post, first_id))
        other.start()
        time.sleep(1)  # the other approval now waits for this transaction's thread lock
        db.session.commit()
    other.join(timeout=30)
    with app.app_context():
        assert _copies(thread_id) == _truth(thread_id) == (PostStatus.APPROVED,
                                                            _copies(thread_id)[1], 2, 0)


def _approve_in_own_session(app, moderator_id: int, post_id: int) -> None:
    with app.app_context():
        moderation.approve(db.session, db.session.get(User, moderator_id),
                           db.session.get(Post, post_id))
        db.session.commit()
