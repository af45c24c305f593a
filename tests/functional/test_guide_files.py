"""Kept guide files: made once after publishing, served with a strong ETag, never stale."""

from __future__ import annotations

import io
import threading
import zipfile

import pytest
from sqlalchemy import select

from forum.extensions import db
from forum.guides import files
from forum.guides.background import MAKER_KEY
from forum.guides.background import FileMaker
from forum.guides.export.storage import storage_for
from forum.models import Guide
from forum.models import GuideFile
from forum.models import Post
from forum.models import PostStatus
from tests.conftest import FormClient
from tests.conftest import session_id_of
from tests.functional.guide_builders import BuiltGuide
from tests.functional.guide_builders import build_guide

RADIO = "We used local radio"


def _publish_through_the_page(client, world, g: BuiltGuide):
    client.sign_in_as(world.facilitator)
    response = client.post(f"/sets/{g.set_slug}/guides/{g.id}/publish")
    assert response.status_code == 302
    response.close()  # the answer is sent: the background maker (if any) is woken now
    return response


@pytest.fixture
def maker(app):
    """The web process's background file maker (off under TESTING unless a test asks)."""
    made = app.extensions[MAKER_KEY] = FileMaker(app)
    yield made
    made.stop(timeout=60)
    del app.extensions[MAKER_KEY]


def _get(client, url: str, **kwargs):
    """GET and read the whole body (a kept file is streamed: reading it closes the file)."""
    response = client.get(url, **kwargs)
    response.get_data()
    response.close()
    return response


def _docx_text(data: bytes) -> str:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return archive.read("word/document.xml").decode("utf-8")


@pytest.fixture
def published(app, client, world, maker) -> BuiltGuide:
    """Published through the page, as a facilitator does it; the files are made after it."""
    with app.app_context():
        g = build_guide(world)
    _publish_through_the_page(client, world, g)
    assert maker.wait_idle(timeout=120)
    return g


@pytest.fixture
def published_without_files(app, client, world) -> BuiltGuide:
    """Published, and no file made yet (the process stopped, or the maker is still busy)."""
    with app.app_context():
        g = build_guide(world)
    _publish_through_the_page(client, world, g)
    with app.app_context():
        assert db.session.scalars(select(GuideFile)).all() == []
    return g


@pytest.fixture
def renders(monkeypatch) -> list[str]:
    """The formats rendered, one entry each time (still rendering for real)."""
    made: list[str] = []
    real = files.export

    def counted(doc, format_name):
        made.append(format_name)
        return real(doc, format_name)
    monkeypatch.setattr(files, "export", counted)
    return made


@pytest.fixture
def no_rendering(monkeypatch):
    """Any attempt to render a kept format fails the test."""
    def refuse(doc, format_name):
        raise AssertionError(f"rendered {format_name} during a download")
    monkeypatch.setattr(files, "export", refuse)


def test_publishing_makes_each_kept_format_once(app, published):
    with app.app_context():
        rows = db.session.scalars(select(GuideFile)).all()
        assert sorted((r.format, r.audience) for r in rows) == [
            (name, files.MEMBERS) for name in sorted(files.STORED_FORMATS)]
        assert all(storage_for().exists(r.storage_key) for r in rows)


def test_publishing_answers_before_any_file_is_made(app, client, world, maker, monkeypatch):
    """The facilitator gets the published page while the files are still being made."""
    release = threading.Event()
    started: list[str] = []
    real = files.export

    def slow(doc, format_name):
        started.append(format_name)
        assert release.wait(timeout=120)
        return real(doc, format_name)
    monkeypatch.setattr(files, "export", slow)
    with app.app_context():
        g = build_guide(world)
    _publish_through_the_page(client, world, g)  # answered while nothing is rendered
    page = client.get(f"/guides/{g.slug}/")
    assert page.status_code == 200 and "Version 1 of" in page.text
    with app.app_context():
        assert db.session.scalars(select(GuideFile)).all() == []
    release.set()
    assert maker.wait_idle(timeout=120)
    assert sorted(started) == sorted(files.STORED_FORMATS)
    with app.app_context():
        assert len(db.session.scalars(select(GuideFile)).all()) == len(files.STORED_FORMATS)


@pytest.mark.parametrize("fmt", ["pdf", "odt"])
def test_a_download_before_the_files_are_made_gets_the_file_and_keeps_it(
        app, client, world, published_without_files, renders, fmt):
    client.sign_in_as(world.member)
    url = f"/guides/{published_without_files.slug}/v1/download/{fmt}"
    first = _get(client, url)
    assert first.status_code == 200
    assert first.data[:4] in (b"%PDF", b"PK\x03\x04")
    if fmt == "pdf":
        import pypdf
        text = pypdf.PdfReader(io.BytesIO(first.data)).pages[0].extract_text()
        assert "Telling the story of an assembly" in text
    assert renders == [fmt]
    again = _get(client, url)
    assert again.data == first.data and again.headers["ETag"] == first.headers["ETag"]
    assert renders == [fmt]  # kept: the second download rendered nothing
    with app.app_context():
        rows = db.session.scalars(select(GuideFile)).all()
        assert [(r.format, f'"{r.etag}"') for r in rows] == [(fmt, first.headers["ETag"])]


def _concurrent_downloads(app, world, url: str, people: int) -> list:
    start = threading.Barrier(people)
    answers: list = [None] * people

    def download(n: int) -> None:
        client = FormClient(app, app.response_class)
        with client.session_transaction() as session:
            session["_user_id"] = session_id_of(app, world.member.id)
            session["_fresh"] = True
        start.wait()
        answers[n] = _get(client, url)

    threads = [threading.Thread(target=download, args=(n,)) for n in range(people)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=180)
    return answers


def _one_kept_pdf(app) -> GuideFile:
    with app.app_context():
        rows = db.session.scalars(select(GuideFile).where(GuideFile.format == "pdf")).all()
        assert len(rows) == 1
        folder = storage_for().path(rows[0].storage_key).parent
        assert [p.name for p in folder.glob("*.pdf")] == [rows[0].storage_key.split("/")[-1]]
        return rows[0]


def test_concurrent_first_downloads_render_once_and_keep_one_file(
        app, world, published_without_files, renders, maker):
    url = f"/guides/{published_without_files.slug}/v1/download/pdf"
    maker.wake(db_version_id(app))  # the background maker races the readers too
    answers = _concurrent_downloads(app, world, url, people=5)
    assert maker.wait_idle(timeout=180)
    assert [a.status_code for a in answers] == [200] * 5
    row = _one_kept_pdf(app)
    assert {a.headers["ETag"] for a in answers} == {f'"{row.etag}"'}
    assert renders.count("pdf") == 1  # one maker per file in a process


def test_makers_in_separate_processes_keep_one_file(app, world, published_without_files,
                                                    renders, monkeypatch):
    """Without the in-process lock (as between gunicorn workers), each reader may render, but
    the database lock keeps one row and one file, and everyone gets that file."""
    monkeypatch.setattr(files, "_making_lock", lambda *key: threading.Lock())
    url = f"/guides/{published_without_files.slug}/v1/download/pdf"
    answers = _concurrent_downloads(app, world, url, people=4)
    assert [a.status_code for a in answers] == [200] * 4
    row = _one_kept_pdf(app)
    assert {a.headers["ETag"] for a in answers} == {f'"{row.etag}"'}
    assert renders.count("pdf") >= 1


def db_version_id(app) -> int:
    from forum.models import GuideVersion
    with app.app_context():
        return db.session.scalars(select(GuideVersion.id)).one()


def test_regenerate_missing_makes_only_what_is_not_kept(app, runner, published_without_files,
                                                        renders):
    result = runner.invoke(args=["guides", "regenerate", "--missing"])
    assert result.exit_code == 0, result.output
    n = len(files.STORED_FORMATS)
    assert f"Made {n} files for 1 published version of 1 guide." in result.output
    again = runner.invoke(args=["guides", "regenerate", "--missing"])
    assert "Made 0 files for 1 published version" in again.output
    assert sorted(renders) == sorted(files.STORED_FORMATS)


@pytest.mark.parametrize("fmt", ["pdf", "docx"])
def test_a_published_versions_download_does_no_rendering(app, client, world, published,
                                                         no_rendering, fmt):
    client.sign_in_as(world.member)
    response = _get(client, f"/guides/{published.slug}/v1/download/{fmt}")
    assert response.status_code == 200
    with app.app_context():
        row = db.session.scalars(select(GuideFile).where(GuideFile.format == fmt)).one()
    assert response.headers["ETag"] == f'"{row.etag}"'  # strong: no W/
    assert response.headers["Content-Disposition"] == (
        f'attachment; filename="telling-the-story-of-an-assembly-v1.{fmt}"')
    assert "private" in response.headers["Cache-Control"]
    assert response.data[:4] in (b"%PDF", b"PK\x03\x04")


def test_a_repeated_download_is_answered_not_modified(client, world, published, no_rendering):
    client.sign_in_as(world.member)
    url = f"/guides/{published.slug}/v1/download/docx"
    etag = _get(client, url).headers["ETag"]
    again = _get(client, url, headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.data == b""


def test_a_conditional_request_still_needs_permission(client, world, published):
    client.sign_in_as(world.member)
    url = f"/guides/{published.slug}/v1/download/docx"
    etag = _get(client, url).headers["ETag"]
    client.sign_out()
    assert _get(client, url, headers={"If-None-Match": etag}).status_code == 404


def test_a_kept_file_quoting_a_post_hidden_since_is_never_sent(app, client, world, published):
    client.sign_in_as(world.member)
    url = f"/guides/{published.slug}/v1/download/docx"
    assert RADIO in _docx_text(_get(client, url).data)
    with app.app_context():
        old_key = db.session.scalars(
            select(GuideFile.storage_key).where(GuideFile.format == "docx")).one()
        db.session.get(Post, published.post_ids[1]).status = PostStatus.HIDDEN
        db.session.commit()

    response = _get(client, url)

    assert RADIO not in _docx_text(response.data)
    assert "withdrawn while the facilitator reviews it" in _docx_text(response.data)
    with app.app_context():
        from forum.guides.export.storage import storage_for
        assert not storage_for().exists(old_key)


def test_readers_outside_a_private_set_get_a_file_without_links_into_it(
        app, client, world):
    with app.app_context():
        g = build_guide(world, is_public=True)
    _publish_through_the_page(client, world, g)
    client.sign_out()
    public = _docx_text(_get(client, f"/guides/{g.slug}/v1/download/docx").data)
    client.sign_in_as(world.member)
    members = _docx_text(_get(client, f"/guides/{g.slug}/v1/download/docx").data)
    assert "We named ours" in public and "We named ours" in members
    assert "Original post" not in public and "Original post" in members


def test_files_link_to_the_public_address_and_pages_stay_on_the_site(app, client, world):
    app.config["PUBLIC_BASE_URL"] = "https://learning.example.gov.uk"
    with app.app_context():
        g = build_guide(world, publish=True)
        thread_id = db.session.get(Post, g.post_ids[0]).thread_id
    client.sign_in_as(world.member)
    page = client.get(f"/guides/{g.slug}/").get_data(as_text=True)
    markdown = client.get(f"/guides/{g.slug}/v1/download/markdown").get_data(as_text=True)
    assert f'href="/threads/{thread_id}#post-{g.post_ids[0]}"' in page
    assert "https://learning.example.gov.uk" not in page
    assert (f"(https://learning.example.gov.uk/threads/{thread_id}#post-{g.post_ids[0]})"
            in markdown)
    # "The latest version": the guide's own address, not version 1's.
    assert (f"The latest version is online at [https://learning.example.gov.uk/guides/"
            f"{g.slug}/](https://learning.example.gov.uk/guides/{g.slug}/)") in markdown


def test_a_drafts_file_is_kept_until_the_draft_changes(app, client, world, monkeypatch):
    with app.app_context():
        g = build_guide(world)
    client.sign_in_as(world.facilitator)
    url = f"/sets/{g.set_slug}/guides/{g.id}/download/docx"
    first = _get(client, url)
    calls = []
    real_export = files.export
    monkeypatch.setattr(files, "export", lambda doc, name: calls.append(name) or
                        real_export(doc, name))
    assert _get(client, url).data == first.data
    assert calls == []
    client.post(f"/sets/{g.set_slug}/guides/{g.id}/sections/{g.section_ids[0]}/edit",
                data={"title": "Names", "introduction": ""})
    assert "Names" in _docx_text(_get(client, url).data)
    assert calls == ["docx"]
    with app.app_context():
        assert len(db.session.scalars(select(GuideFile)).all()) == 1


def test_the_licence_chosen_in_settings_is_printed(app, client, world):
    with app.app_context():
        g = build_guide(world)
        thread_id = db.session.get(Guide, g.id).threads[0].id
    client.sign_in_as(world.facilitator)
    response = client.post(f"/sets/{g.set_slug}/guides/{g.id}/settings", data={
        "title": "Telling the story of an assembly", "threads": [thread_id],
        "licence": "ogl-uk-3.0"})
    assert response.status_code == 302
    markdown = client.get(f"/sets/{g.set_slug}/guides/{g.id}/download/markdown").get_data(
        as_text=True)
    assert "You may reuse this guide under the [Open Government Licence v3.0]" in markdown
    refused = client.post(f"/sets/{g.set_slug}/guides/{g.id}/settings", data={
        "title": "Kept title", "threads": [thread_id], "licence": "mine-all-mine"})
    assert refused.status_code == 200
    assert "Kept title" in refused.get_data(as_text=True)


def test_regenerate_makes_every_versions_files_again(app, runner, published):
    with app.app_context():
        before = {r.storage_key for r in db.session.scalars(select(GuideFile))}
    result = runner.invoke(args=["guides", "regenerate"])
    assert result.exit_code == 0, result.output
    n = len(files.STORED_FORMATS)
    assert f"Made {n} files for 1 published version of 1 guide." in result.output
    with app.app_context():
        rows = db.session.scalars(select(GuideFile)).all()
        assert len(rows) == n and all(r.renderer == files.RENDERER_REVISION for r in rows)
        assert {r.storage_key for r in rows} == before  # same bytes, same names


def test_serving_kept_files_never_loads_the_renderers(tmp_path):
    """A worker that only serves kept files must not pay for WeasyPrint, python-docx or
    odfdo (hundreds of MB and seconds of start-up): they are imported only to make a file."""
    import subprocess
    import sys

    code = (
        "import sys\n"
        "from forum import create_app\n"
        f"app = create_app({{'SECRET_KEY': 'x', 'TESTING': True, "
        f"'SQLALCHEMY_DATABASE_URI': 'sqlite:///{tmp_path}/t.db'}})\n"
        "import forum.guides.views, forum.guides.files, forum.guides.cli\n"
        "from forum.guides.export import docx_template, storage\n"
        "print(sorted(m for m in ('weasyprint', 'docx', 'odfdo') if m in sys.modules))\n")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True)
    assert result.stdout.strip() == "[]"
