"""Quoting a selected passage: quoted only if it is part of the post's published text
(credited and linked back like the whole post); anything else quotes the whole post, and a
post the reader cannot see cannot be quoted at all."""

from __future__ import annotations

import html

import pytest

from forum.extensions import db
from forum.models import PostStatus
from forum.models import Thread
from forum.models import User
from tests import factories


def _post(app, world, body: str, status=PostStatus.APPROVED) -> int:
    with app.app_context():
        thread = db.session.get(Thread, world.thread.id)
        post = factories.make_post(thread, db.session.get(User, world.moderator.id),
                                   parent=thread.posts[0], body=body, status=status)
        db.session.commit()
        return post.id


def _form_body(client, post_id: int, passage: str) -> str:
    page = client.get(f"/posts/{post_id}/reply", query_string={"quote": 1, "passage": passage})
    assert page.status_code == 200
    return html.unescape(page.text.split('name="body"', 1)[1].split("</textarea>", 1)[0])


def test_a_selected_passage_is_quoted_with_credit_and_link(app, client, world):
    post_id = _post(app, world, "We tried **local radio** first.\n\nThen a\nnewsletter.")
    client.sign_in_as(world.member)
    body = _form_body(client, post_id, "local radio first.  Then a newsletter")
    # As shown on the page (no Markdown stars), its white space tidied.
    assert f"> local radio first. Then a newsletter\n>\n> — [Mia Moderator](/threads/" \
           f"{world.thread.id}?post={post_id}#post-{post_id})" in body
    assert "We tried" not in body


@pytest.mark.parametrize("passage", ["words the post never had", "x" * 6000, "   "])
def test_a_passage_not_in_the_post_quotes_the_whole_post(app, client, world, passage):
    post_id = _post(app, world, "We tried local radio first.")
    client.sign_in_as(world.member)
    body = _form_body(client, post_id, passage)
    assert "> We tried local radio first.\n>\n> — [Mia Moderator]" in body
    assert "never had" not in body


def test_a_passage_of_another_post_cannot_be_smuggled_in(app, client, world):
    secret = _post(app, world, "SECRETWAITING words", status=PostStatus.PENDING)
    shown = _post(app, world, "Public words.")
    client.sign_in_as(world.member)
    assert "SECRETWAITING" not in _form_body(client, shown, "SECRETWAITING words")
    assert client.get(f"/posts/{secret}/reply",
                      query_string={"quote": 1, "passage": "SECRETWAITING"}).status_code == 404


def test_the_quote_link_is_marked_for_the_script(app, client, world):
    post_id = _post(app, world, "Quotable.")
    client.sign_in_as(world.member)
    page = client.get(f"/threads/{world.thread.id}").text
    assert f'href="/posts/{post_id}/reply?quote=1" data-quote-post="{post_id}"' in page
