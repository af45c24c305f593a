"""Tiny valid (and deliberately bad) files of each kind, made in memory for the upload tests."""

from __future__ import annotations

import io
import zipfile

import docx
from PIL import Image

PDF = (b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
       b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
       b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 200 200]>>endobj\n"
       b"trailer<</Root 1 0 R>>\n%%EOF\n")


def png(size: tuple[int, int] = (8, 8), *, exif: bool = False) -> bytes:
    image = Image.new("RGB", size, (200, 30, 30))
    out = io.BytesIO()
    if exif:
        info = Image.Exif()
        info[0x010F] = "SecretCam"  # Make
        info[0x8825] = {2: (51.0, 28.0, 0.0)}  # GPS latitude
        image.save(out, format="PNG", exif=info)
    else:
        image.save(out, format="PNG")
    return out.getvalue()


def jpeg(*, exif: bool = False) -> bytes:
    image = Image.new("RGB", (8, 8), (30, 200, 30))
    out = io.BytesIO()
    if exif:
        info = Image.Exif()
        info[0x010F] = "SecretCam"
        info[0x013B] = "Secret Photographer"  # Artist
        image.save(out, format="JPEG", exif=info)
    else:
        image.save(out, format="JPEG")
    return out.getvalue()


def docx_file() -> bytes:
    document = docx.Document()
    document.add_paragraph("Recruitment letter, second draft")
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _zip(entries: list[tuple[str, bytes]], *, store_first: bool = False) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for index, (name, data) in enumerate(entries):
            kind = zipfile.ZIP_STORED if store_first and index == 0 else zipfile.ZIP_DEFLATED
            archive.writestr(zipfile.ZipInfo(name), data, compress_type=kind)
    return out.getvalue()


def _ooxml(main_type: str, part: str) -> bytes:
    types = (f'<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/'
             f'2006/content-types"><Override PartName="/{part}" ContentType="{main_type}"/>'
             f'</Types>').encode()
    return _zip([("[Content_Types].xml", types), (part, b"<x/>")])


def pptx() -> bytes:
    return _ooxml("application/vnd.openxmlformats-officedocument.presentationml."
                  "presentation.main+xml", "ppt/presentation.xml")


def xlsx() -> bytes:
    return _ooxml("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
                  "xl/workbook.xml")


def docm() -> bytes:
    return _zip([("[Content_Types].xml", b'<Types><Override PartName="/word/document.xml" '
                  b'ContentType="application/vnd.ms-word.document.macroEnabled.main+xml"/>'
                  b'</Types>'), ("word/document.xml", b"<x/>"),
                 ("word/vbaProject.bin", b"\x00" * 10)])


def _odf(mimetype: str) -> bytes:
    return _zip([("mimetype", mimetype.encode()), ("content.xml", b"<x/>")], store_first=True)


def odt() -> bytes:
    return _odf("application/vnd.oasis.opendocument.text")


def odp() -> bytes:
    return _odf("application/vnd.oasis.opendocument.presentation")


def ods() -> bytes:
    return _odf("application/vnd.oasis.opendocument.spreadsheet")


CSV = "council,assembly members\nKingsford,50\nEastmoor – Café,42\n".encode()

EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 200


def zip_bomb() -> bytes:
    """One entry of 50 MB of zeros: a few KB packed, far past any document's ratio."""
    return _zip([("[Content_Types].xml", b"<Types/>"), ("word/document.xml",
                                                       b"\x00" * (50 * 1024 * 1024))])
