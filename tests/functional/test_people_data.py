"""A member's data: downloading it, deleting the account, an admin erasing one, and guide
credit that follows a member's later choice (issue 17)."""

from __future__ import annotations

import io
import json
import zipfile
from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy import inspect
from sqlalchemy import select
from sqlalchemy import text

from forum.challenges import service as challenges
from forum.extensions import db
from forum.files import service as files_service
from forum.files.storage import upload_storage
from forum.guides import files
from forum.guides import service as guides_service
from forum.guides.export.storage import storage_for
from forum.models import AccountEvent
from forum.models import CreditPreference
from forum.models import Event
from forum.models import EventAudience
from forum.models import EventKind
from forum.models import EventSignup
from forum.models import Guide
from forum.models import GuideFile
from forum.models import GuideSearchEntry
from forum.models import GuideSection
from forum.models import GuideVersion
from forum.models import Invitation
from forum.models import LearningSet
from forum.models import Meeting
from forum.models import Membership
from forum.models import ModerationPolicy
from forum.models import Notification
from forum.models import NotificationKind
from forum.models import Post
from forum.models import PostRevision
from forum.models import PostStatus
from forum.models import QueuedEmail
from forum.models import Report
from forum.models import Role
from forum.models import SignupStatus
from forum.models import Thread
from forum.models import User
from forum.models import utcnow
from forum.people import erasure
from forum.people import export
from forum.threads import service as threads
from tests import factories
from tests import file_samples
from tests.functional.guide_builders import build_guide
from tests.functional.my_data import download_my_data
from tests.guide_readers import pdf_text

NAME = "Zephyrine Quillfeather"
EMAIL = "zq.erasure@example.org"
ORGANISATION = "Quillmarsh Parish Council"


# --- every column that points at a person is handled ---------------------------------

def test_every_column_pointing_at_a_user_is_in_the_download_and_in_the_erasure(app):
    """A new table with a user foreign key fails here until export and erasure handle it."""
    with app.app_context():
        pointing = erasure.user_foreign_keys()
        assert ("posts", "author_id") in pointing
        assert pointing - export.exported_columns() == set(), "add these to export.EXPORTED"
        assert pointing - erasure.handled_columns() == set(), "add these to erasure"
        assert export.exported_columns() - pointing == set()
        assert erasure.handled_columns() - pointing == set()


# --- helpers ---------------------------------------------------------------------------

def _become_the_person(app, world) -> int:
    """World's member gets a name, address and organisation found nowhere else."""
    with app.app_context():
        member = db.session.get(User, world.member.id)
        member.display_name = NAME
        member.email = EMAIL
        member.organisation = ORGANISATION
        member.credit_preference = CreditPreference.NAME_AND_ORGANISATION
        db.session.commit()
        return member.id


def _zip_json(response) -> tuple[dict, str, bytes]:
    archive = zipfile.ZipFile(io.BytesIO(response.data))
    assert sorted(archive.namelist()) == ["my-data.html", "my-data.json"]
    return (json.loads(archive.read("my-data.json")), archive.read("my-data.html").decode(),
            response.data)


def _everything_in_the_database(app) -> str:
    """Every row of every table the database has (search indexes included), as text."""
    with app.app_context():
        names = inspect(db.engine).get_table_names()
        dumped = []
        with db.engine.connect() as connection:
            for name in names:
                if name.endswith(("_config", "_docsize", "_idx")) and "fts" in name:
                    continue  # FTS5 bookkeeping: numbers only
                for row in connection.execute(text(f'SELECT * FROM "{name}"')):
                    dumped.append(f"{name}: {tuple(row)!r}")
        # Lower case, as search indexes keep their words (so a test looks for lower case).
        return "\n".join(dumped).lower()


def _stored_files_text(app) -> str:
    """The text of every stored guide file (PDF read back; DOCX and ODT are ZIPs of XML)."""
    with app.app_context():
        root = storage_for().path("x").parent
    texts = []
    for path in Path(root).rglob("*"):
        if not path.is_file():
            continue
        data = path.read_bytes()
        if path.suffix == ".pdf":
            texts.append(pdf_text(data))
        elif path.suffix in (".docx", ".odt"):
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                texts.extend(archive.read(n).decode("utf-8", "replace")
                             for n in archive.namelist())
        else:
            texts.append(data.decode("utf-8", "replace"))
    return "\n".join(texts)


def _make_version_files(app, guide_id: int) -> None:
    with app.app_context():
        for version in db.session.scalars(select(GuideVersion).where(
                GuideVersion.guide_id == guide_id)):
            files.make_version_files(db.session, storage_for(), version)
        db.session.commit()


# --- download my data ----------------------------------------------------------------------

def test_a_member_downloads_everything_about_them_and_nobody_elses_unpublished_text(
        app, client, world):
    person_id = _become_the_person(app, world)
    with app.app_context():
        person = db.session.get(User, person_id)
        thread = db.session.get(Thread, world.thread.id)
        opening = thread.posts[0]
        other = factories.make_user(display_name="Olive Other")
        factories.add_member(other, thread.learning_set)
        mine_waiting = factories.make_post(thread, person, parent=opening,
                                           body="MYWAITINGTEXT for the moderators.",
                                           status=PostStatus.PENDING)
        mine = factories.make_post(thread, person, parent=opening, body="My published reply.")
        db.session.add(PostRevision(post_id=mine.id, editor_id=person.id,
                                    previous_source="MYRETURNEDEDIT", was_published=False))
        theirs = factories.make_post(thread, other, parent=opening, body="OTHERWAITINGTEXT",
                                     status=PostStatus.PENDING)
        # An edit the person made of someone else's post (as a moderator would).
        db.session.add(PostRevision(post_id=theirs.id, editor_id=person.id,
                                    previous_source="OTHERDRAFTTEXT", was_published=False))
        db.session.add(Report(post_id=opening.id, reporter_id=person.id,
                              reason="MYREPORTREASON"))
        db.session.add(Notification(user_id=person.id, kind=NotificationKind.REPLY,
                                    actor_id=other.id, learning_set_id=thread.learning_set_id,
                                    thread_id=thread.id, post_id=mine.id,
                                    text="Olive Other replied to your post"))
        db.session.add(QueuedEmail(user_id=person.id, kind="reply", to_address=EMAIL,
                                   subject="MYSENTSUBJECT", text_body="Sent to me.",
                                   sent_at=utcnow()))
        db.session.add(QueuedEmail(user_id=person.id, kind="reply", to_address=EMAIL,
                                   subject="UNSENTSUBJECT", text_body="UNSENTBODY"))
        db.session.add(Invitation(learning_set_id=thread.learning_set_id,
                                  email="invitee.secret@example.org", role=Role.MEMBER,
                                  token_hash="x" * 64, invited_by_id=person.id,
                                  expires_at=datetime(2099, 1, 1)))
        event = Event(kind=EventKind.WORKSHOP, title="Spring workshop",
                      starts_at=datetime(2031, 3, 1, 10), ends_at=datetime(2031, 3, 1, 12),
                      audience=EventAudience.NETWORK, signup_open=True)
        db.session.add(event)
        db.session.flush()
        db.session.add(EventSignup(event_id=event.id, user_id=person.id,
                                   status=SignupStatus.PLACE))
        db.session.commit()
        mine_waiting_id, mine_id = mine_waiting.id, mine.id

    page = client.get("/account/profile")
    assert page.status_code == 302  # signed out: sent to sign in
    client.sign_in_as(world.member)
    assert "Download your data" in client.get("/account/profile").get_data(as_text=True)
    assert "Prepare my data" in client.get("/account/data").get_data(as_text=True)

    response = download_my_data(app, client)
    assert response.status_code == 200
    assert response.mimetype == "application/zip"
    assert "attachment" in response.headers["Content-Disposition"]
    data, summary, _ = _zip_json(response)

    assert data["profile"]["email"] == EMAIL and data["profile"]["name"] == NAME
    assert data["profile"]["organisation"] == ORGANISATION
    assert [m["learning_set_id"] for m in data["memberships"]] == [world.learning_set.id]
    posts = {p["id"]: p for p in data["posts"]}
    assert posts[mine_waiting_id]["status"] == "pending"
    assert "MYWAITINGTEXT" in posts[mine_waiting_id]["text"]
    assert [r["text"] for r in posts[mine_id]["earlier_versions"]] == ["MYRETURNEDEDIT"]
    assert posts[mine_id]["earlier_versions"][0]["was_published"] is False
    assert data["reports_you_made"][0]["reason"] == "MYREPORTREASON"
    assert data["notifications"][0]["text"] == "Olive Other replied to your post"
    assert [e["status"] for e in data["event_sign_ups"]] == ["place"]
    emails = {e.get("subject") for e in data["emails_to_you"]}
    assert "MYSENTSUBJECT" in emails
    assert len(data["invitations_you_sent"]) == 1
    assert data["edits_you_made"][0]["post_id"] is not None
    assert NAME in summary and "MYWAITINGTEXT" in summary

    everything = json.dumps(data, ensure_ascii=False) + summary
    for secret in ("OTHERWAITINGTEXT", "OTHERDRAFTTEXT", "invitee.secret", "UNSENTBODY",
                   "UNSENTSUBJECT"):
        assert secret not in everything, secret


def test_the_download_is_only_ever_the_signed_in_persons(app, client, world):
    client.sign_in_as(world.outsider)
    data, _, _ = _zip_json(download_my_data(app, client))
    assert data["profile"]["email"] == "outsider@example.org"
    assert data["memberships"] == [] and data["posts"] == []


# --- deleting my account ---------------------------------------------------------------------

def _a_person_with_a_history(app, world) -> dict:
    """The person writes in a guide's thread, waits, reports, signs up, is named in others'
    notifications and emails; the guide is published, its files made."""
    person_id = _become_the_person(app, world)
    with app.app_context():
        guide = build_guide(world, publish=True)
    _make_version_files(app, guide.id)
    with app.app_context():
        person = db.session.get(User, person_id)
        moderator = db.session.get(User, world.moderator.id)
        thread = db.session.get(Thread, world.thread.id)
        opening = thread.posts[0]
        waiting = factories.make_post(thread, person, parent=opening,
                                      body="UNPUBLISHEDWORDS nobody read.",
                                      status=PostStatus.PENDING)
        published = db.session.get(Post, guide.post_ids[2])
        factories.propose_edit(published, "WAITINGEDITWORDS")
        db.session.add(PostRevision(post_id=published.id, editor_id=person.id,
                                    previous_source="NEVERPUBLISHEDREVISION",
                                    was_published=False))
        db.session.add(Notification(
            user_id=moderator.id, kind=NotificationKind.POST_WAITING, actor_id=person.id,
            learning_set_id=thread.learning_set_id, thread_id=thread.id, post_id=waiting.id,
            text=f"{NAME} wrote a post that waits for approval"))
        db.session.add(Notification(
            user_id=person.id, kind=NotificationKind.REPLY, actor_id=moderator.id,
            learning_set_id=thread.learning_set_id, thread_id=thread.id,
            text="Mia Moderator replied to your post"))
        db.session.add(QueuedEmail(user_id=moderator.id, kind="post_waiting",
                                   to_address="moderator@example.org",
                                   subject=f"{NAME} wrote a post",
                                   text_body=f"Hello. {NAME} wrote.",
                                   html_body=f"<p>{NAME} wrote.</p>", sent_at=utcnow()))
        db.session.add(QueuedEmail(user_id=person.id, kind="reply", to_address=EMAIL,
                                   subject="To you", text_body="Waiting to go."))
        db.session.add(Invitation(learning_set_id=thread.learning_set_id, email=EMAIL,
                                  role=Role.MEMBER, token_hash="y" * 64,
                                  invited_by_id=world.facilitator.id,
                                  expires_at=datetime(2099, 1, 1)))
        db.session.add(Report(post_id=opening.id, reporter_id=person.id, reason="Off topic"))
        event = Event(kind=EventKind.WORKSHOP, title="Spring workshop",
                      starts_at=datetime(2031, 3, 1, 10), ends_at=datetime(2031, 3, 1, 12),
                      audience=EventAudience.NETWORK, signup_open=True)
        db.session.add(event)
        db.session.flush()
        db.session.add(EventSignup(event_id=event.id, user_id=person.id,
                                   status=SignupStatus.PLACE))
        db.session.commit()
        return {"id": person_id, "guide": guide, "waiting": waiting.id,
                "published": published.id}


def test_deleting_my_account_leaves_nothing_of_me_in_any_table_or_stored_file(
        app, client, world):
    history = _a_person_with_a_history(app, world)
    guide = history["guide"]
    guide_title = "Telling the story of an assembly"
    before = _everything_in_the_database(app)
    assert NAME.lower() in before and EMAIL in before and "unpublishedwords" in before
    assert NAME in _stored_files_text(app)

    client.sign_in_as(world.member)
    page = client.get("/account/delete").get_data(as_text=True)
    assert "This cannot be undone" in page

    wrong = client.post("/account/delete", data={"posts": "keep", "password": "not it"})
    assert wrong.status_code == 200
    assert "Your password is not correct" in wrong.get_data(as_text=True)
    assert 'value="keep" checked' in wrong.get_data(as_text=True)
    missing = client.post("/account/delete", data={"posts": "keep"})
    assert "Enter your password to delete your account" in missing.get_data(as_text=True)

    done = client.post("/account/delete", data={"posts": "keep",
                                                "password": factories.DEFAULT_PASSWORD})
    assert done.status_code == 302
    assert "deleted" in client.get("/").get_data(as_text=True)
    assert client.get("/account/profile").status_code == 302  # signed out

    after = _everything_in_the_database(app)
    for trace in (NAME, EMAIL, ORGANISATION, "UNPUBLISHEDWORDS", "WAITINGEDITWORDS",
                  "NEVERPUBLISHEDREVISION", "Zephyrine", "Quillfeather", "zq.erasure"):
        assert trace.lower() not in after, trace
    assert NAME not in _stored_files_text(app) and ORGANISATION not in _stored_files_text(app)

    with app.app_context():
        assert db.session.get(User, history["id"]) is None
        kept = db.session.get(Post, history["published"])
        assert kept.status == PostStatus.APPROVED and kept.author_id is None
        assert kept.body_source == "Which station did you use? We tried two."
        note = db.session.scalar(select(Notification).where(
            Notification.kind == NotificationKind.POST_WAITING))
        assert note.text.startswith("A former member wrote")
        event = db.session.scalar(select(AccountEvent))
        assert (event.action, event.account_id, event.actor_id) == (
            "deleted_own_account", history["id"], None)
        # Nothing of theirs waits to be sent.
        assert db.session.scalar(select(QueuedEmail).where(QueuedEmail.sent_at.is_(None))) \
            is None

    # Their posts stay as "A former member"; the guide credits "A participant", and a PDF
    # made now says so.
    client.sign_in_as(world.facilitator)
    told = client.get("/notifications").get_data(as_text=True)
    assert f"quoted in “{guide_title}” deleted their account" in told
    assert "now credits “A participant”" in told and NAME not in told
    thread_page = client.get(f"/threads/{world.thread.id}").get_data(as_text=True)
    assert NAME not in thread_page
    guide_page = client.get(f"/guides/{guide.slug}/").get_data(as_text=True)
    assert "A participant" in guide_page and NAME not in guide_page
    assert ORGANISATION not in guide_page
    pdf = client.get(f"/guides/{guide.slug}/v1/download/pdf")
    assert pdf.status_code == 200
    pdf_words = pdf_text(pdf.data)
    assert "A participant" in pdf_words and NAME not in pdf_words

    # And they cannot sign in.
    client.sign_out()
    refused = client.post("/sign-in", data={"email": EMAIL,
                                            "password": factories.DEFAULT_PASSWORD})
    assert refused.status_code == 200
    assert "Enter a correct email address and password" in refused.get_data(as_text=True)


def test_choosing_to_remove_my_posts_text_leaves_placeholders_and_no_quote(app, client, world):
    history = _a_person_with_a_history(app, world)
    client.sign_in_as(world.member)
    response = client.post("/account/delete", data={"posts": "remove",
                                                    "password": factories.DEFAULT_PASSWORD})
    assert response.status_code == 302
    after = _everything_in_the_database(app)
    for trace in (NAME, EMAIL, "People’s Panel", "Which station did you use"):
        assert trace.lower() not in after, trace
    with app.app_context():
        post = db.session.get(Post, history["published"])
        assert post.status == PostStatus.WITHDRAWN and post.body_source == ""
    assert "Which station" not in _stored_files_text(app)
    client.sign_in_as(world.facilitator)
    guide_page = client.get(f"/guides/{history['guide'].slug}/").get_data(as_text=True)
    assert "Which station" not in guide_page


def test_deleting_my_account_takes_my_unpublished_challenge_aim_title_and_waiting_files(
        app, client, world):
    """What waited for a moderator goes whole: a waiting challenge's aim, its title where a
    moderator's notification quoted it, and the files added with an edit still waiting."""
    person_id = _become_the_person(app, world)
    with app.app_context():
        person = db.session.get(User, person_id)
        learning_set = db.session.get(LearningSet, world.learning_set.id)
        learning_set.moderation_policy = ModerationPolicy.EVERY_POST
        thread = db.session.get(Thread, world.thread.id)
        kept = factories.make_post(thread, person, parent=thread.posts[0],
                                   body="Published words.")
        db.session.commit()
        challenges.start_challenge(db.session, person, learning_set,
                                   title="Quillwaiting challenge title",
                                   body="Quillwaiting opening.", aim="Quillwaiting aim words")
        threads.edit_post(db.session, person, kept, body="Quillwaiting edit.",
                          adds_files=True)
        waiting_file = files_service.attach(
            db.session, upload_storage(), person, files_service.prepare(file_samples.CSV,
                                                                        "quillwaiting.csv"),
            post=kept, awaiting_approval=True)
        db.session.commit()
        file_id, key = waiting_file.id, waiting_file.storage_key
        assert upload_storage().exists(key)
    client.sign_in_as(world.moderator)
    assert "Quillwaiting challenge title" in client.get("/notifications").get_data(
        as_text=True)

    client.sign_in_as(world.member)
    done = client.post("/account/delete", data={"posts": "keep",
                                                "password": factories.DEFAULT_PASSWORD})
    assert done.status_code == 302
    assert "quillwaiting" not in _everything_in_the_database(app)
    with app.app_context():
        assert not upload_storage().exists(key)
    client.sign_in_as(world.moderator)
    told = client.get("/notifications").get_data(as_text=True)
    assert "Quillwaiting" not in told and "A withdrawn thread" in told
    assert client.get(f"/files/{file_id}").status_code == 404


def test_my_data_names_a_thread_only_while_i_may_still_open_it(app, client, world):
    # Removed from a private set, a person keeps their own posts in their data, not the title
    # of a thread they may no longer read (renamed since, say).
    with app.app_context():
        thread = factories.make_thread(db.session.get(LearningSet, world.learning_set.id),
                                       db.session.get(User, world.moderator.id),
                                       title="Briefing the cabinet")
        factories.make_post(thread, db.session.get(User, world.member.id),
                            parent=thread.posts[0], body="My reply before I left.")
        db.session.commit()
        thread_id = thread.id
    client.sign_in_as(world.member)
    data, _, _ = _zip_json(download_my_data(app, client))
    assert [p["thread_title"] for p in data["posts"]] == ["Naming the assembly",
                                                          "Briefing the cabinet"]
    with app.app_context():
        from forum.models import Membership
        from forum.sets import service as sets_service
        sets_service.remove_member(db.session, db.session.scalar(select(Membership).where(
            Membership.user_id == world.member.id,
            Membership.learning_set_id == world.learning_set.id)))
        db.session.get(Thread, thread_id).title = "Renamed after they left"
        db.session.commit()
    data, summary, _ = _zip_json(download_my_data(app, client))
    # Their own thread's title is their own text; the other thread's is not theirs to keep.
    assert [(p["text"], p["thread_title"]) for p in data["posts"]] == [
        ("What did you call yours?", None), ("My reply before I left.", None)]
    assert "Renamed after they left" not in summary and "Briefing the cabinet" not in summary


def test_my_data_names_a_guide_quoting_me_only_while_i_may_read_it(app, client, world):
    with app.app_context():
        build_guide(world, title="Telling the story of an assembly", publish=True,
                    thread_title="My first thread")
        build_guide(world, title="A draft only its curators read",
                    thread_title="My second thread")
    client.sign_in_as(world.member)
    data, _, _ = _zip_json(download_my_data(app, client))
    assert {c["guide_title"] for c in data["guide_credits"]} == {
        "Telling the story of an assembly", None}
    with app.app_context():
        from forum.models import Membership
        from forum.sets import service as sets_service
        sets_service.remove_member(db.session, db.session.scalar(select(Membership).where(
            Membership.user_id == world.member.id,
            Membership.learning_set_id == world.learning_set.id)))
        db.session.commit()
    data, summary, _ = _zip_json(download_my_data(app, client))
    credits = data["guide_credits"]
    assert len(credits) == 4 and {c["quoted_text"] for c in credits} == {
        "We named ours **the People’s Panel**.", "Which station did you use? We tried two."}
    assert {(c["guide_title"], c["section_title"]) for c in credits} == {(None, None)}
    assert "Telling the story" not in summary and "A draft only" not in summary


def test_my_data_names_a_guide_quoting_me_as_it_was_published(app, client, world):
    """A curator's new titles in the draft are not published yet: a quoted member who does not
    curate the guide gets the titles readers read, and no section title for a quote that only
    the draft holds."""
    with app.app_context():
        built = build_guide(world, title="Telling the story of an assembly", publish=True)
        guide = db.session.get(Guide, built.id)
        guide.title = "Draft retitle not published"
        first = db.session.get(GuideSection, built.section_ids[0])
        first.title = "Draft section title not published"
        second = db.session.get(GuideSection, built.section_ids[1])
        later = factories.make_post(first.excerpts[0].post.thread,
                                    db.session.get(User, world.member.id),
                                    body="Quoted in the draft only.")
        guides_service.add_excerpt(db.session, second, later)
        db.session.commit()
    client.sign_in_as(world.member)
    data, summary, _ = _zip_json(download_my_data(app, client))
    assert {(c["quoted_text"], c["guide_title"], c["section_title"])
            for c in data["guide_credits"]} == {
        ("We named ours **the People’s Panel**.", "Telling the story of an assembly",
         "Naming the assembly"),
        ("Which station did you use? We tried two.", "Telling the story of an assembly",
         "Naming the assembly"),
        ("Quoted in the draft only.", "Telling the story of an assembly", None)}
    assert "not published" not in summary


def test_my_data_names_a_guide_i_created_as_i_may_now_read_it(app, client, world):
    """The guide is its curators' once made: its creator, no longer a facilitator, gets its
    published title, not a new one waiting in the draft; out of the private set, no title."""
    with app.app_context():
        built = build_guide(world, title="Telling the story of an assembly", publish=True)
        db.session.get(Guide, built.id).title = "Draft retitle not published"
        membership = db.session.scalar(select(Membership).where(
            Membership.user_id == world.facilitator.id,
            Membership.learning_set_id == world.learning_set.id))
        membership.role = Role.MEMBER
        db.session.commit()
        membership_id = membership.id
    client.sign_in_as(world.facilitator)
    data, summary, _ = _zip_json(download_my_data(app, client))
    assert [g["title"] for g in data["guides_you_created"]] == [
        "Telling the story of an assembly"]
    assert "not published" not in summary
    with app.app_context():
        db.session.delete(db.session.get(Membership, membership_id))
        db.session.commit()
    data, summary, _ = _zip_json(download_my_data(app, client))
    assert [g["title"] for g in data["guides_you_created"]] == [None]
    assert "Telling the story" not in summary


def test_my_data_names_a_meeting_i_arranged_only_while_i_may_read_the_set(app, client, world):
    """A meeting is the set's facilitators' to change once arranged: removed from the private
    set, its arranger does not read the title another facilitator gave it since."""
    with app.app_context():
        from forum.meetings import service as meetings
        meeting = meetings.schedule(
            db.session, db.session.get(User, world.facilitator.id),
            db.session.get(LearningSet, world.learning_set.id), meetings.MeetingDetails(
                title="Planning the assembly", starts_at=datetime(2031, 1, 2, 10),
                ends_at=datetime(2031, 1, 2, 12), online_url="", place="Leeds", agenda=""))
        db.session.commit()
        meeting_id = meeting.id
    client.sign_in_as(world.facilitator)

    def leave_and_rename() -> None:
        db.session.delete(db.session.scalar(select(Membership).where(
            Membership.user_id == world.facilitator.id,
            Membership.learning_set_id == world.learning_set.id)))
        db.session.get(Meeting, meeting_id).title = "Renamed after they left"

    assert _titles_before_and_after(app, client, "meetings_you_arranged", leave_and_rename) == (
        ["Planning the assembly"], [None])


def test_my_data_names_an_event_i_created_only_while_i_may_see_it(app, client, world):
    """A coordinator no longer, the creator of an event for a private set's members does not
    read the title it was given since."""
    with app.app_context():
        creator = factories.make_user("cora@example.org", is_network_coordinator=True)
        event = Event(kind=EventKind.WORKSHOP, title="Set workshop", created_by_id=creator.id,
                      starts_at=datetime(2031, 1, 1, 10), ends_at=datetime(2031, 1, 1, 12),
                      audience=EventAudience.SETS, sequence=0,
                      sets=[db.session.get(LearningSet, world.learning_set.id)])
        db.session.add(event)
        db.session.commit()
        creator_id, event_id = creator.id, event.id
        db.session.refresh(creator)
        db.session.expunge(creator)
    client.sign_in_as(creator)

    def step_down_and_rename() -> None:
        db.session.get(User, creator_id).is_network_coordinator = False
        db.session.get(Event, event_id).title = "Renamed after they stepped down"

    assert _titles_before_and_after(app, client, "events_you_created", step_down_and_rename) == (
        ["Set workshop"], [None])


def _titles_before_and_after(app, client, section: str, change) -> tuple[list, list]:
    """The titles in a section of the person's data download, before and after ``change``
    (run in an app context, then committed); the new title is in neither file."""
    data, _, _ = _zip_json(download_my_data(app, client))
    before = [row["title"] for row in data[section]]
    with app.app_context():
        change()
        db.session.commit()
    data, summary, _ = _zip_json(download_my_data(app, client))
    assert "Renamed after" not in summary and "Renamed after" not in json.dumps(data)
    return before, [row["title"] for row in data[section]]


def test_the_only_admin_cannot_delete_their_account(app, client, world):
    client.sign_in_as(world.admin)
    response = client.post("/account/delete", data={"posts": "keep",
                                                    "password": factories.DEFAULT_PASSWORD})
    assert response.status_code == 200
    assert "only admin account" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(User, world.admin.id) is not None


# --- an admin erases someone -----------------------------------------------------------------

def test_an_admin_erases_a_person_and_the_log_keeps_the_act_not_the_person(app, client, world):
    history = _a_person_with_a_history(app, world)
    client.sign_in_as(world.admin)
    assert "erase their account" in client.get(
        f"/admin/users/{history['id']}").get_data(as_text=True)
    url = f"/admin/users/{history['id']}/erase"
    assert client.get(url).status_code == 200

    wrong = client.post(url, data={"posts": "remove", "confirm_email": "someone@example.org",
                                   "checked": "y"})
    page = wrong.get_data(as_text=True)
    assert wrong.status_code == 200 and "Enter this person’s email address exactly" in page
    assert 'value="someone@example.org"' in page and 'value="remove" checked' in page
    unchecked = client.post(url, data={"posts": "keep", "confirm_email": EMAIL})
    assert "Confirm that you have checked the request" in unchecked.get_data(as_text=True)

    done = client.post(url, data={"posts": "keep", "confirm_email": EMAIL.upper(),
                                  "checked": "y"})
    assert done.status_code == 302 and done.location.endswith("/admin/log")
    log = client.get("/admin/log").get_data(as_text=True)
    assert "Erased on request" in log and "Ada Admin" in log
    assert NAME not in log and EMAIL not in log
    after = _everything_in_the_database(app)
    assert NAME.lower() not in after and EMAIL not in after
    with app.app_context():
        event = db.session.scalar(select(AccountEvent))
        assert (event.action, event.actor_id, event.account_id) == (
            "erased", world.admin.id, history["id"])


def test_an_admin_cannot_erase_themselves_here(app, client, world):
    client.sign_in_as(world.admin)
    response = client.post(f"/admin/users/{world.admin.id}/erase",
                           data={"posts": "keep", "confirm_email": "admin@example.org",
                                 "checked": "y"})
    assert response.status_code == 200
    assert "You cannot erase your own account here" in response.get_data(as_text=True)


def test_disabling_and_admin_rights_are_logged(client, world):
    client.sign_in_as(world.admin)
    client.post(f"/admin/users/{world.member.id}/disable")
    client.post(f"/admin/users/{world.member.id}/make-admin")
    log = client.get("/admin/log").get_data(as_text=True)
    assert "Disabled" in log and "Made an admin" in log


# --- credit preference follows into published guides ------------------------------------------

def _searchable_guide_text(app) -> str:
    with app.app_context():
        return " ".join(db.session.scalars(select(GuideSearchEntry.text)))


@pytest.mark.parametrize(("choice", "expected"), [
    ("anonymous", "A participant"),
    ("organisation", ORGANISATION),
])
def test_lowering_my_credit_rewrites_published_guides_and_their_files(app, client, world,
                                                                      choice, expected):
    _become_the_person(app, world)
    with app.app_context():
        guide = build_guide(world, publish=True)
    _make_version_files(app, guide.id)
    assert NAME in _stored_files_text(app)
    assert NAME in _searchable_guide_text(app)

    client.sign_in_as(world.member)
    response = client.post("/account/profile", data={
        "display_name": NAME, "organisation": ORGANISATION, "credit_preference": choice})
    assert response.status_code == 302
    assert NAME not in _searchable_guide_text(app)  # search no longer finds the name

    with app.app_context():
        assert db.session.scalars(select(GuideFile).where(
            GuideFile.guide_id == guide.id)).all() == []
        version = db.session.scalar(select(GuideVersion).where(
            GuideVersion.guide_id == guide.id))
        credits = [e["credit"] for s in version.document["sections"] for e in s["excerpts"]]
        assert NAME not in json.dumps(version.document)
        assert any(c.startswith(expected) for c in credits)
    assert NAME not in _stored_files_text(app)
    client.sign_in_as(world.facilitator)
    pdf = pdf_text(client.get(f"/guides/{guide.slug}/v1/download/pdf").data)
    assert NAME not in pdf and expected in pdf


def test_raising_my_credit_leaves_published_guides_as_they_were(app, client, world):
    _become_the_person(app, world)
    with app.app_context():
        member = db.session.get(User, world.member.id)
        member.credit_preference = CreditPreference.ANONYMOUS
        db.session.commit()
        guide = build_guide(world, publish=True)
        before = db.session.scalar(select(GuideVersion).where(
            GuideVersion.guide_id == guide.id)).document
    client.sign_in_as(world.member)
    client.post("/account/profile", data={"display_name": NAME, "organisation": ORGANISATION,
                                          "credit_preference": "name_and_organisation"})
    with app.app_context():
        after = db.session.scalar(select(GuideVersion).where(
            GuideVersion.guide_id == guide.id)).document
        assert after == before
        assert db.session.get(LearningSet, world.learning_set.id) is not None


def test_deleting_a_long_history_takes_seconds(app, world):
    with app.app_context():
        member = db.session.get(User, world.member.id)
        thread = db.session.get(Thread, world.thread.id)
        now = utcnow()
        db.session.execute(Post.__table__.insert(), [
            {"thread_id": thread.id, "author_id": member.id, "parent_id": None, "depth": 0,
             "body_source": f"Post number {n}", "body_html": f"<p>Post number {n}</p>",
             "status": "pending" if n % 2 else "approved", "created_at": now, "version": 1}
            for n in range(10_000)])
        db.session.commit()
        started = datetime.now()
        result = erasure.erase(db.session, storage_for(), member, by=None)
        db.session.commit()
        seconds = (datetime.now() - started).total_seconds()
        assert (result.posts_kept, result.posts_emptied) == (5_001, 5_000)
        assert db.session.scalar(select(User).where(User.id == world.member.id)) is None
    print(f"erased 10,001 posts in {seconds:.1f} s")
    assert seconds < 30, f"took {seconds:.1f} s"


def _moderator_reads_a_daily_summary(world) -> None:
    """The world's moderator chose one daily email for every notice (inside an app context)."""
    from forum.models import EmailMode
    from forum.models import NotificationPreference

    db.session.add(NotificationPreference(
        user_id=world.moderator.id, decisions=EmailMode.DAILY, replies=EmailMode.DAILY,
        waiting=EmailMode.DAILY))


def _summarise_then_delete_my_account(app, client, world, kept: str) -> str:
    """Send the daily summaries (``kept`` is then in the database), delete the member's
    account; everything left in the database."""
    from forum.notifications.delivery import send_digests

    with app.app_context():
        assert send_digests(app) == 1
    assert kept in _everything_in_the_database(app)
    client.sign_in_as(world.member)
    done = client.post("/account/delete", data={"posts": "keep",
                                                "password": factories.DEFAULT_PASSWORD})
    assert done.status_code == 302
    return _everything_in_the_database(app)


def test_deleting_my_account_takes_my_unpublished_title_from_a_daily_summary(app, client, world):
    """A moderator who reads their notices as a daily summary was emailed the waiting
    challenge's title in it: the summary's copy in the outbox loses it too."""
    person_id = _become_the_person(app, world)
    with app.app_context():
        _moderator_reads_a_daily_summary(world)
        person = db.session.get(User, person_id)
        learning_set = db.session.get(LearningSet, world.learning_set.id)
        learning_set.moderation_policy = ModerationPolicy.EVERY_POST
        challenges.start_challenge(db.session, person, learning_set,
                                   title="Quillsummary's challenge & title",
                                   body="Quillsummary opening.", aim="Quillsummary aim")
        db.session.commit()
    left = _summarise_then_delete_my_account(app, client, world,
                                             "quillsummary's challenge & title")
    assert "quillsummary" not in left


def test_deleting_my_account_takes_a_name_with_an_apostrophe_from_a_daily_summary(
        app, client, world):
    """A summary's HTML body holds the name as the template escaped it (O&#39;Quillan): it
    is redacted there too, not only where the name is written plainly."""
    with app.app_context():
        _moderator_reads_a_daily_summary(world)
        person = db.session.get(User, world.member.id)
        person.display_name = "Orla O'Quillan"
        thread = db.session.get(Thread, world.thread.id)
        answered = factories.make_post(thread, db.session.get(User, world.moderator.id),
                                       parent=thread.posts[0], body="A question for Orla.")
        db.session.commit()
        threads.reply_to(db.session, person, answered, body="My answer.")
        # And an email whose HTML alone names them (its text part says "someone").
        db.session.add(QueuedEmail(user_id=world.moderator.id, kind="reply",
                                   to_address="moderator@example.org", subject="A reply",
                                   text_body="Someone replied.",
                                   html_body="<p>Orla O&#39;Quillan replied.</p>",
                                   sent_at=utcnow()))
        db.session.commit()
    left = _summarise_then_delete_my_account(app, client, world, "o&#39;quillan")
    assert "quillan" not in left


def test_a_guides_facilitators_hear_of_a_quoted_members_erasure_unless_their_account_is_disabled(
        app, world):
    """Who runs a set is asked of permissions (facilitators_of), which leaves out disabled
    accounts: the erasure wrote a notification to them as well."""
    with app.app_context():
        build_guide(world, publish=True)
        disabled = factories.make_user("gone.facilitator@example.org", is_disabled=True)
        factories.add_member(disabled, db.session.get(LearningSet, world.learning_set.id),
                             Role.FACILITATOR)
        erasure.erase(db.session, storage_for(), db.session.get(User, world.member.id), by=None)
        db.session.commit()
        told = set(db.session.scalars(select(Notification.user_id).where(
            Notification.kind == NotificationKind.GUIDE_RECREDITED)))
    assert told == {world.facilitator.id}
