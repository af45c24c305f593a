"""Tags and links written one after another in a template stay apart on the page: with
``trim_blocks`` the newline after ``{% endif %}`` is dropped, so "Pinned" ran into "1 new" and
"Latest activity ... 14:05." into "Network" (a screen reader read them as one word too)."""

from __future__ import annotations

import re

from forum.extensions import db
from forum.models import LearningSet
from forum.models import Thread
from forum.models import Visibility
from tests import factories


def _text(page: str) -> str:
    """The page's words as a reader sees them: tags removed, whitespace folded."""
    return " ".join(re.sub(r"<[^>]+>", "", page).split())


def test_the_set_page_keeps_a_pinned_threads_tags_apart(app, client, world):
    with app.app_context():
        thread = db.session.get(Thread, world.thread.id)
        thread.is_pinned = True
        thread.is_locked = True
        db.session.commit()
    client.sign_in_as(world.moderator)  # has not read the member's opening post
    text = _text(client.get("/sets/comms/").get_data(as_text=True))
    assert re.search(r"Pinned Locked 1 new", text), text


def test_my_sets_keeps_the_latest_activity_apart_from_the_sets_visibility(app, client, world):
    with app.app_context():
        learning_set = factories.make_set("network-news", name="Network news",
                                          visibility=Visibility.NETWORK)
        factories.make_thread(learning_set, db.session.get(LearningSet, world.learning_set.id)
                              .memberships[0].user, title="News")
        db.session.commit()
    client.sign_in_as(world.member)
    text = _text(client.get("/sets/").get_data(as_text=True))
    assert re.search(r"Latest activity [^.]+\. Network", text), text
    assert re.search(r"\d\.\d+ new post", text) is None, text
