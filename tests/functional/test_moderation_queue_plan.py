"""The moderation queue counts and orders the waiting posts from an index, never from the posts.

Its cost must follow what it shows, not the backlog of the moderator's sets (issue 16): on the
1,000,000-post seed set-1 has 506 waiting posts, and reading each one's row for its date made
the queue the page that grew most. The plans are read with each database's EXPLAIN, on the
statements the page itself sends.
"""

from __future__ import annotations

import re
from datetime import datetime
from datetime import timedelta

from sqlalchemy import event
from sqlalchemy import text

from forum.extensions import db
from forum.models import Post
from forum.models import PostStatus
from forum.models import Thread
from forum.models import utcnow
from tests import factories

INDEX = "ix_posts_waiting_thread_date"


def _wait(app, world, count: int, *, edits: int = 0) -> None:
    """``count`` waiting replies over three threads of the moderator's set (different dates),
    and ``edits`` waiting edits of published posts."""
    with app.app_context():
        learning_set = db.session.get(Thread, world.thread.id).learning_set
        threads = [db.session.get(Thread, world.thread.id)] + [
            factories.make_thread(learning_set, world.outsider) for _ in range(2)]
        opening = [thread.posts[0] if thread.posts else factories.make_post(thread, world.outsider)
                   for thread in threads]
        for n in range(count):
            post = factories.make_post(threads[n % 3], world.member, parent=opening[n % 3],
                                       body=f"Waiting {n}", status=PostStatus.PENDING)
            post.created_at = utcnow() - timedelta(minutes=count - n)
        for n in range(edits):
            post = factories.make_post(threads[n % 3], world.member, parent=opening[n % 3],
                                       body=f"Published {n}")
            post.pending_source, post.pending_html = f"Edited {n}", f"<p>Edited {n}</p>"
            post.pending_at = utcnow()
        db.session.commit()


def _queue_statements(app, world) -> list[tuple[str, object]]:
    """The page's statements that read the queue itself (its count and its page of ids)."""
    client = app.test_client()
    client.sign_in_as(world.moderator)
    with app.app_context():
        engine = db.engine
    sent: list[tuple[str, object]] = []

    def record(_conn, _cursor, statement, parameters, _context, _many) -> None:
        sent.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", record)
    try:
        page = client.get("/moderation/")
    finally:
        event.remove(engine, "before_cursor_execute", record)
    assert page.status_code == 200
    queue = [(statement, parameters) for statement, parameters in sent
             if "posts.created_at AS since" in statement]
    assert len(queue) == 2, [statement[:80] for statement, _ in sent]  # the count, the page
    return queue


_TYPES = {str: "text", int: "bigint", bool: "boolean", datetime: "timestamp"}


def _generic(statement: str, parameters: dict) -> tuple[str, str]:
    """PREPARE and EXPLAIN EXECUTE of a psycopg statement (``%(name)s`` parameters)."""
    names: list[str] = []

    def number(found: re.Match) -> str:
        if found.group(1) not in names:
            names.append(found.group(1))
        return f"${names.index(found.group(1)) + 1}"

    prepared = re.sub(r"%\((\w+)\)s", number, statement)
    # Typed as psycopg would send them (a bare "$1 AS kind" in a UNION has no type to infer).
    types = ", ".join(_TYPES[type(parameters[name])] for name in names)
    # EXPLAIN EXECUTE takes no parameters of its own: the test's values, written out.
    arguments = ", ".join(_written_out(parameters[name]) for name in names)
    return (f"PREPARE queue_plan ({types}) AS {prepared}",
            f"EXPLAIN EXECUTE queue_plan({arguments})")


def _written_out(value: object) -> str:
    if isinstance(value, bool | int):
        return str(value).lower() if isinstance(value, bool) else str(value)
    return "'" + str(value).replace("'", "''") + "'"


def _plans(app, statements: list[tuple[str, object]]) -> tuple[str, list[str]]:
    with app.app_context(), db.engine.connect() as connection:
        dialect = connection.dialect.name
        if dialect == "sqlite":
            plans = ["\n".join(row[-1] for row in connection.exec_driver_sql(
                f"EXPLAIN QUERY PLAN {statement}", parameters))
                for statement, parameters in statements]
            return dialect, plans
        # A handful of test rows: the planner would rightly read a page of the table rather
        # than any index. Asked to avoid reading the table, it shows which index can answer
        # the statement, as it chooses on a large site. And the plan is the generic one, made
        # without the parameters' values, which PostgreSQL may keep for a statement prepared
        # on a connection (psycopg prepares one sent 5 times): a partial index is in it only
        # if the statement itself implies the index's condition.
        connection.execute(text("ANALYZE posts"))
        for setting in ("enable_seqscan = off", "enable_bitmapscan = off",
                        "plan_cache_mode = force_generic_plan"):
            connection.execute(text(f"SET LOCAL {setting}"))
        plans = []
        for statement, parameters in statements:
            prepare, explain = _generic(statement, parameters)
            connection.exec_driver_sql(prepare)
            plans.append("\n".join(row[0] for row in connection.exec_driver_sql(explain)))
            connection.exec_driver_sql("DEALLOCATE queue_plan")
        connection.rollback()
    return dialect, plans


def test_the_queue_reads_waiting_posts_from_their_index_alone(app, world):
    _wait(app, world, 30, edits=2)
    statements = _queue_statements(app, world)
    dialect, plans = _plans(app, statements)
    for (statement, _parameters), plan in zip(statements, plans, strict=True):
        if dialect == "sqlite":
            # Waiting posts: their thread, status, date and id from the partial index. A post
            # row is read only by its key (a reported post's thread), never searched or scanned.
            assert f"SEARCH posts USING COVERING INDEX {INDEX} " in plan, plan
            for line in plan.splitlines():
                if line.startswith(("SEARCH posts ", "SCAN posts")):
                    assert ("USING COVERING INDEX" in line
                            or "USING INTEGER PRIMARY KEY" in line), plan
        else:
            # On a few test rows PostgreSQL picks among the indexes on posts(thread_id) by a
            # hair (CI's runs took three different ones), so the plan cannot show the choice a
            # large site gets. What lets the generic plan use the waiting posts' partial index
            # at all is its condition written in the statement, not sent as a parameter.
            assert re.search(r"posts\.status = 'pending'", statement), statement
            assert "Seq Scan on posts" not in plan, plan


def test_the_queue_shows_what_it_showed_oldest_first_with_every_item_counted(
        app, client, world):
    _wait(app, world, 25, edits=1)
    client.sign_in_as(world.moderator)
    first = client.get("/moderation/").get_data(as_text=True)
    assert "<strong>26</strong> items waiting" in first
    assert first.index("Waiting 0<") < first.index("Waiting 1<") < first.index("Waiting 19<")
    assert "Waiting 20<" not in first
    second = client.get("/moderation/?page=2").get_data(as_text=True)
    assert "Waiting 24<" in second and "Edited 0" in second  # the edit is the newest
    with app.app_context():
        assert db.session.query(Post).filter(Post.status == PostStatus.PENDING).count() == 25


def _threads_read_whole(dialect: str, plan: str) -> list[str]:
    """The plan's reads of the threads table without a condition on its index: a list of every
    thread of the site (SQLite's SCAN, PostgreSQL's scan node with no Index Cond under it)."""
    lines = plan.splitlines()
    if dialect == "sqlite":
        return [line for line in lines if line.startswith("SCAN threads")]
    whole = []
    for n, line in enumerate(lines):
        if " on threads" in line and "Scan" in line:
            below = lines[n + 1] if n + 1 < len(lines) else ""
            if "Index Cond" not in below:
                whole.append(line.strip())
    return whole


def test_an_admins_queue_reads_the_waiting_threads_not_every_thread(app, world):
    """An admin moderates every set: the rule's "posts of the sets they moderate" is every
    post, not each post looked up in a list of all the site's threads (20,000 on the large
    seed: most of the admin's queue's time on SQLite). PostgreSQL's planner made a join of
    that list already: there the test guards against a plan that reads every thread.)"""
    _wait(app, world, 30, edits=2)
    with app.app_context():
        for _ in range(5):
            factories.make_thread(db.session.get(Thread, world.thread.id).learning_set,
                                  world.outsider)
        db.session.commit()
    world.moderator = world.admin  # the statements of the admin's queue
    dialect, plans = _plans(app, _queue_statements(app, world))
    for plan in plans:
        assert _threads_read_whole(dialect, plan) == [], plan


def _arms(plan: str) -> list[str]:
    """SQLite: the parts of a merged compound SELECT (MERGE (UNION ALL)'s LEFT and RIGHT)."""
    arms: list[list[str]] = []
    for line in plan.splitlines():
        if line in ("LEFT", "RIGHT"):
            arms.append([])
        elif arms and not line.startswith("MERGE"):
            arms[-1].append(line)
    return ["\n".join(arm) for arm in arms if arm]


def test_an_admins_queue_page_walks_the_waiting_items_in_date_order_and_stops(app, world):
    """An admin's whole queue is the site's backlog (32,774 waiting posts on the large seed):
    the page of the oldest 20 reads waiting posts and waiting edits each in date order from an
    index and merges them under the page's LIMIT, rather than sorting every waiting item; the
    count stops at the cap."""
    _wait(app, world, 30, edits=2)
    world.moderator = world.admin
    statements = _queue_statements(app, world)
    count, _page = statements
    assert re.search(r"LIMIT|FETCH", count[0]), count[0]  # counted up to the cap
    dialect, (_count_plan, plan) = _plans(app, statements)
    if dialect == "sqlite":
        assert plan.startswith("MERGE (UNION ALL)"), plan
        posts = [arm for arm in _arms(plan) if arm.startswith("SEARCH posts")]
        assert [arm.splitlines()[0] for arm in posts] == [
            "SEARCH posts USING COVERING INDEX ix_posts_waiting_date (status=?)",
            "SEARCH posts USING COVERING INDEX ix_posts_status_pending_at "
            "(status=? AND pending_at>?)"], plan
        for arm in posts:
            assert "TEMP B-TREE" not in arm, plan  # read in order: nothing sorted
    else:
        lines = [line.strip() for line in plan.splitlines()]
        assert lines[0].startswith("Limit"), plan
        assert lines[1].startswith("->  Merge Append"), plan
        assert "Index Only Scan using ix_posts_waiting_date on posts" in plan, plan
        assert "Index Only Scan using ix_posts_status_pending_at on posts" in plan, plan
        # Only the open reports (grouped by post for their first report's date) are sorted.
        for n, line in enumerate(lines):
            if line.startswith("->  Sort "):
                assert "reports" in lines[n + 1], plan
