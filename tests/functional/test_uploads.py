"""Uploaded files on events' materials (and posts): checked from content, refused clearly with
the form's text kept, served only to those who may see what they are attached to."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

from forum.extensions import db
from forum.files.storage import upload_folder
from forum.models import EventAudience
from forum.models import LearningSet
from forum.models import ModerationPolicy
from forum.models import Post
from forum.models import Thread
from forum.models import User
from forum.moderation import service as moderation
from tests import factories
from tests import file_samples as samples
from tests import uploads
from tests.functional.my_data import download_my_data
from tests.functional.test_events import _event


def _add_file(client, event_id, data, name, *, title="Slides: closing the loop"):
    return client.post(f"/events/{event_id}/materials/new", data={
        "kind": "file", "title": title, "url": "", "body": "The talk's *slides*.",
        "upload": (io.BytesIO(data), name)}, content_type="multipart/form-data")


def test_a_coordinator_adds_slides_and_members_download_them(app, client, world):
    with app.app_context():
        event_id = _event(world, audience=EventAudience.NETWORK)
    client.sign_in_as(world.admin)
    response = _add_file(client, event_id, samples.PDF, "Closing the loop.pdf")
    assert response.status_code == 302
    [row] = uploads.stored(app)
    assert row.original_name == "Closing the loop.pdf" and row.file_type == "pdf"
    # Stored under a random name in the upload folder, outside static/.
    with app.app_context():
        folder = upload_folder()
    stored = folder / row.storage_key
    assert stored.read_bytes() == samples.PDF
    assert "Closing" not in row.storage_key and "static" not in str(folder)
    page = client.get(f"/events/{event_id}").get_data(as_text=True)
    assert f'href="/files/{row.id}"' in page and "Closing the loop.pdf" in page

    client.sign_in_as(world.member)
    served = uploads.fetch(client, row.id)
    assert served.status_code == 200 and served.data == samples.PDF
    assert served.headers["Content-Type"] == "application/pdf"
    assert served.headers["Content-Disposition"].startswith("attachment;")
    assert "Closing the loop.pdf" in served.headers["Content-Disposition"]
    assert served.headers["X-Content-Type-Options"] == "nosniff"
    assert "default-src 'none'" in served.headers["Content-Security-Policy"]
    assert "sandbox" in served.headers["Content-Security-Policy"]

    client.sign_out()
    assert uploads.fetch(client, row.id).status_code == 404  # a network event: signed in only


def test_a_non_ascii_name_is_offered_with_rfc_6266_encoding(app, client, world):
    with app.app_context():
        event_id = _event(world)
    client.sign_in_as(world.admin)
    _add_file(client, event_id, samples.CSV, "Café – results.csv")
    [row] = uploads.stored(app)
    disposition = uploads.fetch(client, row.id).headers["Content-Disposition"]
    assert "filename*=UTF-8''Caf%C3%A9%20%E2%80%93%20results.csv" in disposition


def test_a_set_only_events_file_is_404_to_everyone_outside_the_set(app, client, world):
    with app.app_context():
        learning_set = db.session.get(LearningSet, world.learning_set.id)
        event_id = _event(world, audience=EventAudience.SETS, sets=[learning_set])
    client.sign_in_as(world.admin)
    _add_file(client, event_id, samples.docx_file(), "paper.docx")
    [row] = uploads.stored(app)
    client.sign_in_as(world.outsider)
    assert uploads.fetch(client, row.id).status_code == 404
    client.sign_in_as(world.member)
    assert uploads.fetch(client, row.id).status_code == 200


def test_a_png_named_pdf_is_stored_and_served_as_the_image_it_is(app, client, world):
    with app.app_context():
        event_id = _event(world)
    client.sign_in_as(world.admin)
    _add_file(client, event_id, samples.png(exif=True), "photo.pdf")
    [row] = uploads.stored(app)
    assert row.file_type == "png" and row.original_name == "photo.png"
    served = uploads.fetch(client, row.id)
    assert served.headers["Content-Type"] == "image/png"
    assert served.headers["Content-Disposition"].startswith("inline;")
    assert b"SecretCam" not in served.data


def test_a_renamed_program_is_refused_and_the_text_kept(app, client, world):
    with app.app_context():
        event_id = _event(world)
    client.sign_in_as(world.admin)
    response = _add_file(client, event_id, samples.EXE, "slides.pdf", title="Keep this title")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "is a program, not a document" in page and "govuk-error-summary" in page
    assert 'value="Keep this title"' in page and "The talk&#39;s *slides*." in page
    assert uploads.stored(app) == []


def test_a_zip_bomb_is_refused(app, client, world):
    with app.app_context():
        event_id = _event(world)
    client.sign_in_as(world.admin)
    page = _add_file(client, event_id, samples.zip_bomb(), "report.docx").get_data(as_text=True)
    assert "archive bomb" in page and uploads.stored(app) == []


def test_a_file_over_the_limit_is_refused_beside_the_field_with_the_text_kept(make_app, world):
    app = make_app(UPLOAD_MAX_BYTES=1024)
    client = app.test_client()
    with app.app_context():
        event_id = _event(world)
    client.sign_in_as(world.admin)
    big = samples.PDF + b"%" + b"x" * 4000 + b"\n%%EOF\n"
    response = _add_file(client, event_id, big, "big.pdf", title="Too big to keep")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "“big.pdf” is larger than 1 KB" in page and 'value="Too big to keep"' in page
    assert uploads.stored(app) == []


def test_a_request_far_over_the_limit_gets_a_page_saying_the_limit(make_app, world):
    app = make_app(UPLOAD_MAX_BYTES=1024, UPLOAD_REQUEST_MAX_BYTES=8192)
    client = app.test_client()
    with app.app_context():
        event_id = _event(world)
    client.sign_in_as(world.admin)
    response = _add_file(client, event_id, b"x" * 20000, "huge.csv")
    assert response.status_code == 413
    assert "Files can be up to 1 KB each" in response.get_data(as_text=True)


def test_other_forms_keep_the_sites_smaller_request_limit(make_app, world):
    app = make_app(MAX_CONTENT_LENGTH=4096)
    client = app.test_client()
    client.sign_in_as(world.member)
    response = client.post("/account/profile", data={"display_name": "x" * 10000})
    assert response.status_code == 413


def test_a_file_missing_from_storage_is_404_not_500(app, client, world):
    with app.app_context():
        event_id = _event(world)
    client.sign_in_as(world.admin)
    _add_file(client, event_id, samples.PDF, "a.pdf")
    [row] = uploads.stored(app)
    with app.app_context():
        (Path(upload_folder()) / row.storage_key).unlink()
    assert uploads.fetch(client, row.id).status_code == 404


# --- post attachments ------------------------------------------------------------------

def _set_policy(app, world, policy):
    with app.app_context():
        db.session.get(LearningSet, world.learning_set.id).moderation_policy = policy
        db.session.commit()


def _opening_id(app, world) -> int:
    with app.app_context():
        return db.session.get(Thread, world.thread.id).posts[0].id


def _reply_with(client, parent_id, data, name, body="See the attached letter."):
    return client.post(f"/posts/{parent_id}/reply", data={
        "body": body, "submission_key": "", "attachments": (io.BytesIO(data), name)},
        content_type="multipart/form-data")


def test_a_waiting_posts_file_is_as_hidden_as_its_text(app, client, world):
    _set_policy(app, world, ModerationPolicy.EVERY_POST)
    opening = _opening_id(app, world)
    client.sign_in_as(world.member)
    assert _reply_with(client, opening, samples.docx_file(), "letter.docx").status_code == 302
    [row] = uploads.stored(app)
    assert row.post_id is not None and row.uploaded_by_id == world.member.id

    # The author and the set's moderators read the waiting post's text, so its file too.
    assert uploads.fetch(client, row.id).status_code == 200
    client.sign_in_as(world.moderator)
    assert uploads.fetch(client, row.id).status_code == 200
    page = client.get(f"/threads/{world.thread.id}").get_data(as_text=True)
    assert "letter.docx" in page
    with app.app_context():
        other = factories.make_user("other@example.org")
        factories.add_member(other, db.session.get(LearningSet, world.learning_set.id))
        db.session.commit()
        db.session.refresh(other)
        db.session.expunge(other)
    for reader in (other, world.outsider):
        client.sign_in_as(reader)
        assert uploads.fetch(client, row.id).status_code == 404
        assert "letter.docx" not in client.get(f"/threads/{world.thread.id}").get_data(
            as_text=True)
    client.sign_out()
    assert uploads.fetch(client, row.id).status_code == 404

    with app.app_context():
        moderation.approve(db.session, db.session.get(User, world.moderator.id),
                           db.session.get(Post, row.post_id))
        db.session.commit()
    client.sign_in_as(other)
    assert uploads.fetch(client, row.id).status_code == 200
    assert "letter.docx" in client.get(f"/threads/{world.thread.id}").get_data(as_text=True)


def test_a_hidden_posts_file_is_404_even_to_its_author(app, client, world):
    _set_policy(app, world, ModerationPolicy.AFTER_THE_FACT)
    client.sign_in_as(world.member)
    _reply_with(client, _opening_id(app, world), samples.PDF, "minutes.pdf")
    [row] = uploads.stored(app)
    assert uploads.fetch(client, row.id).status_code == 200
    with app.app_context():
        moderation.hide(db.session, db.session.get(User, world.moderator.id),
                        db.session.get(Post, row.post_id), "Names a resident.")
        db.session.commit()
    assert uploads.fetch(client, row.id).status_code == 404
    client.sign_in_as(world.moderator)
    assert uploads.fetch(client, row.id).status_code == 200


def test_a_refused_attachment_keeps_the_reply_text(app, client, world):
    client.sign_in_as(world.member)
    response = _reply_with(client, _opening_id(app, world), samples.EXE, "agenda.docx",
                           body="My careful reply, kept.")
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "is a program" in page
    assert "My careful reply, kept." in page and uploads.stored(app) == []


def test_files_added_by_a_waiting_edit_wait_with_it(app, client, world):
    _set_policy(app, world, ModerationPolicy.AFTER_THE_FACT)
    client.sign_in_as(world.member)
    _reply_with(client, _opening_id(app, world), samples.CSV, "figures.csv", body="Figures.")
    [first] = uploads.stored(app)
    _set_policy(app, world, ModerationPolicy.EVERY_POST)
    response = client.post(f"/posts/{first.post_id}/edit", data={
        "body": "Figures.", "attachments": (io.BytesIO(samples.PDF), "report.pdf")},
        content_type="multipart/form-data")
    assert response.status_code == 302
    added = uploads.stored(app)[1]
    assert added.awaiting_approval
    assert uploads.fetch(client, added.id).status_code == 200  # the author sees what they added
    client.sign_in_as(world.outsider)
    assert uploads.fetch(client, added.id).status_code == 404
    with app.app_context():
        reader = factories.make_user("reader@example.org")
        factories.add_member(reader, db.session.get(LearningSet, world.learning_set.id))
        db.session.commit()
        db.session.refresh(reader)
        db.session.expunge(reader)
    client.sign_in_as(reader)
    assert uploads.fetch(client, first.id).status_code == 200
    assert uploads.fetch(client, added.id).status_code == 404
    with app.app_context():
        moderation.approve_edit(db.session, db.session.get(User, world.moderator.id),
                                db.session.get(Post, first.post_id))
        db.session.commit()
    assert uploads.fetch(client, added.id).status_code == 200


def test_the_author_removes_a_file_by_editing(app, client, world):
    client.sign_in_as(world.member)
    opening = _opening_id(app, world)
    _reply_with(client, opening, samples.PDF, "old.pdf", body="Minutes attached.")
    [row] = uploads.stored(app)
    path = uploads.stored_path(app, row)
    assert path.is_file()
    form = client.get(f"/posts/{row.post_id}/edit").get_data(as_text=True)
    assert "old.pdf" in form
    response = client.post(f"/posts/{row.post_id}/edit", data={
        "body": "Minutes attached.", "remove_files": [str(row.id)]},
        content_type="multipart/form-data")
    assert response.status_code == 302
    assert uploads.stored(app) == [] and not path.exists()
    assert uploads.fetch(client, row.id).status_code == 404


# --- a person's data ---------------------------------------------------------------------

def test_my_data_download_holds_the_files_i_uploaded_and_no_one_elses(app, client, world):
    client.sign_in_as(world.moderator)
    _reply_with(client, _opening_id(app, world), samples.PDF, "theirs.pdf", body="Not mine.")
    client.sign_in_as(world.member)
    _reply_with(client, _opening_id(app, world), samples.docx_file(), "my letter.docx")
    mine = uploads.stored(app)[1]
    response = download_my_data(app, client)
    archive = zipfile.ZipFile(io.BytesIO(response.data))
    data = json.loads(archive.read("my-data.json"))
    [listed] = data["files_you_uploaded"]
    assert listed["original_name"] == "my letter.docx" and listed["id"] == mine.id
    stored = uploads.stored_path(app, mine).read_bytes()
    assert archive.read(f"files/{mine.id}-my letter.docx") == stored
    assert not any("theirs" in name for name in archive.namelist())


def test_deleting_an_account_with_its_posts_text_deletes_their_files(app, client, world):
    client.sign_in_as(world.member)
    _reply_with(client, _opening_id(app, world), samples.PDF, "minutes.pdf")
    [row] = uploads.stored(app)
    path = uploads.stored_path(app, row)
    assert path.is_file()
    response = client.post("/account/delete", data={"posts": "remove",
                                                    "password": factories.DEFAULT_PASSWORD})
    assert response.status_code == 302
    assert uploads.stored(app) == [] and not path.exists()


def test_deleting_an_account_that_keeps_its_posts_keeps_their_files_unattributed(
        app, client, world):
    _set_policy(app, world, ModerationPolicy.AFTER_THE_FACT)  # published at once
    client.sign_in_as(world.member)
    _reply_with(client, _opening_id(app, world), samples.PDF, "minutes.pdf")
    response = client.post("/account/delete", data={"posts": "keep",
                                                    "password": factories.DEFAULT_PASSWORD})
    assert response.status_code == 302
    [row] = uploads.stored(app)
    assert row.uploaded_by_id is None
