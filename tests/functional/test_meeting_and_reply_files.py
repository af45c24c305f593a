"""Files on a set's meetings and on challenge replies, and the sweep of stored files whose
record a deletion took away.

Runs on SQLite by default and on PostgreSQL with ``FORUM_TEST_DATABASE_URL``.
"""

from __future__ import annotations

import io
import json
import os
import re
import time
import zipfile
from datetime import timedelta

from sqlalchemy import delete
from sqlalchemy import select

from forum.extensions import db
from forum.files.service import attach
from forum.files.service import prepare
from forum.files.storage import upload_folder
from forum.files.storage import upload_storage
from forum.files.sweep import sweep_orphans
from forum.models import Challenge
from forum.models import LearningSet
from forum.models import Meeting
from forum.models import ModerationPolicy
from forum.models import Post
from forum.models import PostStatus
from forum.models import User
from forum.moderation import service as moderation
from tests import factories
from tests import file_samples as samples
from tests import uploads
from tests.functional.my_data import download_my_data
from tests.functional.test_meetings import FORM
from tests.htmlcheck import assert_valid_html
from tests.htmlcheck import require_checker

# --- helpers -----------------------------------------------------------------------------


def _schedule(client, world) -> str:
    """The facilitator schedules a meeting; returns its page's address."""
    client.sign_in_as(world.facilitator)
    response = client.post(f"/sets/{world.learning_set.slug}/meetings/new", data=FORM)
    assert response.status_code == 302, response.text
    return response.headers["Location"]


def _add_files(client, meeting_url: str, *files: tuple[bytes, str]):
    return client.post(f"{meeting_url}/files/new",
                       data={"files": [(io.BytesIO(data), name) for data, name in files]},
                       content_type="multipart/form-data")


def _user(app, email: str, learning_set_id: int | None = None) -> User:
    with app.app_context():
        user = factories.make_user(email)
        if learning_set_id is not None:
            factories.add_member(user, db.session.get(LearningSet, learning_set_id))
        db.session.commit()
        db.session.refresh(user)
        db.session.expunge(user)
        return user


# --- meetings ----------------------------------------------------------------------------


def test_a_facilitator_attaches_files_and_the_sets_members_download_them(app, client, world):
    meeting_url = _schedule(client, world)
    response = _add_files(client, meeting_url, (samples.pptx(), "Slides – our actions.pptx"),
                          (samples.PDF, "agenda.pdf"))
    assert response.status_code == 302 and response.headers["Location"].endswith("#files")
    slides, agenda = uploads.stored(app)
    assert slides.meeting_id is not None and slides.uploaded_by_id == world.facilitator.id
    assert uploads.stored_path(app, slides).read_bytes() == samples.pptx()

    client.sign_in_as(world.member)
    page = client.get(meeting_url).get_data(as_text=True)
    # Listed with its name, type, size and a download link; no controls for a member.
    assert f'href="/files/{slides.id}"' in page and "Slides – our actions.pptx" in page
    assert "PowerPoint presentation" in page and "agenda.pdf" in page
    assert "/files/new" not in page and "/remove" not in page
    served = uploads.fetch(client, agenda.id)
    assert served.status_code == 200 and served.data == samples.PDF
    assert served.headers["Content-Disposition"].startswith("attachment;")
    assert served.headers["X-Content-Type-Options"] == "nosniff"


def test_a_private_sets_meeting_file_is_404_to_everyone_outside_the_set(app, client, world):
    meeting_url = _schedule(client, world)
    _add_files(client, meeting_url, (samples.docx_file(), "notes.docx"))
    [row] = uploads.stored(app)
    with app.app_context():
        other_set = factories.make_set("other-set")
        db.session.commit()
        other_set_id = other_set.id
    someone_elses = _user(app, "elsewhere@example.org", other_set_id)
    for reader in (world.outsider, someone_elses):
        client.sign_in_as(reader)
        assert uploads.fetch(client, row.id).status_code == 404
    client.sign_out()
    assert uploads.fetch(client, row.id).status_code == 404
    for reader in (world.member, world.moderator, world.admin):
        client.sign_in_as(reader)
        assert uploads.fetch(client, row.id).status_code == 200


def test_a_member_removed_from_the_set_can_no_longer_download_its_meeting_file(
        app, client, world):
    from forum.models import Membership
    from forum.sets.service import remove_member

    meeting_url = _schedule(client, world)
    _add_files(client, meeting_url, (samples.PDF, "agenda.pdf"))
    [row] = uploads.stored(app)
    client.sign_in_as(world.member)
    assert uploads.fetch(client, row.id).status_code == 200
    with app.app_context():
        remove_member(db.session, db.session.scalar(select(Membership).where(
            Membership.user_id == world.member.id,
            Membership.learning_set_id == world.learning_set.id)))
        db.session.commit()
    assert uploads.fetch(client, row.id).status_code == 404  # the same session, a moment later


def test_only_facilitators_add_or_remove_a_meetings_files(app, client, world):
    meeting_url = _schedule(client, world)
    _add_files(client, meeting_url, (samples.CSV, "figures.csv"))
    [row] = uploads.stored(app)
    for role in (world.member, world.moderator):
        client.sign_in_as(role)
        assert client.get(f"{meeting_url}/files/new").status_code == 403
        assert _add_files(client, meeting_url, (samples.PDF, "mine.pdf")).status_code == 403
        assert client.post(f"{meeting_url}/files/{row.id}/remove").status_code == 403
    client.sign_in_as(world.outsider)
    assert client.post(f"{meeting_url}/files/{row.id}/remove").status_code == 404
    assert [r.id for r in uploads.stored(app)] == [row.id]
    assert uploads.stored_path(app, row).is_file()


def test_a_facilitator_removes_a_file_and_its_bytes_go(app, client, world):
    meeting_url = _schedule(client, world)
    _add_files(client, meeting_url, (samples.PDF, "old agenda.pdf"))
    [row] = uploads.stored(app)
    path = uploads.stored_path(app, row)
    page = client.get(meeting_url).get_data(as_text=True)
    assert f"{meeting_url.split('localhost')[-1]}/files/{row.id}/remove" in page
    response = client.post(f"{meeting_url}/files/{row.id}/remove")
    assert response.status_code == 302
    assert "“old agenda.pdf” was removed." in client.get(meeting_url).get_data(as_text=True)
    assert uploads.stored(app) == [] and not path.exists()
    client.sign_in_as(world.member)
    assert uploads.fetch(client, row.id).status_code == 404


def test_a_file_of_another_meeting_cannot_be_removed_through_this_one(app, client, world):
    first = _schedule(client, world)
    second = _schedule(client, world)
    _add_files(client, first, (samples.PDF, "first.pdf"))
    [row] = uploads.stored(app)
    assert client.post(f"{second}/files/{row.id}/remove").status_code == 404
    assert client.post(f"{second}/files/99999999999/remove").status_code == 404
    assert len(uploads.stored(app)) == 1


def test_a_refused_meeting_file_says_why_and_nothing_is_stored(app, client, world):
    meeting_url = _schedule(client, world)
    response = _add_files(client, meeting_url, (samples.EXE, "agenda.pdf"))
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "is a program" in page
    response = client.post(f"{meeting_url}/files/new", data={},
                           content_type="multipart/form-data")
    assert response.status_code == 200 and "Choose the files to add" in response.text
    assert uploads.stored(app) == []


def test_a_facilitators_meeting_files_are_in_their_data_download(app, client, world):
    meeting_url = _schedule(client, world)
    _add_files(client, meeting_url, (samples.PDF, "agenda.pdf"))
    [row] = uploads.stored(app)
    archive = zipfile.ZipFile(io.BytesIO(download_my_data(app, client).data))
    [listed] = json.loads(archive.read("my-data.json"))["files_you_uploaded"]
    assert listed["meeting_id"] == row.meeting_id and listed["post_id"] is None
    assert archive.read(f"files/{row.id}-agenda.pdf") == samples.PDF


# --- challenge replies -------------------------------------------------------------------


def _policy(app, world, policy: ModerationPolicy) -> None:
    with app.app_context():
        db.session.get(LearningSet, world.learning_set.id).moderation_policy = policy
        db.session.commit()


def _challenge_opening(app, client, world) -> int:
    """The member brings a challenge, published at once; returns its opening post's id."""
    _policy(app, world, ModerationPolicy.AFTER_THE_FACT)
    client.sign_in_as(world.member)
    response = client.post("/sets/comms/challenges/new", data={
        "title": "Getting cabinet to act", "body": "They noted it.", "aim": "Two champions."})
    assert response.status_code == 302
    with app.app_context():
        thread_id = db.session.scalar(select(Challenge.thread_id))
        return db.session.scalar(select(Post.id).where(Post.thread_id == thread_id,
                                                       Post.parent_id.is_(None)))


def _challenge_reply(client, opening: int, data: bytes, name: str,
                     body: str = "What would a champion say first?"):
    return client.post(f"/posts/{opening}/challenge-reply", data={
        "kind": "question", "body": body, "submission_key": "",
        "attachments": (io.BytesIO(data), name)}, content_type="multipart/form-data")


def test_a_waiting_challenge_replys_file_is_as_hidden_as_its_text(app, client, world):
    opening = _challenge_opening(app, client, world)
    _policy(app, world, ModerationPolicy.EVERY_POST)
    asker = _user(app, "asker@example.org", world.learning_set.id)
    client.sign_in_as(asker)
    assert _challenge_reply(client, opening, samples.PDF, "briefing.pdf").status_code == 302
    [row] = uploads.stored(app)
    with app.app_context():
        post = db.session.get(Post, row.post_id)
        assert post.status == PostStatus.PENDING and post.kind == "question"
        thread_id = post.thread_id

    assert uploads.fetch(client, row.id).status_code == 200  # the author
    client.sign_in_as(world.moderator)
    assert uploads.fetch(client, row.id).status_code == 200
    assert "briefing.pdf" in client.get(f"/threads/{thread_id}").text
    for reader in (world.member, world.outsider):  # the holder reads only approved replies
        client.sign_in_as(reader)
        assert uploads.fetch(client, row.id).status_code == 404
        assert "briefing.pdf" not in client.get(f"/threads/{thread_id}").text
    client.sign_out()
    assert uploads.fetch(client, row.id).status_code == 404

    with app.app_context():
        moderation.approve(db.session, db.session.get(User, world.moderator.id),
                           db.session.get(Post, row.post_id))
        db.session.commit()
    client.sign_in_as(world.member)
    assert uploads.fetch(client, row.id).status_code == 200
    assert "briefing.pdf" in client.get(f"/threads/{thread_id}").text


def test_a_refused_challenge_reply_file_says_why_and_keeps_the_text(app, client, world):
    opening = _challenge_opening(app, client, world)
    with app.app_context():
        posts_before = len(db.session.scalars(select(Post.id)).all())
    response = _challenge_reply(client, opening, samples.zip_bomb(), "figures.xlsx",
                                body="My careful reflection, kept.")
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "archive bomb" in page
    assert "My careful reflection, kept." in page
    with app.app_context():
        assert len(db.session.scalars(select(Post.id)).all()) == posts_before
    assert uploads.stored(app) == []


def test_the_challenge_reply_forms_take_files(app, client, world):
    opening = _challenge_opening(app, client, world)
    with app.app_context():
        thread_id = db.session.get(Post, opening).thread_id
    for url in (f"/threads/{thread_id}", f"/posts/{opening}/challenge-reply"):
        page = client.get(url).text
        found = re.search(rf'<form[^>]*action="/posts/{opening}/challenge-reply"[^>]*>(.*?)'
                          r"</form>", page, re.S)
        assert found, url
        assert 'enctype="multipart/form-data"' in found.group(0).split(">")[0]
        assert 'type="file"' in found.group(1) and 'name="attachments"' in found.group(1)


# --- the sweep ---------------------------------------------------------------------------


def _age(path, hours: float) -> None:
    when = time.time() - hours * 3600
    os.utime(path, (when, when))


def test_deleting_a_set_leaves_its_files_for_the_sweep_which_deletes_them(
        app, client, world, runner):
    meeting_url = _schedule(client, world)
    _add_files(client, meeting_url, (samples.PDF, "agenda.pdf"))
    with app.app_context():
        opening = db.session.scalar(select(Post).where(Post.thread_id == world.thread.id))
        attach(db.session, upload_storage(), None, prepare(samples.CSV, "a.csv"), post=opening)
        elsewhere = factories.make_set("elsewhere")
        kept_meeting = Meeting(learning_set=elsewhere, title="Kept", starts_at=opening.created_at,
                               ends_at=opening.created_at)
        db.session.add(kept_meeting)
        attach(db.session, upload_storage(), None, prepare(samples.PDF, "kept.pdf"),
               meeting=kept_meeting)
        db.session.commit()
    meeting_file, post_file, kept = uploads.stored(app)
    paths = [uploads.stored_path(app, row) for row in (meeting_file, post_file, kept)]

    with app.app_context():  # the database's cascades take the rows, not the bytes
        db.session.execute(delete(LearningSet).where(LearningSet.id == world.learning_set.id))
        db.session.commit()
    assert [row.id for row in uploads.stored(app)] == [kept.id]
    assert all(path.is_file() for path in paths)

    # Within the grace period nothing is touched: an upload writes its bytes before its row.
    result = runner.invoke(args=["files", "sweep"])
    assert result.exit_code == 0, result.output
    assert "Deleted 0 stored files" in result.output and "2 without a record" in result.output
    assert all(path.is_file() for path in paths)

    for path in paths:
        _age(path, 25)
    result = runner.invoke(args=["files", "sweep"])
    assert "Deleted 2 stored files" in result.output
    assert not paths[0].exists() and not paths[1].exists()
    assert paths[2].read_bytes() == samples.PDF  # another set's file is kept
    client.sign_in_as(world.admin)
    assert uploads.fetch(client, kept.id).status_code == 200


def test_the_sweep_keeps_an_upload_in_flight_and_clears_abandoned_parts(app):
    # Named as forum.files.storage.new_key names uploads (two hex digits, then 32).
    in_flight, abandoned = f"ab/{'ab' * 16}.pdf", f"ab/{'ab' + '0' * 30}.pdf"
    with app.app_context():
        folder = upload_folder()
        storage = upload_storage()
        storage.save(in_flight, samples.PDF)  # its row is not committed yet
        storage.save(abandoned, samples.PDF)  # a rolled-back form's file
        part = folder / "cd" / ".part-x1"
        part.parent.mkdir(parents=True, exist_ok=True)
        part.write_bytes(b"half a file")
        _age(folder / abandoned, 48)
        _age(part, 48)
        swept = sweep_orphans(db.session, folder, grace=timedelta(hours=24))
    assert swept.deleted == 2 and swept.kept_recent == 1
    assert swept.freed_bytes == len(samples.PDF) + len(b"half a file")
    assert (folder / in_flight).is_file()
    assert not (folder / abandoned).exists()
    assert not (folder / "cd").exists()  # an emptied folder goes too


def test_the_daily_retention_run_also_sweeps(app, runner):
    from forum.files.storage import new_key

    key = new_key("csv")
    with app.app_context():
        upload_storage().save(key, samples.CSV)
        path = upload_folder() / key
    _age(path, 30)
    result = runner.invoke(args=["retention"])
    assert result.exit_code == 0, result.output
    assert "Deleted 1 stored file no record points at" in result.output
    assert not path.exists()


def test_the_meeting_pages_with_files_are_valid_html(app, client, world):
    require_checker()
    meeting_url = _schedule(client, world)
    _add_files(client, meeting_url, (samples.PDF, "agenda.pdf"), (samples.CSV, "actions.csv"))
    documents = {"facilitator's meeting page": client.get(meeting_url).text,
                 "refused files form": _add_files(client, meeting_url,
                                                  (samples.EXE, "x.pdf")).text}
    client.sign_in_as(world.member)
    documents["member's meeting page"] = client.get(meeting_url).text
    assert_valid_html(documents.items())


def test_the_sweep_deletes_only_what_the_upload_store_wrote(app, tmp_path):
    """An operator who points UPLOAD_FOLDER at a folder other files share (the instance
    folder, the guide files' folder) must not lose those files to the daily sweep: only names
    the upload store gives (``ab/<32 hex>.pdf``) and its half-written ``.part-`` files go."""
    from forum.files.storage import new_key

    folder = tmp_path / "shared"
    (folder / "guide-3").mkdir(parents=True)
    others = {folder / "config.py": b"SECRET_KEY = 'x'\n",
              folder / "forum.db": b"SQLite format 3\x00",
              folder / "guide-3" / "v2-members-9f2c.pdf": samples.PDF,
              folder / "ab" / "notes.pdf": samples.PDF}
    for path, data in others.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    orphan_key = new_key("pdf")
    orphan = folder / orphan_key
    orphan.parent.mkdir(parents=True, exist_ok=True)
    orphan.write_bytes(samples.PDF)
    part = orphan.parent / ".part-x1"
    part.write_bytes(b"half a file")
    for path in [*others, orphan, part]:
        _age(path, 48)
    with app.app_context():
        swept = sweep_orphans(db.session, folder, grace=timedelta(hours=24))
    assert not orphan.exists() and not part.exists()
    assert swept.deleted == 2
    for path, data in others.items():
        assert path.read_bytes() == data, f"{path.name} was deleted by the sweep"
