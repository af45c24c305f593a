"""``flask guides export``: files in every format, chosen versions, and clear errors."""

from __future__ import annotations

import io
import zipfile

import docx
import pypdf
import pytest

from forum.extensions import db
from forum.guides import service
from forum.guides.compile import publish
from forum.models import Guide
from forum.models import Visibility
from tests.functional.guide_helpers import build_guide_world


@pytest.fixture
def slug(app) -> str:
    """A draft guide quoting one post (nothing published yet)."""
    with app.app_context():
        gw = build_guide_world()
        section = service.add_section(db.session, gw.guide, title="Choosing a name")
        service.add_excerpt(db.session, section, gw.posts["named"])
        db.session.commit()
        return gw.guide.slug


def _publish_two_versions(app, slug: str) -> None:
    """v1 has the section "Choosing a name"; v2 renames it "Naming it"."""
    with app.app_context():
        guide = db.session.query(Guide).filter_by(slug=slug).one()
        publisher = guide.created_by
        publish(db.session, guide, by=publisher)
        service.update_section(db.session, guide.sections[0], title="Naming it",
                               introduction_source="")
        publish(db.session, guide, by=publisher)
        db.session.commit()


def _text(format_name: str, data: bytes) -> str:
    if format_name == "pdf":
        return "\n".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(data)).pages)
    if format_name == "docx":
        return "\n".join(p.text for p in docx.Document(io.BytesIO(data)).paragraphs)
    if format_name == "odt":
        from odfdo import Document

        return Document(io.BytesIO(data)).body.text_recursive
    return data.decode("utf-8")


def _export(runner, *args: str):
    return runner.invoke(args=["guides", "export", *args])


@pytest.mark.parametrize("format_name", ["html", "md", "pdf", "docx", "odt"])
def test_export_writes_the_draft_in_each_format_when_nothing_is_published(
        runner, slug, tmp_path, format_name):
    path = tmp_path / f"guide.{format_name}"
    result = _export(runner, slug, "--format", format_name, "--output", str(path))
    assert result.exit_code == 0, result.output
    assert "the current draft (it has not been published yet)" in result.stderr
    text = _text(format_name, path.read_bytes())
    assert "Telling the story" in text and "Choosing a name" in text
    assert "Sam Patel, Northbridge Borough Council" in text
    if format_name == "docx":
        assert zipfile.is_zipfile(path)


@pytest.mark.parametrize("format_name", ["html", "md", "pdf", "docx", "odt"])
def test_export_takes_the_latest_version_or_the_one_asked_for(
        app, runner, slug, tmp_path, format_name):
    _publish_two_versions(app, slug)
    latest, first = tmp_path / "latest", tmp_path / "first"
    result = _export(runner, slug, "--format", format_name, "--output", str(latest))
    assert result.exit_code == 0, result.output
    assert "version 2, published" in result.stderr
    result = _export(runner, slug, "--format", format_name, "--output", str(first),
                     "--version", "1")
    assert result.exit_code == 0, result.output
    assert "version 1, published" in result.stderr
    latest_text, first_text = (_text(format_name, p.read_bytes()) for p in (latest, first))
    assert "Naming it" in latest_text and "Choosing a name" not in latest_text
    assert "Choosing a name" in first_text and "Naming it" not in first_text
    assert "Version 1" in first_text and "Version 2" in latest_text


@pytest.mark.parametrize(("args", "message"), [
    (["no-such-guide", "--format", "html"], "No guide has the address “no-such-guide”"),
    (["SLUG", "--format", "html", "--version", "3"], "has no version 3"),
    (["SLUG", "--format", "rtf"], "Invalid value for '--format'"),
    (["SLUG", "--format", "html", "--version", "0"], "Invalid value for '--version'"),
    (["SLUG", "--format", "html", "--version", "one"], "Invalid value for '--version'"),
    (["SLUG"], "Missing option '--format'"),
])
def test_export_errors_are_explained_without_a_traceback(runner, slug, tmp_path, args, message):
    path = tmp_path / "out.html"
    args = [slug if a == "SLUG" else a for a in args]
    result = _export(runner, *args, "--output", str(path))
    assert result.exit_code != 0
    assert message in result.output
    assert "Traceback" not in result.output
    assert isinstance(result.exception, SystemExit)  # a clean exit, not an uncaught error
    assert not path.exists()


def test_asking_for_a_version_of_an_unpublished_guide_says_so(runner, slug, tmp_path):
    result = _export(runner, slug, "--format", "md", "--version", "1",
                     "--output", str(tmp_path / "g.md"))
    assert result.exit_code == 1
    assert "has no version 1. It has not been published yet." in result.output


def test_export_into_a_missing_folder_fails_clearly(runner, slug, tmp_path):
    path = tmp_path / "missing" / "guide.md"
    result = _export(runner, slug, "--format", "md", "--output", str(path))
    assert result.exit_code == 1
    assert "does not exist" in result.output
    assert isinstance(result.exception, SystemExit)


def test_list_shows_each_guide_and_its_versions(app, runner, slug):
    assert "telling-the-story  Telling the story  (draft only)" in runner.invoke(
        args=["guides", "list"]).output
    _publish_two_versions(app, slug)
    assert "(v1, v2)" in runner.invoke(args=["guides", "list"]).output


def test_export_warns_when_it_includes_links_into_a_private_set(runner, slug, tmp_path):
    path = tmp_path / "guide.md"
    result = _export(runner, slug, "--format", "md", "--output", str(path))
    assert result.exit_code == 0, result.output
    assert "Warning: the file includes 1 “Original post” link into" in result.stderr
    assert "Use --public to leave them out." in result.stderr
    assert "[Original post](http://localhost/threads/" in path.read_text()


def test_export_public_drops_links_a_public_reader_could_not_open(runner, slug, tmp_path):
    path = tmp_path / "guide.md"
    result = _export(runner, slug, "--format", "md", "--output", str(path), "--public")
    assert result.exit_code == 0, result.output
    assert "Left out 1 “Original post” link into" in result.stderr
    assert "Warning" not in result.stderr
    text = path.read_text()
    assert "Original post" not in text and "/threads/" not in text
    assert "Sam Patel, Northbridge Borough Council" in text


def test_export_public_keeps_links_into_a_public_set(app, runner, tmp_path):
    with app.app_context():
        gw = build_guide_world(visibility=Visibility.PUBLIC)
        section = service.add_section(db.session, gw.guide, title="Choosing a name")
        service.add_excerpt(db.session, section, gw.posts["named"])
        db.session.commit()
        slug = gw.guide.slug
    path = tmp_path / "guide.md"
    result = _export(runner, slug, "--format", "md", "--output", str(path), "--public")
    assert result.exit_code == 0, result.output
    assert "is public, so anyone can open them" in result.stderr
    assert "[Original post](" in path.read_text()
