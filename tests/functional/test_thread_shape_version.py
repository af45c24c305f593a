"""``threads.shape_version`` moves by one for every post added to or removed from a thread and
every change of a post's parent, whatever writes the rows (forum.models.shape_version): a kept
long thread (forum.threads.shape) is current exactly while it has not moved."""

from __future__ import annotations

from sqlalchemy import delete
from sqlalchemy import insert
from sqlalchemy import select
from sqlalchemy import update

from forum.extensions import db
from forum.models import LearningSet
from forum.models import Post
from forum.models import PostStatus
from forum.models import Thread
from forum.models import User
from forum.models import utcnow
from tests import factories


def _versions(*thread_ids: int) -> list[int | None]:
    return [db.session.scalar(select(Thread.shape_version).where(Thread.id == thread_id))
            for thread_id in thread_ids]


def _new_row(thread_id: int, author_id: int, parent_id: int | None, body: str) -> dict:
    return {"thread_id": thread_id, "author_id": author_id, "parent_id": parent_id, "depth": 1,
            "body_source": body, "body_html": f"<p>{body}</p>", "status": PostStatus.APPROVED,
            "created_at": utcnow()}


def test_each_change_of_a_threads_posts_or_parents_counts_once(app, world):
    with app.app_context():
        member = db.session.get(User, world.member.id)
        learning_set = db.session.get(LearningSet, world.learning_set.id)
        thread, branches = factories.make_branching_thread(learning_set, member, branches=3)
        other, other_branches = factories.make_branching_thread(learning_set, member,
                                                               branches=1)
        db.session.commit()
        ids = (thread.id, other.id)
        opening = thread.posts[0].id
        assert _versions(*ids) == [7, 3]  # one a post made (the ORM's inserts)

        def changed(change, *sql) -> list[int]:
            before = _versions(*ids)
            change(*sql) if sql else change()
            db.session.commit()
            return [after - was for after, was in zip(_versions(*ids), before, strict=True)]

        # Two posts in one statement (a bulk insert).
        assert changed(db.session.execute, insert(Post).values([
            _new_row(thread.id, member.id, opening, "One"),
            _new_row(thread.id, member.id, opening, "Two")])) == [2, 0]
        # What a post says, its status or author: not its shape.
        assert changed(db.session.execute, update(Post).where(Post.id == branches[0][1]).values(
            body_source="Edited", status=PostStatus.HIDDEN, author_id=None)) == [0, 0]
        # Its parent set to the one it has already: nothing changed.
        assert changed(db.session.execute, update(Post).where(Post.id == branches[0][1])
                       .values(parent_id=branches[0][0])) == [0, 0]
        assert changed(db.session.execute, update(Post).where(Post.id == branches[0][1])
                       .values(parent_id=opening)) == [1, 0]
        assert changed(db.session.execute, delete(Post).where(Post.id == branches[0][1])) == [
            1, 0]
        # A post with a reply: the post goes, and its reply's parent (ON DELETE SET NULL).
        assert changed(db.session.execute, delete(Post).where(Post.id == branches[1][0])) == [
            2, 0]
        # Moved to another thread: both threads' shapes changed.
        assert changed(db.session.execute, update(Post).where(Post.id == branches[2][1])
                       .values(thread_id=other.id)) == [1, 1]
        # Through the ORM, as the app deletes; its reply, moved to the other thread, loses its
        # parent there.
        assert changed(lambda: db.session.delete(db.session.get(Post, branches[2][0]))) == [
            1, 1]
        # The other thread deleted, its posts with it (a cascade): nothing else moves.
        before = _versions(thread.id)
        db.session.execute(delete(Thread).where(Thread.id == other.id))
        db.session.commit()
        assert _versions(*ids) == [*before, None]
        assert db.session.scalar(select(Post.id).where(
            Post.id == other_branches[0][0])) is None


def test_a_deleted_set_takes_its_threads_and_their_posts(app, world):
    """The triggers do not stand in the way of a cascade two levels deep."""
    with app.app_context():
        member = db.session.get(User, world.member.id)
        learning_set = factories.make_set(facilitator=member)
        thread, _ = factories.make_branching_thread(learning_set, member, branches=2)
        db.session.commit()
        thread_id = thread.id
        db.session.execute(delete(LearningSet).where(LearningSet.id == learning_set.id))
        db.session.commit()
        assert db.session.scalar(select(Post.id).where(Post.thread_id == thread_id)) is None
        assert _versions(world.thread.id) == [1]  # the world's thread: its one post
