"""A page read (GET) that also writes keeps its write when another process writes meanwhile.

On SQLite, a GET's transaction is deferred (page views never wait for a writer). If it read and
then wrote, and another worker committed in between, SQLite refused the write at once with
"database is locked": the thread page silently lost the reader's place (so the thread stayed
"new" on the set page), and opening a notification gave a 503. Found by ``bench/load.py`` on
SQLite with two workers (121 places lost in 20 s). Each test commits a write from another
connection at the worst moment, after the request's reads and before its write. On
PostgreSQL the same tests run (a write beside the request never conflicts there).
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Callable
from datetime import timedelta

from flask import Flask
from sqlalchemy import create_engine
from sqlalchemy import select
from sqlalchemy import text

from forum.extensions import db
from forum.models import Notification
from forum.models import NotificationKind
from forum.models import PostStatus
from forum.models import Thread
from forum.models import User
from forum.models import utcnow
from forum.notifications import inbox
from forum.threads import reading
from tests import factories


def _other_worker_writes(app: Flask) -> Callable[[], bool]:
    """Commit a small write from a connection of its own (another worker); False when the
    database made it wait past half a second (the request holds the write lock: it was
    first, so it cannot be refused)."""
    uri = app.config["SQLALCHEMY_DATABASE_URI"]
    statement = "UPDATE learning_sets SET purpose = purpose || '.'"

    def write() -> bool:
        if uri.startswith("sqlite"):
            other = sqlite3.connect(uri.removeprefix("sqlite:///"), timeout=0.5)
            try:
                other.execute(statement)
                other.commit()
            except sqlite3.OperationalError:
                return False
            finally:
                other.close()
            return True
        engine = create_engine(uri)
        try:
            with engine.begin() as connection:
                connection.execute(text(statement))
        finally:
            engine.dispose()
        return True

    return write


def _new_on_set_page(client, thread_id: int) -> bool:
    page = client.get("/sets/comms/").text
    return re.search(rf'href="/threads/{thread_id}\?post=\d+#post-\d+"><strong '
                     r'class="govuk-tag govuk-tag--green">\d+\+? new</strong>', page) is not None


def test_reading_a_thread_while_another_worker_writes_still_moves_the_readers_place(
        app, client, world, monkeypatch):
    with app.app_context():
        thread = db.session.get(Thread, world.thread.id)
        reply = factories.make_post(thread, db.session.get(User, world.moderator.id),
                                    parent=thread.posts[0], status=PostStatus.APPROVED)
        reply.created_at = utcnow() - timedelta(minutes=1)
        db.session.commit()
    client.sign_in_as(world.member)
    client.get(f"/threads/{world.thread.id}")  # an earlier visit: the place is now kept
    with app.app_context():
        thread = db.session.get(Thread, world.thread.id)
        factories.make_post(thread, db.session.get(User, world.moderator.id),
                            parent=thread.posts[0], status=PostStatus.APPROVED)
        db.session.commit()
    assert _new_on_set_page(client, world.thread.id)

    write = _other_worker_writes(app)
    record = reading.record_read

    def record_after_another_write(*args, **kwargs):
        write()
        return record(*args, **kwargs)

    monkeypatch.setattr(reading, "record_read", record_after_another_write)
    page = client.get(f"/threads/{world.thread.id}")
    monkeypatch.undo()
    assert page.status_code == 200
    assert not _new_on_set_page(client, world.thread.id), (
        "the thread was read, but its place was not kept: it still shows as new")


def test_opening_a_notification_while_another_worker_writes_marks_it_read(
        app, client, world, monkeypatch):
    with app.app_context():
        note = Notification(user_id=world.member.id, kind=NotificationKind.REPLY,
                            actor_id=world.moderator.id, learning_set_id=world.learning_set.id,
                            thread_id=world.thread.id, text="Mia Moderator replied to you.")
        db.session.add(note)
        db.session.commit()
        note_id = note.id
    write = _other_worker_writes(app)
    opened = inbox.open_notification
    written: list[bool] = []

    def open_after_another_write(*args, **kwargs):
        found = opened(*args, **kwargs)
        written.append(write())
        return found

    monkeypatch.setattr(inbox, "open_notification", open_after_another_write)
    client.sign_in_as(world.member)
    response = client.get(f"/notifications/{note_id}")
    monkeypatch.undo()
    assert response.status_code == 302, response.status_code
    assert written, "the notification was not opened"
    with app.app_context():
        assert db.session.scalar(select(Notification.read_at)
                                 .where(Notification.id == note_id)) is not None

