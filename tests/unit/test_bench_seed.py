"""bench/seed.py keeps working as the models change: a small forum, counted."""

from __future__ import annotations

import importlib.util
import sqlite3
from pathlib import Path

SEED = Path(__file__).resolve().parents[2] / "bench" / "seed.py"


def test_seed_makes_the_people_sets_threads_and_posts_asked_for(tmp_path):
    spec = importlib.util.spec_from_file_location("bench_seed", SEED)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    path = tmp_path / "big.db"
    module.seed(f"sqlite:///{path}", sets=4, people=30, threads=20, posts=600, long_thread=200,
                seed_value=1, body_pool=40)
    with sqlite3.connect(path) as connection:
        count = lambda table: connection.execute(f"SELECT count(*) FROM {table}").fetchone()[0]  # noqa: E731
        assert (count("users"), count("learning_sets"), count("threads"), count("posts")) == (
            30, 4, 20, 600)
        assert connection.execute(
            "SELECT count(*) FROM posts WHERE thread_id = 1").fetchone()[0] == 200
        # Every reply answers an earlier post of its own thread.
        assert connection.execute(
            "SELECT count(*) FROM posts p JOIN posts parent ON parent.id = p.parent_id "
            "WHERE parent.thread_id != p.thread_id OR parent.id >= p.id").fetchone()[0] == 0
        assert connection.execute(
            "SELECT count(*) FROM threads t WHERE last_activity_at < "
            "(SELECT max(created_at) FROM posts WHERE thread_id = t.id)").fetchone()[0] == 0
        # The threads' copies of their posts agree with the posts.
        assert connection.execute(
            "SELECT count(*) FROM threads t WHERE reply_count != (SELECT count(*) FROM posts p "
            "WHERE p.thread_id = t.id AND p.parent_id IS NOT NULL AND p.status = 'approved') "
            "OR waiting_count != (SELECT count(*) FROM posts p WHERE p.thread_id = t.id "
            "AND p.status = 'pending') OR opening_status != 'approved' "
            "OR opening_author_id != author_id").fetchone()[0] == 0
