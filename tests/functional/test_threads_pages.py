"""Long threads come in pages of branches (a reply to the opening post with all its replies),
a link to any post opens the page that shows it, and a page costs the same queries anywhere."""

from __future__ import annotations

import re

from forum.extensions import db
from forum.models import LearningSet
from forum.models import Post
from forum.models import PostStatus
from forum.models import Thread
from forum.models import User
from forum.threads.page_posts import load_page_posts
from tests import factories
from tests import htmlcheck
from tests.querycount import count_page_queries

PER_PAGE = 5


def _long_thread(app, world, branches: int = 12) -> tuple[int, list[list[int]]]:
    """A thread whose opening post has ``branches`` replies, each answered twice (nested)."""
    return factories.branching_thread_in(app, world, per_page=PER_PAGE, branches=branches,
                                         depth=3)


def _articles(page: str) -> list[int]:
    return [int(n) for n in re.findall(r'<article id="post-(\d+)"', page)]


def test_a_long_thread_shows_its_branches_a_page_at_a_time(app, client, world):
    thread_id, branches = _long_thread(app, world)
    client.sign_in_as(world.member)
    first = client.get(f"/threads/{thread_id}").text
    assert "Branch 0" in first and "Deep 4" in first and "Branch 5" not in first
    assert len(_articles(first)) == 1 + PER_PAGE * 3  # the opening post and five branches
    assert '<nav class="govuk-pagination" aria-label="Pages of replies">' in first
    assert f'href="/threads/{thread_id}?page=2"' in first
    assert "Replies, page 1 of 3" in first

    last = client.get(f"/threads/{thread_id}?page=3").text
    assert "<title>A long thread (page 3 of 3)" in last
    # Each branch stays whole; the opening post is not repeated, but linked.
    assert _articles(last) == [post_id for branch in branches[10:] for post_id in branch]
    assert "The opening post is on" in last
    assert f'href="/threads/{thread_id}?post=' in last  # "In reply to" the opening post
    # Past the end: the last page.
    assert _articles(client.get(f"/threads/{thread_id}?page=99").text) == _articles(last)


def test_a_link_to_any_post_opens_the_page_that_shows_it(app, client, world):
    thread_id, branches = _long_thread(app, world)
    client.sign_in_as(world.member)
    deep = branches[7][2]
    page = client.get(f"/threads/{thread_id}?post={deep}").text
    assert "Replies, page 2 of 3" in page
    assert deep in _articles(page)
    # A post of another thread, or none at all, leaves the reader on page 1.
    assert "Replies, page 1 of 3" in client.get(f"/threads/{thread_id}?post=999999").text
    assert "Replies, page 1 of 3" in client.get(f"/threads/{thread_id}?post=x").text


def test_a_reply_lands_on_the_page_that_shows_it(app, client, world):
    thread_id, branches = _long_thread(app, world)
    client.sign_in_as(world.moderator)
    response = client.post(f"/posts/{branches[11][2]}/reply", data={"body": "Late answer."})
    assert response.status_code == 302
    page = client.get(response.location).text
    assert "Late answer." in page and "Replies, page 3 of 3" in page


def test_waiting_replies_stay_hidden_on_every_page(app, client, world):
    thread_id, branches = _long_thread(app, world)
    with app.app_context():
        db.session.get(Post, branches[11][1]).status = PostStatus.PENDING
        db.session.commit()
    client.sign_in_as(world.outsider)
    assert client.get(f"/threads/{thread_id}?page=3").status_code == 404  # private set
    client.sign_in_as(world.facilitator)
    assert "Answer 11" in client.get(f"/threads/{thread_id}?page=3").text
    with app.app_context():
        learning_set = db.session.get(LearningSet, world.learning_set.id)
        reader = factories.make_user(email="reader@example.org")
        factories.add_member(reader, learning_set)
        db.session.commit()
        db.session.refresh(reader)
        db.session.expunge(reader)
    client.sign_in_as(reader)
    page = client.get(f"/threads/{thread_id}?page=3").text
    assert "Branch 11" in page and "Answer 11" not in page
    assert client.get(f"/threads/{thread_id}?post={branches[11][1]}").status_code == 200


def test_every_page_costs_the_same_queries(app, client, world):
    thread_id, branches = _long_thread(app, world)
    client.sign_in_as(world.member)
    urls = (f"/threads/{thread_id}", f"/threads/{thread_id}?page=3",
            f"/threads/{thread_id}?post={branches[7][2]}")
    for url in urls:  # the reader's place moves on (one write) only the first time
        assert client.get(url).status_code == 200
    first = count_page_queries(app, client, f"/threads/{thread_id}")
    assert count_page_queries(app, client, f"/threads/{thread_id}?page=3") == first
    # Finding a post's page costs nothing more: the thread's shape is read anyway.
    assert count_page_queries(app, client,
                          f"/threads/{thread_id}?post={branches[7][2]}") == first
    with app.app_context():
        assert db.session.get(Thread, thread_id).reply_count == len(branches) * 3


def test_the_pages_of_a_thread_are_valid_html(app, client, world):
    htmlcheck.require_checker()
    thread_id, _ = _long_thread(app, world)
    client.sign_in_as(world.member)
    htmlcheck.assert_valid_html(
        (f"page {n}", client.get(f"/threads/{thread_id}?page={n}").text) for n in (1, 2))


def _giant_branch(app, world) -> tuple[int, int, list[int], int]:
    """A thread whose one reply has 30 answers, then a short branch, at 12 replies a page."""
    app.config["THREAD_POSTS_PER_PAGE"] = 12
    with app.app_context():
        learning_set = db.session.get(LearningSet, world.learning_set.id)
        member = db.session.get(User, world.member.id)
        thread = factories.make_thread(learning_set, member, title="One big conversation")
        opening = thread.posts[0]
        big = factories.make_post(thread, member, parent=opening, body="The big question")
        answers = [factories.make_post(thread, member, parent=big, body=f"Answer {n}").id
                   for n in range(30)]
        later = factories.make_post(thread, member, parent=opening, body="Another branch")
        db.session.commit()
        return thread.id, big.id, answers, later.id


def test_a_giant_branch_goes_on_over_pages_each_bounded(app, client, world):
    """The branch is cut into parts, each page says where its conversation began and where it
    goes on, and "In reply to" links reach the page that shows the post answered."""
    thread_id, big_id, answers, later_id = _giant_branch(app, world)
    client.sign_in_as(world.member)
    first = client.get(f"/threads/{thread_id}").text
    assert "Replies, page 1 of 3" in first
    assert _articles(first) == [_opening_id(app, thread_id), big_id, *answers[:11]]
    assert 'id="continued-from"' not in first
    assert f'href="/threads/{thread_id}?page=2">page 2</a>' in first  # goes on on page 2

    second = client.get(f"/threads/{thread_id}?page=2").text
    assert _articles(second) == answers[11:23]
    assert 'id="continued-from"' in second
    assert f'href="/threads/{thread_id}?page=1">page 1</a>' in second
    # The first answer here names the post it answers, with a link to the page showing it.
    assert (f'href="/threads/{thread_id}?post={big_id}#post-{big_id}"' in second)
    assert f'href="#post-{big_id}"' not in second

    third = client.get(f"/threads/{thread_id}?page=3").text
    assert _articles(third) == [*answers[23:], later_id]
    assert 'id="continued-on"' not in third
    # Each post's link opens its page; the big post's link opens page 1.
    assert "Replies, page 2 of 3" in client.get(
        f"/threads/{thread_id}?post={answers[15]}").text
    assert "Replies, page 1 of 3" in client.get(f"/threads/{thread_id}?post={big_id}").text


def _opening_id(app, thread_id: int) -> int:
    with app.app_context():
        return db.session.scalar(db.select(Post.id).where(Post.thread_id == thread_id)
                                 .order_by(Post.id))


def test_the_pages_of_a_giant_branch_are_valid_html(app, client, world):
    htmlcheck.require_checker()
    thread_id, *_ = _giant_branch(app, world)
    client.sign_in_as(world.member)
    htmlcheck.assert_valid_html(
        (f"page {n}", client.get(f"/threads/{thread_id}?page={n}").text) for n in (1, 2, 3))


def test_a_waiting_post_answered_on_a_later_page_stays_unnamed_there(app, world):
    """Page 2 names the post its first replies answer (on page 1): a waiting post is named to
    a moderator, and to a member neither by its author nor its text, even after the
    moderator's articles of that page were kept (forum.threads.fragments)."""
    app.config["THREAD_POSTS_PER_PAGE"] = 12
    with app.app_context():
        learning_set = db.session.get(LearningSet, world.learning_set.id)
        member = db.session.get(User, world.member.id)
        wendy = factories.make_user(display_name="Wendy Waiting")
        factories.add_member(wendy, learning_set)
        thread = factories.make_thread(learning_set, member, title="Answers to a waiting post")
        waiting = factories.make_post(thread, wendy, parent=thread.posts[0],
                                      body="Waiting words 3c9e", status=PostStatus.PENDING)
        answers = [factories.make_post(thread, member, parent=waiting, body=f"Answer {n}").id
                   for n in range(20)]
        db.session.commit()
        thread_id, waiting_id = thread.id, waiting.id
    second = f"/threads/{thread_id}?page=2"

    moderator = app.test_client()
    moderator.sign_in_as(world.moderator)
    page = moderator.get(second).text
    assert answers[11] in _articles(page)
    assert f"?post={waiting_id}#post-{waiting_id}\">Wendy Waiting</a>" in page

    reader = app.test_client()
    reader.sign_in_as(world.member)  # the answers' author, not the waiting post's
    page = reader.get(second).text
    # The waiting post takes no place in the member's pages: their page 1 holds one more.
    assert _articles(page) == answers[12:]
    assert "Wendy Waiting" not in page and "3c9e" not in page
    assert f"post={waiting_id}" not in page
    assert "In reply to a post that is not shown" in page


def test_waiting_posts_take_no_place_in_a_readers_pages(app, world):
    """A waiting reply counts in the pages only of those who may read it: to other members
    its branch makes no page, and a link to it opens page 1, as for a post that does not
    exist, so neither the page count nor ``?post=`` tells them it is there or where."""
    app.config["THREAD_BRANCHES_PER_PAGE"] = 2
    with app.app_context():
        learning_set = db.session.get(LearningSet, world.learning_set.id)
        member = db.session.get(User, world.member.id)
        wendy = factories.make_user(email="wendy@example.org", display_name="Wendy Waiting")
        factories.add_member(wendy, learning_set)
        thread = factories.make_thread(learning_set, member, title="Two branches and one more")
        opening = thread.posts[0]
        for n in range(2):
            factories.make_post(thread, member, parent=opening, body=f"Published {n}")
        waiting = factories.make_post(thread, wendy, parent=opening, body="Waiting words 7b1d",
                                      status=PostStatus.PENDING)
        answer = factories.make_post(thread, member, parent=waiting, body="An answer to it")
        db.session.commit()
        thread_id, waiting_id, answer_id = thread.id, waiting.id, answer.id
        db.session.refresh(wendy)
        db.session.expunge(wendy)

    reader = app.test_client()
    reader.sign_in_as(world.member)
    first = reader.get(f"/threads/{thread_id}").text
    assert "Replies, page 1 of 2" in first
    # The answer is read on page 2; the post it answers is not named or counted.
    second = reader.get(f"/threads/{thread_id}?page=2").text
    assert _articles(second) == [answer_id]
    assert "In reply to a post that is not shown" in second
    assert "Replies, page 1 of 2" in reader.get(f"/threads/{thread_id}?post={waiting_id}").text

    with app.app_context():
        db.session.execute(db.delete(Post).where(Post.id == answer_id))
        db.session.commit()
    for url in (f"/threads/{thread_id}", f"/threads/{thread_id}?post={waiting_id}",
                f"/threads/{thread_id}?page=2"):
        page = reader.get(url).text
        assert "Published 1" in page and "Replies, page" not in page
        assert "Pages of replies" not in page and waiting_id not in _articles(page)

    for who in (wendy, world.moderator):  # the author and a moderator read it on page 2
        client = app.test_client()
        client.sign_in_as(who)
        page = client.get(f"/threads/{thread_id}?post={waiting_id}").text
        assert "Replies, page 2 of 2" in page and "Waiting words 7b1d" in page


def test_a_page_never_shows_another_threads_post_whatever_ids_it_is_given(app, world):
    """The posts of a page are read for their thread only: an id from elsewhere (a kept
    shape gone stale, say) is left out, never shown on the wrong thread's page."""
    with app.app_context():
        learning_set = db.session.get(LearningSet, world.learning_set.id)
        author = db.session.get(User, world.member.id)
        here = factories.make_thread(learning_set, author, title="Here")
        elsewhere = factories.make_thread(learning_set, author, title="Elsewhere")
        mine = factories.make_post(here, author, body="Mine.")
        other = factories.make_post(elsewhere, author, body="Not mine.")
        db.session.commit()
        shown = load_page_posts(db.session, here, [mine.id, other.id])
        assert [post.id for post in shown] == [mine.id]
