"""Replying to or editing one post of a long thread loads that post and the one it answers,
never the rest of the thread (issue 16: a 10,000-post thread's reply page was slow)."""

from __future__ import annotations

from contextlib import contextmanager

from sqlalchemy import event

from forum.extensions import db
from forum.models import LearningSet
from forum.models import Post
from forum.models import PostStatus
from forum.models import User
from tests import factories

BRANCHES = 40


def _long_thread(app, world) -> tuple[int, list[int]]:
    """A thread of 1 + 3 × BRANCHES posts; returns its id and the last branch's three ids."""
    with app.app_context():
        learning_set = db.session.get(LearningSet, world.learning_set.id)
        member = db.session.get(User, world.member.id)
        thread = factories.make_thread(learning_set, member, title="A long thread")
        opening = thread.posts[0]
        for n in range(BRANCHES):
            head = factories.make_post(thread, member, parent=opening, body=f"Branch {n}")
            child = factories.make_post(thread, member, parent=head, body=f"Answer {n}")
            deep = factories.make_post(thread, member, parent=child, body=f"Deep {n}")
        db.session.commit()
        return thread.id, [head.id, child.id, deep.id]


@contextmanager
def posts_loaded():
    """The ids of the posts the ORM builds from database rows meanwhile."""
    loaded: list[int] = []

    def on_load(post, _context):
        loaded.append(post.id)

    event.listen(Post, "load", on_load)
    try:
        yield loaded
    finally:
        event.remove(Post, "load", on_load)


def test_the_reply_page_loads_only_the_post_answered_and_its_parent(app, client, world):
    _, (head, child, deep) = _long_thread(app, world)
    client.sign_in_as(world.member)
    with posts_loaded() as loaded:
        page = client.get(f"/posts/{deep}/reply")
    assert page.status_code == 200
    assert "Deep 39" in page.text  # the post answered is shown
    assert "In reply to" in page.text  # with whom it answers
    assert sorted(set(loaded)) == [child, deep]


def test_the_quoting_reply_page_loads_no_more(app, client, world):
    _, (head, child, deep) = _long_thread(app, world)
    client.sign_in_as(world.member)
    with posts_loaded() as loaded:
        page = client.get(f"/posts/{child}/reply?quote=1")
    assert page.status_code == 200 and "&gt; Answer 39" in page.text
    assert sorted(set(loaded)) == [head, child]


def test_sending_a_reply_loads_only_the_post_answered_and_its_parent(app, client, world):
    thread_id, (head, child, deep) = _long_thread(app, world)
    client.sign_in_as(world.member)
    with posts_loaded() as loaded:
        response = client.post(f"/posts/{deep}/reply", data={"body": "A late answer."})
    assert response.status_code == 302
    assert len(set(loaded)) <= 3, loaded  # the post answered, its parent (and the new post)
    with app.app_context():
        new = db.session.scalars(db.select(Post).where(Post.thread_id == thread_id)
                                 .order_by(Post.id.desc())).first()
        assert new.parent_id == deep and new.body_source == "A late answer."


def test_the_edit_page_loads_only_the_post_edited_and_its_parent(app, client, world):
    _, (head, child, deep) = _long_thread(app, world)
    client.sign_in_as(world.member)
    with posts_loaded() as loaded:
        page = client.get(f"/posts/{deep}/edit")
    assert page.status_code == 200 and "Deep 39" in page.text
    assert set(loaded) <= {child, deep}
    with posts_loaded() as loaded:
        response = client.post(f"/posts/{deep}/edit", data={"body": "Deeper still."})
    assert response.status_code == 302
    assert set(loaded) <= {child, deep}
    with app.app_context():
        assert db.session.get(Post, deep).body_source == "Deeper still."


def test_a_reply_page_still_refuses_what_the_reader_may_not_see(app, client, world):
    """The thread's copies of its opening post now decide: a waiting opening post's thread
    stays closed to other members, whichever post is asked for."""
    thread_id, (head, child, deep) = _long_thread(app, world)
    with app.app_context():
        opening = db.session.scalars(db.select(Post).where(Post.thread_id == thread_id)
                                     .order_by(Post.id)).first()
        opening.status = PostStatus.PENDING
        db.session.commit()
    with app.app_context():
        reader = factories.make_user(email="reader@example.org")
        factories.add_member(reader, db.session.get(LearningSet, world.learning_set.id))
        db.session.commit()
        db.session.refresh(reader)
        db.session.expunge(reader)
    client.sign_in_as(reader)
    assert client.get(f"/posts/{deep}/reply").status_code == 404
    client.sign_in_as(world.facilitator)
    assert client.get(f"/posts/{deep}/reply").status_code == 200
