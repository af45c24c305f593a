"""Members report published posts; moderators hide or dismiss; every action lands in the log."""

from __future__ import annotations

import ast
import inspect

import pytest
from sqlalchemy import select

from forum.extensions import db
from forum.models import ActionKind
from forum.models import ModerationAction
from forum.models import Post
from forum.models import PostStatus
from forum.models import Report
from forum.models import ReportStatus
from forum.models import Thread
from forum.models import User
from forum.moderation import service
from tests import factories
from tests.htmlcheck import assert_valid_html
from tests.htmlcheck import require_checker


def _opening_id(app, world):
    with app.app_context():
        return db.session.get(Thread, world.thread.id).posts[0].id


def _reports(app):
    with app.app_context():
        return [(r.reporter_id, r.status, r.reason)
                for r in db.session.scalars(select(Report).order_by(Report.id))]


def test_a_member_reports_a_post_once_and_it_enters_the_queue(app, client, world):
    post_id = _opening_id(app, world)
    client.sign_in_as(world.moderator)  # anyone but the author; here a moderator reports
    page = client.post(f"/posts/{post_id}/report", data={"reason": ""}).get_data(as_text=True)
    assert "Enter what the problem is" in page
    response = client.post(f"/posts/{post_id}/report", data={"reason": "Names a resident."})
    assert response.status_code == 303
    again = client.post(f"/posts/{post_id}/report", data={"reason": "Still there."},
                        follow_redirects=True).get_data(as_text=True)
    assert "You have already reported this post" in again
    assert _reports(app) == [(world.moderator.id, ReportStatus.OPEN, "Names a resident.")]
    client.sign_in_as(world.facilitator)
    queue = client.get("/moderation/").get_data(as_text=True)
    assert "Names a resident." in queue and "Moderation (1" in queue


@pytest.mark.parametrize(("who", "status"), [("author", 403), ("outsider", 404)])
def test_authors_cannot_report_themselves_and_outsiders_cannot_see_the_post(
        app, client, world, who, status):
    client.sign_in_as(world.member if who == "author" else world.outsider)
    assert client.get(f"/posts/{_opening_id(app, world)}/report").status_code == status


def test_dismissing_reports_keeps_the_post_and_a_second_dismissal_is_told(app, client, world):
    post_id = _opening_id(app, world)
    with app.app_context():
        db.session.add(Report(post_id=post_id, reporter_id=world.moderator.id, reason="Rude"))
        db.session.commit()
    mia, fran = app.test_client(), app.test_client()
    mia.sign_in_as(world.moderator)
    fran.sign_in_as(world.facilitator)
    assert mia.post(f"/moderation/posts/{post_id}/dismiss-reports").status_code == 303
    late = fran.post(f"/moderation/posts/{post_id}/dismiss-reports",
                     follow_redirects=True).get_data(as_text=True)
    assert "The reports about this post were already dismissed by Mia Moderator." in late
    assert _reports(app)[0][1] == ReportStatus.DISMISSED
    with app.app_context():
        assert db.session.get(Post, post_id).status == PostStatus.APPROVED


def test_hiding_a_reported_post_closes_its_reports(app, client, world):
    post_id = _opening_id(app, world)
    with app.app_context():
        db.session.add(Report(post_id=post_id, reporter_id=world.moderator.id, reason="Rude"))
        db.session.commit()
    client.sign_in_as(world.facilitator)
    client.post(f"/moderation/posts/{post_id}/hide", data={"reason": "Rude to a colleague."})
    assert _reports(app)[0][1] == ReportStatus.ACTIONED
    assert "0 items waiting" in client.get("/moderation/").get_data(as_text=True).replace(
        "<strong>", "").replace("</strong>", "")


def _act_a_lot(app, client, world):
    with app.app_context():
        thread = db.session.get(Thread, world.thread.id)
        posts = [factories.make_post(thread, world.member, body=f"p{n}",
                                     status=PostStatus.PENDING) for n in range(2)]
        db.session.commit()
        first, second = posts[0].id, posts[1].id
    client.sign_in_as(world.moderator)
    client.post(f"/moderation/posts/{first}/approve", data={f"version-{first}": "1"})
    client.sign_in_as(world.facilitator)
    client.post(f"/moderation/posts/{second}/reject", data={"reason": "Duplicate post."})
    client.post(f"/moderation/threads/{world.thread.id}/pin")


def test_each_action_adds_one_log_row_naming_moderator_target_and_reason(app, client, world):
    _act_a_lot(app, client, world)
    with app.app_context():
        rows = db.session.scalars(select(ModerationAction).order_by(ModerationAction.id)).all()
        assert [(r.action, r.moderator_id, r.reason, r.post_id is not None,
                 r.thread_id is not None, r.learning_set_id) for r in rows] == [
            (ActionKind.APPROVE, world.moderator.id, "", True, False, world.learning_set.id),
            (ActionKind.REJECT, world.facilitator.id, "Duplicate post.", True, False,
             world.learning_set.id),
            (ActionKind.PIN, world.facilitator.id, "", False, True, world.learning_set.id),
        ]


def test_the_log_page_lists_actions_and_filters_by_action_and_moderator(app, client, world):
    _act_a_lot(app, client, world)
    client.sign_in_as(world.moderator)
    page = client.get("/sets/comms/moderation-log").get_data(as_text=True)
    for text in ("Approved a post", "Returned a post", "Pinned a thread", "Duplicate post.",
                 "Mia Moderator", "Fran Facilitator"):
        assert text in page
    only_rejects = client.get("/sets/comms/moderation-log?action=reject").get_data(as_text=True)
    assert "Duplicate post." in only_rejects and "Pinned a thread</td>" not in only_rejects
    only_mia = client.get(
        f"/sets/comms/moderation-log?moderator={world.moderator.id}").get_data(as_text=True)
    assert "Approved a post</td>" in only_mia and "Duplicate post." not in only_mia


@pytest.mark.parametrize(("role", "status"), [
    ("anonymous", 302), ("outsider", 404), ("member", 403), ("moderator", 200),
    ("facilitator", 200), ("admin", 200),
])
def test_only_the_sets_moderators_read_its_log(app, client, world, role, status):
    user = world.user(role)
    if user is not None:
        client.sign_in_as(user)
    assert client.get("/sets/comms/moderation-log").status_code == status


def test_nothing_in_the_moderation_service_updates_or_deletes_log_rows():
    """The log is append-only: the service only ever adds ModerationAction rows."""
    tree = ast.parse(inspect.getsource(service))
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and getattr(node.func, "id", "") in {"update", "delete"}:
            target = node.args[0] if node.args else None
            assert getattr(target, "id", None) != "ModerationAction", ast.unparse(node)
        if isinstance(node, ast.Call) and getattr(node.func, "attr", "") == "delete":
            raise AssertionError(f"session.delete in the moderation service: {ast.unparse(node)}")


def test_a_refused_report_keeps_the_typed_reason_and_says_why(app, client, world):
    """Already reported, or the post hidden since the form was opened: the form comes back
    with the reason as typed and why, instead of a trip back to the post that loses it; the
    hidden post's text is not shown, and someone outside the set still finds nothing."""
    post_id = _opening_id(app, world)
    with app.app_context():
        body = db.session.get(Post, post_id).body_source
    client.sign_in_as(world.moderator)
    client.post(f"/posts/{post_id}/report", data={"reason": "Names a resident."})
    again = client.post(f"/posts/{post_id}/report", data={"reason": "Still naming them."})
    page = again.get_data(as_text=True)
    assert again.status_code == 200 and "You have already reported this post" in page
    assert "Still naming them.</textarea>" in page

    with app.app_context():
        reader = factories.make_user(display_name="Rita Reader")
        factories.add_member(reader, db.session.get(Thread, world.thread.id).learning_set)
        db.session.get(Post, post_id).status = PostStatus.HIDDEN  # after Rita opened the form
        db.session.commit()
        reader_id = reader.id
    client.sign_in_as(User(id=reader_id))
    late = client.post(f"/posts/{post_id}/report", data={"reason": "It is unkind."})
    page = late.get_data(as_text=True)
    assert late.status_code == 200 and "can no longer be reported" in page
    assert "It is unkind.</textarea>" in page and body not in page
    require_checker()
    assert_valid_html([("already reported", again.get_data(as_text=True)),
                       ("no longer shown", page)])
    client.sign_in_as(world.outsider)
    assert client.post(f"/posts/{post_id}/report",
                       data={"reason": "x"}).status_code == 404
    assert [reason for _, _, reason in _reports(app)] == ["Names a resident."]
