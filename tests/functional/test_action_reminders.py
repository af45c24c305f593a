"""When an action falls due its holder is asked, once, for an update (in the app and by email)."""

from __future__ import annotations

from datetime import date
from datetime import datetime
from datetime import timedelta
from urllib.parse import parse_qs
from urllib.parse import urlsplit

from sqlalchemy import delete
from sqlalchemy import select

from forum.extensions import db
from forum.models import Action
from forum.models import ActionState
from forum.models import EmailMode
from forum.models import LearningSet
from forum.models import Membership
from forum.models import Notification
from forum.models import NotificationKind
from forum.models import NotificationPreference
from forum.models import PostStatus
from forum.models import QueuedEmail
from forum.models import User
from forum.notifications.reminders import send_due_reminders
from tests import factories

# 09:00 UTC on 10 March 2026 (GMT): "today" in the UK is 10 March.
NOW = datetime(2026, 3, 10, 9, 0)


def _action(app, world, due_on: date, **fields) -> int:
    with app.app_context():
        learning_set = db.session.get(LearningSet, world.learning_set.id)
        member = db.session.get(User, world.member.id)
        challenge = factories.make_challenge(learning_set, member, title="Champions")
        action = factories.make_action(challenge, due_on, body="Brief the cabinet member",
                                       **fields)
        db.session.commit()
        return action.id


def _reminders(app) -> list[Notification]:
    with app.app_context():
        return list(db.session.scalars(select(Notification).where(
            Notification.kind == NotificationKind.ACTION_DUE)))


def _emails(app) -> list[QueuedEmail]:
    with app.app_context():
        return list(db.session.scalars(select(QueuedEmail).where(
            QueuedEmail.kind == NotificationKind.ACTION_DUE.value)))


def test_the_holder_is_reminded_once_on_the_due_date(app, world):
    action_id = _action(app, world, date(2026, 3, 10))
    assert send_due_reminders(app, now=NOW - timedelta(days=1)) == 0   # not due yet
    assert send_due_reminders(app, now=NOW) == 1
    assert send_due_reminders(app, now=NOW + timedelta(days=3)) == 0   # once only
    [notification] = _reminders(app)
    assert notification.user_id == world.member.id
    assert "was due on 10 March 2026" in notification.text
    with app.app_context():
        assert db.session.get(Action, action_id).reminded_at == NOW
    [email] = _emails(app)     # decisions are emailed immediately by default
    assert email.to_address == "member@example.org"
    assert "is due: how did it go?" in email.subject
    assert f"kind=update&action_id={action_id}" in email.text_body
    assert "Post an update" in email.text_body


def test_uk_clocks_decide_the_day(app, world):
    # 23:30 UTC on 31 March is 00:30 on 1 April in London (BST has begun).
    _action(app, world, date(2026, 4, 1))
    assert send_due_reminders(app, now=datetime(2026, 3, 31, 22, 30)) == 0
    assert send_due_reminders(app, now=datetime(2026, 3, 31, 23, 30)) == 1


def test_an_overdue_action_not_yet_reminded_is_reminded(app, world):
    _action(app, world, date(2026, 2, 1))
    assert send_due_reminders(app, now=NOW) == 1


def test_no_reminder_for_a_waiting_action(app, world):
    _action(app, world, date(2026, 3, 1), status=PostStatus.PENDING)
    assert send_due_reminders(app, now=NOW) == 0
    assert _reminders(app) == []


def test_no_reminder_for_a_returned_or_hidden_action(app, world):
    _action(app, world, date(2026, 3, 1), status=PostStatus.REJECTED)
    _action(app, world, date(2026, 3, 1), status=PostStatus.HIDDEN)
    assert send_due_reminders(app, now=NOW) == 0


def test_no_reminder_for_a_closed_action(app, world):
    for state in (ActionState.DONE, ActionState.PARTLY_DONE, ActionState.DROPPED):
        _action(app, world, date(2026, 3, 1), state=state)
    assert send_due_reminders(app, now=NOW) == 0
    assert _reminders(app) == []


def test_no_reminder_for_a_holder_who_left_the_private_set(app, world):
    action_id = _action(app, world, date(2026, 3, 1))
    with app.app_context():
        db.session.execute(delete(Membership).where(Membership.user_id == world.member.id))
        db.session.commit()
    assert send_due_reminders(app, now=NOW) == 0
    assert _reminders(app) == [] and _emails(app) == []
    with app.app_context():
        assert db.session.get(Action, action_id).reminded_at is None


def test_email_follows_the_holders_preferences(app, world):
    with app.app_context():
        db.session.add(NotificationPreference(user_id=world.member.id,
                                              decisions=EmailMode.OFF))
        db.session.commit()
    _action(app, world, date(2026, 3, 1))
    assert send_due_reminders(app, now=NOW) == 1
    assert len(_reminders(app)) == 1
    assert _emails(app) == []


def test_the_notification_opens_the_update_form(app, client, world):
    action_id = _action(app, world, date(2026, 3, 1))
    send_due_reminders(app, now=NOW)
    [notification] = _reminders(app)
    client.sign_in_as(world.member)
    response = client.get(f"/notifications/{notification.id}")
    assert response.status_code == 302
    location = urlsplit(response.headers["Location"])
    with app.app_context():
        post_id = db.session.get(Action, action_id).post_id
    # The challenge reply form where it exists, else the plain one; set to an update on it.
    assert location.path in (f"/posts/{post_id}/challenge-reply", f"/posts/{post_id}/reply")
    assert parse_qs(location.query) == {"kind": ["update"], "action_id": [str(action_id)]}
    page = client.get("/notifications").text
    assert "How did it go?" in page


def test_the_digest_command_sends_reminders_first(app, world, runner):
    _action(app, world, date(2000, 1, 1))
    result = runner.invoke(args=["notifications", "send-digests"])
    assert result.exit_code == 0, result.output
    assert "Reminded 1 holder of actions due." in result.output
    result = runner.invoke(args=["notifications", "send-reminders"])
    assert "Reminded 0 holders of actions due." in result.output


def test_the_reminder_opens_the_update_form_on_that_action(app, world, client):
    action_id = _action(app, world, date(2026, 3, 10))
    assert send_due_reminders(app, now=NOW) == 1
    [notification] = _reminders(app)
    client.sign_in_as(world.member)
    opened = client.get(f"/notifications/{notification.id}")
    assert opened.status_code == 302
    form_page = client.get(opened.headers["Location"])
    assert form_page.status_code == 200
    page = form_page.get_data(as_text=True)
    # "Update" is the chosen kind, and the action due is the one chosen.
    assert 'value="update" checked' in page
    assert f'<option value="{action_id}" selected' in page
