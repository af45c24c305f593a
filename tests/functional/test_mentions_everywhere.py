"""Every page that shows a post's words shows its @mentions the same way: as links to the
member's entry on the set's People page (the thread, the reply and report pages, earlier
versions, the moderation queue and each moderator's page, previews, a challenge's pages,
a guide's curation page). And a reply in a challenge offers the same @ suggestions as a
thread's reply box, and tells whom it mentions once published, as any post does.

Runs on SQLite by default and on PostgreSQL with ``FORUM_TEST_DATABASE_URL``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import select

from forum.extensions import db
from forum.models import LearningSet
from forum.models import ModerationPolicy
from forum.models import Notification
from forum.models import NotificationKind
from forum.models import Post
from forum.models import PostStatus
from forum.models import Thread
from forum.models import User
from forum.models import Visibility
from forum.threads import service as threads
from tests import factories
from tests.querycount import count_page_queries

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"
MENTION = "@fran.facilitator"


@dataclass(frozen=True)
class Posts:
    thread_id: int
    opening_id: int    # published "OPENING", with an edit waiting: "PROPOSED"
    edited_id: int     # published "CURRENT", an earlier version "EARLIER"
    waiting_id: int    # waiting for a moderator: "WAITING"
    challenge_opening_id: int  # a challenge's presenting issue: "CHALLENGE"
    guide_id: int      # a draft guide over the thread


def _policy(app, world, policy: ModerationPolicy) -> None:
    with app.app_context():
        db.session.get(LearningSet, world.learning_set.id).moderation_policy = policy
        db.session.commit()


@pytest.fixture
def posts(app, world) -> Posts:
    from forum.guides import service as guides

    with app.app_context():
        learning_set = db.session.get(LearningSet, world.learning_set.id)
        learning_set.moderation_policy = ModerationPolicy.AFTER_THE_FACT
        member = db.session.get(User, world.member.id)
        moderator = db.session.get(User, world.moderator.id)
        thread = factories.make_thread(learning_set, member, title="Mentions everywhere",
                                       body=f"OPENING {MENTION}")
        opening = thread.posts[0]
        edited = factories.make_post(thread, moderator, parent=opening,
                                     body=f"EARLIER {MENTION}")
        db.session.flush()
        threads.edit_post(db.session, moderator, edited, body=f"CURRENT {MENTION}")
        waiting = factories.make_post(thread, member, parent=opening, status=PostStatus.PENDING,
                                      body=f"WAITING {MENTION}")
        factories.propose_edit(opening, f"PROPOSED {MENTION}")
        challenge = factories.make_challenge(learning_set, moderator, title="A challenge")
        challenge_opening = challenge.thread.posts[0]
        challenge_opening.body_source = f"CHALLENGE {MENTION}"
        challenge_opening.body_html = f"<p>CHALLENGE {MENTION}</p>"
        guide = guides.create_guide(db.session, learning_set=learning_set,
                                    creator=db.session.get(User, world.facilitator.id),
                                    title="What we learnt", thread_ids=[thread.id])
        db.session.commit()
        return Posts(thread.id, opening.id, edited.id, waiting.id, challenge_opening.id,
                     guide.id)


def _linked(page: str, marker: str, world) -> bool:
    """Whether the body marked ``marker`` shows its mention as the link to Fran's entry."""
    link = (f'<a class="govuk-link forum-mention" href="/sets/comms/members#member-'
            f'{world.facilitator.id}">{MENTION}</a>')
    return re.search(re.escape(f"{marker} {link}"), page) is not None


# (who looks, the page, the bodies it shows)
PAGES = [
    ("moderator", "/threads/{thread_id}", ["OPENING", "CURRENT", "PROPOSED"]),
    ("member", "/threads/{thread_id}?post={opening_id}", ["OPENING", "PROPOSED", "CURRENT"]),
    ("moderator", "/posts/{edited_id}/revisions", ["CURRENT", "EARLIER"]),
    ("member", "/posts/{opening_id}/revisions", ["OPENING", "PROPOSED"]),
    ("moderator", "/moderation/", ["WAITING", "OPENING", "PROPOSED"]),
    ("moderator", "/moderation/posts/{waiting_id}/reject", ["WAITING"]),
    ("moderator", "/moderation/posts/{waiting_id}/edit", ["WAITING"]),
    ("moderator", "/moderation/posts/{opening_id}/return-edit", ["OPENING", "PROPOSED"]),
    ("moderator", "/moderation/posts/{edited_id}/hide", ["CURRENT"]),
    ("member", "/posts/{edited_id}/report", ["CURRENT"]),
    ("member", "/posts/{edited_id}/reply", ["CURRENT"]),
    ("member", "/threads/{challenge_thread}", ["CHALLENGE"]),
    ("member", "/posts/{challenge_opening_id}/challenge-reply", ["CHALLENGE"]),
    ("facilitator", "/sets/comms/guides/{guide_id}/", ["OPENING", "CURRENT"]),
]


@pytest.mark.parametrize(("role", "address", "markers"), PAGES,
                         ids=[address for _, address, _ in PAGES])
def test_every_page_showing_a_post_links_its_mentions(app, client, world, posts, role,
                                                      address, markers):
    with app.app_context():
        challenge_thread = db.session.get(Post, posts.challenge_opening_id).thread_id
    url = address.format(challenge_thread=challenge_thread, **vars(posts))
    client.sign_in_as(world.user(role))
    response = client.get(url)
    assert response.status_code == 200, url
    for marker in markers:
        assert marker in response.text, (url, marker)
        assert _linked(response.text, marker, world), (url, marker)


def test_a_preview_links_mentions_as_the_post_will(app, client, world, posts):
    client.sign_in_as(world.member)
    page = client.post(f"/posts/{posts.edited_id}/reply",
                       data={"body": f"PREVIEW {MENTION} and @otto.outsider",
                             "preview": "Preview"}).text
    preview = page.split('id="post-preview"', 1)[1].split("</section>", 1)[0]
    assert _linked(preview, "PREVIEW", world)
    assert "@otto.outsider" in preview and preview.count("forum-mention") == 1


def test_a_mention_of_no_member_stays_text_everywhere(app, client, world, posts):
    """The same rule on the queue as on the thread: only the set's members are linked."""
    with app.app_context():
        post = db.session.get(Post, posts.waiting_id)
        post.body_html = "<p>WAITING @otto.outsider</p>"
        db.session.commit()
    client.sign_in_as(world.moderator)
    page = client.get(f"/moderation/posts/{posts.waiting_id}/reject").text
    assert "WAITING @otto.outsider" in page
    assert f'forum-mention" href="/sets/comms/members#member-{world.outsider.id}"' not in page


def test_no_template_shows_a_post_body_without_its_mentions():
    """A post's words reach a page only through ``post_body`` (which links mentions): piping
    its HTML straight to ``safe_post_html`` was how the queue and revisions lost their links."""
    raw = re.compile(r"([\w.\[\]]*\b(?:body|pending)_html)\s*\|\s*(?:safe_post_html|safe)\b")
    not_posts = {"material.body_html"}  # an event's material, written by its organisers
    found = {(path.relative_to(TEMPLATES).as_posix(), match.group(1))
             for path in TEMPLATES.rglob("*.html")
             for match in raw.finditer(path.read_text(encoding="utf-8"))
             if match.group(1) not in not_posts}
    assert found == set()


def test_only_those_who_may_see_the_people_page_get_mention_links(app, world, posts):
    """Who is in a set is for its members (and admins), whatever the set's visibility: in a
    public set a visitor, and someone signed in from outside the set, read a mention as text,
    not as a link to a People page they cannot open naming whom it mentions as a member (the
    articles kept for members are not served to them either)."""
    with app.app_context():
        db.session.get(LearningSet, world.learning_set.id).visibility = Visibility.PUBLIC
        db.session.commit()
    url = f"/threads/{posts.thread_id}"
    member = app.test_client()
    member.sign_in_as(world.member)
    assert _linked(member.get(url).text, "OPENING", world)
    for viewer in (None, world.outsider):
        client = app.test_client()
        if viewer is not None:
            client.sign_in_as(viewer)
        page = client.get(url).text
        assert f"OPENING {MENTION}" in page and "CURRENT" in page
        assert "forum-mention" not in page and "/members#member-" not in page
        assert client.get("/sets/comms/members").status_code != 200
    admin = app.test_client()
    admin.sign_in_as(world.admin)
    assert _linked(admin.get(url).text, "OPENING", world)


# --- challenges ---------------------------------------------------------------------------

def _mention_texts(app, user) -> list[str]:
    with app.app_context():
        return list(db.session.scalars(select(Notification.text).where(
            Notification.user_id == user.id, Notification.kind == NotificationKind.MENTION)))


def _challenge_opening(app, world) -> int:
    with app.app_context():
        challenge = factories.make_challenge(db.session.get(LearningSet, world.learning_set.id),
                                             db.session.get(User, world.moderator.id),
                                             title="Champions for the results")
        db.session.commit()
        return challenge.thread.posts[0].id


def test_challenge_forms_offer_the_at_suggestions(app, client, world):
    opening_id = _challenge_opening(app, world)
    source = 'data-mention-source="/sets/comms/mention-suggestions"'
    client.sign_in_as(world.member)
    with app.app_context():
        thread_id = db.session.get(Post, opening_id).thread_id
    for url in (f"/posts/{opening_id}/challenge-reply", f"/threads/{thread_id}",
                "/sets/comms/challenges/new"):
        page = client.get(url).text
        assert page.count(source) == 1, url
        box = re.search(rf"<textarea[^>]*{re.escape(source)}[^>]*>", page)
        assert box is not None and 'name="body"' in box.group(0), url


def test_a_mention_in_a_challenge_reply_tells_the_member_once_approved(app, client, world):
    _policy(app, world, ModerationPolicy.EVERY_POST)
    opening_id = _challenge_opening(app, world)
    client.sign_in_as(world.member)
    response = client.post(f"/posts/{opening_id}/challenge-reply", data={
        "kind": "question", "body": f"What would {MENTION} or @otto.outsider ask first?"})
    assert response.status_code == 302
    with app.app_context():
        reply = db.session.scalar(select(Post).where(Post.parent_id == opening_id))
        assert reply.status == PostStatus.PENDING
        reply_id = reply.id
    assert _mention_texts(app, world.facilitator) == []  # nothing before approval
    client.sign_in_as(world.moderator)
    with app.app_context():
        version = db.session.get(Post, reply_id).version
    assert client.post(f"/moderation/posts/{reply_id}/approve",
                       data={f"version-{reply_id}": version}).status_code in (302, 303)
    with app.app_context():
        assert db.session.get(Post, reply_id).status == PostStatus.APPROVED
    assert _mention_texts(app, world.facilitator) == [
        "Mo Member mentioned you in a question in “Champions for the results”."]
    assert _mention_texts(app, world.outsider) == []  # may not read the set: never told


def test_a_returned_challenge_reply_tells_no_one(app, client, world):
    _policy(app, world, ModerationPolicy.EVERY_POST)
    opening_id = _challenge_opening(app, world)
    client.sign_in_as(world.member)
    client.post(f"/posts/{opening_id}/challenge-reply",
                data={"kind": "question", "body": f"UNAPPROVED {MENTION}?"})
    with app.app_context():
        reply_id = db.session.scalar(select(Post.id).where(Post.parent_id == opening_id))
    client.sign_in_as(world.moderator)
    client.post(f"/moderation/posts/{reply_id}/reject", data={"reason": "Ask it openly."})
    with app.app_context():
        assert db.session.get(Post, reply_id).status == PostStatus.REJECTED
    assert _mention_texts(app, world.facilitator) == []


def test_linking_mentions_costs_the_same_queries_for_3_and_30_mentions(app, client, world):
    """The members' handles are read once per set and page, not once per post."""
    def add(count: int, status: PostStatus) -> None:
        with app.app_context():
            thread = db.session.get(Thread, world.thread.id)
            for _ in range(count):
                factories.make_post(thread, db.session.get(User, world.member.id),
                                    parent=thread.posts[0], status=status,
                                    body=f"ASK {MENTION} and @mia.moderator")
            db.session.commit()

    client.sign_in_as(world.moderator)
    add(3, PostStatus.APPROVED)
    add(3, PostStatus.PENDING)
    thread_few = count_page_queries(app, client, f"/threads/{world.thread.id}")
    queue_few = count_page_queries(app, client, "/moderation/")
    add(27, PostStatus.APPROVED)
    add(27, PostStatus.PENDING)
    thread_many = count_page_queries(app, client, f"/threads/{world.thread.id}")
    queue_many = count_page_queries(app, client, "/moderation/")
    page = client.get("/moderation/").text
    assert page.count(f'forum-mention" href="/sets/comms/members#member-{world.facilitator.id}"'
                      ) >= 20  # a full page of the queue, every mention linked
    assert (thread_many, queue_many) == (thread_few, queue_few)
