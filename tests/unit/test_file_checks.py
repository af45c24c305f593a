"""What an upload is, from its bytes: every accepted kind, and the files that must be refused."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from forum.files.checks import FileRefused
from forum.files.checks import check
from forum.files.checks import safe_name
from tests import file_samples as samples


@pytest.mark.parametrize(("data", "kind"), [
    (samples.PDF, "pdf"),
    (samples.docx_file(), "docx"),
    (samples.odt(), "odt"),
    (samples.pptx(), "pptx"),
    (samples.odp(), "odp"),
    (samples.xlsx(), "xlsx"),
    (samples.ods(), "ods"),
    (samples.CSV, "csv"),
    (samples.png(), "png"),
    (samples.jpeg(), "jpeg"),
])
def test_each_accepted_kind_is_recognised_from_its_content(data, kind):
    assert check(data).type.key == kind


@pytest.mark.parametrize(("data", "words"), [
    (samples.EXE, "program"),
    (b"\x7fELF" + b"\x00" * 60, "program"),
    (b"#!/bin/sh\nrm -rf /\n", "program"),
    (samples.docm(), "macros"),
    (samples.zip_bomb(), "archive bomb"),
    (b"GIF89a" + b"\x00" * 40, "GIF"),
    (b"<!DOCTYPE html><script>alert(1)</script>", "not accepted"),
    (b"", "empty"),
    (b"%PDF-1.4 cut short", "damaged"),
    (samples.png()[:40], "damaged"),
])
def test_disguised_and_dangerous_files_are_refused_with_a_reason(data, words):
    with pytest.raises(FileRefused, match=words):
        check(data)


def test_a_plain_zip_is_not_a_document():
    with pytest.raises(FileRefused, match="ZIP archive"):
        check(samples._zip([("notes.txt", b"hello")]))


@pytest.mark.parametrize("make", [samples.png, samples.jpeg])
def test_images_lose_their_metadata(make):
    original = make(exif=True)
    assert b"SecretCam" in original
    cleaned = check(original).data
    assert b"SecretCam" not in cleaned and b"Secret Photographer" not in cleaned
    assert not Image.open(io.BytesIO(cleaned)).getexif()


def test_an_image_with_too_many_pixels_is_refused():
    with pytest.raises(FileRefused, match="too many pixels"):
        check(samples.png((2000, 2000)), _small_limits())


def _small_limits():
    from forum.files.checks import Limits
    return Limits(max_pixels=1_000_000)


@pytest.mark.parametrize(("name", "extension", "expected"), [
    ("Slides – final.pptx", "pptx", "Slides – final.pptx"),
    ("../../etc/passwd", "csv", "passwd.csv"),
    ('C:\\Users\\me\\report "v2".pdf', "pdf", "report v2.pdf"),
    ("photo.pdf", "png", "photo.png"),
    ("", "pdf", "file.pdf"),
])
def test_the_offered_name_is_safe_and_tells_the_real_type(name, extension, expected):
    assert safe_name(name, extension) == expected
