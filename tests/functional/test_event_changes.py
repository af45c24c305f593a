"""People who signed up to an event are told when its time or place changes, when it is
cancelled, and when a place comes free: on their notifications page and by email, with the
event's updated calendar file attached. Nobody else is told, and nobody who may no longer see
the event."""

from __future__ import annotations

from datetime import datetime

from icalendar import Calendar
from sqlalchemy import select

from forum.extensions import db
from forum.models import EmailMode
from forum.models import Event
from forum.models import EventAudience
from forum.models import EventKind
from forum.models import LearningSet
from forum.models import Notification
from forum.models import NotificationPreference
from forum.models import QueuedEmail
from tests.functional.test_events import _event
from tests.mailbox import sent_messages

# The event _event makes, as its edit form shows it (10:00 to 16:00 UK time, GMT in January).
SAME = {"kind": "workshop", "title": "Bringing councillors on board", "day": "2031-01-23",
        "starts": "10:00", "ends": "16:00", "place": "Manchester Central", "online_url": "",
        "description": "Bring a **question**.", "audience": "network", "signup_open": "y",
        "capacity": ""}


def _signed_up(client, world, *users, **event_options) -> int:
    with client.application.app_context():
        event_id = _event(world, **event_options)
    for user in users:
        client.sign_in_as(user)
        client.post(f"/events/{event_id}/sign-up")
    client.sign_in_as(world.admin)
    return event_id


def _calendar_of(message) -> Calendar:
    files = [part for part in message.iter_attachments()
             if part.get_content_type() == "text/calendar"]
    assert len(files) == 1, "the email carries the event's calendar file"
    return Calendar.from_ical(files[0].get_content())


def _notices(app, user) -> list[Notification]:
    with app.app_context():
        return list(db.session.scalars(select(Notification).where(
            Notification.user_id == user.id)))


def test_a_new_time_is_told_to_everyone_signed_up_with_the_updated_calendar(app, client, world):
    event_id = _signed_up(client, world, world.member, world.moderator)
    response = client.post(f"/events/{event_id}/edit",
                           data={**SAME, "day": "2031-01-30", "starts": "11:00"})
    assert response.status_code == 302
    assert "People who signed up have been told of the new time." in (
        client.get(response.headers["Location"]).text)

    client.sign_in_as(world.member)
    page = client.get("/notifications").text
    assert "The time of “Bringing councillors on board” changed: it is now Thursday 30 January " \
        "2031, 11:00 to 16:00 (UK time, GMT), at Manchester Central." in page
    notice = _notices(app, world.member)[0]
    followed = client.get(f"/notifications/{notice.id}")
    assert followed.headers["Location"].endswith(f"/events/{event_id}")

    messages = {m["To"]: m for m in sent_messages(app)}
    assert set(messages) == {"member@example.org", "moderator@example.org"}  # not the admin
    email = messages["member@example.org"]
    assert email["Subject"] == "Changed: Bringing councillors on board"
    assert "11:00 to 16:00" in email.get_body(("plain",)).get_content()
    entry = _calendar_of(email).walk("VEVENT")[0]
    assert entry["sequence"] == 1
    assert entry.decoded("dtstart").replace(tzinfo=None) == datetime(2031, 1, 30, 11, 0)
    # The same UID as the file people downloaded, so their calendar updates the one entry.
    downloaded = Calendar.from_ical(client.get(f"/events/{event_id}/calendar.ics").data)
    assert downloaded.walk("VEVENT")[0]["uid"] == entry["uid"]


def test_changing_only_the_description_tells_nobody(app, client, world):
    event_id = _signed_up(client, world, world.member)
    response = client.post(f"/events/{event_id}/edit",
                           data={**SAME, "description": "Bring two questions."})
    assert "have been told" not in client.get(response.headers["Location"]).text
    assert _notices(app, world.member) == []
    assert sent_messages(app) == []


def test_people_who_may_no_longer_see_the_event_are_not_told(app, client, world):
    event_id = _signed_up(client, world, world.member, world.outsider)
    # Now only for the set's members: the outsider (signed up while it was for everyone) is not
    # told of the new place, and is not emailed.
    with app.app_context():
        set_id = db.session.get(LearningSet, world.learning_set.id).id
    client.post(f"/events/{event_id}/edit",
                data={**SAME, "audience": "sets", "sets": [str(set_id)], "place": "Leeds"})
    assert len(_notices(app, world.member)) == 1
    assert _notices(app, world.outsider) == []
    assert [m["To"] for m in sent_messages(app)] == ["member@example.org"]


def test_an_email_queued_before_the_event_was_hidden_is_not_sent(app, client, world):
    event_id = _signed_up(client, world, world.outsider)
    client.post(f"/events/{event_id}/edit", data={**SAME, "place": "Leeds"})
    with app.app_context():
        event = db.session.get(Event, event_id)
        event.audience = EventAudience.SETS
        db.session.commit()
    assert sent_messages(app) == []
    with app.app_context():
        row = db.session.scalar(select(QueuedEmail))
        assert row.given_up_at is not None and "no longer see the event" in row.last_error
    client.sign_in_as(world.outsider)
    assert "Leeds" not in client.get("/notifications").text


def test_cancelling_keeps_the_message_on_error_then_tells_people_with_it(app, client, world):
    event_id = _signed_up(client, world, world.member)
    page = client.get(f"/events/{event_id}/cancel-event").text
    assert "1 person has a place or is on the waiting list." in page

    too_long = "Sorry. " * 400
    refused = client.post(f"/events/{event_id}/cancel-event", data={"message": too_long})
    assert refused.status_code == 200
    assert "The message must be 2,000 characters or fewer" in refused.text \
        or "The message must be 2000 characters or fewer" in refused.text
    assert too_long.strip() in refused.text
    with app.app_context():
        assert db.session.get(Event, event_id).cancelled_at is None

    done = client.post(f"/events/{event_id}/cancel-event",
                       data={"message": "The venue flooded; we will set a new date."})
    assert done.status_code == 302
    shown = client.get(f"/events/{event_id}").text
    assert "This event is cancelled." in shown
    assert "Cancelled" in client.get("/events/").text

    client.sign_in_as(world.member)
    notices = client.get("/notifications").text
    assert "“Bringing councillors on board” (Thursday 23 January 2031, 10:00 to 16:00 " \
        "(UK time, GMT)) is cancelled." in notices
    assert "The venue flooded; we will set a new date." in notices
    assert "Give up my place" not in client.get(f"/events/{event_id}").text
    email = sent_messages(app)[-1]
    assert email["Subject"] == "Cancelled: Bringing councillors on board"
    assert "The venue flooded" in email.get_body(("plain",)).get_content()
    entry = _calendar_of(email).walk("VEVENT")[0]
    assert entry["status"] == "CANCELLED" and entry["sequence"] == 1


def test_nobody_signs_up_to_a_cancelled_event(app, client, world):
    event_id = _signed_up(client, world, capacity=30)
    assert "30 of 30 left" in client.get(f"/events/{event_id}").text
    client.post(f"/events/{event_id}/cancel-event", data={"message": ""})
    client.sign_in_as(world.member)
    page = client.get(f"/events/{event_id}").text
    assert "Sign up" not in page
    assert "30 of 30 left" not in page  # no places to offer at an event that will not happen
    client.post(f"/events/{event_id}/sign-up")
    assert _notices(app, world.member) == []
    with app.app_context():
        assert db.session.get(Event, event_id).cancelled_at is not None
    # Cancelling twice, or by a member, is refused.
    assert client.get(f"/events/{event_id}/cancel-event").status_code == 403
    client.sign_in_as(world.admin)
    again = client.post(f"/events/{event_id}/cancel-event", data={"message": ""})
    assert "This event is cancelled already." in client.get(again.headers["Location"]).text


def test_the_first_person_waiting_is_told_when_a_place_comes_free(app, client, world):
    event_id = _signed_up(client, world, world.member, world.moderator, capacity=1)
    client.sign_in_as(world.member)
    client.post(f"/events/{event_id}/cancel")
    assert _notices(app, world.member) == []
    client.sign_in_as(world.moderator)
    assert "A place came free: you now have a place at “Bringing councillors on board”" in (
        client.get("/notifications").text)
    email = sent_messages(app)[-1]
    assert email["To"] == "moderator@example.org"
    assert email["Subject"] == "You have a place: Bringing councillors on board"


def test_a_larger_capacity_tells_those_given_places(app, client, world):
    event_id = _signed_up(client, world, world.member, world.moderator, capacity=1)
    client.post(f"/events/{event_id}/edit", data={**SAME, "capacity": "5"})
    assert [n.kind.value for n in _notices(app, world.moderator)] == ["event_place"]
    assert _notices(app, world.member) == []


def test_event_emails_follow_the_email_setting(app, client, world):
    client.sign_in_as(world.member)
    settings = client.get("/notifications/settings").text
    assert "Events you signed up to" in settings
    client.post("/notifications/settings", data={"decisions": "immediately", "replies": "daily",
                                                 "events": "off", "meetings": "immediately"})
    with app.app_context():
        assert db.session.get(NotificationPreference, world.member.id).events == EmailMode.OFF
    event_id = _signed_up(client, world, world.member)
    client.post(f"/events/{event_id}/edit", data={**SAME, "starts": "09:30"})
    assert len(_notices(app, world.member)) == 1
    assert sent_messages(app) == []


def test_a_past_event_corrected_for_the_archive_tells_nobody(app, client, world):
    with app.app_context():
        event = Event(kind=EventKind.WORKSHOP, title="Introductions and planning",
                      starts_at=datetime(2019, 5, 1, 9), ends_at=datetime(2019, 5, 1, 15),
                      audience=EventAudience.NETWORK, signup_open=True, sequence=0)
        db.session.add(event)
        db.session.commit()
        event_id = event.id
    client.sign_in_as(world.admin)
    client.post(f"/events/{event_id}/edit",
                data={**SAME, "title": "Introductions and planning", "day": "2019-05-02"})
    assert sent_messages(app) == []
    assert client.get(f"/events/{event_id}/cancel-event").status_code == 302


def test_an_admin_names_a_network_coordinator_who_then_runs_events(app, client, world):
    client.sign_in_as(world.outsider)
    assert client.get("/events/new").status_code == 403
    client.sign_in_as(world.admin)
    page = client.get(f"/admin/users/{world.outsider.id}").text
    assert "Make network coordinator" in page
    done = client.post(f"/admin/users/{world.outsider.id}/make-coordinator")
    assert "Otto Outsider is now a network coordinator" in client.get(done.headers["Location"]).text

    client.sign_in_as(world.outsider)
    assert "Publish an event" in client.get("/events/").text
    published = client.post("/events/new", data={**SAME, "title": "Coordinated workshop"})
    assert published.status_code == 302
    event_page = client.get(published.headers["Location"]).text
    assert "Change the event" in event_page and "Cancel the event" in event_page
    # A coordinator sees (to run) an event for a set they are not in; still no admin pages.
    with app.app_context():
        set_event = _event(world, audience=EventAudience.SETS,
                           sets=[db.session.get(LearningSet, world.learning_set.id)])
    assert client.get(f"/events/{set_event}").status_code == 200
    assert client.get("/admin/").status_code == 403

    client.sign_in_as(world.admin)
    client.post(f"/admin/users/{world.outsider.id}/remove-coordinator")
    client.sign_in_as(world.outsider)
    assert client.get("/events/new").status_code == 403
    assert client.get(f"/events/{set_event}").status_code == 404
