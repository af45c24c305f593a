"""Upgrading a database with guides: each excerpt gets its own copy of the text it quotes."""

from __future__ import annotations

from datetime import datetime

import flask_migrate
from sqlalchemy import text

from forum import create_app
from forum.extensions import db

NOW = datetime(2026, 11, 30, 12)
EDITED = datetime(2026, 12, 1, 9)

ROWS = [
    ("users", {"id": 1, "email": "a@example.org", "password_hash": "x", "display_name": "A",
               "organisation": "", "is_admin": False, "is_disabled": False,
               "credit_preference": "organisation", "created_at": NOW}),
    ("learning_sets", {"id": 1, "slug": "s", "name": "S", "purpose": "", "visibility": "private",
                       "moderation_policy": "every_post", "new_member_post_threshold": 3,
                       "created_at": NOW}),
    ("threads", {"id": 1, "learning_set_id": 1, "title": "T", "created_at": NOW,
                 "last_activity_at": NOW, "is_locked": False, "is_pinned": False}),
    # Edited after it was quoted: the whole-post excerpt quoted "Original words."
    ("posts", {"id": 1, "thread_id": 1, "author_id": 1, "depth": 0,
               "body_source": "Edited words.", "body_html": "<p>Edited words.</p>",
               "status": "approved", "created_at": NOW, "edited_at": EDITED}),
    ("guides", {"id": 1, "learning_set_id": 1, "slug": "g", "title": "G", "subtitle": "",
                "introduction_source": "", "introduction_html": "", "is_public": False,
                "created_at": NOW, "updated_at": NOW}),
    ("guide_sections", {"id": 1, "guide_id": 1, "position": 0, "title": "S",
                        "introduction_source": "", "introduction_html": ""}),
    ("guide_excerpts", {"id": 1, "section_id": 1, "position": 0, "post_id": 1,
                        "body_source": "Original words.", "body_html": "<p>Original words.</p>",
                        "is_trimmed": False, "editorial_note_source": "",
                        "editorial_note_html": "", "created_at": NOW}),
    ("guide_excerpts", {"id": 2, "section_id": 1, "position": 1, "post_id": 1,
                        "body_source": "Edited …", "body_html": "<p>Edited …</p>",
                        "is_trimmed": True, "editorial_note_source": "",
                        "editorial_note_html": "", "created_at": NOW}),
]


def _insert(table: str, values: dict) -> None:
    columns = ", ".join(values)
    params = ", ".join(f":{name}" for name in values)
    db.session.execute(text(f"INSERT INTO {table} ({columns}) VALUES ({params})"), values)


def test_existing_excerpts_keep_what_they_quoted_so_later_edits_need_attention(
        tmp_path, database_url):
    uri = database_url or f"sqlite:///{tmp_path / 'upgrade.db'}"
    app = create_app({"TESTING": True, "SECRET_KEY": "test-secret",
                      "SQLALCHEMY_DATABASE_URI": uri})
    with app.app_context():
        on_postgres = uri.startswith("postgresql")

        def reset() -> None:
            db.session.remove()
            with db.engine.begin() as connection:
                connection.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
                connection.execute(text("CREATE SCHEMA public"))

        if on_postgres:
            reset()
        try:
            flask_migrate.upgrade(revision="79e5969f20df")
            for table, values in ROWS:
                _insert(table, values)
            db.session.commit()
            flask_migrate.upgrade()
            rows = db.session.execute(text(
                "SELECT id, quoted_source, quoted_version_at, reviewed_source, show_in_reply_to "
                "FROM guide_excerpts ORDER BY id")).all()
        finally:
            db.session.remove()
            if on_postgres:
                reset()
            db.engine.dispose()
    whole, trimmed = rows
    assert whole.quoted_source == "Original words."  # differs from the post now: flagged
    assert trimmed.quoted_source == "Edited words."  # the best record of a trim's source
    assert str(whole.quoted_version_at).startswith("2026-12-01 09:00")
    assert (whole.reviewed_source, bool(whole.show_in_reply_to)) == (None, False)
