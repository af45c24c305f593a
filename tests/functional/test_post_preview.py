"""Preview: the post rendered and sanitised exactly as when sent, above the form that keeps the
text, without JavaScript; nothing is saved and nobody is told."""

from __future__ import annotations

from sqlalchemy import func
from sqlalchemy import select

from forum.extensions import db
from forum.models import Notification
from forum.models import Post
from forum.models import Thread

BODY = "We used **local radio**.\n\n<script>alert(1)</script> [a link](javascript:alert(1))"


def _counts(app) -> tuple[int, int, int]:
    with app.app_context():
        return (db.session.scalar(select(func.count(Post.id))),
                db.session.scalar(select(func.count(Thread.id))),
                db.session.scalar(select(func.count(Notification.id))))


def test_previewing_a_reply_shows_it_rendered_and_keeps_the_text(app, client, world):
    client.sign_in_as(world.member)
    with app.app_context():
        opening = db.session.get(Thread, world.thread.id).posts[0].id
    before = _counts(app)
    page = client.post(f"/posts/{opening}/reply", data={"body": BODY, "preview": "Preview"})
    assert page.status_code == 200
    text = page.text
    assert 'id="preview-heading">Preview</h2>' in text
    assert "<strong>local radio</strong>" in text
    assert "<script>alert(1)</script>" not in text
    assert 'href="javascript:' not in text
    assert "We used **local radio**." in text  # the text stays in the box
    assert _counts(app) == before  # nothing sent, nothing saved, nobody told
    # Sending it afterwards posts exactly that text.
    sent = client.post(f"/posts/{opening}/reply", data={"body": BODY})
    assert sent.status_code == 302
    with app.app_context():
        post = db.session.scalars(select(Post).order_by(Post.id.desc())).first()
        assert post.body_source == BODY


def test_previewing_a_new_thread_and_an_empty_preview(app, client, world):
    client.sign_in_as(world.member)
    before = _counts(app)
    page = client.post("/sets/comms/threads/new",
                       data={"title": "Radio", "body": "A *first* post", "preview": "Preview"})
    assert "<em>first</em>" in page.text and 'value="Radio"' in page.text
    empty = client.post("/sets/comms/threads/new",
                        data={"title": "Radio", "body": "", "preview": "Preview"})
    assert "Enter your post" in empty.text
    assert 'id="preview-heading"' not in empty.text
    assert _counts(app) == before


def test_the_thread_page_reply_box_has_a_preview_button(client, world):
    client.sign_in_as(world.member)
    page = client.get(f"/threads/{world.thread.id}").text
    assert 'name="preview"' in page


def test_the_preview_pages_are_valid_html(app, client, world):
    from tests.htmlcheck import assert_valid_html
    from tests.htmlcheck import require_checker

    require_checker()
    client.sign_in_as(world.member)
    with app.app_context():
        opening = db.session.get(Thread, world.thread.id).posts[0].id
    reply = client.post(f"/posts/{opening}/reply", data={"body": BODY, "preview": "Preview"})
    thread = client.post("/sets/comms/threads/new",
                         data={"title": "Radio", "body": BODY, "preview": "Preview"})
    quote = client.get(f"/posts/{opening}/reply?quote=1")
    assert_valid_html([("reply preview", reply.text), ("thread preview", thread.text),
                       ("quote", quote.text)])


def _challenge_opening(app, world) -> int:
    from forum.models import LearningSet
    from forum.models import User
    from tests import factories

    with app.app_context():
        challenge = factories.make_challenge(db.session.get(LearningSet, world.learning_set.id),
                                             db.session.get(User, world.moderator.id))
        db.session.commit()
        return challenge.thread.posts[0].id


def test_previewing_a_challenge_reply_keeps_its_kind_and_text(app, client, world):
    opening = _challenge_opening(app, world)
    client.sign_in_as(world.member)
    with app.app_context():
        thread_id = db.session.get(Post, opening).thread_id
    # Both reply forms of a challenge (its page and the reply page) offer Preview.
    assert 'name="preview"' in client.get(f"/threads/{thread_id}").text
    before = _counts(app)
    page = client.post(f"/posts/{opening}/challenge-reply",
                       data={"kind": "question", "body": BODY + "\n\nAsk @fran.facilitator",
                             "preview": "Preview"})
    assert page.status_code == 200
    text = page.text
    preview = text.split('id="post-preview"', 1)[1].split("</section>", 1)[0]
    assert "<strong>local radio</strong>" in preview
    assert "<script>alert(1)</script>" not in text and 'href="javascript:' not in text
    assert 'class="govuk-link forum-mention"' in preview  # as the posted reply will show it
    assert "We used **local radio**." in text  # the text stays in the box
    assert 'value="question" checked' in text  # and so does the kind
    assert _counts(app) == before
    empty = client.post(f"/posts/{opening}/challenge-reply",
                        data={"kind": "question", "body": "", "preview": "Preview"})
    assert "Enter your reply" in empty.text and 'id="preview-heading"' not in empty.text


def test_previewing_a_new_challenge_keeps_every_field(app, client, world):
    client.sign_in_as(world.member)
    before = _counts(app)
    page = client.post("/sets/comms/challenges/new", data={
        "title": "Radio silence", "body": "A *presenting* issue", "aim": "Two champions",
        "preview": "Preview"})
    assert page.status_code == 200
    assert "<em>presenting</em>" in page.text.split('id="post-preview"', 1)[1]
    assert 'value="Radio silence"' in page.text and "Two champions</textarea>" in page.text
    assert _counts(app) == before


def test_the_challenge_and_edit_preview_pages_are_valid_html(app, client, world):
    from tests.htmlcheck import assert_valid_html
    from tests.htmlcheck import require_checker

    require_checker()
    opening = _challenge_opening(app, world)
    client.sign_in_as(world.member)
    reply = client.post(f"/posts/{opening}/challenge-reply",
                        data={"kind": "question", "body": BODY, "preview": "Preview"})
    new = client.post("/sets/comms/challenges/new", data={
        "title": "Radio", "body": BODY, "aim": "Two champions", "preview": "Preview"})
    with app.app_context():
        thread_opening = db.session.get(Thread, world.thread.id).posts[0].id
    edit = client.post(f"/posts/{thread_opening}/edit", data={
        "title": "Naming the assembly", "body": BODY, "preview": "Preview"})
    assert 'id="preview-heading"' in edit.text
    assert_valid_html([("challenge reply preview", reply.text),
                       ("new challenge preview", new.text), ("edit preview", edit.text)])


def test_previewing_an_edit_changes_nothing_and_keeps_the_new_text(app, client, world):
    with app.app_context():
        opening = db.session.get(Thread, world.thread.id).posts[0]
        opening_id, source, version = opening.id, opening.body_source, opening.version
    client.sign_in_as(world.member)  # the thread's author
    assert 'name="preview"' in client.get(f"/posts/{opening_id}/edit").text
    before = _counts(app)
    page = client.post(f"/posts/{opening_id}/edit", data={
        "title": "Naming the assembly", "body": "Now with **bold** for @fran.facilitator",
        "preview": "Preview"})
    assert page.status_code == 200
    preview = page.text.split('id="post-preview"', 1)[1].split("</section>", 1)[0]
    assert "<strong>bold</strong>" in preview and "forum-mention" in preview
    assert "Now with **bold** for @fran.facilitator</textarea>" in page.text
    assert _counts(app) == before
    with app.app_context():
        post = db.session.get(Post, opening_id)
        assert (post.body_source, post.version, post.pending_source) == (source, version, None)
