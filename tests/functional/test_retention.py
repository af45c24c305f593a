"""``flask retention`` deletes what the privacy notice says is not kept, and nothing else."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func
from sqlalchemy import select

from forum.extensions import db
from forum.models import Invitation
from forum.models import JoinRequest
from forum.models import NetworkRequest
from forum.models import Notification
from forum.models import NotificationKind
from forum.models import QueuedEmail
from forum.models import RequestStatus
from forum.models import Role
from forum.models import utcnow
from tests import factories


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_old_notifications_sent_emails_and_finished_invitations_go_the_rest_stays(
        app, world, runner):
    now = utcnow()
    days = lambda n: now - timedelta(days=n)  # noqa: E731
    with app.app_context():
        for age in (10, 179, 181, 400):
            db.session.add(Notification(user_id=world.member.id, kind=NotificationKind.REPLY,
                                        text=f"{age} days old", created_at=days(age)))
        for age, sent, given_up in ((5, True, False), (31, True, False), (45, False, True),
                                    (60, False, False)):
            db.session.add(QueuedEmail(
                kind="reply", to_address="member@example.org", subject=f"{age} days",
                created_at=days(age), next_attempt_at=days(age),
                sent_at=days(age) if sent else None,
                given_up_at=days(age) if given_up else None))
        other_set = factories.make_set("other-set", name="Another set")
        db.session.flush()
        invitation = {"learning_set_id": world.learning_set.id, "role": Role.MEMBER,
                          "invited_by_id": world.facilitator.id}
        db.session.add_all([
            Invitation(email="old-accepted@example.org", token_hash="a" * 64,
                       created_at=days(90), expires_at=days(76), accepted_at=days(80),
                       **invitation),
            Invitation(email="old-expired@example.org", token_hash="b" * 64,
                       created_at=days(60), expires_at=days(46), **invitation),
            Invitation(email="recently-revoked@example.org", token_hash="c" * 64,
                       created_at=days(20), expires_at=days(6), revoked_at=days(10),
                       **invitation),
            Invitation(email="still-open@example.org", token_hash="d" * 64,
                       created_at=days(3), expires_at=now + timedelta(days=11), **invitation),
            # Requests to join: one declined long ago (goes), one decided last week and one
            # still waiting for months (both stay).
            JoinRequest(learning_set_id=world.learning_set.id, user_id=world.outsider.id,
                        message="Old", status=RequestStatus.DECLINED, created_at=days(70),
                        decided_at=days(60)),
            JoinRequest(learning_set_id=other_set.id, user_id=world.outsider.id,
                        message="Recent", status=RequestStatus.ACCEPTED, created_at=days(9),
                        decided_at=days(7)),
            JoinRequest(learning_set_id=world.learning_set.id, user_id=world.member.id,
                        message="Waiting", created_at=days(100)),
            # Visitors' requests to join the network: the same rule.
            *[NetworkRequest(name=name, email=f"{name.lower()}@example.org",
                             organisation="Somewhere Council", job_title="Officer", hopes="",
                             status=status, created_at=days(asked), decided_at=decided)
              for name, status, asked, decided in (
                  ("Old", RequestStatus.DECLINED, 70, days(60)),
                  ("Recent", RequestStatus.ACCEPTED, 9, days(7)),
                  ("Waiting", RequestStatus.PENDING, 100, None))],
        ])
        db.session.commit()

    result = runner.invoke(args=["retention"])
    assert result.exit_code == 0, result.output
    assert result.output.strip().splitlines() == [
        "Removed 2 notifications, 2 sent or abandoned emails, "
        "2 used, revoked or expired invitations, "
        "1 decided request to join a set, "
        "1 decided request to join the network and "
        "0 expired data downloads.",
        # The same run sweeps uploaded files whose record is gone (none here).
        "Deleted 0 stored files no record points at (0 bytes)."]
    with app.app_context():
        assert sorted(db.session.scalars(select(Notification.text))) == [
            "10 days old", "179 days old"]
        # Sent 5 days ago (kept for checking), and one still waiting to be retried (kept).
        assert sorted(db.session.scalars(select(QueuedEmail.subject))) == ["5 days", "60 days"]
        assert sorted(db.session.scalars(select(Invitation.email))) == [
            "recently-revoked@example.org", "still-open@example.org"]
        assert sorted(db.session.scalars(select(JoinRequest.message))) == ["Recent", "Waiting"]
        assert sorted(db.session.scalars(select(NetworkRequest.name))) == ["Recent", "Waiting"]

    again = runner.invoke(args=["retention"])
    assert again.output.strip().splitlines()[0] == (
        "Removed 0 notifications, 0 sent or abandoned emails, "
        "0 used, revoked or expired invitations, "
        "0 decided requests to join a set, "
        "0 decided requests to join the network and "
        "0 expired data downloads.")


def test_the_limits_come_from_the_settings(app, world, runner):
    app.config["NOTIFICATION_RETENTION_DAYS"] = 7
    with app.app_context():
        db.session.add(Notification(user_id=world.member.id, kind=NotificationKind.REPLY,
                                    text="a week and a day", created_at=utcnow()
                                    - timedelta(days=8)))
        db.session.commit()
    assert "Removed 1 notification," in runner.invoke(args=["retention"]).output
    with app.app_context():
        assert _count(Notification) == 0
