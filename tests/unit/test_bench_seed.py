"""bench/seed.py keeps working as the models change: a small forum, counted, on either database,
with its search index and the threads' copies of their posts consistent with the posts."""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path

import pytest
from sqlalchemy import create_engine
from sqlalchemy import text

from forum import create_app
from forum.extensions import db
from forum.models import Post
from forum.models import PostStatus
from forum.search.query import parse
from forum.search.service import Filters
from forum.search.service import ResultKind
from forum.search.service import search

SEED = Path(__file__).resolve().parents[2] / "bench" / "seed.py"


def _reset_postgres(url: str) -> None:
    engine = create_engine(url)
    with engine.begin() as connection:
        connection.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))
    engine.dispose()


@pytest.fixture
def seeded_url(tmp_path, database_url):
    if database_url and database_url.startswith("postgresql"):
        _reset_postgres(database_url)
        url = database_url
    else:
        url = f"sqlite:///{tmp_path / 'big.db'}"
    spec = importlib.util.spec_from_file_location("bench_seed", SEED)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.seed(url, sets=4, people=30, threads=20, posts=600, long_thread=200, seed_value=1,
                body_pool=40)
    yield url
    if url.startswith("postgresql"):
        # The other tests' fixture makes its tables again after a reset schema.
        _reset_postgres(url)


def test_seed_makes_the_people_sets_threads_and_posts_asked_for(seeded_url):
    engine = create_engine(seeded_url)
    with engine.connect() as connection:
        def scalar(sql: str) -> int:
            return connection.execute(text(sql)).scalar_one()

        count = lambda table: scalar(f"SELECT count(*) FROM {table}")  # noqa: E731
        assert (count("users"), count("learning_sets"), count("threads"), count("posts")) == (
            30, 4, 20, 600)
        assert scalar("SELECT count(*) FROM posts WHERE thread_id = 1") == 200
        # Every reply answers an earlier post of its own thread.
        assert scalar(
            "SELECT count(*) FROM posts p JOIN posts parent ON parent.id = p.parent_id "
            "WHERE parent.thread_id != p.thread_id OR parent.id >= p.id") == 0
        assert scalar(
            "SELECT count(*) FROM threads t WHERE last_activity_at < "
            "(SELECT max(created_at) FROM posts WHERE thread_id = t.id)") == 0
        # The threads' copies of their posts agree with the posts.
        assert scalar(
            "SELECT count(*) FROM threads t WHERE reply_count != (SELECT count(*) FROM posts p "
            "WHERE p.thread_id = t.id AND p.parent_id IS NOT NULL AND p.status = 'approved') "
            "OR waiting_count != (SELECT count(*) FROM posts p WHERE p.thread_id = t.id "
            "AND p.status = 'pending') OR opening_status != 'approved' "
            "OR opening_author_id != author_id") == 0
    engine.dispose()


def test_the_seeded_posts_are_searchable_and_new_posts_are_indexed_as_before(seeded_url):
    """The seed builds the search index in bulk at the end: every post holding a word is
    found by it, and the index follows posts written afterwards (its triggers or generated
    column are back)."""
    app = create_app({"SQLALCHEMY_DATABASE_URI": seeded_url, "SECRET_KEY": "t",
                      "TESTING": True})
    with app.app_context():
        expected = db.session.scalar(text(
            "SELECT count(*) FROM posts WHERE lower(body_source) LIKE '%childcare%'"))
        assert expected > 0
        admin = db.session.scalar(text("SELECT id FROM users WHERE is_admin"))
        from forum.models import User

        page = search(db.session, db.session.get(User, admin), parse("childcare"),
                      Filters(), page=1, per_page=20)
        assert page.total == min(expected, 1000)
        post = Post(thread_id=2, author_id=admin, parent_id=None, depth=0,
                    body_source="A word nobody used: marmalade.", body_html="<p>x</p>",
                    status=PostStatus.APPROVED)
        db.session.add(post)
        db.session.commit()
        found = search(db.session, db.session.get(User, admin), parse("marmalade"), Filters(),
                       page=1)
        assert [result.post_id for result in found.results] == [post.id]
        db.session.remove()
        db.engine.dispose()


def test_the_seeds_vocabulary_has_a_long_tail_and_each_tail_word_finds_its_posts(seeded_url):
    """A few words of the seed's tail are in many posts and most in few (as in real text, not
    every word in one post of six), and searching a tail word finds exactly its posts."""
    spec = importlib.util.spec_from_file_location("bench_seed_words", SEED)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    words = module.vocabulary()
    engine = create_engine(seeded_url)
    with engine.connect() as connection:
        bodies = dict(connection.execute(text("SELECT id, body_source FROM posts")).all())
    engine.dispose()

    def posts_with(word: str) -> set[int]:
        pattern = re.compile(rf"\b{word}\b")
        return {post_id for post_id, body in bodies.items() if pattern.search(body)}

    commonest, tenth = len(posts_with(words[0])), len(posts_with(words[9]))
    rare = sum(len(posts_with(word)) for word in words[5000:5100])
    assert commonest > len(bodies) / 3  # the commonest word: in most posts
    assert 0 < tenth < commonest / 3
    assert rare < 100 * len(bodies) / 1000  # a hundred rank-5,000 words: each well under 0.1%
    app = create_app({"SQLALCHEMY_DATABASE_URI": seeded_url, "SECRET_KEY": "t",
                      "TESTING": True})
    with app.app_context():
        from forum.models import User

        admin = db.session.get(User, db.session.scalar(
            text("SELECT id FROM users WHERE is_admin")))
        found = search(db.session, admin, parse(words[9]), Filters(kind=ResultKind.POST),
                       page=1, per_page=1000)
        assert {result.post_id for result in found.results} == posts_with(words[9])
        db.session.remove()
        db.engine.dispose()


def _thread_shapes(url: str) -> tuple[dict[int, list[tuple]], dict[int, list[int]]]:
    """Set-1's threads in order, each as its posts' (place, place answered, depth, status,
    text, opening author or not): what a page of it shows apart from names and dates; and
    each thread's posts in reading order (each post, then its replies oldest first)."""
    engine = create_engine(url)
    with engine.connect() as connection:
        rows = connection.execute(text(
            "SELECT t.id, p.id, p.parent_id, p.depth, p.status, p.body_source, p.author_id "
            "FROM threads t JOIN posts p ON p.thread_id = t.id "
            "WHERE t.learning_set_id = 1 ORDER BY t.id, p.id")).all()
    engine.dispose()
    shapes: dict[int, list[tuple]] = {}
    threads: dict[int, list] = {}
    for row in rows:
        threads.setdefault(row[0], []).append(row)
    reading: dict[int, list[int]] = {}
    for number, posts in enumerate(threads.values()):
        first = posts[0][1]
        shapes[number] = [(post_id - first, None if parent is None else parent - first, depth,
                           status, body, author in (1, 2))
                          for _, post_id, parent, depth, status, body, author in posts]
        children: dict[int | None, list[int]] = {}
        for _, post_id, parent, *_rest in posts:
            children.setdefault(parent, []).append(post_id)
        order: list[int] = []
        stack = list(reversed(children[None]))
        while stack:
            post_id = stack.pop()
            order.append(post_id)
            stack.extend(reversed(children.get(post_id, [])))
        reading[number] = order
    return shapes, reading


def test_a_small_and_a_large_seed_differ_only_in_how_much_there_is(tmp_path, seeded_url):
    """Like for like (issue 16's growth measure): set-1's k-th thread is the same on a seed of
    another size (the same replies, statuses and texts, as far as the shorter goes), and a
    thread reads in the order it was written, so a long thread's first page holds the same
    posts as a short long thread's only page."""
    spec = importlib.util.spec_from_file_location("bench_seed_small", SEED)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    small = f"sqlite:///{tmp_path / 'small.db'}"
    module.seed(small, sets=4, people=30, threads=12, posts=400, long_thread=51, seed_value=1,
                body_pool=40)
    small_shapes, small_reading = _thread_shapes(small)
    large_shapes, large_reading = _thread_shapes(seeded_url)
    assert len(small_shapes) == 3 and len(large_shapes) == 5
    for number, posts in small_shapes.items():
        common = min(len(posts), len(large_shapes[number]))
        assert common >= 20 and posts[:common] == large_shapes[number][:common], number
    # The long thread: 51 posts against 200, the first 51 alike.
    assert len(small_shapes[0]) == 51 and len(large_shapes[0]) == 200
    for reading in (small_reading, large_reading):
        for order in reading.values():
            assert order == sorted(order)
    # Not every post published: set-1's pages and its moderation queue show waiting posts.
    statuses = [post[3] for posts in large_shapes.values() for post in posts]
    assert {"approved", "pending"} <= set(statuses)
