"""A long thread's shape and pages are kept in the process (forum.threads.shape), so its pages
cost the same whatever its length: what a reader sees must not differ from a thread read whole,
after a reply, an approval or a post removed, and whoever reads it."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import delete
from sqlalchemy import event
from sqlalchemy import insert
from sqlalchemy import update
from sqlalchemy.exc import OperationalError

from forum.extensions import db
from forum.guides.export.storage import storage_for
from forum.models import LearningSet
from forum.models import Post
from forum.models import PostStatus
from forum.models import Thread
from forum.models import User
from forum.models import Visibility
from forum.models import utcnow
from forum.people import erasure
from forum.threads import shape
from tests import factories
from tests.querycount import count_page_queries

PER_PAGE = 5


@pytest.fixture
def kept(monkeypatch):
    """Every thread counts as long, and none is kept from an earlier test."""
    monkeypatch.setattr(shape, "LONG_THREAD", 1)
    shape.forget_kept()
    yield
    shape.forget_kept()


def _thread(app, world, branches: int = 12) -> tuple[int, list[list[int]]]:
    """A thread of ``branches`` branches of two posts (a reply and its answer)."""
    return factories.branching_thread_in(app, world, per_page=PER_PAGE, branches=branches,
                                         title="A kept thread")


def db_name(app) -> str:
    with app.app_context():
        return db.engine.dialect.name


def _articles(page: str) -> list[int]:
    return [int(n) for n in re.findall(r'<article id="post-(\d+)"', page)]


def _reader(app, world) -> User:
    with app.app_context():
        reader = factories.make_user(email="reader@example.org")
        factories.add_member(reader, db.session.get(LearningSet, world.learning_set.id))
        db.session.commit()
        db.session.refresh(reader)
        db.session.expunge(reader)
        return reader


def test_a_kept_thread_costs_the_queries_of_one_read_whole(app, client, world, kept,
                                                           monkeypatch):
    thread_id, branches = _thread(app, world)
    client.sign_in_as(world.member)
    url = f"/threads/{thread_id}?post={branches[7][1]}"
    assert client.get(url).status_code == 200  # the reader's place moves on: one write
    kept_count = count_page_queries(app, client, url)
    monkeypatch.setattr(shape, "LONG_THREAD", 10**9)
    shape.forget_kept()
    assert count_page_queries(app, client, url) == kept_count


def test_a_reply_to_a_kept_thread_shows_on_its_page(app, client, world, kept):
    thread_id, branches = _thread(app, world)
    client.sign_in_as(world.moderator)
    assert "Replies, page 1 of 3" in client.get(f"/threads/{thread_id}").text
    response = client.post(f"/posts/{branches[11][1]}/reply", data={"body": "Late answer."})
    assert response.status_code == 302
    page = client.get(response.location).text
    assert "Late answer." in page and "Replies, page 3 of 3" in page
    # A new branch, from another process's point of view: read after the kept shape.
    response = client.post(f"/posts/{branches[0][0]}/reply", data={"body": "Early answer."})
    first = client.get(f"/threads/{thread_id}").text
    assert "Early answer." in first and "Late answer." not in first


def test_a_kept_thread_leaves_out_waiting_posts_until_approved(app, client, world, kept):
    thread_id, branches = _thread(app, world)
    reader = _reader(app, world)
    waiting = branches[11][1]
    with app.app_context():
        db.session.get(Post, waiting).status = PostStatus.PENDING
        db.session.commit()
    client.sign_in_as(world.facilitator)  # keeps the moderator's cut
    assert waiting in _articles(client.get(f"/threads/{thread_id}?post={waiting}").text)

    client.sign_in_as(reader)
    last = client.get(f"/threads/{thread_id}?page=3").text
    assert "Branch 11" in last and "Answer 11" not in last
    assert "Replies, page 1 of 3" in client.get(f"/threads/{thread_id}?post={waiting}").text

    client.sign_in_as(world.member)  # its author reads it where it is
    assert waiting in _articles(client.get(f"/threads/{thread_id}?post={waiting}").text)

    with app.app_context():
        db.session.get(Post, waiting).status = PostStatus.APPROVED
        db.session.commit()
    client.sign_in_as(reader)
    page = client.get(f"/threads/{thread_id}?post={waiting}").text
    assert "Replies, page 3 of 3" in page and waiting in _articles(page)


def test_a_waiting_branch_of_a_kept_thread_makes_no_page_for_others(app, client, world, kept):
    thread_id, branches = _thread(app, world, branches=2)
    app.config["THREAD_BRANCHES_PER_PAGE"] = 2
    reader = _reader(app, world)
    client.sign_in_as(reader)
    assert "?page=2" not in client.get(f"/threads/{thread_id}").text
    with app.app_context():  # a third branch, waiting: added to the kept shape
        thread_posts = db.session.get(Post, branches[0][0]).thread
        wendy = factories.make_user(email="wendy@example.org")
        factories.add_member(wendy, db.session.get(LearningSet, world.learning_set.id))
        waiting = factories.make_post(thread_posts, wendy, parent=thread_posts.posts[0],
                                      body="Waiting words 5e2a", status=PostStatus.PENDING)
        db.session.commit()
        waiting_id = waiting.id
    for url in (f"/threads/{thread_id}", f"/threads/{thread_id}?post={waiting_id}"):
        page = client.get(url).text
        assert "?page=2" not in page and "5e2a" not in page
    client.sign_in_as(world.moderator)
    page = client.get(f"/threads/{thread_id}?post={waiting_id}").text
    assert "Replies, page 2 of 2" in page and "5e2a" in page


def test_a_post_removed_from_a_kept_thread_leaves_its_pages(app, client, world, kept):
    thread_id, branches = _thread(app, world)
    client.sign_in_as(world.member)
    gone = branches[11][1]
    assert gone in _articles(client.get(f"/threads/{thread_id}?page=3").text)
    with app.app_context():
        db.session.execute(db.delete(Post).where(Post.id == gone))
        db.session.commit()
    assert gone not in _articles(client.get(f"/threads/{thread_id}?page=3").text)
    assert "Replies, page 1 of 3" in client.get(f"/threads/{thread_id}?post={gone}").text


def test_a_reply_whose_commit_failed_leaves_no_trace_in_a_kept_thread(app, client, world,
                                                                      kept):
    """The database went away at the reply's commit (its insert and the shape count's trigger
    had run): the reader is told the service is unavailable, and neither the kept shape nor a
    kept article shows the reply, then or after a reply that does commit."""
    thread_id, branches = _thread(app, world)
    client.sign_in_as(world.moderator)
    pages = [client.get(f"/threads/{thread_id}?page={n}").text for n in (1, 2, 3)]
    assert all(page.count("<article") for page in pages)

    def database_gone(connection) -> None:
        raise OperationalError("COMMIT", {}, Exception("server closed the connection"))

    with app.app_context():
        engine = db.engine
    event.listen(engine, "commit", database_gone)
    try:
        lost = client.post(f"/posts/{branches[11][1]}/reply", data={"body": "Lost answer."})
    finally:
        event.remove(engine, "commit", database_gone)
    assert lost.status_code == 503
    assert [client.get(f"/threads/{thread_id}?page={n}").text.count("<article")
            for n in (1, 2, 3)] == [page.count("<article") for page in pages]
    sent = client.post(f"/posts/{branches[11][1]}/reply", data={"body": "Kept answer."})
    assert sent.status_code == 302
    after = [client.get(f"/threads/{thread_id}?page={n}").text for n in (1, 2, 3)]
    assert "Kept answer." in after[2]
    assert not any("Lost answer." in page for page in after)
    shape.forget_kept()  # the same pages read whole
    assert [_articles(client.get(f"/threads/{thread_id}?page={n}").text)
            for n in (1, 2, 3)] == [_articles(page) for page in after]


def test_kept_threads_hold_a_bounded_number_of_posts(app, client, world, kept, monkeypatch):
    first, _ = _thread(app, world)
    second, _ = _thread(app, world)
    # 25 posts each: a thread with its cut into pages weighs 75; room for one.
    monkeypatch.setattr(shape, "KEPT_POSTS", 100)
    client.sign_in_as(world.member)
    for thread_id in (first, second):
        assert client.get(f"/threads/{thread_id}").status_code == 200
    assert [thread_id for _, thread_id in shape._kept] == [second]


# --- whoever reads it, after whatever happened: the pages of the thread read whole ----------

def _pages_seen(client, thread_id: int, probe: int) -> tuple:
    """Everything of the thread's pages a reader can see or infer: the page count, each page's
    posts and continuation links, and where a link to ``probe`` lands."""
    first = client.get(f"/threads/{thread_id}")
    assert first.status_code == 200
    pages = int(re.search(r"Replies, page 1 of (\d+)", first.text).group(1))
    seen = []
    for number in range(1, pages + 1):
        page = client.get(f"/threads/{thread_id}?page={number}").text
        seen.append((_articles(page), "continued-from" in page, "continued-on" in page,
                     re.findall(r'(?:\?post=|#post-)(\d+)', page)))
    landed = client.get(f"/threads/{thread_id}?post={probe}").text
    return (pages, seen, re.search(r"Replies, page (\d+) of", landed).group(1),
            _articles(landed), "9c4d" in landed)


def test_every_reader_sees_a_kept_thread_as_if_read_whole(app, world, kept, monkeypatch):
    """A moderator's kept cut (every post) or another reader's is never what a reader is shown:
    after each change of a post's status or its author's erasure, each reader's pages (their
    count, posts, links and where a link to the post lands) are those of the thread read
    whole; a visitor of a public set and the post's author included."""
    thread_id, branches = _thread(app, world, branches=10)  # two full pages
    reader = _reader(app, world)
    with app.app_context():
        learning_set = db.session.get(LearningSet, world.learning_set.id)
        learning_set.visibility = Visibility.PUBLIC
        wendy = factories.make_user(email="wendy@example.org")
        factories.add_member(wendy, learning_set)
        thread = db.session.get(Post, branches[0][0]).thread
        # A branch of its own (a third page for whoever is shown it), and a reply to it.
        probe = factories.make_post(thread, wendy, parent=thread.posts[0],
                                    body="Wendy's words 9c4d", status=PostStatus.PENDING)
        factories.make_post(thread, db.session.get(User, world.member.id), parent=probe,
                            body="An answer to Wendy")
        db.session.commit()
        probe_id, wendy_id = probe.id, wendy.id
        db.session.refresh(wendy)
        db.session.expunge(wendy)
    readers = {"moderator": world.moderator, "reader": reader, "author": wendy,
               "visitor": None}

    def everyone() -> dict:
        seen = {}
        for name, who in readers.items():
            client = app.test_client()
            if who is not None:
                client.sign_in_as(who)
            seen[name] = _pages_seen(client, thread_id, probe_id)
        return seen

    def change(status: PostStatus | None) -> None:
        with app.app_context():
            if status is None:
                erasure.erase(db.session, storage_for(), db.session.get(User, wendy_id),
                              by=db.session.get(User, world.admin.id))
            else:
                db.session.get(Post, probe_id).status = status
            db.session.commit()

    steps = [PostStatus.REJECTED, PostStatus.PENDING, PostStatus.APPROVED, PostStatus.HIDDEN,
             PostStatus.APPROVED, PostStatus.WITHDRAWN, PostStatus.PENDING, None]
    for step in steps:
        monkeypatch.setattr(shape, "LONG_THREAD", 1)
        everyone()  # every reader's cut kept, as it was before the change
        change(step)
        if step is None:  # erased: its author reads no more
            del readers["author"]
        kept_pages = everyone()
        monkeypatch.setattr(shape, "LONG_THREAD", 10**9)
        shape.forget_kept()
        whole_pages = everyone()
        assert kept_pages == whole_pages, step
        for name in ("reader", "visitor"):
            pages, _, landed, articles, shown = whole_pages[name]
            if step in (PostStatus.APPROVED, PostStatus.HIDDEN):
                assert pages == 3 and landed == "3" and probe_id in articles
                assert shown == (step == PostStatus.APPROVED)
            else:
                assert pages == 3 and landed == "1" and probe_id not in articles and not shown
                # Nor named by the reply to it, nor linked to from any page.
                assert all(str(probe_id) not in links for *_, links in whole_pages[name][1])
        if step is not None:  # its author reads it where it is (a hidden one as others do)
            assert whole_pages["author"][2] == "3"
            assert whole_pages["author"][4] == (step != PostStatus.HIDDEN)
        # Erasure empties a post nobody approved: even moderators read no more of it.
        assert whole_pages["moderator"][2] == "3"
        assert whole_pages["moderator"][4] == (step is not None)


def test_a_kept_thread_whose_newest_post_is_replaced_shows_the_new_one(app, client, world,
                                                                       kept):
    """SQLite hands the id of a deleted newest post to the next post: the kept shape must
    still place the new post under its own parent."""
    thread_id, branches = _thread(app, world)
    client.sign_in_as(world.member)
    gone = branches[11][1]
    assert gone in _articles(client.get(f"/threads/{thread_id}?page=3").text)
    with app.app_context():
        db.session.execute(db.delete(Post).where(Post.id == gone))
        thread = db.session.get(Post, branches[0][0]).thread
        new = factories.make_post(thread, db.session.get(User, world.member.id),
                                  parent=db.session.get(Post, branches[0][0]),
                                  body="Put under the first branch 3b8e")
        db.session.commit()
        new_id = new.id
    if db_name(app) == "sqlite":
        assert new_id == gone  # the id given again
    first = client.get(f"/threads/{thread_id}").text
    assert "3b8e" in first and _articles(first).index(new_id) == 3  # after answer 0
    assert new_id not in _articles(client.get(f"/threads/{thread_id}?page=3").text)


# --- changes made by SQL (a bulk load, an operator), which the app never sees ---------------

def _kept_then_whole(app, world, monkeypatch, thread_id: int, probe: int,
                     change) -> tuple:
    """A visitor's pages of the thread, kept from before ``change``, and read whole after (a
    visitor: no place kept in the thread, which would show the posts new to a member)."""
    with app.app_context():
        db.session.get(LearningSet, world.learning_set.id).visibility = Visibility.PUBLIC
        db.session.commit()
    client = app.test_client()
    monkeypatch.setattr(shape, "LONG_THREAD", 1)
    _pages_seen(client, thread_id, probe)  # kept, as it was
    with app.app_context():
        change()
        db.session.commit()
    kept_pages = _pages_seen(client, thread_id, probe)
    monkeypatch.setattr(shape, "LONG_THREAD", 10**9)
    shape.forget_kept()
    return kept_pages, _pages_seen(client, thread_id, probe)


def test_a_kept_thread_follows_every_change_of_its_shape_made_by_sql(app, world, kept,
                                                                    monkeypatch):
    """Posts added, deleted, re-parented (a parent deleted: ON DELETE SET NULL) or moved
    between threads by statements no service made: the kept pages are those read whole."""
    thread_id, branches = _thread(app, world)
    other_id, others = _thread(app, world, branches=2)

    with app.app_context():
        opening = db.session.scalar(db.select(Post.id).where(Post.thread_id == thread_id,
                                                             Post.parent_id.is_(None)))

    def run(*statements):
        return lambda: [db.session.execute(statement) for statement in statements]

    def branches_deleted(*numbers: int):
        # Their answers first, then their heads: no parent is left to set to NULL.
        return run(delete(Post).where(Post.id.in_([branches[n][1] for n in numbers])),
                   delete(Post).where(Post.id.in_([branches[n][0] for n in numbers])))

    changes = {
        "a reply added": run(insert(Post).values(**_row(thread_id, branches[0][1], "Deeper"))),
        "the last two branches deleted (a page fewer)": branches_deleted(10, 11),
        "a parent deleted (its answer starts a branch)": run(
            delete(Post).where(Post.id == branches[3][0])),
        "an answer given another parent": run(
            update(Post).where(Post.id == branches[5][1]).values(parent_id=branches[1][0])),
        "a post moved in from another thread": run(
            update(Post).where(Post.id == others[0][0]).values(thread_id=thread_id)),
        "a post moved out to another thread": run(
            update(Post).where(Post.id == branches[7][1]).values(thread_id=other_id)),
        "a branch added and another deleted": lambda: (
            run(insert(Post).values(**_row(thread_id, opening, "Added")))(),
            branches_deleted(9)()),
    }
    stale = []
    for name, change in changes.items():
        kept_pages, whole_pages = _kept_then_whole(app, world, monkeypatch, thread_id,
                                                   branches[5][1], change)
        if kept_pages != whole_pages:
            stale.append(name)
    assert stale == []


def _row(thread_id: int, parent_id: int, body: str) -> dict:
    return {"thread_id": thread_id, "author_id": None, "parent_id": parent_id, "depth": 1,
            "body_source": body, "body_html": f"<p>{body}</p>",
            "status": PostStatus.APPROVED, "created_at": utcnow()}


def test_a_thread_given_the_id_of_a_deleted_kept_one_is_read_as_itself(app, world, kept,
                                                                      monkeypatch):
    """SQLite gives a deleted newest thread's id, and its posts' ids, again: the new thread's
    count of changes starts again too, and its posts must not pass for the kept thread's."""
    if db_name(app) != "sqlite":
        pytest.skip("PostgreSQL's sequences never give an id again")
    thread_id, branches = _thread(app, world)  # 25 posts

    def replaced():
        db.session.execute(delete(Thread).where(Thread.id == thread_id))
        thread = factories.make_thread(db.session.get(LearningSet, world.learning_set.id),
                                       db.session.get(User, world.member.id), title="Flat")
        for n in range(30):  # 31 posts, every reply to the opening post
            factories.make_post(thread, db.session.get(User, world.member.id),
                                parent=thread.posts[0], body=f"Flat {n}")
        assert thread.id == thread_id and thread.posts[0].id == branches[0][0] - 1

    kept_pages, whole_pages = _kept_then_whole(app, world, monkeypatch, thread_id,
                                               branches[5][1], replaced)
    assert kept_pages == whole_pages
