"""Every moderation and notification POST route refuses a form without its CSRF token, and
changes nothing: no status, text, flag, policy, report, log row, notification or setting."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from forum.extensions import db
from forum.models import LearningSet
from forum.models import ModerationAction
from forum.models import Notification
from forum.models import NotificationPreference
from forum.models import Post
from forum.models import PostRevision
from forum.models import PostStatus
from forum.models import QueuedEmail
from forum.models import Report
from forum.models import ReportStatus
from forum.models import Thread
from forum.models import User
from forum.models import utcnow
from forum.notifications import preferences
from tests import factories


@pytest.fixture
def ids(app, world):
    """A waiting reply by the member, a reported published reply by another member, and a
    thread that is locked and pinned (so every lock/pin action has something to change)."""
    with app.app_context():
        thread = db.session.get(Thread, world.thread.id)
        thread.is_locked = True
        thread.is_pinned = True
        other = factories.make_user(display_name="Olu Other")
        factories.add_member(other, thread.learning_set)
        pending = factories.make_post(thread, db.session.get(User, world.member.id),
                                      parent=thread.posts[0], body="Waiting.",
                                      status=PostStatus.PENDING)
        reported = factories.make_post(thread, other, parent=thread.posts[0], body="Reported.")
        edited = factories.propose_edit(
            factories.make_post(thread, other, parent=thread.posts[0], body="Approved."),
            "Proposed.")
        db.session.add(Report(post_id=reported.id, reporter_id=world.moderator.id,
                              reason="Check this.", status=ReportStatus.OPEN,
                              created_at=utcnow()))
        db.session.commit()
        return {"pending": pending.id, "reported": reported.id, "thread": thread.id,
                "edited": edited.id,
                "token": preferences.unsubscribe_token(db.session.get(User, world.member.id),
                                                         None)}


# (who posts, url template, the fields of a valid form apart from the token)
ROUTES = [
    ("moderator", "/moderation/posts/{pending}/approve", {"version-{pending}": "1"}),
    ("moderator", "/moderation/approve-selected",
     {"post_ids": "{pending}", "version-{pending}": "1"}),
    ("moderator", "/moderation/posts/{pending}/reject", {"reason": "Name the council."}),
    ("moderator", "/moderation/posts/{pending}/edit", {"body": "Tidied.", "original": "Waiting."}),
    ("moderator", "/moderation/posts/{edited}/approve-edit", {"version-{edited}": "1"}),
    ("moderator", "/moderation/posts/{edited}/return-edit",
     {"reason": "Keep the name.", "version": "1"}),
    ("moderator", "/moderation/posts/{reported}/hide", {"reason": "Personal details."}),
    ("moderator", "/moderation/posts/{reported}/dismiss-reports", {}),
    ("moderator", "/moderation/threads/{thread}/unlock", {}),
    ("moderator", "/moderation/threads/{thread}/unpin", {}),
    ("facilitator", "/sets/comms/moderation-policy", {"policy": "every_post", "threshold": "3"}),
    ("member", "/posts/{reported}/report", {"reason": "Off topic."}),
    ("member", "/posts/{pending}/withdraw", {}),
    ("member", "/notifications/mark-all-read", {}),
    ("member", "/notifications/settings", {"decisions": "off", "replies": "off",
                                            "meetings": "off", "events": "off"}),
    (None, "/notifications/unsubscribe/{token}", {}),
]


def _state(app) -> dict[str, object]:
    """Everything a moderation or notification form could change."""
    with app.app_context():
        session = db.session
        return {
            "posts": session.execute(select(Post.id, Post.status, Post.body_source,
                                            Post.edited_at).order_by(Post.id)).all(),
            "threads": session.execute(select(Thread.id, Thread.is_locked, Thread.is_pinned,
                                              Thread.last_activity_at)).all(),
            "sets": session.execute(select(LearningSet.moderation_policy,
                                           LearningSet.new_member_post_threshold)).all(),
            "reports": session.execute(select(Report.id, Report.status)).all(),
            "log": session.scalars(select(ModerationAction.id)).all(),
            "revisions": session.scalars(select(PostRevision.id)).all(),
            "notifications": session.execute(select(Notification.id,
                                                    Notification.read_at)).all(),
            "emails": session.scalars(select(QueuedEmail.id)).all(),
            "preferences": session.execute(select(NotificationPreference.user_id,
                                                  NotificationPreference.decisions,
                                                  NotificationPreference.replies)).all(),
        }


@pytest.mark.parametrize(("who", "template", "fields"), ROUTES,
                         ids=[template for _, template, _ in ROUTES])
def test_a_form_without_its_csrf_token_changes_nothing(app, client, world, ids, who, template,
                                                       fields):
    # An unread notification, so "mark all as read" would have something to change.
    with app.app_context():
        db.session.add(Notification(user_id=world.member.id, kind="reply", text="Hello.",
                                    created_at=utcnow()))
        db.session.commit()
    if who is not None:
        client.sign_in_as(world.user(who))
    url = template.format(**ids)
    data = {key.format(**ids): value.format(**ids) for key, value in fields.items()}
    before = _state(app)

    response = client.post(url, data=data, csrf=False)

    assert response.status_code in (200, 302, 303), response.status_code
    assert _state(app) == before
    # The same form with its token does change something: the test is not vacuous.
    client.post(url, data=data)
    assert _state(app) != before
