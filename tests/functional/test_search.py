"""Search: what it finds, what it never shows, and that no query can break it (both databases)."""

from __future__ import annotations

import re

import pytest
from hypothesis import HealthCheck
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st

from forum.extensions import db
from forum.models import LearningSet
from forum.models import Membership
from forum.models import Post
from forum.models import PostStatus
from forum.models import Role
from forum.models import Thread
from forum.models import User
from forum.models import Visibility
from forum.moderation import service as moderation
from forum.sets import service as sets
from tests import factories


def _results(page: str) -> list[str]:
    """The text of each result, tags stripped."""
    items = re.findall(r'<li class="forum-search-results__item">(.*?)</li>', page, re.S)
    return [" ".join(re.sub(r"<[^>]+>", " ", item).split()) for item in items]


def _count(page: str) -> str:
    match = re.search(r'<h2 class="govuk-heading-m" id="results-heading">\s*([^<]*)', page)
    return match.group(1).strip() if match else ""


@pytest.fixture
def posts(app, world):
    """Published and unpublished posts by another member, in the world's private set."""
    with app.app_context():
        thread = db.session.get(Thread, world.thread.id)
        opening = thread.posts[0]
        author = factories.make_user("writer@example.org", display_name="Wren Writer")
        factories.add_member(author, thread.learning_set)
        made = {}
        for status in PostStatus:
            made[status] = factories.make_post(
                thread, author, parent=opening, status=status,
                body=f"The citizens' assembly zebra{status.value} report was published.").id
        made["cafe"] = factories.make_post(thread, author, parent=opening,
                                           body="We met in the café by the town hall.").id
        db.session.commit()
        return made


def test_a_member_finds_a_post_with_its_words_highlighted(client, world, posts):
    client.sign_in_as(world.member)
    page = client.get("/search", query_string={"q": "zebraapproved"}).text
    assert _count(page) == "1 result"
    assert "<mark>zebraapproved</mark>" in page
    assert f'href="/threads/{world.thread.id}#post-{posts[PostStatus.APPROVED]}"' in page
    assert 'value="zebraapproved"' in page  # the query stays in the box


def test_stemming_accents_phrases_and_exclusions(client, world, posts):
    client.sign_in_as(world.member)
    assert _count(client.get("/search?q=assemblies+zebraapproved").text) == "1 result"
    assert _count(client.get("/search?q=cafe").text) == "1 result"
    assert _count(client.get('/search?q="town+hall"').text) == "1 result"
    assert _count(client.get('/search?q="hall+town"').text) == "No results"
    assert _count(client.get("/search?q=citizens+-zebraapproved").text) == "No results"
    assert _count(client.get("/search?q=published+-café").text) == "1 result"


@pytest.mark.parametrize("status", [PostStatus.PENDING, PostStatus.REJECTED, PostStatus.HIDDEN,
                                    PostStatus.WITHDRAWN])
def test_nothing_unpublished_is_found_or_counted_by_another_member(client, world, posts,
                                                                    status):
    client.sign_in_as(world.member)
    page = client.get("/search", query_string={"q": f"zebra{status.value}"}).text
    assert _count(page) == "No results"
    assert _results(page) == []
    assert "report was published" not in page
    # Nor does a broader search count it.
    assert _count(client.get("/search?q=citizens").text) == "1 result"


def test_the_author_finds_their_own_waiting_post_marked_as_waiting(client, app, posts):
    with app.app_context():
        author = db.session.query(User).filter_by(email="writer@example.org").one()
    client.sign_in_as(author)
    page = client.get("/search?q=zebrapending").text
    assert _count(page) == "1 result"
    assert "Awaiting approval" in page


def test_moderators_find_waiting_posts_of_their_set(client, world, posts):
    client.sign_in_as(world.moderator)
    assert _count(client.get("/search?q=zebrapending").text) == "1 result"


@pytest.mark.parametrize("role", ["anonymous", "outsider"])
def test_a_private_set_is_invisible_to_people_outside_it(client, world, posts, role):
    if role != "anonymous":
        client.sign_in_as(world.user(role))
    page = client.get("/search?q=zebraapproved").text
    assert _count(page) == "No results"
    assert "Communicating assemblies" not in page  # not even in the set filter


def test_visitors_search_public_sets_only(app, client, world):
    with app.app_context():
        author = db.session.get(User, world.member.id)
        public = factories.make_set("open", name="Open set", visibility=Visibility.PUBLIC)
        factories.add_member(author, public)
        factories.make_thread(public, author, title="Sortition in public",
                              body="Everyone may read about sortition here.")
        db.session.commit()
    page = client.get("/search?q=sortition").text
    assert _count(page) == "2 results"  # the thread title and its opening post
    assert "Open set" in page


def test_thread_titles_are_found_but_not_a_waiting_thread_of_someone_else(app, client, world):
    with app.app_context():
        learning_set = db.session.get(LearningSet, world.learning_set.id)
        author = factories.make_user(display_name="Quinn Quiet")
        factories.add_member(author, learning_set, Role.MEMBER)
        waiting = factories.make_thread(learning_set, author, title="Xylophone budget")
        waiting.posts[0].status = PostStatus.PENDING
        db.session.commit()
    client.sign_in_as(world.member)
    assert _count(client.get("/search?q=naming").text) == "1 result"  # "Naming the assembly"
    assert _count(client.get("/search?q=xylophone").text) == "No results"
    client.sign_in_as(world.moderator)
    assert _count(client.get("/search?q=xylophone").text) == "1 result"


def test_the_index_follows_edits(app, client, world, posts):
    client.sign_in_as(world.member)
    with app.app_context():
        post = db.session.get(Post, posts[PostStatus.APPROVED])
        post.body_source = "Now about quokkas instead."
        db.session.commit()
    assert _count(client.get("/search?q=zebraapproved").text) == "No results"
    assert _count(client.get("/search?q=quokkas").text) == "1 result"


def test_filters_by_set_author_kind_and_date(client, world, posts):
    """Each search applies its own filters (SQLite runs one statement per form of search
    with each search's values: the same form with other values must not give old results)."""
    client.sign_in_as(world.member)
    assert _count(client.get("/search?q=published&author=wren").text) == "1 result"
    assert _count(client.get("/search?q=published&author=nobody").text) == "No results"
    assert _count(client.get("/search?q=naming&kind=post").text) == "No results"
    assert _count(client.get("/search?q=naming&kind=thread").text) == "1 result"
    assert _count(client.get("/search?q=published&set=comms").text) == "1 result"
    assert _count(client.get("/search?q=published&from=2000-01-01").text) == "1 result"
    assert _count(client.get("/search?q=published&from=2999-01-01").text) == "No results"
    assert _count(client.get("/search?q=published&to=2999-01-01").text) == "1 result"
    assert _count(client.get("/search?q=published&to=2000-01-01").text) == "No results"


def test_a_bad_filter_says_what_is_wrong_and_keeps_the_query(client, world, posts):
    client.sign_in_as(world.member)
    page = client.get("/search?q=published&from=31/12/2026&set=no-such-set").text
    assert "The start date must be a real date" in page
    assert "Choose a set from the list" in page
    assert 'value="published"' in page
    page = client.get("/search?q=published&from=2026-05-02&to=2026-05-01").text
    assert "The end date must be the same as or after the start date" in page


def test_a_date_filter_outside_the_years_a_date_may_be_in_says_so(client, posts):
    # Anyone may search: the last day there is (9999-12-31) as the end date was a server
    # error (the search ran to the day after it), for visitors who had not signed in too.
    response = client.get("/search?q=published&from=0001-01-01&to=9999-12-31")
    assert response.status_code == 200
    assert "The start date must be in the years 1901 to 2999" in response.text
    assert "The end date must be in the years 1901 to 2999" in response.text
    assert 'value="published"' in response.text


@pytest.mark.parametrize("query, message", [
    ("", "Enter a word or phrase to search for."),
    ("   ", "Enter a word or phrase to search for."),
    ("* : ^ ()", "Enter letters or numbers to search for."),
    ("-budget", "Enter a word to search for, not only words to leave out."),
    ("w" * 201, "Search for 200 characters or fewer"),
])
def test_queries_that_cannot_be_searched_get_a_clear_message(client, world, query, message):
    client.sign_in_as(world.member)
    response = client.get("/search", query_string={"q": query})
    assert response.status_code == 200
    assert message in response.text


TRICKY = ['"unbalanced', 'NEAR(a b)', "a AND b", "OR", "NOT", "x*", "title:zebra", "^start",
          "(((", "\x00\x01zebra", "zebra\u202e", "'; DROP TABLE posts; --", "a" * 5000,
          "the and of", "%_\\", '""', "-", "- -"]


@pytest.mark.parametrize("query", TRICKY)
def test_tricky_queries_never_cause_an_error(client, world, posts, query):
    client.sign_in_as(world.member)
    response = client.get("/search", query_string={"q": query})
    assert response.status_code == 200
    assert "\x00" not in response.text


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(query=st.text(max_size=60), author=st.text(max_size=10))
def test_any_query_gives_results_or_a_message(client, world, posts, query, author):
    client.sign_in_as(world.member)
    response = client.get("/search", query_string={"q": query, "author": author})
    assert response.status_code == 200
    assert ("results-heading" in response.text) or ("govuk-error-summary" in response.text)


def test_the_header_has_a_search_box_for_signed_in_people_and_set_pages_for_everyone(
        client, world):
    assert 'id="header-search"' not in client.get("/").text
    client.sign_in_as(world.member)
    assert 'id="header-search"' in client.get("/").text
    set_page = client.get("/sets/comms/").text
    assert 'name="set" value="comms"' in set_page


def test_rebuilding_the_index(app, runner, client, world, posts):
    result = runner.invoke(args=["search", "rebuild"])
    assert result.exit_code == 0, result.output
    assert "rebuilt" in result.output
    client.sign_in_as(world.member)
    assert _count(client.get("/search?q=zebraapproved").text) == "1 result"
    # Within the post's set too (SQLite rebuilds each post's set into the index).
    assert _count(client.get("/search?q=zebraapproved&set=comms").text) == "1 result"


# PostgreSQL walks down the older posts with the thread-list form of the rule when matches
# were dense among the newest (True: always), or fetches every older match with the per-post
# form (False: always).
@pytest.mark.parametrize("walk_older", [True, False])
def test_a_common_word_ranks_only_the_newest_posts_the_searcher_may_read(
        app, client, world, monkeypatch, walk_older):
    """Beyond the window (here 3 posts) only the newest visible matches are ranked, and the
    page says so; posts the searcher may not read neither fill the window nor trigger the
    note, however new they are."""
    from forum.search import service as search_service

    monkeypatch.setattr(search_service, "POST_WINDOW", 3)
    # PostgreSQL looks among the newest ids first, then the older ones: both steps are used.
    monkeypatch.setattr(search_service, "NEWEST_IDS", 2)
    monkeypatch.setattr(search_service, "_walk_older", lambda *_counts: walk_older)
    with app.app_context():
        thread = db.session.get(Thread, world.thread.id)
        opening = thread.posts[0]
        member = db.session.get(User, world.member.id)
        for number in (1, 2):
            factories.make_post(thread, member, parent=opening, body=f"Okapi visible{number}.")
        author = factories.make_user("okapi@example.org", display_name="Olive Okapi")
        factories.add_member(author, thread.learning_set)
        # Newer than every visible match: unpublished posts, and a set the member is not in.
        for status in (PostStatus.PENDING, PostStatus.REJECTED, PostStatus.HIDDEN,
                       PostStatus.WITHDRAWN):
            factories.make_post(thread, author, parent=opening, status=status,
                                body=f"Okapi secret{status.value}.")
        elsewhere = factories.make_set("elsewhere", name="Elsewhere set")
        factories.add_member(author, elsewhere)
        for number in range(3):
            factories.make_thread(elsewhere, author, title=f"Elsewhere {number}",
                                  body=f"Okapi private{number}.")
        db.session.commit()
    client.sign_in_as(world.member)
    page = client.get("/search", query_string={"q": "okapi"}).text
    assert _count(page) == "2 results"
    assert "most recent" not in page
    assert "secret" not in page and "private" not in page

    with app.app_context():
        thread = db.session.get(Thread, world.thread.id)
        member = db.session.get(User, world.member.id)
        for number in (3, 4):
            factories.make_post(thread, member, parent=thread.posts[0],
                                body=f"Okapi visible{number}.")
        db.session.commit()
    page = client.get("/search", query_string={"q": "okapi"}).text
    assert _count(page) == "More than 3 results"
    assert "Showing the best matches among the most recent 3 matching posts" in page
    found = " ".join(_results(page))
    assert all(f"visible{number}" in found for number in (2, 3, 4))
    assert "visible1" not in found  # the oldest is outside the window
    assert "secret" not in page and "private" not in page
    # Within a set, the same rule.
    page = client.get("/search", query_string={"q": "okapi", "set": "comms"}).text
    assert "most recent 3" in page and "secret" not in page


def test_search_follows_changes_made_after_a_post_was_indexed(app, client, world, posts):
    """Who may find an indexed post is read from the post, its thread and its set at the
    moment of the search: hiding it, removing the reader from the set, or making a set
    private takes it out of their results at once, with no index to bring up to date."""
    client.sign_in_as(world.member)
    assert _count(client.get("/search?q=zebraapproved").text) == "1 result"
    with app.app_context():
        moderation.hide(db.session, db.session.get(User, world.moderator.id),
                        db.session.get(Post, posts[PostStatus.APPROVED]), "Off topic")
        db.session.commit()
    assert _count(client.get("/search?q=zebraapproved").text) == "No results"
    assert _count(client.get("/search?q=cafe").text) == "1 result"
    with app.app_context():
        sets.remove_member(db.session, db.session.query(Membership).filter_by(
            user_id=world.member.id, learning_set_id=world.learning_set.id).one())
        db.session.commit()
    page = client.get("/search?q=cafe").text
    assert _count(page) == "No results"
    assert "town hall" not in page
    # A set open to the network is searchable by any signed-in person, until it is private.
    with app.app_context():
        db.session.get(LearningSet, world.learning_set.id).visibility = Visibility.NETWORK
        db.session.commit()
    assert _count(client.get("/search?q=cafe").text) == "1 result"
    with app.app_context():
        db.session.get(LearningSet, world.learning_set.id).visibility = Visibility.PRIVATE
        db.session.commit()
    assert _count(client.get("/search?q=cafe").text) == "No results"


def test_a_search_within_a_set_finds_only_that_sets_posts_as_they_are_now(app, client, world,
                                                                           posts):
    """Within one set, posts of the searcher's other sets are left out (SQLite reads each
    post's set from the index); the set's own posts are found after an edit, and the set's
    id is not a word anyone can search for."""
    client.sign_in_as(world.member)
    with app.app_context():
        other = factories.make_set("other", name="Another set")
        member = db.session.get(User, world.member.id)
        factories.add_member(member, other)
        thread = factories.make_thread(other, member, title="Elsewhere",
                                       body="A zebraapproved sighting elsewhere.")
        other_id, thread_id = other.id, thread.id
        db.session.commit()
    assert _count(client.get("/search?q=zebraapproved").text) == "2 results"
    assert _count(client.get("/search?q=zebraapproved&set=comms").text) == "1 result"
    assert _count(client.get("/search?q=zebraapproved&set=other").text) == "1 result"
    with app.app_context():
        post = db.session.get(Thread, thread_id).posts[0]
        post.body_source = "Now about quokkas instead."
        db.session.commit()
    assert _count(client.get("/search?q=zebraapproved&set=other").text) == "No results"
    assert _count(client.get("/search?q=quokkas&set=other").text) == "1 result"
    assert _count(client.get("/search?q=quokkas&set=comms").text) == "No results"
    assert _count(client.get(f"/search?q={other_id}&set=other").text) == "No results"
