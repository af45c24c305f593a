"""Kept post articles on the thread page (forum.threads.fragments): reused only for viewers with
the same capabilities, never carrying text someone may not read, and the same as a fresh
render."""

from __future__ import annotations

import re
import sys

import pytest
from sqlalchemy import select

from forum.extensions import db
from forum.models import LearningSet
from forum.models import Post
from forum.models import PostStatus
from forum.models import Thread
from forum.models import Visibility
from forum.models import utcnow
from forum.text import render_markdown
from forum.threads import fragments
from tests import factories

WAITING_TEXT = "Waiting reply that must not leak 4e1b"
PUBLISHED_TEXT = "Published reply everyone reads 8c2d"
WAITING_EDIT = "Waiting edit that must not leak 0a9f"
HIDDEN_LATER = "Reply hidden after it was read 5d7e"


@pytest.fixture
def thread_page(app, world):
    """A public set's thread with a published reply, a waiting reply, a published reply with
    an edit waiting for approval, and another published reply (all by the member)."""
    with app.app_context():
        learning_set = db.session.get(LearningSet, world.learning_set.id)
        learning_set.visibility = Visibility.PUBLIC
        thread = db.session.get(Thread, world.thread.id)
        opening = thread.posts[0]
        published = factories.make_post(thread, world.member, parent=opening,
                                        body=PUBLISHED_TEXT)
        waiting = factories.make_post(thread, world.member, parent=opening, body=WAITING_TEXT,
                                      status=PostStatus.PENDING)
        edited = factories.make_post(thread, world.member, parent=published,
                                     body="The approved text of an edited reply.")
        edited.pending_source = WAITING_EDIT
        edited.pending_html = render_markdown(WAITING_EDIT)
        edited.pending_at = utcnow()
        later = factories.make_post(thread, world.member, parent=opening, body=HIDDEN_LATER)
        reader = factories.make_user(display_name="Rita Reader")
        other_reader = factories.make_user(display_name="Ravi Reader")
        factories.add_member(reader, learning_set)
        factories.add_member(other_reader, learning_set)
        db.session.commit()
        return {"url": f"/threads/{thread.id}", "published": published.id,
                "waiting": waiting.id, "edited": edited.id, "later": later.id,
                "reader": reader.id, "other_reader": other_reader.id}


def _user(app, user_id):
    from forum.models import User

    with app.app_context():
        user = db.session.get(User, user_id)
        db.session.expunge(user)
        return user


def _page_as(app, user, url: str) -> str:
    client = app.test_client()
    if user is not None:
        client.sign_in_as(user)
    response = client.get(url)
    assert response.status_code == 200
    return response.text


def test_a_waiting_post_a_moderator_saw_is_not_served_to_members_or_visitors(
        app, world, thread_page):
    moderator_page = _page_as(app, world.moderator, thread_page["url"])
    assert WAITING_TEXT in moderator_page  # the moderator's article, now kept
    assert len(fragments.cache_of(app)) > 0
    for viewer in (_user(app, thread_page["reader"]), world.outsider, None):
        page = _page_as(app, viewer, thread_page["url"])
        assert PUBLISHED_TEXT in page
        assert WAITING_TEXT not in page
        assert f'id="post-{thread_page["waiting"]}"' not in page


def test_a_waiting_edit_its_author_saw_is_not_served_to_readers(app, world, thread_page):
    author_page = _page_as(app, world.member, thread_page["url"])
    assert WAITING_EDIT in author_page
    for viewer in (_user(app, thread_page["reader"]), None):
        page = _page_as(app, viewer, thread_page["url"])
        assert "The approved text of an edited reply." in page
        assert WAITING_EDIT not in page


def test_readers_with_the_same_capabilities_share_kept_articles(app, thread_page):
    _page_as(app, _user(app, thread_page["reader"]), thread_page["url"])
    cache = fragments.cache_of(app)
    hits = cache.hits
    page = _page_as(app, _user(app, thread_page["other_reader"]), thread_page["url"])
    # Opening post and the three replies a reader sees, the blank reply and follow forms and
    # the breadcrumbs, all from the first reader's render.
    assert cache.hits - hits == 7
    assert page.count("<article") == 4


def test_hiding_a_post_replaces_the_article_readers_were_served(app, world, thread_page):
    reader = _user(app, thread_page["reader"])
    assert HIDDEN_LATER in _page_as(app, reader, thread_page["url"])
    moderator = app.test_client()
    moderator.sign_in_as(world.moderator)
    response = moderator.post(f"/moderation/posts/{thread_page['later']}/hide",
                              data={"reason": "Off topic for this set."})
    assert response.status_code in (302, 303)
    with app.app_context():
        assert db.session.get(Post, thread_page["later"]).status == PostStatus.HIDDEN
    page = _page_as(app, reader, thread_page["url"])
    assert HIDDEN_LATER not in page
    assert "This post was hidden by a moderator." in page


def test_an_edit_is_shown_at_once_not_the_kept_article(app, world, thread_page):
    reader = _user(app, thread_page["reader"])
    assert PUBLISHED_TEXT in _page_as(app, reader, thread_page["url"])
    author = app.test_client()
    author.sign_in_as(world.member)
    response = author.post(f"/posts/{thread_page['published']}/edit",
                           data={"body": "Corrected: the figure was 40%, not 14%."})
    assert response.status_code in (302, 303)
    page = _page_as(app, reader, thread_page["url"])
    assert "Corrected: the figure was 40%, not 14%." in page
    assert PUBLISHED_TEXT not in page


def _comparable(html: str) -> str:
    """The page without what differs between two requests (form tokens, one-time keys and
    the script nonce)."""
    html = re.sub(r'nonce="[^"]*"', 'nonce=""', html)
    html = re.sub(r'name="csrf_token"( type="hidden")? value="[^"]*"', 'name="csrf_token"', html)
    html = re.sub(r'value="[^"]*"( name="csrf_token")', r"\1", html)
    return re.sub(r'(name="submission_key"[^>]*value=")[^"]*"|(value=")[^"]*("[^>]*name="'
                  r'submission_key")', "KEY", html)


@pytest.mark.parametrize("role", ["anonymous", "member", "moderator", "admin", "reader"])
def test_kept_articles_are_the_same_as_fresh_ones(app, make_app, world, thread_page, role):
    user = _user(app, thread_page["reader"]) if role == "reader" else world.user(role)
    uncached = make_app(POST_FRAGMENT_CACHE_SIZE=0)
    assert fragments.cache_of(uncached) is None
    fresh = _page_as(uncached, user, thread_page["url"])
    _page_as(app, user, thread_page["url"])  # fills the cache
    hits = fragments.cache_of(app).hits
    kept = _page_as(app, user, thread_page["url"])
    assert fragments.cache_of(app).hits > hits
    assert _comparable(kept) == _comparable(fresh)


def test_a_kept_moderation_form_carries_the_current_sessions_token(app, world, thread_page):
    first = app.test_client()
    first.sign_in_as(world.moderator)
    first.get(thread_page["url"])  # keeps the article with the approve button
    second = app.test_client()
    second.sign_in_as(world.moderator)  # another session: another CSRF token
    page = second.get(thread_page["url"]).text
    action = f"/moderation/posts/{thread_page['waiting']}/approve"
    form = re.search(f'<form method="post" action="({action})".*?</form>', page, re.S)
    assert form is not None
    fields = dict(re.findall(r'name="([^"]+)" value="([^"]*)"', form.group(0)))
    response = second.post(form.group(1), data=fields, csrf=False)
    assert response.status_code in (302, 303)
    with app.app_context():
        assert db.session.get(Post, thread_page["waiting"]).status == PostStatus.APPROVED


@pytest.mark.parametrize("role", ["anonymous", "outsider", "member", "reader", "moderator",
                                  "facilitator", "admin"])
@pytest.mark.parametrize("visibility", [Visibility.PRIVATE, Visibility.PUBLIC])
@pytest.mark.parametrize("opening_status", [PostStatus.APPROVED, PostStatus.PENDING])
def test_page_wide_displays_agree_with_post_display(app, world, thread_page, role, visibility,
                                                    opening_status):
    """The thread page asks :func:`post_displays` once; it must say what the one-post rule
    :func:`post_display` says, for every post in every status."""
    from forum import permissions
    from forum.models import User

    with app.test_request_context():
        learning_set = db.session.get(LearningSet, world.learning_set.id)
        learning_set.visibility = visibility
        thread = db.session.get(Thread, world.thread.id)
        thread.posts[0].status = opening_status
        for status in PostStatus:
            factories.make_post(thread, world.member, parent=thread.posts[0], status=status)
            factories.make_post(thread, world.moderator, parent=thread.posts[0], status=status)
        db.session.flush()
        user_id = thread_page["reader"] if role == "reader" else getattr(world.user(role),
                                                                          "id", None)
        user = db.session.get(User, user_id) if user_id is not None else None
        if user is None:
            from flask_login import AnonymousUserMixin

            user = AnonymousUserMixin()
        opening = permissions.opening_post(thread)
        expected = {post.id: permissions.post_display(user, post, opening)
                    for post in thread.posts}
        assert permissions.post_displays(user, thread, list(thread.posts), opening) == expected
        db.session.rollback()


def _form_fields(page: str, action: str) -> dict[str, str]:
    """The hidden fields of the form posting to ``action`` on ``page``."""
    form = re.search(f'<form method="post" action="{re.escape(action)}".*?</form>', page, re.S)
    assert form is not None
    fields = {}
    for tag in re.findall(r"<input[^>]*>", form.group(0)):
        name, value = re.search(r'name="([^"]+)"', tag), re.search(r'value="([^"]*)"', tag)
        if 'type="hidden"' in tag and name and value:
            fields[name.group(1)] = value.group(1)
    return fields


def test_a_kept_reply_form_carries_this_sessions_token_and_a_new_key(app, world, thread_page):
    first = app.test_client()
    first.sign_in_as(world.member)
    first_page = first.get(thread_page["url"]).text  # keeps the blank reply form
    second = app.test_client()
    second.sign_in_as(world.member)  # another session: another CSRF token
    hits = fragments.cache_of(app).hits
    second_page = second.get(thread_page["url"]).text
    assert fragments.cache_of(app).hits > hits
    with app.app_context():
        opening_id = db.session.get(Thread, world.thread.id).posts[0].id
    action = f"/posts/{opening_id}/reply"
    first_fields = _form_fields(first_page, action)
    fields = _form_fields(second_page, action)
    assert fields["csrf_token"] != first_fields["csrf_token"]
    # Each page's one-time key is its own: sending both forms makes two replies.
    assert fields["submission_key"] != first_fields["submission_key"]
    assert "\x00" not in second_page
    # The token is still checked: the first session's token does not pass for the second.
    refused = second.post(action, data={**fields, "csrf_token": first_fields["csrf_token"],
                                        "body": "Sent with another session's token."},
                          csrf=False)
    assert refused.status_code == 200  # the form again, with its text and an error
    assert "Sent with another session" in refused.text
    sent = second.post(action, data={**fields, "body": "A reply from the kept form."},
                       csrf=False)
    assert sent.status_code in (302, 303)
    with app.app_context():
        bodies = db.session.scalars(select(Post.body_source).where(
            Post.thread_id == world.thread.id)).all()
    assert "A reply from the kept form." in bodies
    assert "Sent with another session's token." not in bodies


def test_a_kept_follow_form_shows_each_members_own_choice(app, world, thread_page):
    reader = _user(app, thread_page["reader"])
    client = app.test_client()
    client.sign_in_as(reader)
    client.get(thread_page["url"])
    fields = _form_fields(client.get(thread_page["url"]).text,
                          f"{thread_page['url']}/follow")
    assert client.post(f"{thread_page['url']}/follow",
                       data={**fields, "level": "muted"}, csrf=False).status_code == 302
    muted = client.get(thread_page["url"]).text
    assert re.search(r'value="muted" checked', muted)
    other = _page_as(app, _user(app, thread_page["other_reader"]), thread_page["url"])
    assert not re.search(r'value="muted" checked', other)


def test_kept_articles_stay_within_their_memory_bound(app, make_app, world, thread_page):
    """A worker keeps at most POST_FRAGMENT_CACHE_BYTES of HTML, whatever its posts' length:
    with room for about one article, the page is the same and the oldest articles go."""
    small = make_app(POST_FRAGMENT_CACHE_BYTES=3000)
    uncached = make_app(POST_FRAGMENT_CACHE_SIZE=0)
    member = world.user("member")
    fresh = _page_as(uncached, member, thread_page["url"])
    for _ in range(2):
        kept = _page_as(small, member, thread_page["url"])
        assert _comparable(kept) == _comparable(fresh)
    cache = fragments.cache_of(small)
    assert 0 < cache.bytes <= 3000
    assert len(cache) < fresh.count("<article")  # not every article of the page was kept


def test_the_memory_bound_counts_what_is_kept():
    cache = fragments.FragmentCache(size=100, max_bytes=sys.getsizeof("x" * 400) * 2)
    cache.put(("a",), "x" * 400)
    cache.put(("b",), "y" * 400)
    assert len(cache) == 2
    cache.put(("c",), "z" * 400)  # over the bound: the least recently used goes
    assert cache.get(("a",)) is None and cache.get(("c",)) == "z" * 400
    cache.put(("c",), "z" * 10)  # a key put again is counted once
    assert cache.bytes == sys.getsizeof("y" * 400) + sys.getsizeof("z" * 10)
    cache.put(("d",), "w" * 5000)  # larger than the whole bound: not kept, nothing left over
    assert cache.get(("d",)) is None and cache.bytes == 0 == len(cache)
    cache.put(("e",), "v")
    cache.clear()
    assert cache.bytes == 0 == len(cache)
