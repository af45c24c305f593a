"""The moderation queue: one page across a moderator's sets, oldest first, with context."""

from __future__ import annotations

from datetime import timedelta

import pytest

from forum.extensions import db
from forum.models import LearningSet
from forum.models import Post
from forum.models import PostStatus
from forum.models import Report
from forum.models import Role
from forum.models import Thread
from forum.models import utcnow
from tests import factories
from tests.htmlcheck import assert_valid_html
from tests.htmlcheck import require_checker
from tests.querycount import recording_statements


def _pending(app, world, body, *, minutes_ago=0, learning_set_id=None):
    with app.app_context():
        if learning_set_id is None:
            thread = db.session.get(Thread, world.thread.id)
            parent = thread.posts[0]
        else:
            thread = factories.make_thread(db.session.get(LearningSet, learning_set_id),
                                           world.outsider, title=f"Thread for {body}")
            parent = None
        post = factories.make_post(thread, world.member, parent=parent, body=body,
                                   status=PostStatus.PENDING)
        post.created_at = utcnow() - timedelta(minutes=minutes_ago)
        db.session.commit()
        return post.id


def test_queue_shows_each_post_in_context(app, client, world):
    _pending(app, world, "We used a civic lottery.")
    client.sign_in_as(world.moderator)
    page = client.get("/moderation/").get_data(as_text=True)
    assert "Communicating assemblies" in page          # the set
    assert "Naming the assembly" in page               # the thread title
    assert "What did you call yours?" in page          # excerpt of the post it answers
    assert "Mo Member, Testshire County Council" in page
    assert "1 approved post in this set before" in page
    assert "We used a civic lottery." in page
    assert 'formaction="/moderation/posts/' in page


def test_queue_is_oldest_first(app, client, world):
    _pending(app, world, "Newer post", minutes_ago=1)
    _pending(app, world, "Older post", minutes_ago=30)
    client.sign_in_as(world.moderator)
    page = client.get("/moderation/").get_data(as_text=True)
    assert page.index("Older post") < page.index("Newer post")


def test_queue_spans_every_set_a_moderator_moderates_and_filters_by_set(app, client, world):
    with app.app_context():
        second = factories.make_set("budgets", name="Participatory budgets")
        factories.add_member(db.session.get(type(world.moderator), world.moderator.id), second,
                             Role.MODERATOR)
        unmoderated = factories.make_set("others", name="Someone else's set")
        db.session.commit()
        second_id, unmoderated_id = second.id, unmoderated.id
    _pending(app, world, "Post in comms")
    _pending(app, world, "Post in budgets", learning_set_id=second_id)
    _pending(app, world, "Post elsewhere", learning_set_id=unmoderated_id)
    client.sign_in_as(world.moderator)
    page = client.get("/moderation/").get_data(as_text=True)
    assert "Post in comms" in page and "Post in budgets" in page
    assert "Post elsewhere" not in page
    assert "Moderation (2" in page
    filtered = client.get("/moderation/?set=budgets").get_data(as_text=True)
    assert "Post in budgets" in filtered and "Post in comms" not in filtered
    assert client.get("/moderation/?set=others").status_code == 404  # private, not theirs
    client.sign_in_as(world.admin)
    assert "Post elsewhere" in client.get("/moderation/").get_data(as_text=True)


def test_queue_links_to_the_moderation_log_of_each_set_it_shows(app, client, world):
    with app.app_context():
        second = factories.make_set("budgets", name="Participatory budgets")
        factories.add_member(db.session.get(type(world.moderator), world.moderator.id), second,
                             Role.MODERATOR)
        db.session.commit()
    client.sign_in_as(world.moderator)
    page = client.get("/moderation/").get_data(as_text=True)
    assert 'href="/sets/comms/moderation-log">moderation log for Communicating assemblies' in page
    assert 'href="/sets/budgets/moderation-log"' in page
    filtered = client.get("/moderation/?set=budgets").get_data(as_text=True)
    assert 'href="/sets/budgets/moderation-log"' in filtered
    assert "/sets/comms/moderation-log" not in filtered


def test_reported_posts_are_in_the_queue_marked_as_reports(app, client, world):
    with app.app_context():
        thread = db.session.get(Thread, world.thread.id)
        db.session.add(Report(post_id=thread.posts[0].id, reporter_id=world.moderator.id,
                              reason="Names a resident."))
        db.session.commit()
    client.sign_in_as(world.facilitator)
    page = client.get("/moderation/").get_data(as_text=True)
    assert "Reported" in page
    assert "Names a resident." in page
    assert "Dismiss reports" in page


def test_header_shows_the_count_to_moderators_only(app, client, world):
    _pending(app, world, "One")
    _pending(app, world, "Two")
    client.sign_in_as(world.moderator)
    assert "Moderation (2" in client.get("/").get_data(as_text=True)
    client.sign_in_as(world.member)
    assert "Moderation (" not in client.get("/").get_data(as_text=True)


def test_queue_is_paginated(app, client, world):
    for n in range(25):
        _pending(app, world, f"Queued post number {n:02d}", minutes_ago=100 - n)
    client.sign_in_as(world.moderator)
    first = client.get("/moderation/").get_data(as_text=True)
    second = client.get("/moderation/?page=2").get_data(as_text=True)
    assert "Queued post number 00" in first and "Queued post number 19" in first
    assert "Queued post number 20" not in first
    assert "Queued post number 24" in second and "Queued post number 00" not in second
    assert 'href="/moderation/?page=2"' in first
    assert 'aria-label="Pages of the queue"' in first
    # Within one set, the page links keep to that set.
    slug = world.learning_set.slug
    one_set = client.get(f"/moderation/?set={slug}").get_data(as_text=True)
    assert f'href="/moderation/?page=2&amp;set={slug}"' in one_set


@pytest.mark.parametrize(("role", "status"), [
    ("anonymous", 302), ("outsider", 403), ("member", 403), ("moderator", 200),
    ("facilitator", 200), ("admin", 200),
])
def test_only_moderators_reach_the_queue(app, client, world, role, status):
    user = world.user(role)
    if user is not None:
        client.sign_in_as(user)
    assert client.get("/moderation/").status_code == status


def _queue_queries(app, world, waiting):
    with app.app_context():
        thread = db.session.get(Thread, world.thread.id)
        authors = [factories.make_user() for _ in range(5)]
        for n in range(waiting):
            db.session.add(Post(thread_id=thread.id, author_id=authors[n % 5].id,
                                parent_id=thread.posts[0].id, depth=1, body_source=f"p{n}",
                                body_html=f"<p>p{n}</p>", status=PostStatus.PENDING))
        db.session.commit()
    client = app.test_client()
    client.sign_in_as(world.moderator)
    with recording_statements(app) as statements:
        assert client.get("/moderation/").status_code == 200
    return len(statements)


def test_queue_page_costs_the_same_number_of_queries_for_10_and_100_waiting_posts(
        app, world):
    ten = _queue_queries(app, world, 10)
    # Same app, 90 more: the page still shows 20 items, from more authors.
    hundred = _queue_queries(app, world, 90)
    assert ten == hundred
    assert ten <= 10, ten


def test_header_count_stops_at_99_plus_while_the_queue_lists_everything(app, client, world):
    with app.app_context():
        thread = db.session.get(Thread, world.thread.id)
        opening = thread.posts[0]
        for number in range(101):
            factories.make_post(thread, world.member, parent=opening, body=f"Waiting {number}",
                                status=PostStatus.PENDING)
        db.session.commit()
    client.sign_in_as(world.moderator)
    page = client.get("/moderation/").get_data(as_text=True)
    assert "Moderation (99+" in page
    assert "Moderation (101" not in page and "Moderation (100" not in page
    assert "<strong>101</strong> items waiting" in page  # the queue page counts them all


def test_header_counts_others_waiting_posts_and_edits_and_the_queue_lists_the_own_too(
        app, client, world):
    """The header's count reads waiting posts and waiting edits apart (each through the
    index); what it counts is unchanged: others' waiting posts and edits, not published
    posts without an edit, not the moderator's own (which the queue lists for another)."""
    _pending(app, world, "A member's waiting post")
    with app.app_context():
        thread = db.session.get(Thread, world.thread.id)
        opening = thread.posts[0]
        edited = factories.make_post(thread, world.member, parent=opening, body="Published.")
        factories.propose_edit(edited, "Published, then edited: the edit waits.")
        factories.make_post(thread, world.member, parent=opening, body="Published, no edit.")
        factories.make_post(thread, world.moderator, parent=opening,
                            body="The moderator's own waiting post.", status=PostStatus.PENDING)
        db.session.commit()
    client.sign_in_as(world.moderator)
    page = client.get("/moderation/").get_data(as_text=True)
    assert "Moderation (2<" in page
    assert "<strong>3</strong> items waiting" in page
    assert "Published, then edited: the edit waits." in page
    assert "Published, no edit." not in page
    # An admin's count checks each waiting post against its own thread (not a list of
    # every waiting thread): the same items, the moderator's waiting post among them.
    client.sign_in_as(world.admin)
    assert "Moderation (3<" in client.get("/moderation/").get_data(as_text=True)


def test_approved_before_counts_the_authors_posts_in_that_set_only_up_to_50_or_more(
        app, client, world):
    """Each waiting post says how many posts its author had published in that set: posts in
    another set do not count, and a long history reads "50 or more"."""
    with app.app_context():
        member = db.session.get(type(world.member), world.member.id)
        thread = db.session.get(Thread, world.thread.id)
        other = factories.make_set("elsewhere", name="Elsewhere")
        factories.add_member(member, other)
        factories.add_member(db.session.get(type(world.moderator), world.moderator.id), other,
                             Role.MODERATOR)
        elsewhere = factories.make_thread(other, member, title="Elsewhere thread")
        for number in range(60):
            factories.make_post(elsewhere, member, parent=elsewhere.posts[0], body=f"E{number}")
        for number in range(3):
            factories.make_post(thread, member, parent=thread.posts[0], body=f"C{number}")
        factories.make_post(elsewhere, member, parent=elsewhere.posts[0], body="Waits there.",
                            status=PostStatus.PENDING)
        db.session.commit()
    _pending(app, world, "Waits here.")
    client.sign_in_as(world.moderator)
    page = client.get("/moderation/").get_data(as_text=True)
    # Oldest first: the post waiting elsewhere, then the one here; each item's author line
    # comes before its text.
    assert (page.index("50 or more approved posts in this set before")
            < page.index("Waits there.")
            < page.index("4 approved posts in this set before")
            < page.index("Waits here."))


def test_a_waiting_challenge_shows_its_aim_where_a_moderator_approves_it(app, client, world):
    # The aim is published with the challenge's opening post: approving from the queue (or
    # editing and approving) must not publish text the moderator was never shown.
    from forum.challenges import service as challenges
    from forum.models import ModerationPolicy
    from forum.models import User

    with app.app_context():
        learning_set = db.session.get(LearningSet, world.learning_set.id)
        learning_set.moderation_policy = ModerationPolicy.EVERY_POST
        _challenge, opening = challenges.start_challenge(
            db.session, db.session.get(User, world.member.id), learning_set,
            title="Getting the cabinet on side", body="Cabinet noted the results.",
            aim="Two cabinet members champion the assembly's results.")
        db.session.commit()
        assert opening.status == PostStatus.PENDING
        opening_id = opening.id
    client.sign_in_as(world.moderator)
    queue = client.get("/moderation/").get_data(as_text=True)
    assert "What they want to achieve" in queue
    assert "Two cabinet members champion the assembly&#39;s results." in queue
    edit = client.get(f"/moderation/posts/{opening_id}/edit").get_data(as_text=True)
    assert "Two cabinet members champion the assembly&#39;s results." in edit


def test_the_queue_shows_the_files_that_approval_would_publish(app, client, world):
    # A waiting post's files, and files added with a waiting edit, are published by approving
    # from the queue: the moderator is shown them (and can open them) there.
    from forum.files.service import attach
    from forum.files.service import prepare
    from forum.files.storage import upload_storage
    from forum.models import User
    from tests import file_samples

    pending_id = _pending(app, world, "Our survey results are attached.")
    with app.app_context():
        author = db.session.get(User, world.member.id)
        pending = db.session.get(Post, pending_id)
        thread = db.session.get(Thread, world.thread.id)
        edited = factories.make_post(thread, author, parent=thread.posts[0], body="Approved.")
        factories.propose_edit(edited, "Approved, with the slides.")
        storage = upload_storage()
        waiting_file = attach(db.session, storage, author,
                              prepare(file_samples.CSV, "survey-results.csv"), post=pending)
        edit_file = attach(db.session, storage, author,
                           prepare(file_samples.PDF, "slides-with-edit.pdf"), post=edited,
                           awaiting_approval=True)
        db.session.commit()
        file_ids = (waiting_file.id, edit_file.id)
    client.sign_in_as(world.moderator)
    page = client.get("/moderation/").get_data(as_text=True)
    assert "survey-results.csv" in page and "slides-with-edit.pdf" in page
    assert "Added with the edit" in page
    require_checker()
    edit_page = client.get(f"/moderation/posts/{pending_id}/edit").get_data(as_text=True)
    assert "survey-results.csv" in edit_page
    assert_valid_html([("/moderation/", page), ("edit and approve", edit_page)])
    for file_id in file_ids:
        assert f'href="/files/{file_id}"' in page
        response = client.get(f"/files/{file_id}")
        response.close()  # a file sent from storage is closed once read
        assert response.status_code == 200


@pytest.mark.parametrize("query", ["endpoint=x", "_method=POST", "values=1", "_anchor=top",
                                   "_external=1"])
def test_odd_query_names_neither_break_the_queue_nor_reach_its_form(app, client, world, query):
    """The queue's form and its links back carry the set and page shown, not the request's
    whole query: names that url_for takes as its own (?endpoint=, ?_method=) were a 500, and
    ?_external=1 made the form's action an address with the host the request named."""
    _pending(app, world, "We used a civic lottery.")
    client.sign_in_as(world.moderator)
    slug = world.learning_set.slug
    page = client.get(f"/moderation/?set={slug}&{query}")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "We used a civic lottery." in text
    assert f'action="/moderation/approve-selected?set={slug}"' in text
    assert f'name="next" value="/moderation/?set={slug}"' in text
    refused = client.post(f"/moderation/approve-selected?set={slug}&{query}", data={})
    assert refused.status_code == 200
    assert "Select at least one post to approve" in refused.get_data(as_text=True)
