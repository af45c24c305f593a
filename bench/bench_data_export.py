"""Bench: "Download my data" for a member with a long history (issue 17: "in seconds").

Run from the checkout: ``.venv/bin/python bench/bench_data_export.py [--posts 10000]
[--runs 3] [--database postgresql+psycopg://...]``. Over a temporary SQLite database (or the
given, empty, PostgreSQL one: its tables are made and dropped), one member writes ``--posts``
posts (every tenth with an earlier version, every fifth waiting for approval), then, through
the app's test client with the background worker on:

- **request**: the wall time of the "Prepare my data" POST (the person's own wait);
- **ready**: from the press until the ZIP is kept and the row says ready (the worker's work);
- **CPU**: the process's CPU time over the same span (all threads: the worker's is most);
- **download**: the wall time of the GET that sends the kept file.

Target: ready in under 10 s, the request under 0.5 s.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

CHECKOUT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(CHECKOUT))

TARGETS = {"ready": 10.0, "request": 0.5}


def _seed(app, posts: int) -> int:
    from forum.extensions import db
    from forum.models import Post
    from forum.models import PostRevision
    from forum.models import utcnow
    from tests import factories

    with app.app_context():
        db.create_all()
        member = factories.make_user("bench.member@example.org", display_name="Bench Member")
        learning_set = factories.make_set("bench-set", name="Bench set")
        factories.add_member(member, learning_set)
        thread = factories.make_thread(learning_set, member, title="A long history")
        now = utcnow()
        db.session.execute(Post.__table__.insert(), [
            {"thread_id": thread.id, "author_id": member.id, "parent_id": None, "depth": 0,
             "body_source": f"Post number {n}: what we learned about recruiting residents.",
             "body_html": f"<p>Post number {n}: what we learned.</p>",
             "status": "pending" if n % 5 == 0 else "approved", "created_at": now,
             "version": 1} for n in range(posts - 1)])
        ids = db.session.scalars(db.select(Post.id).where(Post.author_id == member.id)).all()
        db.session.execute(PostRevision.__table__.insert(), [
            {"post_id": post_id, "editor_id": member.id, "previous_source": "An earlier text",
             "was_published": True, "created_at": now} for post_id in ids[::10]])
        db.session.commit()
        return member.id


def _run_once(app, client, member_id: int) -> dict[str, float]:
    from sqlalchemy import delete

    from forum.extensions import db
    from forum.models import DataExport
    from forum.models import ExportState
    from forum.people.background import export_maker

    with app.app_context():
        db.session.execute(delete(DataExport))
        db.session.commit()
    maker = export_maker(app)
    start, start_cpu = time.perf_counter(), time.process_time()
    response = client.post("/account/data")
    response.close()  # the worker is woken once the answer is sent
    request = time.perf_counter() - start
    assert response.status_code == 302, response.status_code
    assert maker.wait_idle(600)
    ready, cpu = time.perf_counter() - start, time.process_time() - start_cpu
    with app.app_context():
        row = db.session.scalars(db.select(DataExport)).one()
        assert row.state == ExportState.READY, row.state
        export_id, size = row.id, row.size_bytes
    start = time.perf_counter()
    download = client.get(f"/account/data/{export_id}/download")
    body = download.get_data()
    download.close()
    fetched = time.perf_counter() - start
    assert download.status_code == 200 and len(body) == size
    return {"request": request, "ready": ready, "cpu": cpu, "download": fetched,
            "size": size}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--database", default=None,
                        help="an empty PostgreSQL database URL (default: temporary SQLite)")
    args = parser.parse_args()

    from forum import create_app
    from forum.extensions import db
    from tests.conftest import FormClient

    with tempfile.TemporaryDirectory(prefix="bench-data-") as folder:
        uri = args.database or f"sqlite:///{folder}/bench.db"
        app = create_app({
            "SECRET_KEY": "bench-only-not-a-secret", "SQLALCHEMY_DATABASE_URI": uri,
            "DATA_EXPORTS_DIR": os.path.join(folder, "exports"),
            "DATA_EXPORTS_IN_BACKGROUND": True, "MAIL_SEND_IN_BACKGROUND": False,
            "GUIDE_FILES_IN_BACKGROUND": False, "RATELIMIT_ENABLED": False,
            "LOG_FORMAT": "none",
            # http: the test client sends no Secure cookie
            "PUBLIC_BASE_URL": "http://learning.example.gov.uk"})
        app.test_client_class = FormClient
        member_id = _seed(app, args.posts)
        client = app.test_client()
        with app.app_context():
            from forum.models import User

            client.sign_in_as(db.session.get(User, member_id))
        try:
            results = [_run_once(app, client, member_id) for _ in range(args.runs)]
        finally:
            if args.database:
                with app.app_context():
                    db.drop_all()
    load = os.getloadavg()
    print(f"{args.posts:,} posts, {args.runs} runs, "
          f"{'PostgreSQL' if args.database else 'SQLite'}; load {load[0]:.1f} {load[1]:.1f}")
    for key in ("request", "ready", "cpu", "download"):
        values = [r[key] for r in results]
        target = TARGETS.get(key)
        verdict = "" if target is None else (
            f"  (target < {target} s: {'met' if statistics.median(values) < target else 'MISSED'})")
        print(f"{key:9} median {statistics.median(values):7.3f} s, "
              f"max {max(values):7.3f} s{verdict}")
    print(f"ZIP size {results[-1]['size'] / 1024:,.0f} KiB")


if __name__ == "__main__":
    main()
