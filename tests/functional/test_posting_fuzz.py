"""Throw arbitrary text and malformed ids at the posting forms and routes: never a server error."""

from __future__ import annotations

from urllib.parse import quote

import pytest
from hypothesis import HealthCheck
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st
from sqlalchemy import func
from sqlalchemy import select

from forum.extensions import db
from forum.models import LearningSet
from forum.models import ModerationPolicy
from forum.models import Post
from forum.models import Thread
from forum.models import User
from forum.models import Visibility
from forum.routing import without_controls
from forum.text import line_problem
from forum.text import normalise_line
from tests import factories

FUZZ = settings(max_examples=40, deadline=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture])

TITLE_MAX = 200
BODY_MAX = 20_000

# Ordinary text, text around the limits, and text made of awkward characters.
awkward = st.sampled_from(["\x00", "\r", "\n", "\r\n", "\t", " ", "\u00a0", "\u200b", "\ufeff",
                           "<script>", "**", "[x](javascript:alert(1))", "&#0;", "é", "😀",
                           "\u202e", "#", "`", "|a|b|\n|-|-|"])
text = st.one_of(
    st.text(),
    st.lists(awkward, max_size=30).map("".join),
    st.builds(lambda n, tail: "é" * n + tail, st.integers(BODY_MAX - 5, BODY_MAX + 5),
              st.text(max_size=3)),
)
titles = st.one_of(
    st.text(),
    st.lists(awkward, max_size=10).map("".join),
    st.builds(lambda n: "t" * n, st.integers(TITLE_MAX - 2, TITLE_MAX + 2)),
)
ids = st.one_of(st.integers(min_value=-5, max_value=50), st.integers(min_value=2**31 - 2),
                st.text(max_size=10))


def _meaningful(value: str) -> str:
    """What a field holds once control characters (dropped from every request) and
    surrounding whitespace are set aside."""
    return without_controls(value).strip()


def _title_ok(title: str) -> bool:
    """One line (NFC), not empty, within the limit, with no control or invisible characters."""
    cleaned = normalise_line(without_controls(title))
    return bool(cleaned) and len(cleaned) <= TITLE_MAX and line_problem(cleaned) is None


def _body_ok(body: str) -> bool:
    cleaned = without_controls(body).replace("\r\n", "\n").replace("\r", "\n").rstrip()
    return bool(_meaningful(body)) and len(cleaned) <= BODY_MAX


def _counts(app) -> tuple[int, int]:
    with app.app_context():
        return (db.session.scalar(select(func.count(Thread.id))),
                db.session.scalar(select(func.count(Post.id))))


@pytest.fixture
def signed_in_member(app, client, world):
    with app.app_context():
        learning_set = db.session.get(LearningSet, world.learning_set.id)
        learning_set.moderation_policy = ModerationPolicy.AFTER_THE_FACT
        db.session.commit()
    client.sign_in_as(world.member)
    return client


@FUZZ
@given(title=titles, body=text)
def test_new_thread_form_saves_valid_text_and_refuses_the_rest(app, signed_in_member, title,
                                                               body):
    before = _counts(app)
    response = signed_in_member.post("/sets/comms/threads/new",
                                     data={"title": title, "body": body})
    if _title_ok(title) and _body_ok(body):
        assert response.status_code == 302, response.text[:2000]
        assert _counts(app) == (before[0] + 1, before[1] + 1)
        with app.app_context():
            thread = db.session.scalar(select(Thread).order_by(Thread.id.desc()))
            assert "\x00" not in thread.title + thread.posts[0].body_source
            assert "<script>" not in thread.posts[0].body_html
    else:
        assert response.status_code == 200
        assert "govuk-error-summary" in response.text
        assert _counts(app) == before


@FUZZ
@given(body=text)
def test_reply_form_saves_valid_text_and_refuses_the_rest(app, world, signed_in_member, body):
    with app.app_context():
        post_id = db.session.scalar(select(func.min(Post.id)))
    before = _counts(app)
    response = signed_in_member.post(f"/posts/{post_id}/reply", data={"body": body})
    if _body_ok(body):
        assert response.status_code == 302
        assert _counts(app) == (before[0], before[1] + 1)
    else:
        assert response.status_code == 200
        assert "govuk-error-summary" in response.text
        assert _counts(app) == before


@FUZZ
@given(title=titles, body=text)
def test_edit_form_saves_valid_text_and_refuses_the_rest(app, world, signed_in_member, title,
                                                         body):
    with app.app_context():
        post_id = db.session.scalar(select(func.min(Post.id)))
        source_before = db.session.get(Post, post_id).body_source
    response = signed_in_member.post(f"/posts/{post_id}/edit",
                                     data={"title": title, "body": body})
    with app.app_context():
        source_after = db.session.get(Post, post_id).body_source
    if _title_ok(title) and _body_ok(body):
        assert response.status_code == 302
        assert "\x00" not in source_after
    else:
        assert response.status_code == 200
        assert source_after == source_before


@pytest.fixture
def other_set_post_id(app, world) -> int:
    """An opening post in another set (private, the member is not in it)."""
    with app.app_context():
        stranger = factories.make_user()
        other = factories.make_set("elsewhere", visibility=Visibility.PRIVATE,
                                   facilitator=stranger)
        thread = factories.make_thread(other, stranger)
        db.session.commit()
        return thread.posts[0].id


@FUZZ
@given(thread_id=ids, post_id=ids, page=st.text(max_size=12), parent_id=ids,
       method=st.sampled_from(["get", "post"]))
def test_malformed_ids_and_params_never_cause_a_server_error(
        app, signed_in_member, other_set_post_id, thread_id, post_id, page, parent_id, method):
    client = signed_in_member
    data = {"body": "A fine reply", "title": "A fine title", "parent_id": str(parent_id),
            "thread_id": str(thread_id)}
    urls = [f"/threads/{quote(str(thread_id), safe='')}?page={quote(page)}",
            f"/posts/{quote(str(post_id), safe='')}/reply?page={quote(page)}",
            f"/posts/{quote(str(post_id), safe='')}/edit",
            f"/posts/{quote(str(post_id), safe='')}/revisions",
            f"/sets/comms/threads/new?page={quote(page)}",
            f"/sets/comms/?page={quote(page)}"]
    for url in urls:
        if method == "get" or url.endswith("revisions") or url.startswith("/sets/comms/?"):
            response = client.get(url)
        else:
            response = client.post(url, data=data)
        assert response.status_code < 500, url
        assert response.status_code in (200, 302, 403, 404, 405), url
    assert client.get(f"/posts/{other_set_post_id}/reply").status_code == 404


@FUZZ
@given(parent_id=ids)
def test_a_parent_id_in_the_form_cannot_move_a_reply_to_another_thread(
        app, world, signed_in_member, other_set_post_id, parent_id):
    with app.app_context():
        post_id = db.session.scalar(select(func.min(Post.id)).where(
            Post.thread_id == world.thread.id))
    response = signed_in_member.post(
        f"/posts/{post_id}/reply",
        data={"body": "Stays here", "parent_id": str(parent_id),
              "thread_id": str(parent_id)})
    assert response.status_code == 302
    reply_id = int(response.location.rsplit("post-", 1)[1])
    with app.app_context():
        reply = db.session.get(Post, reply_id)
        assert (reply.thread_id, reply.parent_id) == (world.thread.id, post_id)
        assert db.session.get(User, world.member.id).id == reply.author_id
