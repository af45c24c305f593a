"""Who is told that a visitor asked to join the network (admins and network coordinators, in the
app and by email, as their preferences say), and that the visitor learns nothing from it. Also:
a request to join a set with no facilitator reaches the admins."""

from __future__ import annotations

import time

from sqlalchemy import select

from forum.extensions import db
from forum.models import EmailMode
from forum.models import LearningSet
from forum.models import Membership
from forum.models import Notification
from forum.models import NotificationKind
from forum.models import NotificationPreference
from forum.models import Role
from forum.models import User
from forum.models import Visibility
from forum.network.requests import form_started
from tests import factories
from tests.functional.page_text import without_nonce
from tests.mailbox import sent_messages

VISITOR = "rhian.hughes@example.gov.uk"


def _ask(app, client, email: str = VISITOR, name: str = "Rhian Hughes"):
    with app.test_request_context():
        started = form_started(time.time() - 10)
    return client.post("/network/", data={
        "name": name, "email": email, "organisation": "Valeport Borough Council",
        "job_title": "Engagement officer", "hopes": "Advice on recruiting an assembly.",
        "website": "", "started": started})


def _coordinator(app, email: str = "coordinator@example.org") -> User:
    with app.app_context():
        user = factories.make_user(email, display_name="Cora Coordinator",
                                   is_network_coordinator=True)
        db.session.commit()
        db.session.refresh(user)
        db.session.expunge(user)
        return user


def _text(message) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()


def _notices(app, user: User) -> list[Notification]:
    with app.app_context():
        rows = db.session.scalars(select(Notification).where(
            Notification.user_id == user.id,
            Notification.kind == NotificationKind.NETWORK_REQUEST)).all()
        for row in rows:
            db.session.expunge(row)
        return list(rows)


def test_admins_and_coordinators_are_told_in_the_app_and_by_email_members_are_not(
        app, client, world):
    coordinator = _coordinator(app)
    assert "Request sent" in _ask(app, client).get_data(as_text=True)

    for decider in (world.admin, coordinator):
        client.sign_in_as(decider)
        page = client.get("/notifications").get_data(as_text=True)
        assert "A request to join the network is waiting for a decision." in page
    # The notice leads to the queue.
    [notice] = _notices(app, coordinator)
    assert client.get(f"/notifications/{notice.id}").headers["Location"] == "/network/requests"

    for other in (world.member, world.facilitator, world.moderator, world.outsider):
        client.sign_in_as(other)
        assert "join the network is waiting" not in client.get(
            "/notifications").get_data(as_text=True)
        assert _notices(app, other) == []

    messages = sent_messages(app)
    told = {m["To"]: m for m in messages if m["To"] != VISITOR}
    assert set(told) == {world.admin.email, coordinator.email}
    email = told[coordinator.email]
    assert email["Subject"].startswith("A request to join")
    assert "/network/requests" in _text(email)
    # No visitor's details in anyone's inbox: they are on the queue page, behind sign-in.
    assert "Rhian" not in _text(email) and VISITOR not in _text(email)
    assert email["List-Unsubscribe"]
    # The visitor gets their acknowledgement only.
    assert [m["To"] for m in messages].count(VISITOR) == 1


def test_the_visitors_page_and_email_are_the_same_whether_or_not_anyone_is_told(app, client):
    nobody_to_tell = _ask(app, client).get_data(as_text=True)
    ack_alone = [_text(m) for m in sent_messages(app)]
    with app.app_context():
        factories.make_user("admin@example.org", is_admin=True)
        db.session.commit()
    _coordinator(app)
    someone_told = _ask(app, client, email="other.person@example.gov.uk",
                        name="Other Person").get_data(as_text=True)
    assert without_nonce(nobody_to_tell) == without_nonce(someone_told)
    messages = sent_messages(app)
    assert [_text(m) for m in messages if m["To"] == "other.person@example.gov.uk"] == [
        ack_alone[0]]


def test_more_requests_renew_one_notice_and_one_email_per_fifteen_minutes(app, client, world):
    _ask(app, client)
    first = sent_messages(app)
    _ask(app, client, email="second@example.gov.uk", name="Second Person")
    _ask(app, client, email="third@example.gov.uk", name="Third Person")
    [notice] = _notices(app, world.admin)
    assert notice.text == "3 requests to join the network are waiting for a decision."
    assert notice.read_at is None
    to_admin = [m for m in sent_messages(app) if m["To"] == world.admin.email]
    assert len(to_admin) == 1 == len([m for m in first if m["To"] == world.admin.email])


def test_the_batched_email_counts_what_waits_when_sent(app, client, world):
    _ask(app, client)
    _ask(app, client, email="second@example.gov.uk", name="Second Person")
    [email] = [m for m in sent_messages(app) if m["To"] == world.admin.email]
    assert email["Subject"] == f"2 requests to join {app.config['SITE_NAME']} are waiting"


def test_deciding_the_last_request_settles_the_notices(app, client, world):
    coordinator = _coordinator(app)
    _ask(app, client)
    _ask(app, client, email="second@example.gov.uk", name="Second Person")
    with app.app_context():
        from forum.models import NetworkRequest

        ids = db.session.scalars(select(NetworkRequest.id).order_by(NetworkRequest.id)).all()
    client.sign_in_as(world.admin)
    client.post(f"/network/requests/{ids[0]}/accept", data={})
    [notice] = _notices(app, coordinator)
    assert notice.text == "A request to join the network is waiting for a decision."
    assert notice.read_at is None
    client.post(f"/network/requests/{ids[1]}/decline", data={"reason": "Councils only."})
    [notice] = _notices(app, coordinator)
    assert notice.read_at is not None
    assert notice.text == "Every request to join the network has been decided."


def test_email_preferences_are_respected(app, client, world):
    quiet = _coordinator(app, "quiet@example.org")
    daily = _coordinator(app, "daily@example.org")
    with app.app_context():
        db.session.add(NotificationPreference(user_id=quiet.id, waiting=EmailMode.OFF))
        db.session.add(NotificationPreference(user_id=daily.id, waiting=EmailMode.DAILY))
        db.session.commit()
    _ask(app, client)
    recipients = {m["To"] for m in sent_messages(app)}
    assert world.admin.email in recipients
    assert quiet.email not in recipients and daily.email not in recipients
    # Both still have the notice in the app; the daily one waits for the summary.
    assert _notices(app, quiet) and _notices(app, daily)
    assert _notices(app, daily)[0].emailed_at is None
    # A coordinator who moderates nothing can still choose, on the settings page.
    client.sign_in_as(quiet)
    assert "Requests to join the network" in client.get(
        "/notifications/settings").get_data(as_text=True)


def test_someone_no_longer_a_coordinator_no_longer_sees_the_notice(app, client, world):
    coordinator = _coordinator(app)
    _ask(app, client)
    with app.app_context():
        db.session.get(User, coordinator.id).is_network_coordinator = False
        db.session.commit()
    client.sign_in_as(coordinator)
    assert "join the network is waiting" not in client.get("/notifications").get_data(
        as_text=True)
    _ask(app, client, email="second@example.gov.uk", name="Second Person")
    assert [m for m in sent_messages(app) if m["To"] == coordinator.email] == []


def test_a_request_to_join_a_set_without_facilitators_reaches_the_admins(app, client, world):
    with app.app_context():
        learning_set = db.session.get(LearningSet, world.learning_set.id)
        learning_set.visibility = Visibility.NETWORK
        for membership in db.session.scalars(select(Membership).where(
                Membership.learning_set_id == learning_set.id,
                Membership.role == Role.FACILITATOR)):
            membership.role = Role.MEMBER
        db.session.commit()
        slug = learning_set.slug
    client.sign_in_as(world.outsider)
    client.post(f"/sets/{slug}/ask-to-join", data={"message": "May I join?"})
    client.sign_in_as(world.admin)
    assert "Otto Outsider asks to join" in client.get("/notifications").get_data(as_text=True)
    assert world.admin.email in {m["To"] for m in sent_messages(app)}
    client.sign_in_as(world.facilitator)  # now an ordinary member: not told
    assert "asks to join" not in client.get("/notifications").get_data(as_text=True)
