"""The demo command: realistic content, loaded once however often it runs, and usable at once."""

from __future__ import annotations

import re
from datetime import datetime
from datetime import timedelta

import pytest
from sqlalchemy import func
from sqlalchemy import select

from forum.demo import DEFAULT_PASSWORD
from forum.demo import load_demo
from forum.demo.challenge import CLOSED_TITLE
from forum.demo.content import COMMS_SLUG
from forum.demo.content import EVALUATION_SLUG
from forum.demo.content import PEOPLE
from forum.demo.content import RECRUITING_SLUG
from forum.demo.guide import GUIDE_SLUG
from forum.demo.guide import GUIDE_TITLE
from forum.extensions import db
from forum.guides.compile import compile_guide
from forum.guides.compile import latest_version
from forum.guides.compile import version_document
from forum.guides.credit import attention_reason
from forum.models import Action
from forum.models import ActionUpdate
from forum.models import Challenge
from forum.models import CreditPreference
from forum.models import DataExport
from forum.models import Guide
from forum.models import GuideExcerpt
from forum.models import GuideSection
from forum.models import GuideVersion
from forum.models import LearningSet
from forum.models import Membership
from forum.models import NetworkRequest
from forum.models import Post
from forum.models import PostStatus
from forum.models import Role
from forum.models import Thread
from forum.models import UploadedFile
from forum.models import User
from forum.models import Visibility
from forum.models import utcnow
from tests import uploads
from tests.functional.my_data import download_link
from tests.functional.my_data import run_waiting_exports

PASSWORD = "velvet-harbour-sixteen-crane"


def _counts() -> dict[str, int]:
    return {model.__name__: db.session.scalar(select(func.count()).select_from(model))
            for model in (User, LearningSet, Membership, Thread, Post, Guide, GuideSection,
                          GuideExcerpt, GuideVersion, DataExport, NetworkRequest,
                          UploadedFile, Challenge, Action, ActionUpdate)}


@pytest.fixture
def demo(app, runner):
    result = runner.invoke(args=["demo", "--password", PASSWORD])
    assert result.exit_code == 0, result.output
    return result


def test_running_the_demo_twice_duplicates_nothing(app, runner, demo):
    with app.app_context():
        first = _counts()
    again = runner.invoke(args=["demo", "--password", PASSWORD])
    assert again.exit_code == 0, again.output
    with app.app_context():
        assert _counts() == first
    assert first["Thread"] >= 7 and first["Post"] >= 40
    assert first["Guide"] == 1 and first["GuideVersion"] == 1
    assert first["UploadedFile"] == 3
    assert first["Challenge"] == 2 and first["Action"] == 2 and first["ActionUpdate"] == 1


def test_the_demo_conference_has_slides_and_a_reply_has_a_spreadsheet(app, client, demo):
    from forum.models import Event
    from forum.models import EventKind
    with app.app_context():
        conference = db.session.scalar(select(Event.id).where(
            Event.kind == EventKind.CONFERENCE))
        slides, rates, _ = db.session.scalars(
            select(UploadedFile).order_by(UploadedFile.id)).all()
        thread_id = db.session.get(Post, rates.post_id).thread_id
    page = client.get(f"/events/{conference}").get_data(as_text=True)  # a public event
    assert "What assemblies changed - slides.pdf" in page
    response = uploads.fetch(client, slides.id)
    assert response.status_code == 200 and response.data.startswith(b"%PDF-")
    assert b"What assemblies changed" in response.data
    assert client.get(f"/files/{rates.id}").status_code == 404  # a private set's file
    member = next(person for person in PEOPLE if person.key == "aisha")
    client.post("/sign-in", data={"email": member.email, "password": PASSWORD})
    assert "response-rates-pilot-and-main-mailing.csv" in client.get(
        f"/threads/{thread_id}").get_data(as_text=True)
    response = uploads.fetch(client, rates.id)
    assert response.status_code == 200 and b"Main mailing" in response.data


def test_the_demo_sets_last_meeting_has_a_briefing_note_for_its_members(app, client, demo):
    from forum.demo.meetings import PAST_TITLE
    from forum.models import Meeting
    with app.app_context():
        meeting = db.session.scalar(select(Meeting).where(Meeting.title == PAST_TITLE))
        [note] = meeting.files
        url = f"/sets/{meeting.learning_set.slug}/meetings/{meeting.id}"
        note_id, name = note.id, note.original_name
    assert client.get(f"/files/{note_id}").status_code == 404  # a private set's file
    member = next(person for person in PEOPLE if person.key == "aisha")
    client.post("/sign-in", data={"email": member.email, "password": PASSWORD})
    page = client.get(url).get_data(as_text=True)
    assert name in page and f'href="/files/{note_id}"' in page and "PDF" in page
    response = uploads.fetch(client, note_id)
    assert response.status_code == 200 and b"Briefing group leaders" in response.data


def test_demo_prints_every_account_the_password_and_where_to_sign_in(demo):
    for person in PEOPLE:
        assert person.email in demo.output
        assert person.organisation in demo.output
    assert "facilitator of communicating-citizens-assemblies" in demo.output
    assert "moderator of communicating-citizens-assemblies" in demo.output
    assert "site admin" in demo.output
    assert PASSWORD in demo.output
    assert "Open http://127.0.0.1:5000 and sign in" in demo.output


def test_demo_uses_the_default_passphrase_when_none_is_given(app, runner):
    result = runner.invoke(args=["demo"])
    assert result.exit_code == 0, result.output
    assert DEFAULT_PASSWORD in result.output
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == PEOPLE[2].email))
        assert user.check_password(DEFAULT_PASSWORD)


def test_demo_refuses_a_weak_password(app, runner):
    result = runner.invoke(args=["demo", "--password", "password1"])
    assert result.exit_code != 0
    assert "stronger password" in result.output
    with app.app_context():
        assert _counts()["User"] == 0


def test_demo_admin_finds_two_council_officers_asking_to_join_the_network(client, demo):
    response = client.post("/sign-in", data={"email": "admin@example.org", "password": PASSWORD})
    assert response.status_code == 302
    page = client.get("/network/requests").get_data(as_text=True)
    assert "Waiting (2)" in page
    assert page.index("Gwen Pritchard") < page.index("Sanjay Mehta")  # oldest first
    # Sent from work, whatever the time the demo was loaded.
    sent_at = re.findall(r"\d+ \w+ \d{4} at (\d\d:\d\d)", page)[:2]
    assert len(sent_at) == 2 and set(sent_at) <= {"10:40", "11:40"}  # GMT or BST


def test_demo_coordinator_is_told_two_requests_to_join_the_network_wait(client, demo):
    client.post("/sign-in", data={"email": "rosa.lindqvist@example.org", "password": PASSWORD})
    page = client.get("/notifications").get_data(as_text=True)
    assert "2 requests to join the network are waiting for a decision." in page
    client.post("/sign-out")
    client.post("/sign-in", data={"email": "tom.adeyemi@example.org", "password": PASSWORD})
    assert "requests to join the network" not in client.get("/notifications").get_data(
        as_text=True)


def test_claire_has_asked_for_her_data_and_gets_it_once_it_is_made(app, client, demo):
    claire = next(person for person in PEOPLE if person.key == "claire")
    client.post("/sign-in", data={"email": claire.email, "password": PASSWORD})
    assert "Your data is being prepared" in client.get("/account/data").get_data(as_text=True)
    assert run_waiting_exports(app) == 2  # hers, and the admin's copy of Dev's
    assert download_link(client) is not None


def test_the_admin_has_asked_for_a_copy_of_devs_data_and_downloads_it_once_made(
        app, client, demo):
    dev = next(person for person in PEOPLE if person.key == "dev")
    client.post("/sign-in", data={"email": "admin@example.org", "password": PASSWORD})
    with app.app_context():
        dev_id = db.session.scalar(select(User.id).where(User.email == dev.email))
    assert "A copy is being made" in client.get(f"/admin/users/{dev_id}").get_data(
        as_text=True)
    run_waiting_exports(app)
    page = client.get(f"/admin/users/{dev_id}").get_data(as_text=True)
    assert "download the copy of their data" in page
    assert "Copy of their data asked for" in client.get("/admin/log").get_data(as_text=True)


def test_demo_member_signs_in_and_sees_the_private_set_and_its_threads(app, client, demo):
    member = next(person for person in PEOPLE if person.key == "aisha")
    response = client.post("/sign-in", data={"email": member.email, "password": PASSWORD})
    assert response.status_code == 302
    page = client.get(f"/sets/{COMMS_SLUG}/")
    assert page.status_code == 200
    assert "Communicating citizens" in page.get_data(as_text=True)
    assert "Recruitment letter: what got people to reply?" in page.get_data(as_text=True)


def test_a_visitor_finds_the_demo_public_set_from_the_home_page_and_reads_it(client, demo):
    home = client.get("/").text
    assert "There are no public sets" not in home
    assert f'href="/sets/{RECRUITING_SLUG}/"' in home
    page = client.get(f"/sets/{RECRUITING_SLUG}/").text
    assert "How many invitations did you send for a 40-member assembly?" in page
    assert "Paying members: vouchers, a day rate or nothing?" in page
    # The third moderation policy: posts appear at once and can be reported.
    assert "Posts appear at once" in page


def test_the_demo_network_reader_reads_network_and_public_sets_and_can_ask_to_join(
        client, demo):
    reader = next(person for person in PEOPLE if person.key == "priya")
    assert f"{reader.email}" in demo.output and "in no set" in demo.output
    _sign_in(client, "priya")
    assert client.get(f"/sets/{COMMS_SLUG}/").status_code == 404
    for slug in (EVALUATION_SLUG, RECRUITING_SLUG):
        page = client.get(f"/sets/{slug}/").text
        assert "Ask to join this set" in page
    assert "Ask to join" in client.get(f"/sets/{EVALUATION_SLUG}/ask-to-join").text


def test_a_demo_member_sees_the_last_few_days_posts_as_new(client, demo):
    _sign_in(client, "aisha")
    page = client.get(f"/sets/{COMMS_SLUG}/").text
    counts = [int(n) for n in re.findall(r'govuk-tag--green">(\d+) new<', page)]
    assert counts and all(count > 0 for count in counts)
    assert len(counts) < page.count('class="govuk-table__row"') - 1  # older threads are read
    assert "Mark all as read" in page


def test_a_demo_mention_links_to_the_member_and_my_sets_counts_what_is_new(client, demo):
    _sign_in(client, "aisha")
    sets_page = client.get("/sets/").text
    assert re.search(r"<strong>\d+ new posts?</strong> in \d+ threads?", sets_page)
    welcome = client.get(f"/sets/{COMMS_SLUG}/").text
    thread_id = re.search(r'href="/threads/(\d+)">Welcome: how this set works<', welcome).group(1)
    page = client.get(f"/threads/{thread_id}").text
    assert re.search(rf'<a class="govuk-link forum-mention" href="/sets/{COMMS_SLUG}/members'
                     r'#member-\d+">@tom.adeyemi</a>', page)
    # A reply in the demo challenge mentions someone too, linked the same way.
    challenge = re.search(r'href="/threads/(\d+)">How do I get councillors', welcome)
    assert challenge is not None
    page = client.get(f"/threads/{challenge.group(1)}").text
    assert re.search(rf'<a class="govuk-link forum-mention" href="/sets/{COMMS_SLUG}/members'
                     r'#member-\d+">@aisha.rahman</a>', page)


def _sign_in(client, key: str) -> None:
    person = next(person for person in PEOPLE if person.key == key)
    client.sign_out()
    assert client.post("/sign-in", data={"email": person.email,
                                         "password": PASSWORD}).status_code == 302


WAITING_THREAD = "Should members see the evaluation report before it is published?"


@pytest.mark.parametrize(("moderator", "waiting"), [
    ("tom", "Does anyone have a template for the social media consent wording?"),
    ("claire", WAITING_THREAD),
])
def test_each_demo_moderator_finds_a_post_waiting_in_the_queue(client, demo, moderator, waiting):
    _sign_in(client, moderator)
    queue = client.get("/moderation/").get_data(as_text=True)
    assert "Nothing is waiting for you" not in queue
    assert waiting in queue


def test_siobhans_reply_in_the_network_set_waits_as_the_readme_walk_through_says(
        app, client, demo):
    """README: sign in as Siobhan, reply in the network set, and the reply waits for Claire.
    Her question in the closed challenge was her third approved post there, so it did not."""
    with app.app_context():
        post_id = db.session.scalar(
            select(Post.id).join(Thread, Thread.id == Post.thread_id)
            .where(Thread.title.startswith("How are you evaluating"), Post.parent_id.is_(None)))
    _sign_in(client, "siobhan")
    page = client.post(f"/posts/{post_id}/reply", data={"body": "Does this wait?"},
                       follow_redirects=True).text
    assert "wait" in page and "moderator" in page
    with app.app_context():
        status = db.session.scalar(select(Post.status).where(Post.body_source == "Does this wait?"))
    assert status == PostStatus.PENDING


def test_the_waiting_demo_thread_is_hidden_from_other_members_until_approved(client, demo):
    _sign_in(client, "siobhan")
    assert WAITING_THREAD not in client.get(f"/sets/{EVALUATION_SLUG}/").get_data(as_text=True)
    _sign_in(client, "gareth")  # its author sees it, marked as waiting
    assert WAITING_THREAD in client.get(f"/sets/{EVALUATION_SLUG}/").get_data(as_text=True)


def test_the_demo_closed_challenge_shows_closed_and_its_summary_waits_for_a_moderator(
        app, client, demo):
    with app.app_context():
        thread_id = db.session.scalar(select(Thread.id).where(Thread.title == CLOSED_TITLE))
    summary = "Twenty-six of the thirty-eight members came."
    _sign_in(client, "siobhan")  # a member: the challenge is closed, the summary not shown
    page = client.get(f"/threads/{thread_id}").get_data(as_text=True)
    assert ">Closed</strong>" in page and summary not in page
    _sign_in(client, "gareth")  # its holder sees his summary, marked as waiting
    page = client.get(f"/threads/{thread_id}").get_data(as_text=True)
    assert summary in page and "Awaiting" in page
    _sign_in(client, "claire")  # the network set's moderator finds it, as a closing summary
    queue = client.get("/moderation/").get_data(as_text=True)
    assert summary in queue and "The closing summary of the challenge held by Gareth" in queue


def test_demo_private_set_is_hidden_from_visitors_but_network_set_is_readable(app, client, demo):
    assert client.get(f"/sets/{COMMS_SLUG}/").status_code == 404
    admin = next(person for person in PEOPLE if person.is_admin)
    client.post("/sign-in", data={"email": admin.email, "password": PASSWORD})
    assert client.get(f"/sets/{EVALUATION_SLUG}/").status_code == 200


def test_demo_set_has_every_role_and_members_from_three_councils(app, demo):
    with app.app_context():
        comms = db.session.scalar(select(LearningSet).where(LearningSet.slug == COMMS_SLUG))
        assert comms.visibility == Visibility.PRIVATE
        assert comms.purpose
        roles = [m.role for m in comms.memberships]
        assert Role.FACILITATOR in roles and Role.MODERATOR in roles
        members = [m.user for m in comms.memberships if m.role == Role.MEMBER]
        assert len(members) >= 6
        assert len({user.organisation for user in members}) >= 3
        assert all(user.email.endswith("@example.org") for user in db.session.scalars(select(User)))
        assert db.session.scalar(select(func.count()).where(User.is_admin)) >= 1
        network = db.session.scalar(select(LearningSet).where(LearningSet.slug == EVALUATION_SLUG))
        assert network.visibility == Visibility.NETWORK
        assert db.session.scalar(select(func.count()).select_from(Thread)
                                 .where(Thread.learning_set_id == network.id)) >= 1


def test_demo_threads_read_in_time_order_with_nested_replies(app, demo):
    now = utcnow()
    with app.app_context():
        threads = db.session.scalars(select(Thread)).all()
        comms_threads = [t for t in threads if t.learning_set.slug == COMMS_SLUG]
        assert len(comms_threads) >= 6
        assert len({t.created_at.date() for t in threads}) == len(threads)  # spread over weeks
        for thread in threads:
            posts = sorted(thread.posts, key=lambda post: post.id)
            times = [post.created_at for post in posts]
            assert times == sorted(times) and times[-1] <= now
            assert posts[0].parent_id is None and posts[0].created_at == thread.created_at
            approved = [p.created_at for p in posts if p.status == PostStatus.APPROVED]
            assert thread.last_activity_at == max(approved, default=thread.created_at)
            by_id = {post.id: post for post in posts}
            for post in posts[1:]:
                parent = by_id[post.parent_id]
                assert post.depth == parent.depth + 1 and parent.created_at <= post.created_at
        depths = db.session.scalars(select(Post.depth)).all()
        assert max(depths) >= 3
        bodies = db.session.scalars(select(Post.body_html)).all()
        assert any("<strong>" in body for body in bodies)
        assert any("<li>" in body for body in bodies)
        assert any('href="https://example.org/' in body for body in bodies)


def test_loading_the_demo_leaves_the_commit_to_the_caller(app):
    with app.app_context():
        load_demo(db.session, PASSWORD)
        db.session.rollback()
        assert _counts()["User"] == 0


def test_demo_publishes_a_public_guide_curated_from_the_demo_set(app, demo):
    with app.app_context():
        guide = db.session.scalar(select(Guide).where(Guide.slug == GUIDE_SLUG))
        assert guide.title == GUIDE_TITLE
        assert guide.is_public and guide.learning_set.slug == COMMS_SLUG
        version = latest_version(guide)
        assert version is not None and version.number == 1
        document = version_document(version)
        assert [s.title for s in document.sections] == [
            "Naming and framing the assembly", "Working with the media",
            "Reporting back to participants and the public"]
        assert all(s.introduction_html for s in document.sections)
        excerpts = [e for s in document.sections for e in s.excerpts]
        assert len(excerpts) >= 8
        assert sum(e.trimmed for e in excerpts) >= 2
        assert 1 <= sum(bool(e.editorial_note_html) for e in excerpts) < len(excerpts)
        # Nothing was left out: the frozen version says what the draft says.
        assert document == compile_guide(guide, version=1, published_on=document.published_on,
                                         url=document.url)
        assert not any(attention_reason(e) for s in guide.sections for e in s.excerpts)


def test_demo_guide_credits_each_member_as_they_chose(app, demo):
    with app.app_context():
        guide = db.session.scalar(select(Guide).where(Guide.slug == GUIDE_SLUG))
        credits = {e.credit for s in version_document(guide.versions[0]).sections
                   for e in s.excerpts}
        choices = {u.display_name: u.credit_preference for u in db.session.scalars(select(User))}
        assert set(choices.values()) == set(CreditPreference)  # a mix of choices
        assert "Siobhan Murphy, Kingsford City Council" in credits  # name and organisation
        assert "Northbridge Borough Council" in credits              # organisation only
        assert "A participant" in credits                            # anonymous
        for name, choice in choices.items():
            if choice != CreditPreference.NAME_AND_ORGANISATION:
                assert not any(name in credit for credit in credits)


def test_newcomers_read_the_demo_guide_without_signing_in(app, client, demo):
    response = client.get(f"/guides/{GUIDE_SLUG}/")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert GUIDE_TITLE in page and "Working with the media" in page
    assert "Siobhan Murphy, Kingsford City Council" in page
    assert "Dev Patel" not in page and "Nadia Hussain" not in page  # anonymous by choice
    with app.app_context():
        guide = db.session.scalar(select(Guide).where(Guide.slug == GUIDE_SLUG))
        # "The latest version is online at": the guide's own address, not version 1's.
        assert version_document(guide.versions[0]).url == f"/guides/{GUIDE_SLUG}/"


def test_the_demo_moderator_finds_a_reported_post_with_its_reason(client, demo):
    """The queue's reports, and hiding a post, have something real to show."""
    _sign_in(client, "tom")
    queue = client.get("/moderation/").get_data(as_text=True)
    assert "14 Millbrook Road" in queue
    assert "promised they would not be identified" in queue


def test_the_demo_meetings_name_the_challenges_their_set_really_has(app, demo):
    """A meeting's agenda or notes that say "Aisha's challenge" must match a challenge Aisha
    holds in the set, with the title they quote (the notes once gave Claire's to Aisha)."""
    import re

    from forum.models import Challenge
    from forum.models import Meeting
    with app.app_context():
        held = {(challenge.holder.display_name.split()[0], challenge.thread.title.lower())
                for challenge in db.session.scalars(select(Challenge))}
        holders = {name for name, _ in held}
        for meeting in db.session.scalars(select(Meeting)):
            text = f"{meeting.agenda_source}\n{meeting.notes_source}"
            for name in re.findall(r"(\w+)'s challenge", text):
                assert name in holders, (meeting.title, name)
            for name, title in re.findall(r"\*\*(\w+)'s challenge\*\*: (.+?\?)", text, re.S):
                assert (name, " ".join(title.split()).lower()) in held, (meeting.title, name, title)


@pytest.mark.parametrize("today", [
    datetime(2026, 12, 4, 20, 54),  # +30 days is Sunday 3 January: the webinar was on it
    datetime(2027, 3, 6, 11, 0),    # a Saturday: the set's meetings fell on Saturdays
])
def test_demo_events_and_meetings_fall_on_working_days(app, today):
    from forum.models import Event
    from forum.models import Meeting
    from forum.times import to_local
    with app.app_context():
        load_demo(db.session, PASSWORD, now=today)
        db.session.flush()
        dated = [(event.title, event.starts_at) for event in db.session.scalars(select(Event))]
        dated += [(meeting.title, meeting.starts_at)
                  for meeting in db.session.scalars(select(Meeting))]
        db.session.rollback()
    weekend = [(title, f"{to_local(at):%A %-d %B %Y}") for title, at in dated
               if to_local(at).weekday() >= 5]
    assert weekend == []


def test_each_waiting_demo_post_is_by_someone_the_sets_policy_still_holds(app, demo):
    """The queue says how many approved posts the author has; a post waiting under "first 3
    posts wait" from someone with 6 approved made the moderator wonder why it waited."""
    from forum.models import ModerationPolicy
    with app.app_context():
        for post in db.session.scalars(select(Post).where(Post.status == PostStatus.PENDING)):
            learning_set = post.thread.learning_set
            assert learning_set.moderation_policy == ModerationPolicy.NEW_MEMBERS
            approved = db.session.scalar(
                select(func.count(Post.id)).join(Thread, Thread.id == Post.thread_id)
                .where(Post.author_id == post.author_id, Post.status == PostStatus.APPROVED,
                       Thread.learning_set_id == learning_set.id))
            assert approved < 3, (post.author.display_name, learning_set.slug, approved)


def test_every_waiting_demo_post_was_sent_in_the_last_few_days(app, demo):
    """A post in the queue for a fortnight reads as a neglected queue, not a new member."""
    with app.app_context():
        waiting = db.session.execute(select(Post.created_at, Post.body_source).where(
            Post.status == PostStatus.PENDING)).all()
    assert waiting
    # Counted in working days: on a Monday, Friday's posts are the latest.
    today = utcnow().date()
    old = [body[:40] for created_at, body in waiting
           if sum((created_at.date() + timedelta(days=n)).weekday() < 5
                  for n in range(1, (today - created_at.date()).days + 1)) > 3]
    assert old == []


def test_demo_posts_are_written_in_office_hours(app, demo):
    """Officers post at work: "Latest activity 3 December at 05:15" made the demo look made up."""
    from forum.times import to_local
    with app.app_context():
        times = db.session.scalars(select(Post.created_at)).all()
    early_or_late = sorted({f"{to_local(at):%H:%M}" for at in times
                            if not 8 <= to_local(at).hour < 20})
    assert early_or_late == []


def test_each_demo_moderation_log_has_history_and_a_hidden_post_keeps_its_text_from_readers(
        client, demo):
    """A moderator opening the log of a fresh demo found it empty; a hidden post was not shown."""
    _sign_in(client, "claire")
    log = client.get(f"/sets/{EVALUATION_SLUG}/moderation-log").text
    assert log.count("Claire Whitfield") >= 2 and "Approved" in log
    _sign_in(client, "rosa")
    assert "Pinned" in client.get(f"/sets/{COMMS_SLUG}/moderation-log").text

    client.sign_out()
    page = client.get(f"/sets/{RECRUITING_SLUG}/").text
    thread_id = re.search(r'href="/threads/(\d+)">How many invitations', page).group(1)
    thread = client.get(f"/threads/{thread_id}").text
    assert "This post was hidden by a moderator." in thread
    assert "printing" not in thread and "£410" not in thread
    _sign_in(client, "siobhan")
    log = client.get(f"/sets/{RECRUITING_SLUG}/moderation-log").text
    assert "shared with his council in confidence" in log
    assert "£410" in client.get(f"/threads/{thread_id}").text  # moderators still read it


def test_loading_again_over_a_demo_with_the_2020_conference_adds_no_second_one(app):
    """The conference was "the 2020 conference" before its date followed the day of loading;
    `forum-quickstart` run again on that database made a second conference."""
    from forum.models import Event
    from forum.models import EventAudience
    from forum.models import EventKind
    with app.app_context():
        db.session.add(Event(
            kind=EventKind.CONFERENCE, audience=EventAudience.PUBLIC,
            title="Deliberative democracy in local government: the 2020 conference",
            starts_at=datetime(2020, 1, 16, 9), ends_at=datetime(2020, 1, 16, 17)))
        load_demo(db.session, PASSWORD)
        db.session.flush()
        conferences = db.session.scalar(select(func.count(Event.id)).where(
            Event.kind == EventKind.CONFERENCE))
        db.session.rollback()
    assert conferences == 1
