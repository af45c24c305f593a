"""A set's Actions and Participation pages (and the two charts): SQL queries and requests/s.

Builds a temporary SQLite database: one set of 8 members and a facilitator, 8 challenges with
120 actions in every state, and 12 weeks of approved posts of every kind (about 700), each
waiting a while for its approval in the moderation log. Measures with Flask's test client
(in-process), beside two baselines in the same run: the sign-in page (the app's cheapest
page) and a bare Flask app rendering the same actions table from a list already in memory
(what the table alone costs, with no database, sessions or layout).

Usage: ``.venv/bin/python bench/bench_actions.py [--seconds 3]``
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
from datetime import timedelta
from pathlib import Path

from flask import Flask
from flask import render_template_string
from sqlalchemy import event

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.bench_pages import timed  # noqa: E402
from forum import create_app  # noqa: E402
from forum.actions.service import set_actions  # noqa: E402
from forum.actions.states import uk_today  # noqa: E402
from forum.extensions import db  # noqa: E402
from forum.models import Action  # noqa: E402
from forum.models import ActionKind  # noqa: E402
from forum.models import ActionState  # noqa: E402
from forum.models import Challenge  # noqa: E402
from forum.models import LearningSet  # noqa: E402
from forum.models import Membership  # noqa: E402
from forum.models import ModerationAction  # noqa: E402
from forum.models import Post  # noqa: E402
from forum.models import PostKind  # noqa: E402
from forum.models import Role  # noqa: E402
from forum.models import Thread  # noqa: E402
from forum.models import User  # noqa: E402
from forum.models import utcnow  # noqa: E402
from forum.text import render_markdown  # noqa: E402

SECRET_KEY = "bench-only-secret"
MEMBERS = 8
ACTIONS_PER_CHALLENGE = 15
POSTS = 700
BODY = "I will **brief the cabinet member** on the assembly's recommendations before June."


def build(app: Flask) -> tuple[int, str]:
    """Create the data; return the facilitator's id and the set's slug."""
    rng = random.Random(13)
    with app.app_context():
        db.create_all()
        facilitator = User(email="fran@example.org", display_name="Fran Facilitator",
                           organisation="Testshire CC", password_hash="x")
        members = [User(email=f"m{n}@example.org", display_name=f"Member {n}",
                        organisation=f"Council {n}", password_hash="x")
                   for n in range(MEMBERS)]
        db.session.add_all([facilitator, *members])
        learning_set = LearningSet(slug="bench-set", name="Bench set")
        db.session.add(learning_set)
        db.session.flush()
        db.session.add(Membership(user_id=facilitator.id, learning_set_id=learning_set.id,
                                  role=Role.FACILITATOR))
        db.session.add_all(Membership(user_id=m.id, learning_set_id=learning_set.id)
                           for m in members)
        now = utcnow()
        html = render_markdown(BODY)
        kinds = [kind.value for kind in PostKind if kind != PostKind.CHALLENGE] + [None]
        openings = []
        for member in members:
            start = now - timedelta(weeks=13)
            thread = Thread(learning_set_id=learning_set.id, author_id=member.id,
                            title=f"{member.display_name}'s challenge", created_at=start,
                            last_activity_at=now)
            db.session.add(thread)
            db.session.flush()
            opening = Post(thread_id=thread.id, author_id=member.id, body_source=BODY,
                           body_html=html, kind=PostKind.CHALLENGE.value, created_at=start)
            db.session.add(opening)
            db.session.flush()
            challenge = Challenge(thread_id=thread.id, learning_set_id=learning_set.id,
                                  holder_id=member.id)
            db.session.add(challenge)
            db.session.flush()
            openings.append((opening, challenge, member))
            for n in range(ACTIONS_PER_CHALLENGE):
                post = Post(thread_id=thread.id, author_id=member.id, parent_id=opening.id,
                            depth=1, body_source=BODY, body_html=html,
                            kind=PostKind.ACTION.value, created_at=start + timedelta(days=n))
                db.session.add(post)
                db.session.flush()
                db.session.add(Action(
                    post_id=post.id, challenge_id=challenge.id,
                    learning_set_id=learning_set.id, holder_id=member.id,
                    due_on=uk_today(now) + timedelta(days=rng.randint(-40, 40)),
                    state=rng.choice(list(ActionState))))
        for _ in range(POSTS):
            opening, _, _ = rng.choice(openings)
            created = now - timedelta(minutes=rng.randint(60, 12 * 7 * 24 * 60))
            post = Post(thread_id=opening.thread_id, author_id=rng.choice(members).id,
                        parent_id=opening.id, depth=1, body_source=BODY, body_html=html,
                        kind=rng.choice(kinds), created_at=created)
            db.session.add(post)
            db.session.flush()
            db.session.add(ModerationAction(
                action=ActionKind.APPROVE, learning_set_id=learning_set.id, post_id=post.id,
                moderator_id=facilitator.id,
                created_at=min(now, created + timedelta(minutes=rng.randint(5, 48 * 60)))))
        db.session.commit()
        return facilitator.id, learning_set.slug


BARE_TABLE = """<!DOCTYPE html><html lang="en"><title>Actions</title><table>
{% for row in rows %}<tr><td><a href="/threads/{{ row.thread_id }}#post-{{ row.post_id }}">
{{ row.what }}</a> in {{ row.thread_title }}</td><td>{{ row.holder_name }}</td>
<td>{{ row.due_on.strftime('%-d %B %Y') }}</td><td>{{ row.status.label }}</td></tr>{% endfor %}
</table></html>"""


def bare_app(rows: list) -> Flask:
    """The same actions table, rendered by a bare Flask app from rows in memory."""
    bare = Flask("bare")

    @bare.get("/")
    def table() -> str:
        return render_template_string(BARE_TABLE, rows=rows)

    return bare


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=3.0, help="time per page (default 3)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="forum-bench-") as directory:
        uri = f"sqlite:///{Path(directory) / 'bench.db'}"
        app = create_app({"SECRET_KEY": SECRET_KEY, "SQLALCHEMY_DATABASE_URI": uri,
                          "RATELIMIT_ENABLED": False})
        facilitator_id, slug = build(app)
        with app.app_context():
            learning_set = db.session.scalar(db.select(LearningSet))
            facilitator = db.session.get(User, facilitator_id)
            session_id = facilitator.get_id()  # "id:session version", as a sign-in stores
            rows = set_actions(db.session, facilitator, learning_set, today=uk_today())
        anonymous = app.test_client()
        client = app.test_client()
        with client.session_transaction() as session:
            session["_user_id"] = session_id
            session["_fresh"] = True
        bare = bare_app(rows).test_client()
        with app.app_context():
            engine = db.engine
        queries = 0

        def count(*_args: object) -> None:
            nonlocal queries
            queries += 1

        event.listen(engine, "before_cursor_execute", count)
        print(f"Python {sys.version.split()[0]}, SQLite; {len(rows)} actions, {POSTS} posts; "
              "signed in as the set's facilitator")
        print("\n| Page | Requests | Req/s | Median ms | p95 ms | SQL queries | KB |")
        print("|---|---|---|---|---|---|---|")
        for name, who, path in [
            ("sign-in page, signed out (baseline)", anonymous, "/sign-in"),
            (f"bare Flask app, the same {len(rows)}-action table (baseline)", bare, "/"),
            (f"Actions page, all {len(rows)} actions", client, f"/sets/{slug}/actions"),
            ("Actions page, one member's overdue", client,
             f"/sets/{slug}/actions?holder={facilitator_id + 1}&status=overdue"),
            ("Participation page", client, f"/sets/{slug}/participation"),
            ("posts chart (SVG)", client, f"/sets/{slug}/participation/posts.svg"),
            ("waits chart (SVG)", client, f"/sets/{slug}/participation/waits.svg"),
        ]:
            queries = 0
            response = who.get(path)
            if response.status_code != 200:
                raise SystemExit(f"{path} answered {response.status_code}")
            page_queries = queries
            durations = timed(lambda c=who, p=path: c.get(p).status_code, args.seconds)
            print(f"| {name} | {len(durations)} | {len(durations) / sum(durations):.0f} | "
                  f"{statistics.median(durations) * 1000:.1f} | "
                  f"{sorted(durations)[int(len(durations) * 0.95) - 1] * 1000:.1f} | "
                  f"{page_queries} | {len(response.data) / 1024:.0f} |")
        event.remove(engine, "before_cursor_execute", count)


if __name__ == "__main__":
    main()
