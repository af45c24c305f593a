"""A set's meetings: scheduling in UK time (refusing times a clock change skips or repeats),
moving and cancelling with the .ics SEQUENCE, the .ics parsed back, who is told, who reads a
meeting, what it reviews (actions due, challenges in progress) and its sanitised notes."""

from __future__ import annotations

from datetime import date
from datetime import datetime
from datetime import timedelta
from html.parser import HTMLParser

import pytest
from icalendar import Calendar
from sqlalchemy import func
from sqlalchemy import select

from forum.extensions import db
from forum.models import Action
from forum.models import ActionState
from forum.models import Challenge
from forum.models import ChallengeStatus
from forum.models import LearningSet
from forum.models import Meeting
from forum.models import Membership
from forum.models import Notification
from forum.models import NotificationKind
from forum.models import PostStatus
from forum.models import QueuedEmail
from forum.models import User
from forum.models import Visibility
from forum.models import utcnow
from forum.notifications.delivery import send_digests
from forum.outbox import deliver_pending
from tests import factories
from tests.querycount import count_page_queries
from tests.querycount import recording_statements

FORM = {"title": "Set meeting 4: reviewing our actions", "day": "2031-03-12",
        "starts": "10:00", "ends": "12:00", "online_url": "https://meet.example.org/comms",
        "place": "", "agenda": "1. Round of **actions**\n2. Mia's challenge"}

XSS_LINES = [
    "<script>alert('notes')</script>",
    "<img src=x onerror=alert(1)>",
    "[click me](javascript:alert(1))",
    "<a href=\"javascript:alert(1)\">link</a>",
    "<svg onload=alert(1)>",
    "<iframe src=\"https://evil.example\"></iframe>",
    "<div style=\"background:url(javascript:alert(1))\">styled</div>",
]


class _Markup(HTMLParser):
    """The tags and attributes in a piece of HTML (what a browser would act on)."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.tags: set[str] = set()
        self.attributes: list[tuple[str, str]] = []
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.add(tag)
        self.attributes.extend((name, value or "") for name, value in attrs)


def _assert_harmless(html: str) -> None:
    markup = _Markup(html)
    assert not markup.tags & {"script", "img", "svg", "iframe", "style"}, markup.tags
    for name, value in markup.attributes:
        assert not name.startswith("on") and name != "style", name
        assert not value.strip().lower().startswith("javascript:"), value


def _meetings_url(world) -> str:
    return f"/sets/{world.learning_set.slug}/meetings"


def _schedule(client, world, **changes) -> int:
    client.sign_in_as(world.facilitator)
    response = client.post(f"{_meetings_url(world)}/new", data={**FORM, **changes})
    assert response.status_code == 302, response.text
    return int(response.headers["Location"].rsplit("/", 1)[1])


def _meeting(app, meeting_id: int) -> Meeting:
    with app.app_context():
        meeting = db.session.get(Meeting, meeting_id)
        db.session.expunge(meeting)
        return meeting


def _told(app, kind: NotificationKind) -> set[str]:
    with app.app_context():
        return set(db.session.scalars(
            select(User.email).join(Notification, Notification.user_id == User.id)
            .where(Notification.kind == kind)))


def _calendar(client, world, meeting_id: int) -> Calendar:
    response = client.get(f"{_meetings_url(world)}/{meeting_id}/invitation.ics")
    assert response.status_code == 200
    assert response.mimetype == "text/calendar"
    return Calendar.from_ical(response.data)


# --- scheduling and times ------------------------------------------------------------------


def test_a_facilitator_schedules_a_meeting_in_uk_time(app, client, world):
    client.sign_in_as(world.facilitator)
    page = client.get(f"{_meetings_url(world)}/new").text
    # Said in words, not as a time zone database name ("UK time (Europe/London)").
    assert "Times are UK time: GMT in winter, BST in summer." in page
    assert "Europe/London" not in page
    meeting_id = _schedule(client, world)
    page = client.get(f"{_meetings_url(world)}/{meeting_id}/edit").text
    assert "Times are UK time: GMT in winter" in page and "Europe/London" not in page
    meeting = _meeting(app, meeting_id)
    # 10:00 on 12 March 2031 is GMT (the clocks go forward on the 30th): stored as 10:00 UTC.
    assert meeting.starts_at == datetime(2031, 3, 12, 10)
    assert meeting.ends_at == datetime(2031, 3, 12, 12)
    assert meeting.sequence == 0
    client.sign_in_as(world.member)
    page = client.get(f"{_meetings_url(world)}/{meeting_id}").text
    assert "Wednesday 12 March 2031, 10:00" in page and "UK time (GMT)" in page
    assert "(UK time (" not in page  # one pair of brackets: "…, UK time (GMT)"
    assert "<strong>actions</strong>" in page  # the agenda, as Markdown
    listed = client.get(_meetings_url(world)).text
    assert "Set meeting 4: reviewing our actions" in listed


def test_summer_times_are_stored_as_utc_and_shown_as_bst(app, client, world):
    meeting_id = _schedule(client, world, day="2031-07-02")
    assert _meeting(app, meeting_id).starts_at == datetime(2031, 7, 2, 9)
    page = client.get(f"{_meetings_url(world)}/{meeting_id}").text
    assert "Wednesday 2 July 2031, 10:00" in page and "UK time (BST)" in page


@pytest.mark.parametrize(("changes", "field", "message"), [
    ({"day": "2031-03-30", "starts": "01:30", "ends": "03:00"}, "starts",
     "does not exist in the UK"),
    ({"day": "2031-10-26", "starts": "01:30", "ends": "03:00"}, "starts",
     "happens twice in the UK"),
    ({"day": "2031-10-26", "starts": "00:30", "ends": "01:15"}, "ends",
     "happens twice in the UK"),
    ({"ends": "09:00"}, "ends", "The end time must be after the start time"),
    ({"ends": "10:00"}, "ends", "The end time must be after the start time"),
    ({"day": "31/12/2031"}, "day", "Enter a real date, like 2026-03-31"),
    ({"day": "2031-02-30"}, "day", "Enter a real date"),
    ({"starts": "25:00"}, "starts", "Enter a time on the 24-hour clock"),
    ({"online_url": "", "place": ""}, "place", "Enter an online link or a place"),
    ({"online_url": "javascript:alert(1)"}, "online_url", "must be a web address"),
    ({"title": "   "}, "title", "Enter a title"),
    ({"agenda": "x" * 20_001}, "agenda", "The agenda must be 20,000 characters or fewer"),
])
def test_bad_input_gets_a_message_beside_its_field_and_keeps_the_text(app, client, world,
                                                                       changes, field, message):
    client.sign_in_as(world.facilitator)
    data = {**FORM, **changes}
    response = client.post(f"{_meetings_url(world)}/new", data=data)
    assert response.status_code == 200
    page = response.text
    assert message in page
    # The message sits beside its field (GOV.UK error message with the field's id).
    assert f'id="{field}-error"' in page
    if field != "agenda":
        assert "1. Round of **actions**" in page  # the agenda typed is kept
    assert data["title"].strip() in page or field == "title"
    with app.app_context():
        assert db.session.scalar(select(func.count(Meeting.id))) == 0
        assert db.session.scalar(select(func.count(Notification.id))) == 0


def test_times_either_side_of_the_clock_change_in_march(app, client, world):
    """Saturday 29 March 2031 is GMT, Monday 31 March BST: the same 10:00 is an hour apart in
    UTC, and the calendar file keeps 10:00 local with the zone's rules."""
    before = _schedule(client, world, day="2031-03-29")
    after = _schedule(client, world, day="2031-03-31")
    assert _meeting(app, before).starts_at == datetime(2031, 3, 29, 10)
    assert _meeting(app, after).starts_at == datetime(2031, 3, 31, 9)
    for meeting_id in (before, after):
        [entry] = _calendar(client, world, meeting_id).walk("VEVENT")
        start = entry.decoded("dtstart")
        assert (start.hour, start.minute) == (10, 0)
        assert str(start.tzinfo) == "Europe/London"
        assert entry["dtstart"].params["TZID"] == "Europe/London"


def test_moving_across_the_october_clock_change_keeps_the_local_time(app, client, world):
    meeting_id = _schedule(client, world, day="2031-10-25", starts="18:00", ends="19:30")
    assert _meeting(app, meeting_id).starts_at == datetime(2031, 10, 25, 17)  # BST
    response = client.post(f"{_meetings_url(world)}/{meeting_id}/edit",
                           data={**FORM, "day": "2031-10-27", "starts": "18:00",
                                 "ends": "19:30"})
    assert response.status_code == 302
    moved = _meeting(app, meeting_id)
    assert moved.starts_at == datetime(2031, 10, 27, 18)  # GMT
    assert moved.sequence == 1
    page = client.get(f"{_meetings_url(world)}/{meeting_id}").text
    assert "Monday 27 October 2031, 18:00" in page and "UK time (GMT)" in page


# --- the .ics invitation -------------------------------------------------------------------


def test_the_ics_invitation_parses_back_and_updates_when_moved(app, client, world):
    meeting_id = _schedule(client, world, day="2031-07-02", place="Committee Room 2")
    calendar = _calendar(client, world, meeting_id)
    assert str(calendar["method"]) == "PUBLISH"
    assert calendar.walk("VTIMEZONE"), "calendars need the zone's rules"
    [entry] = calendar.walk("VEVENT")
    uid = str(entry["uid"])
    assert uid.startswith(f"meeting-{meeting_id}@")
    assert entry["sequence"] == 0
    assert str(entry["summary"]).startswith("Set meeting 4: reviewing our actions")
    assert entry.decoded("dtstart").astimezone().utcoffset() is not None
    assert entry.decoded("dtstart").replace(tzinfo=None) == datetime(2031, 7, 2, 10)
    assert entry.decoded("dtend").replace(tzinfo=None) == datetime(2031, 7, 2, 12)
    assert "Committee Room 2" in str(entry["location"])
    assert "Round of actions" in str(entry["description"])
    assert str(entry["status"]) == "CONFIRMED"

    client.sign_in_as(world.facilitator)
    client.post(f"{_meetings_url(world)}/{meeting_id}/edit",
                data={**FORM, "day": "2031-07-09", "place": "Committee Room 2"})
    [moved] = _calendar(client, world, meeting_id).walk("VEVENT")
    assert str(moved["uid"]) == uid, "the UID must stay the same, so calendars update"
    assert moved["sequence"] == 1
    assert moved.decoded("dtstart").replace(tzinfo=None) == datetime(2031, 7, 9, 10)


def test_a_cancelled_meeting_is_cancelled_in_the_calendar(app, client, world):
    meeting_id = _schedule(client, world)
    response = client.post(f"{_meetings_url(world)}/{meeting_id}/cancel")
    assert response.status_code == 302
    meeting = _meeting(app, meeting_id)
    assert meeting.cancelled_at is not None and meeting.sequence == 1
    [entry] = _calendar(client, world, meeting_id).walk("VEVENT")
    assert str(entry["status"]) == "CANCELLED" and entry["sequence"] == 1
    page = client.get(f"{_meetings_url(world)}/{meeting_id}").text
    assert "This meeting was cancelled." in page
    # A cancelled meeting is not moved or cancelled again.
    client.post(f"{_meetings_url(world)}/{meeting_id}/edit", data={**FORM, "day": "2031-04-01"})
    client.post(f"{_meetings_url(world)}/{meeting_id}/cancel")
    again = _meeting(app, meeting_id)
    assert again.starts_at == meeting.starts_at and again.sequence == 1


# --- who is told ---------------------------------------------------------------------------


MEMBERS_TOLD = {"member@example.org", "moderator@example.org"}


def test_the_sets_members_are_told_when_a_meeting_is_scheduled_moved_or_cancelled(
        app, client, world):
    meeting_id = _schedule(client, world)
    # Not the facilitator who did it, nor the outsider or an admin who is not a member.
    assert _told(app, NotificationKind.MEETING_SCHEDULED) == MEMBERS_TOLD
    with app.app_context():
        emails = set(db.session.scalars(select(QueuedEmail.to_address).where(
            QueuedEmail.kind == NotificationKind.MEETING_SCHEDULED.value)))
        assert emails == MEMBERS_TOLD
        body = db.session.scalar(select(QueuedEmail.text_body).limit(1))
        assert f"/sets/comms/meetings/{meeting_id}" in body
        assert "Wednesday 12 March 2031 at 10:00 UK time (GMT)" in body

    # Changing only the agenda is not news.
    client.post(f"{_meetings_url(world)}/{meeting_id}/edit",
                data={**FORM, "agenda": "A new agenda"})
    assert _meeting(app, meeting_id).sequence == 0
    assert _told(app, NotificationKind.MEETING_MOVED) == set()

    client.post(f"{_meetings_url(world)}/{meeting_id}/edit",
                data={**FORM, "starts": "14:00", "ends": "16:00"})
    assert _told(app, NotificationKind.MEETING_MOVED) == MEMBERS_TOLD
    client.post(f"{_meetings_url(world)}/{meeting_id}/cancel")
    assert _told(app, NotificationKind.MEETING_CANCELLED) == MEMBERS_TOLD

    # The notification leads to the meeting page.
    client.sign_in_as(world.member)
    with app.app_context():
        notification_id = db.session.scalar(select(Notification.id).where(
            Notification.user_id == world.member.id,
            Notification.kind == NotificationKind.MEETING_MOVED))
    assert "moved the meeting" in client.get("/notifications").text
    response = client.get(f"/notifications/{notification_id}")
    assert response.headers["Location"].endswith(f"/sets/comms/meetings/{meeting_id}")


def test_a_member_removed_from_a_private_set_is_no_longer_told(app, client, world):
    meeting_id = _schedule(client, world)
    with app.app_context():
        db.session.execute(Membership.__table__.delete().where(
            Membership.user_id == world.member.id))
        db.session.commit()
    client.post(f"{_meetings_url(world)}/{meeting_id}/edit",
                data={**FORM, "starts": "14:00", "ends": "16:00"})
    assert _told(app, NotificationKind.MEETING_MOVED) == {"moderator@example.org"}
    # The earlier notification is no longer shown to them either.
    client.sign_in_as(world.member)
    assert "scheduled a meeting" not in client.get("/notifications").text
    assert client.get(f"{_meetings_url(world)}/{meeting_id}").status_code == 404


def test_members_who_turned_meeting_emails_off_get_the_notification_only(app, client, world):
    client.sign_in_as(world.member)
    response = client.post("/notifications/settings",
                           data={"decisions": "immediately", "replies": "daily",
                                 "meetings": "off", "events": "immediately"})
    assert response.status_code == 302
    _schedule(client, world)
    assert _told(app, NotificationKind.MEETING_SCHEDULED) == MEMBERS_TOLD
    with app.app_context():
        emails = set(db.session.scalars(select(QueuedEmail.to_address).where(
            QueuedEmail.kind == NotificationKind.MEETING_SCHEDULED.value)))
    assert emails == {"moderator@example.org"}


def test_an_email_queued_before_a_member_left_the_set_is_not_sent(app, client, world):
    _schedule(client, world)
    with app.app_context():
        db.session.execute(Membership.__table__.delete().where(
            Membership.user_id == world.member.id))
        db.session.commit()
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=9)  # nothing listens: sending fails
    deliver_pending(app)
    with app.app_context():
        rows = {row.to_address: row for row in db.session.scalars(select(QueuedEmail))}
    left = rows["member@example.org"]
    assert left.given_up_at is not None and left.attempts <= 1
    assert left.last_error == "The recipient can no longer read the set."
    # The moderator's email is still wanted: it was tried (and will be retried).
    assert rows["moderator@example.org"].given_up_at is None


def test_a_daily_summary_links_to_the_meeting(app, client, world):
    client.sign_in_as(world.member)
    client.post("/notifications/settings",
                data={"decisions": "immediately", "replies": "daily", "meetings": "daily",
                      "events": "immediately"})
    meeting_id = _schedule(client, world)
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=9)
    assert send_digests(app, now=utcnow() + timedelta(minutes=1)) == 1
    with app.app_context():
        digest = db.session.scalar(select(QueuedEmail).where(QueuedEmail.kind == "digest"))
        assert digest.to_address == "member@example.org"
        assert f"/sets/comms/meetings/{meeting_id}" in digest.text_body
        assert "scheduled a meeting of Communicating assemblies" in digest.text_body


# --- who reads a meeting, who runs it ------------------------------------------------------


@pytest.mark.parametrize(("visibility", "expected"), [
    (Visibility.PRIVATE, {"anonymous": 404, "outsider": 404, "member": 200}),
    (Visibility.NETWORK, {"anonymous": 404, "outsider": 200, "member": 200}),
    (Visibility.PUBLIC, {"anonymous": 200, "outsider": 200, "member": 200}),
])
def test_whoever_reads_the_set_reads_its_meetings(app, client, world, visibility, expected):
    meeting_id = _schedule(client, world)
    with app.app_context():
        db.session.get(LearningSet, world.learning_set.id).visibility = visibility
        db.session.commit()
    for role, status in expected.items():
        client.sign_out()
        if role != "anonymous":
            client.sign_in_as(world.user(role))
        for url in (_meetings_url(world), f"{_meetings_url(world)}/{meeting_id}",
                    f"{_meetings_url(world)}/{meeting_id}/invitation.ics"):
            assert client.get(url).status_code == status, (role, url)


@pytest.mark.parametrize("role", ["member", "moderator"])
def test_only_facilitators_schedule_change_and_write_notes(app, client, world, role):
    meeting_id = _schedule(client, world)
    client.sign_in_as(world.user(role))
    base = f"{_meetings_url(world)}/{meeting_id}"
    assert client.post(f"{_meetings_url(world)}/new", data=FORM).status_code == 403
    assert client.post(f"{base}/edit", data={**FORM, "day": "2031-04-02"}).status_code == 403
    assert client.post(f"{base}/cancel").status_code == 403
    assert client.post(f"{base}/notes", data={"notes": "Mine"}).status_code == 403
    meeting = _meeting(app, meeting_id)
    assert meeting.cancelled_at is None and meeting.notes_source == ""
    assert meeting.starts_at == datetime(2031, 3, 12, 10)
    assert "For facilitators" not in client.get(base).text


def test_a_member_refused_a_meeting_change_is_told_who_may_and_keeps_the_notes(
        client, world):
    """Not a bare "You cannot do that": who may, the way to the meetings, and their text."""
    meeting_id = _schedule(client, world)
    client.sign_in_as(world.member)
    response = client.post(f"{_meetings_url(world)}/{meeting_id}/notes",
                           data={"notes": "What we agreed."})
    assert response.status_code == 403
    page = response.text.replace("&#39;", "’").replace("&#8217;", "’")
    assert ("Only the set’s facilitators can schedule its meetings, change them and add their "
            "notes and files.") in page
    assert f'href="{_meetings_url(world)}">See the set’s meetings</a>' in page
    assert "What we agreed." in page


def test_upcoming_and_past_meetings_are_listed_apart(app, client, world):
    now = utcnow()
    with app.app_context():
        for title, start in (("Meeting last month", now - timedelta(days=30)),
                             ("Meeting next month", now + timedelta(days=30))):
            db.session.add(Meeting(learning_set_id=world.learning_set.id, title=title,
                                   starts_at=start, ends_at=start + timedelta(hours=2),
                                   place="Town Hall"))
        db.session.commit()
    client.sign_in_as(world.member)
    page = client.get(_meetings_url(world)).text
    coming, past = page.split("Past meetings", 1)
    assert "Meeting next month" in coming and "Meeting last month" not in coming
    assert "Meeting last month" in past


# --- what a meeting reviews ----------------------------------------------------------------


def test_the_meeting_lists_actions_due_and_challenges_in_progress_the_viewer_may_read(
        app, client, world):
    meeting_id = _schedule(client, world, day="2031-03-12")
    with app.app_context():
        learning_set = db.session.get(LearningSet, world.learning_set.id)
        member = db.session.get(User, world.member.id)
        moderator = db.session.get(User, world.moderator.id)
        thread = factories.make_thread(learning_set, member, title="Councillors and the assembly",
                                       body="How do I get councillors to champion it?")
        challenge = Challenge(thread_id=thread.id, learning_set_id=learning_set.id,
                              holder_id=member.id, aim="Cross-party support",
                              status=ChallengeStatus.IN_PROGRESS)
        closed_thread = factories.make_thread(learning_set, moderator, title="A closed one")
        closed = Challenge(thread_id=closed_thread.id, learning_set_id=learning_set.id,
                           holder_id=moderator.id, status=ChallengeStatus.CLOSED)
        waiting_thread = factories.make_thread(learning_set, moderator,
                                               title="A challenge still waiting")
        waiting_thread.posts[0].status = PostStatus.PENDING
        waiting = Challenge(thread_id=waiting_thread.id, learning_set_id=learning_set.id,
                            holder_id=moderator.id)
        db.session.add_all([challenge, closed, waiting])
        db.session.flush()
        opening = thread.posts[0]

        def action(body: str, due: date, state=ActionState.OPEN,
                   status=PostStatus.APPROVED) -> None:
            post = factories.make_post(thread, member, parent=opening, body=body, status=status)
            db.session.add(Action(post_id=post.id, challenge_id=challenge.id,
                                  learning_set_id=learning_set.id, holder_id=member.id,
                                  due_on=due, state=state))

        action("Brief each group leader", date(2031, 3, 5))
        action("Invite councillors to observe", date(2031, 3, 12))
        action("Write to the chief executive", date(2031, 3, 13))        # due after
        action("Draft the press release", date(2031, 3, 1), ActionState.DONE)
        action("Waiting for a moderator", date(2031, 3, 1), status=PostStatus.PENDING)
        db.session.commit()

    client.sign_in_as(world.outsider)
    assert client.get(f"{_meetings_url(world)}/{meeting_id}").status_code == 404
    client.sign_in_as(world.facilitator)  # a facilitator moderates too: sees waiting posts
    assert "Waiting for a moderator" in client.get(f"{_meetings_url(world)}/{meeting_id}").text
    # A member who wrote none of the waiting text: the published, open, due actions only.
    with app.app_context():
        reader = factories.make_user("reader@example.org", display_name="Rhys Reader")
        factories.add_member(reader, db.session.get(LearningSet, world.learning_set.id))
        db.session.commit()
        reader_id = reader.id
        db.session.expunge(reader)
    client.sign_in_as(reader)
    page = client.get(f"{_meetings_url(world)}/{meeting_id}").text
    due_section = page.split('id="actions-due"', 1)[1].split('id="challenges"', 1)[0]
    assert "Brief each group leader" in due_section
    assert "Invite councillors to observe" in due_section
    assert "Write to the chief executive" not in due_section
    assert "Draft the press release" not in due_section
    assert "Waiting for a moderator" not in page
    assert "Mo Member" in due_section
    challenges = page.split('id="challenges"', 1)[1].split('id="notes"', 1)[0]
    assert "Councillors and the assembly" in challenges and "In progress" in challenges
    assert "A closed one" not in challenges
    assert "A challenge still waiting" not in challenges
    assert reader_id


# --- notes -----------------------------------------------------------------------------------


def test_notes_are_sanitised_and_members_read_them(app, client, world):
    meeting_id = _schedule(client, world)
    notes = "# What we reviewed\n\nMo's **briefings** worked.\n\n" + "\n\n".join(XSS_LINES)
    response = client.post(f"{_meetings_url(world)}/{meeting_id}/notes", data={"notes": notes})
    assert response.status_code == 302
    meeting = _meeting(app, meeting_id)
    assert meeting.notes_source == notes and meeting.notes_at is not None
    client.sign_in_as(world.member)
    page = client.get(f"{_meetings_url(world)}/{meeting_id}").text
    assert "<strong>briefings</strong>" in page
    _assert_harmless(meeting.notes_html)
    shown = page.split('id="notes"', 1)[1].split("</main>", 1)[0]
    _assert_harmless(shown.split(">", 1)[1])
    assert "alert(1)" in shown  # shown as text, not dropped silently


def test_agenda_is_sanitised_too(app, client, world):
    meeting_id = _schedule(client, world, agenda="\n\n".join(XSS_LINES))
    _assert_harmless(_meeting(app, meeting_id).agenda_html)


def test_the_notes_form_keeps_the_text_on_error(app, client, world):
    meeting_id = _schedule(client, world)
    too_long = "Our learning. " + "x" * 20_000
    response = client.post(f"{_meetings_url(world)}/{meeting_id}/notes",
                           data={"notes": too_long})
    assert response.status_code == 200
    assert "The notes must be 20,000 characters or fewer" in response.text
    assert 'id="notes-error"' in response.text
    assert too_long in response.text
    assert _meeting(app, meeting_id).notes_source == ""


def test_a_form_sent_without_its_token_keeps_the_text_and_changes_nothing(app, client, world):
    meeting_id = _schedule(client, world)
    response = client.post(f"{_meetings_url(world)}/{meeting_id}/notes",
                           data={"notes": "Typed before the page expired"}, csrf=False)
    assert response.status_code == 200
    assert "Typed before the page expired" in response.text
    assert "This page was open too long" in response.text
    response = client.post(f"{_meetings_url(world)}/new", data=FORM, csrf=False)
    assert "1. Round of **actions**" in response.text
    with app.app_context():
        assert db.session.scalar(select(func.count(Meeting.id))) == 1
        assert db.session.get(Meeting, meeting_id).notes_source == ""


# --- the demo ------------------------------------------------------------------------------


def test_the_demo_set_has_a_past_meeting_with_notes_and_an_upcoming_one(app, runner, client):
    for _ in range(2):  # loaded once however often the demo runs
        result = runner.invoke(args=["demo", "--password", "velvet-harbour-sixteen-crane"])
        assert result.exit_code == 0, result.output
    with app.app_context():
        meetings = db.session.scalars(select(Meeting).order_by(Meeting.starts_at)).all()
        past, upcoming = meetings
        assert past.ends_at < utcnow() < upcoming.starts_at
        assert "Aisha" in past.notes_html and not upcoming.notes_html
        facilitator = db.session.scalar(select(User).where(
            User.email == "rosa.lindqvist@example.org"))
        slug = past.learning_set.slug
        db.session.expunge(facilitator)
    client.sign_in_as(facilitator)
    page = client.get(f"/sets/{slug}/meetings").text
    assert "Set meeting 3" in page.split("Past meetings")[1]
    assert "Set meeting 4" in page.split("Past meetings")[0]


# --- queries -------------------------------------------------------------------------------


def _add_challenges(app, world, numbers: range) -> None:
    """A challenge per number, by a member of its own, each with two actions due in 2030."""
    with app.app_context():
        learning_set = db.session.get(LearningSet, world.learning_set.id)
        for number in numbers:
            holder = factories.make_user(f"holder{number}@example.org",
                                         display_name=f"Holder {number}")
            factories.add_member(holder, learning_set)
            thread = factories.make_thread(learning_set, holder, title=f"Challenge {number}")
            challenge = Challenge(thread_id=thread.id, learning_set_id=learning_set.id,
                                  holder_id=holder.id)
            db.session.add(challenge)
            db.session.flush()
            for action_number in range(2):
                post = factories.make_post(thread, holder, parent=thread.posts[0],
                                           body=f"Action {number}.{action_number}")
                db.session.add(Action(post_id=post.id, challenge_id=challenge.id,
                                      learning_set_id=learning_set.id, holder_id=holder.id,
                                      due_on=date(2030, 12, 1 + action_number)))
        db.session.commit()


@pytest.mark.parametrize("role", ["member", "facilitator"])
def test_the_meeting_page_query_count_does_not_grow_with_actions_and_challenges(
        app, client, world, role):
    meeting_id = _schedule(client, world)
    client.sign_in_as(world.user(role))
    url = f"{_meetings_url(world)}/{meeting_id}"
    _add_challenges(app, world, range(1))
    few = count_page_queries(app, client, url)
    _add_challenges(app, world, range(1, 10))
    with recording_statements(app) as statements:
        page = client.get(url).text
    many = len(statements)
    assert "Action 9.1" in page and "Holder 9" in page and "Challenge 9" in page
    assert few == many, f"{few} queries for 2 actions, {many} for 20"


def test_the_meetings_list_query_count_does_not_grow_with_meetings(app, client, world):
    client.sign_in_as(world.member)
    start = datetime(2031, 1, 6, 10)

    def add(numbers: range) -> None:
        with app.app_context():
            for number in numbers:
                day = start + timedelta(weeks=number)
                db.session.add(Meeting(learning_set_id=world.learning_set.id,
                                       title=f"Meeting {number}", starts_at=day,
                                       ends_at=day + timedelta(hours=2), place="Town Hall"))
            db.session.commit()

    add(range(2))
    few = count_page_queries(app, client, _meetings_url(world))
    add(range(2, 30))
    with recording_statements(app) as statements:
        page = client.get(_meetings_url(world)).text
    many = len(statements)
    assert "Meeting 29" in page
    assert few == many
