"""Events: who sees them, publishing with clear messages, UK times across clock changes, the
.ics file, sign-ups with a capacity and a waiting list (also under concurrent sign-ups), and
materials in the archive."""

from __future__ import annotations

import threading
from datetime import datetime

import pytest
from icalendar import Calendar
from sqlalchemy import func
from sqlalchemy import select

from forum.extensions import db
from forum.models import Event
from forum.models import EventAudience
from forum.models import EventKind
from forum.models import EventSignup
from forum.models import EventTopic
from forum.models import LearningSet
from forum.models import SignupStatus
from forum.models import User
from forum.models import Visibility
from tests import factories
from tests.conftest import FormClient
from tests.conftest import session_id_of


def _event(world, *, audience=EventAudience.NETWORK, capacity=None, signup_open=True,
           starts=datetime(2031, 1, 23, 10), ends=datetime(2031, 1, 23, 16),
           title="Bringing councillors on board", sets=()) -> int:
    event = Event(kind=EventKind.WORKSHOP, title=title, starts_at=starts, ends_at=ends,
                  place="Manchester Central", audience=audience, capacity=capacity,
                  signup_open=signup_open, description_source="Bring a **question**.",
                  description_html="<p>Bring a <strong>question</strong>.</p>",
                  created_by_id=world.admin.id, sequence=0)
    event.sets = list(sets)
    db.session.add(event)
    db.session.commit()
    return event.id


FORM = {"kind": "workshop", "title": "Disseminating the learning", "day": "2031-03-12",
        "starts": "10:00", "ends": "15:30", "place": "Leeds Civic Hall", "online_url": "",
        "description": "Topics proposed by councils.", "audience": "network",
        "signup_open": "y", "capacity": "30"}


@pytest.mark.parametrize(("audience", "expected"), [
    (EventAudience.PUBLIC, {"anonymous": 200, "outsider": 200, "member": 200}),
    (EventAudience.NETWORK, {"anonymous": 404, "outsider": 200, "member": 200}),
    (EventAudience.SETS, {"anonymous": 404, "outsider": 404, "member": 200}),
])
def test_who_sees_an_event(app, client, world, audience, expected):
    with app.app_context():
        event_id = _event(world, audience=audience,
                          sets=[db.session.get(LearningSet, world.learning_set.id)])
    for role, status in expected.items():
        client.sign_out()
        if role != "anonymous":
            client.sign_in_as(world.user(role))
        assert client.get(f"/events/{event_id}").status_code == status, role
        listed = "Bringing councillors on board" in client.get("/events/").text
        assert listed == (status == 200), role


def test_an_admin_publishes_an_event_in_uk_time(app, client, world):
    client.sign_in_as(world.admin)
    response = client.post("/events/new", data=FORM)
    assert response.status_code == 302
    with app.app_context():
        event = db.session.scalar(select(Event))
        # 10:00 in March 2031 is GMT (the clocks change on the 30th): stored as 10:00 UTC.
        assert event.starts_at == datetime(2031, 3, 12, 10, 0)
        assert event.capacity == 30
    page = client.get(response.headers["Location"]).text
    assert "Wednesday 12 March 2031, 10:00" in page and "UK time (GMT)" in page
    assert "(UK time (" not in page  # one pair of brackets: "…, UK time (GMT)"


def test_summer_times_are_stored_as_utc_and_shown_as_bst(app, client, world):
    client.sign_in_as(world.admin)
    client.post("/events/new", data={**FORM, "day": "2031-07-02"})
    with app.app_context():
        assert db.session.scalar(select(Event.starts_at)) == datetime(2031, 7, 2, 9, 0)
    page = client.get("/events/").text
    assert "Wednesday 2 July 2031, 10:00" in page


@pytest.mark.parametrize(("changes", "message"), [
    ({"day": "31/12/2031"}, "Enter a real date, like 2026-03-31"),
    ({"starts": "25:00"}, "Enter a time on the 24-hour clock"),
    ({"ends": "09:00"}, "The end time must be after the start time"),
    ({"day": "2031-03-30", "starts": "01:30", "ends": "03:00"}, "does not exist in the UK"),
    ({"day": "2031-10-26", "starts": "01:30", "ends": "03:00"}, "happens twice in the UK"),
    ({"capacity": "lots"}, "Places must be a whole number"),
    ({"online_url": "javascript:alert(1)"}, "must be a web address starting https://"),
    ({"audience": "sets"}, "Choose at least one set"),
    ({"title": ""}, "Enter a title"),
])
def test_bad_input_gets_a_clear_message_and_keeps_what_was_typed(app, client, world, changes,
                                                                  message):
    client.sign_in_as(world.admin)
    page = client.post("/events/new", data={**FORM, **changes}).text
    assert message in page
    assert "Topics proposed by councils." in page  # the description is kept
    with app.app_context():
        assert db.session.scalar(select(func.count(Event.id))) == 0


@pytest.mark.parametrize("role", ["member", "moderator", "facilitator", "outsider"])
def test_only_admins_and_coordinators_publish_and_change_events(app, client, world, role):
    with app.app_context():
        event_id = _event(world)
    client.sign_in_as(world.user(role))
    assert client.get("/events/new").status_code == 403
    assert client.post("/events/new", data=FORM).status_code == 403
    assert client.post(f"/events/{event_id}/edit", data=FORM).status_code == 403
    with app.app_context():
        assert db.session.get(Event, event_id).title == "Bringing councillors on board"


def _coordinator_and_open_set(app) -> tuple[User, int]:
    with app.app_context():
        coordinator = factories.make_user("cora@example.org", display_name="Cora Coordinator",
                                          is_network_coordinator=True)
        open_set = factories.make_set("open", name="Evaluating assemblies",
                                      visibility=Visibility.NETWORK)
        db.session.commit()
        db.session.refresh(coordinator)
        db.session.expunge(coordinator)
        return coordinator, open_set.id


def test_a_coordinator_is_offered_only_the_sets_they_may_read(app, client, world):
    """A private set's name is for its members (and admins): the event form does not offer it
    to a coordinator outside it, and its number sent by hand is refused."""
    coordinator, open_id = _coordinator_and_open_set(app)
    client.sign_in_as(coordinator)
    form = client.get("/events/new").text
    assert "Evaluating assemblies" in form
    assert "Communicating assemblies" not in form
    page = client.post("/events/new", data={**FORM, "audience": "sets",
                                            "sets": [str(world.learning_set.id)]}).text
    assert "Choose sets from the list" in page and "Communicating assemblies" not in page
    with app.app_context():
        assert db.session.scalar(select(func.count(Event.id))) == 0
    client.sign_out()
    client.sign_in_as(world.admin)
    assert "Communicating assemblies" in client.get("/events/new").text


def test_a_coordinator_changing_an_event_keeps_the_sets_they_cannot_see(app, client, world):
    """An event an admin showed to a private set: the coordinator's form neither names that
    set nor drops it when they save."""
    coordinator, open_id = _coordinator_and_open_set(app)
    with app.app_context():
        event_id = _event(world, audience=EventAudience.SETS,
                          sets=[db.session.get(LearningSet, world.learning_set.id)])
    client.sign_in_as(coordinator)
    form = client.get(f"/events/{event_id}/edit").text
    assert "Communicating assemblies" not in form
    assert "Members of 1 private set you are not in can see it too" in form
    response = client.post(f"/events/{event_id}/edit", data={
        **FORM, "audience": "sets", "sets": [str(open_id)]})
    assert response.status_code == 302
    with app.app_context():
        kept = {s.id for s in db.session.get(Event, event_id).sets}
    assert kept == {world.learning_set.id, open_id}
    # Without choosing any set it is still shown to the one they cannot see.
    response = client.post(f"/events/{event_id}/edit", data={**FORM, "audience": "sets"})
    assert response.status_code == 302
    with app.app_context():
        assert {s.id for s in db.session.get(Event, event_id).sets} == {world.learning_set.id}


def test_the_ics_file_parses_back_with_the_event_in_uk_time(app, client, world):
    with app.app_context():
        event_id = _event(world, starts=datetime(2031, 7, 2, 9), ends=datetime(2031, 7, 2, 15))
    client.sign_in_as(world.member)
    response = client.get(f"/events/{event_id}/calendar.ics")
    assert response.mimetype == "text/calendar"
    assert "attachment" in response.headers["Content-Disposition"]
    calendar = Calendar.from_ical(response.data)
    [entry] = calendar.walk("VEVENT")
    assert str(entry["summary"]) == "Bringing councillors on board"
    starts = entry.decoded("dtstart")
    assert (starts.hour, str(starts.tzinfo)) == (10, "Europe/London")
    assert entry.decoded("dtend").hour == 16
    assert "Manchester Central" in str(entry["location"])
    assert calendar.walk("VTIMEZONE"), "calendars need the zone's rules"


def test_changing_the_time_bumps_the_calendar_sequence(app, client, world):
    with app.app_context():
        event_id = _event(world)
    client.sign_in_as(world.admin)
    client.post(f"/events/{event_id}/edit", data={**FORM, "day": "2031-01-24"})
    calendar = Calendar.from_ical(client.get(f"/events/{event_id}/calendar.ics").data)
    assert calendar.walk("VEVENT")[0]["sequence"] == 1


def _sign_up(client, event_id):
    return client.post(f"/events/{event_id}/sign-up")


def test_places_then_a_waiting_list_then_a_place_when_someone_cancels(app, client, world):
    with app.app_context():
        event_id = _event(world, capacity=1)
    client.sign_in_as(world.member)
    _sign_up(client, event_id)
    assert "You have a place at this event." in client.get(f"/events/{event_id}").text
    client.sign_in_as(world.moderator)
    page = client.get(f"/events/{event_id}").text
    assert "Join the waiting list" in page
    _sign_up(client, event_id)
    assert "You are on the waiting list" in client.get(f"/events/{event_id}").text
    client.sign_in_as(world.member)
    client.post(f"/events/{event_id}/cancel")
    client.sign_in_as(world.moderator)
    assert "You have a place at this event." in client.get(f"/events/{event_id}").text


def test_concurrent_sign_ups_give_exactly_the_capacity_places(app, world):
    capacity, people = 3, 8
    with app.app_context():
        event_id = _event(world, capacity=capacity)
        ids = [factories.make_user(f"keen{n}@example.org").id for n in range(people)]
        db.session.commit()
    start = threading.Barrier(people)

    def sign_up(user_id: int) -> None:
        client = FormClient(app, app.response_class)
        with client.session_transaction() as session:
            session["_user_id"] = session_id_of(app, user_id)
            session["_fresh"] = True
        start.wait()
        _sign_up(client, event_id)

    threads = [threading.Thread(target=sign_up, args=(user_id,)) for user_id in ids]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    with app.app_context():
        statuses = list(db.session.scalars(select(EventSignup.status)))
    assert statuses.count(SignupStatus.PLACE) == capacity
    assert statuses.count(SignupStatus.WAITING) == people - capacity


def test_past_events_are_archived_with_their_materials_and_can_be_filtered(app, client, world):
    with app.app_context():
        past = _event(world, title="The 2020 conference", starts=datetime(2020, 1, 16, 9),
                      ends=datetime(2020, 1, 16, 17))
    client.sign_in_as(world.admin)
    response = client.post(f"/events/{past}/materials/new", data={
        "kind": "recording", "title": "Opening plenary", "url": "https://video.example.org/1",
        "body": "Transcript: welcome, everyone."})
    assert response.status_code == 302
    client.post(f"/events/{past}/materials/new", data={
        "kind": "notes", "title": "Table discussions", "url": "", "body": "- **Recruitment**"})
    client.sign_in_as(world.member)
    archive = client.get("/events/archive").text
    assert "The 2020 conference" in archive and "<bdi>Opening plenary</bdi> (recording)" in archive
    assert "The 2020 conference" not in client.get("/events/").text  # not upcoming
    assert "The 2020 conference" in client.get("/events/archive?year=2020&q=conference").text
    assert "The 2020 conference" not in client.get("/events/archive?year=2021").text
    assert "The 2020 conference" not in client.get("/events/archive?kind=webinar").text
    page = client.get(f"/events/{past}").text
    assert "<strong>Recruitment</strong>" in page and "https://video.example.org/1" in page
    assert "Sign up" not in page


def test_a_material_needs_its_link_or_notes(client, world, app):
    with app.app_context():
        event_id = _event(world)
    client.sign_in_as(world.admin)
    page = client.post(f"/events/{event_id}/materials/new", data={
        "kind": "recording", "title": "Plenary", "url": "", "body": "Some transcript."}).text
    assert "Enter the link to the recording" in page and "Some transcript." in page


def test_an_event_of_a_set_is_404_to_others_with_its_calendar_and_sign_up(app, client, world):
    with app.app_context():
        event_id = _event(world, audience=EventAudience.SETS,
                          sets=[db.session.get(LearningSet, world.learning_set.id)])
    client.sign_in_as(world.outsider)
    assert client.get(f"/events/{event_id}/calendar.ics").status_code == 404
    assert _sign_up(client, event_id).status_code == 404
    with app.app_context():
        assert db.session.scalar(select(func.count(EventSignup.id))) == 0
        assert db.session.scalar(select(func.count(User.id))) >= 1


def test_the_demo_holds_the_networks_history_once(app, client):
    from forum.demo import load_demo

    with app.app_context():
        load_demo(db.session)
        load_demo(db.session)
        db.session.commit()
        # The history, the webinar, the cancelled workshop, and the workshop open for topics.
        assert db.session.scalar(select(func.count(Event.id))) == 8
        assert db.session.scalar(select(func.count(EventTopic.id))) == 13
    archive = client.get("/events/archive").text  # a visitor: public events only
    assert "annual conference" in archive and "Manchester Central" in archive
    assert "Bringing councillors on board" not in archive
    with app.app_context():
        member = db.session.scalar(select(User).where(User.email == "aisha.rahman@example.org"))
    client.sign_in_as(member)
    assert "Bringing councillors on board" in client.get("/events/archive").text
    assert "Webinar: paying assembly members" in client.get("/events/").text
    # Aisha signed up to the webinar (since moved) and to the workshop (since cancelled).
    told = client.get("/notifications").text
    assert "The time of “Webinar: paying assembly members” changed" in told
    assert "“Workshop: recruiting by post”" in told and "is cancelled" in told
    assert "Kingsford Town Hall is closed for repairs" in told
    # Aisha asked to join the network set on evaluation; its facilitator Rosa is told.
    assert "You asked to join this set on" in client.get("/sets/evaluating-deliberation/").text
    with app.app_context():
        rosa = db.session.scalar(select(User).where(User.email == "rosa.lindqvist@example.org"))
    client.sign_in_as(rosa)
    assert "Aisha Rahman asks to join" in client.get("/notifications").text
    people = client.get("/sets/evaluating-deliberation/members").text
    assert "Northbridge is commissioning an evaluation" in people
    members = client.get("/network/organisations").text
    assert "Northbridge Borough Council" in members and "Metropolitan borough" in members
