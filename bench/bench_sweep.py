"""Bench: ``flask files sweep`` over a large upload folder.

Run from the checkout: ``.venv/bin/python bench/bench_sweep.py [--files 20000]``. Over a
temporary SQLite database and folder, ``--files`` small files are written under random keys;
half of them get an ``uploaded_files`` row (on one post), the other half are orphans, and
every file is aged past the grace period. Reports the sweep's wall time, how many files it
deleted and that the recorded half is untouched.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

CHECKOUT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(CHECKOUT))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--files", type=int, default=20_000)
    args = parser.parse_args()

    from forum import create_app
    from forum.extensions import db
    from forum.files.storage import new_key
    from forum.files.sweep import sweep_orphans
    from forum.models import UploadedFile
    from forum.models import utcnow
    from tests import factories

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "uploads"
        app = create_app({"TESTING": True, "SECRET_KEY": "bench",
                          "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp}/bench.db",
                          "UPLOAD_FOLDER": str(folder)})
        with app.app_context():
            db.create_all()
            member = factories.make_user("bench@example.org")
            learning_set = factories.make_set("bench-set")
            thread = factories.make_thread(learning_set, member, title="Files")
            post_id = thread.posts[0].id
            old = time.time() - 3 * 86400
            rows = []
            for n in range(args.files):
                key = new_key("csv")
                path = folder / key
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_bytes(b"a,b\n1,2\n")
                os.utime(path, (old, old))
                if n % 2 == 0:
                    rows.append({"storage_key": key, "original_name": "f.csv", "file_type": "csv",
                                 "size": 8, "post_id": post_id, "awaiting_approval": False,
                                 "created_at": utcnow()})
            db.session.execute(UploadedFile.__table__.insert(), rows)
            db.session.commit()
            started = time.perf_counter()
            swept = sweep_orphans(db.session, folder)
            took = time.perf_counter() - started
            left = sum(1 for p in folder.rglob("*") if p.is_file())
        print(f"{args.files:,} files ({len(rows):,} with a record): sweep took {took:.2f} s, "
              f"deleted {swept.deleted:,}, {left:,} left")
        assert left == len(rows) and swept.deleted == args.files - len(rows)


if __name__ == "__main__":
    main()
