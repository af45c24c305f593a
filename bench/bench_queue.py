"""The moderation queue with 500 waiting posts across 5 sets: SQL queries and requests/s.

Builds a temporary SQLite database (5 sets, 25 members, 500 waiting replies plus 20 reported
posts), signs in as a moderator of all five sets, and measures with Flask's test client
(in-process), beside a trivial page (the sign-in page, signed out) in the same run.

Usage: ``.venv/bin/python bench/bench_queue.py [--seconds 3]``
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

from sqlalchemy import event

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from forum import create_app  # noqa: E402
from forum.extensions import db  # noqa: E402
from forum.models import LearningSet  # noqa: E402
from forum.models import Membership  # noqa: E402
from forum.models import Post  # noqa: E402
from forum.models import PostStatus  # noqa: E402
from forum.models import Report  # noqa: E402
from forum.models import Role  # noqa: E402
from forum.models import Thread  # noqa: E402
from forum.models import User  # noqa: E402
from forum.models import utcnow  # noqa: E402
from forum.text import render_markdown  # noqa: E402

SETS = 5
WAITING = 500
REPORTED = 20
BODY = ("We tried this in **two wards** first and it made a real difference to response "
        "rates.\n\nHappy to share the template; it went through legal review last month.")


def build(app) -> int:
    """Create the data; return the moderator's id."""
    with app.app_context():
        db.create_all()
        moderator = User(email="mod@example.org", display_name="Mia Moderator",
                         organisation="Testshire CC", password_hash="x")
        members = [User(email=f"m{n}@example.org", display_name=f"Member {n}",
                        organisation=f"Council {n}", password_hash="x") for n in range(25)]
        db.session.add_all([moderator, *members])
        db.session.flush()
        start = utcnow() - timedelta(days=5)
        html = render_markdown(BODY)
        for s in range(SETS):
            learning_set = LearningSet(slug=f"set-{s}", name=f"Learning set {s}")
            db.session.add(learning_set)
            db.session.flush()
            db.session.add(Membership(user_id=moderator.id, learning_set_id=learning_set.id,
                                      role=Role.MODERATOR))
            for member in members:
                db.session.add(Membership(user_id=member.id, learning_set_id=learning_set.id))
            for t in range(10):
                thread = Thread(learning_set_id=learning_set.id, author_id=members[t].id,
                                title=f"Thread {t} in set {s}", created_at=start,
                                last_activity_at=start)
                db.session.add(thread)
                db.session.flush()
                opening = Post(thread_id=thread.id, author_id=members[t].id, body_source=BODY,
                               body_html=html, created_at=start)
                db.session.add(opening)
                db.session.flush()
                for n in range(WAITING // SETS // 10):
                    db.session.add(Post(
                        thread_id=thread.id, author_id=members[(t + n) % 25].id,
                        parent_id=opening.id, depth=1, body_source=BODY, body_html=html,
                        status=PostStatus.PENDING,
                        created_at=start + timedelta(minutes=s * 100 + t * 10 + n)))
                if t < REPORTED // SETS:
                    db.session.add(Report(post_id=opening.id, reporter_id=members[-1].id,
                                          reason="Please check this."))
        db.session.commit()
        return moderator.id


def measure(client, url: str, seconds: float, engine) -> dict[str, float]:
    queries = {"n": 0}

    def count(*args):
        queries["n"] += 1

    event.listen(engine, "before_cursor_execute", count)
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    per_page = queries["n"]
    event.remove(engine, "before_cursor_execute", count)
    times = []
    deadline = time.perf_counter() + seconds
    while time.perf_counter() < deadline:
        began = time.perf_counter()
        client.get(url)
        times.append(time.perf_counter() - began)
    return {"requests": len(times), "rps": len(times) / sum(times),
            "median_ms": statistics.median(times) * 1000,
            "p95_ms": sorted(times)[int(len(times) * 0.95) - 1] * 1000,
            "queries": per_page, "kb": len(response.data) / 1024}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=3.0)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        app = create_app({"SECRET_KEY": "bench-only-secret",
                          "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp}/bench.db"})
        moderator_id = build(app)
        with app.app_context():
            engine = db.engine
        anonymous = app.test_client()
        signed_in = app.test_client()
        with signed_in.session_transaction() as session:
            session["_user_id"] = str(moderator_id)
            session["_fresh"] = True
        pages = [
            ("sign-in page, signed out (baseline)", anonymous, "/sign-in"),
            (f"queue, all {SETS} sets ({WAITING} waiting + {REPORTED} reported), page 1",
             signed_in, "/moderation/"),
            ("queue, last page", signed_in, "/moderation/?page=26"),
            ("queue filtered to one set", signed_in, "/moderation/?set=set-3"),
        ]
        print("| Page | Requests | Req/s | Median ms | p95 ms | SQL queries | KB |")
        print("|---|---|---|---|---|---|---|")
        for label, client, url in pages:
            r = measure(client, url, args.seconds, engine)
            print(f"| {label} | {r['requests']} | {r['rps']:.0f} | {r['median_ms']:.1f} | "
                  f"{r['p95_ms']:.1f} | {r['queries']} | {r['kb']:.0f} |")
        with app.app_context():
            db.session.remove()
            engine.dispose()


if __name__ == "__main__":
    main()
