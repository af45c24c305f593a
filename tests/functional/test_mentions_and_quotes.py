"""@mentions tell the member once the post is published and only if they can read it; a quote
carries only published text, credited and linked back."""

from __future__ import annotations

import html

import pytest
from sqlalchemy import select

from forum.extensions import db
from forum.mentions import handle_of
from forum.mentions import mentioned_handles
from forum.models import LearningSet
from forum.models import ModerationPolicy
from forum.models import Notification
from forum.models import NotificationKind
from forum.models import Post
from forum.models import PostStatus
from forum.models import Thread
from forum.models import User
from forum.moderation import service as moderation
from forum.threads import service as threads
from tests import factories


def test_handles_and_what_a_post_mentions():
    assert handle_of("Aisha Rahman") == "aisha.rahman"
    assert handle_of("Zoë  O'Neill-Smith") == "zoë.o.neill.smith"
    assert mentioned_handles("Thanks @aisha.rahman and @Mo.Member.\n> @quoted.person said") == {
        "aisha.rahman", "mo.member"}
    assert mentioned_handles("mail me at someone@example.org") == set()


def _policy(app, world, policy: ModerationPolicy) -> None:
    with app.app_context():
        db.session.get(LearningSet, world.learning_set.id).moderation_policy = policy
        db.session.commit()


def _reply(app, world, role: str, body: str) -> int:
    with app.app_context():
        thread = db.session.get(Thread, world.thread.id)
        post = threads.reply_to(db.session, db.session.get(User, world.user(role).id),
                                thread.posts[0], body=body)
        db.session.commit()
        return post.id


def _mentions(app, user) -> list[str]:
    with app.app_context():
        return list(db.session.scalars(select(Notification.text).where(
            Notification.user_id == user.id, Notification.kind == NotificationKind.MENTION)))


def test_a_mention_tells_the_member_once_the_post_is_approved(app, world):
    _policy(app, world, ModerationPolicy.EVERY_POST)
    waiting = _reply(app, world, "member", "What do you think, @fran.facilitator?")
    assert _mentions(app, world.facilitator) == []
    with app.app_context():
        moderation.approve(db.session, db.session.get(User, world.moderator.id),
                           db.session.get(Post, waiting))
        db.session.commit()
    assert _mentions(app, world.facilitator) == [
        "Mo Member mentioned you in “Naming the assembly”."]


def test_a_returned_post_never_tells_whom_it_mentions(app, world):
    _policy(app, world, ModerationPolicy.EVERY_POST)
    waiting = _reply(app, world, "member", "@fran.facilitator UNAPPROVED words")
    with app.app_context():
        moderation.reject(db.session, db.session.get(User, world.moderator.id),
                          db.session.get(Post, waiting), "Not yet.")
        db.session.commit()
    assert _mentions(app, world.facilitator) == []


def test_someone_outside_the_set_is_never_told(app, world):
    _policy(app, world, ModerationPolicy.AFTER_THE_FACT)
    _reply(app, world, "moderator", "Ask @otto.outsider and @ada.admin about it.")
    assert _mentions(app, world.outsider) == []
    assert _mentions(app, world.admin) == []  # not a member of the set either


def test_editing_a_post_does_not_tell_again(app, client, world):
    _policy(app, world, ModerationPolicy.AFTER_THE_FACT)
    post_id = _reply(app, world, "moderator", "Over to @fran.facilitator.")
    assert len(_mentions(app, world.facilitator)) == 1
    with app.app_context():
        db.session.execute(Notification.__table__.update().values(read_at=None))
        threads.edit_post(db.session, db.session.get(User, world.moderator.id),
                          db.session.get(Post, post_id),
                          body="Over to @fran.facilitator, again.")
        db.session.commit()
        texts = db.session.scalars(select(Notification).where(
            Notification.user_id == world.facilitator.id)).all()
    assert len(texts) == 1


def _opening_id(app, world) -> int:
    with app.app_context():
        return db.session.get(Thread, world.thread.id).posts[0].id


def test_quote_opens_the_reply_form_with_the_published_text_credited(app, client, world):
    client.sign_in_as(world.moderator)
    opening = _opening_id(app, world)
    page = client.get(f"/threads/{world.thread.id}").text
    assert f'href="/posts/{opening}/reply?quote=1"' in page
    form = html.unescape(client.get(f"/posts/{opening}/reply?quote=1").text)
    # The link back opens the page of the thread that shows the post (long threads have pages).
    assert f"> What did you call yours?\n>\n> — [Mo Member](/threads/{world.thread.id}" \
           f"?post={opening}#post-{opening})" in form


@pytest.mark.parametrize("status", [PostStatus.PENDING, PostStatus.HIDDEN])
def test_a_post_not_published_cannot_be_quoted(app, client, world, status):
    with app.app_context():
        thread = db.session.get(Thread, world.thread.id)
        post = factories.make_post(thread, db.session.get(User, world.member.id),
                                   parent=thread.posts[0], status=status,
                                   body="UNAPPROVEDQUOTE text")
        db.session.commit()
        post_id = post.id
    client.sign_in_as(world.moderator)  # reads the post, but may not publish it by quoting
    page = client.get(f"/posts/{post_id}/reply?quote=1")
    assert "UNAPPROVEDQUOTE" not in page.text.split('name="body"', 1)[-1].split("</textarea>")[0]
    assert f'/posts/{post_id}/reply?quote=1' not in client.get(
        f"/threads/{world.thread.id}").text


def test_a_waiting_edit_is_never_quoted(app, client, world):
    with app.app_context():
        opening = db.session.get(Thread, world.thread.id).posts[0]
        factories.propose_edit(opening, "PENDINGEDITWORDS")
        db.session.commit()
        opening_id = opening.id
    client.sign_in_as(world.facilitator)
    form = client.get(f"/posts/{opening_id}/reply?quote=1").text
    assert "PENDINGEDITWORDS" not in form.split('name="body"', 1)[-1]
    assert "What did you call yours?" in form


def test_the_profile_shows_the_handle(client, world):
    client.sign_in_as(world.member)
    assert "@mo.member" in client.get("/account/profile").text


def test_quote_in_a_challenge_opens_its_reply_form_with_the_quotation(app, client, world):
    """The Quote link of a challenge's post leads to the challenge's own reply form (replies
    there have a kind): the quotation, or the chosen passage of it, must come along."""
    with app.app_context():
        challenge = factories.make_challenge(db.session.get(LearningSet, world.learning_set.id),
                                             db.session.get(User, world.moderator.id),
                                             title="Quoting in a challenge")
        opening = challenge.thread.posts[0]
        opening.body_source = "First we tried a survey. Then we asked the chair."
        db.session.commit()
        opening_id, thread_id = opening.id, challenge.thread_id
    client.sign_in_as(world.member)
    response = client.get(f"/posts/{opening_id}/reply?quote=1&passage=Then+we+asked+the+chair.",
                          follow_redirects=True)
    assert response.request.path == f"/posts/{opening_id}/challenge-reply"
    box = response.text.split('name="body"', 1)[1].split("</textarea>", 1)[0]
    assert "&gt; Then we asked the chair.\n&gt;\n&gt; — [Mia Moderator]" \
           f"(/threads/{thread_id}" in box
    assert "survey" not in box
