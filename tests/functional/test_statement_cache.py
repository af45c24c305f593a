"""Pages ask the database through SQLAlchemy's compiled-statement cache: once a page has been
served twice, serving it again compiles no statement (the permission filters build statements
of the same shape every time; a shape that changes per call would defeat the cache)."""

from __future__ import annotations

import pytest
from sqlalchemy import event

from forum.extensions import db
from tests import factories


@pytest.fixture
def busy_thread(app, world):
    with app.app_context():
        thread = db.session.merge(world.thread)
        moderator = db.session.merge(world.moderator)
        opening = thread.posts[0]
        reply = factories.make_post(thread, moderator, parent=opening)
        factories.make_post(thread, moderator, parent=reply)
        db.session.commit()
        return thread.id


def _statements(app, client, path: str) -> list[tuple[str, str]]:
    seen: list[tuple[str, str]] = []

    def record(_conn, _cursor, statement, _params, context, _many) -> None:
        if context is not None and context.compiled is not None:
            seen.append((context._get_cache_stats(), statement))

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", record)
    try:
        assert client.get(path).status_code == 200
    finally:
        event.remove(engine, "before_cursor_execute", record)
    return seen


# A visitor is not asked for the thread and set pages: the world's set is private (404).
CASES = [(role, page) for role in ("member", "moderator", "anonymous")
         for page in ("thread", "set", "home", "search")
         if not (role == "anonymous" and page in ("thread", "set"))]


@pytest.mark.parametrize(("role", "page"), CASES)
def test_a_page_served_again_compiles_no_statement(app, client, world, busy_thread, role,
                                                   page) -> None:
    if role != "anonymous":
        client.sign_in_as(world.user(role))
    path = {"thread": f"/threads/{busy_thread}", "set": f"/sets/{world.learning_set.slug}/",
            "home": "/", "search": "/search?q=assembly"}[page]
    # Twice first: the ORM settles some statements' options on first use.
    _statements(app, client, path)
    _statements(app, client, path)
    again = _statements(app, client, path)
    assert again, "the page sent no statement"
    compiled = [(stats, statement[:60]) for stats, statement in again
                if not stats.startswith("cached")]
    assert compiled == []
