"""What an uploaded file really is, judged from its bytes (never its name or the browser's word).

Accepted: PDF, DOCX, ODT, PPTX, ODP, XLSX, ODS, CSV, PNG and JPEG. Signatures come first (with
``puremagic`` naming anything refused, so the message can say "a Windows program"); the office
formats are ZIP archives, so their inside is checked too: the OOXML ``[Content_Types].xml`` or the
ODF ``mimetype`` entry says which document it is, macro-enabled variants are refused, and an
archive that would unpack to far more than it weighs (a "zip bomb") is refused before anything
is unpacked. Images are re-encoded with Pillow, which drops EXIF and every other metadata block.
"""

from __future__ import annotations

import io
import re
import unicodedata
import warnings
import zipfile
from dataclasses import dataclass

from forum.models.file_types import ALLOWED_NAMES
from forum.models.file_types import TYPES
from forum.models.file_types import FileType

# OOXML: the main part's content type names the document (and says when it carries macros).
_OOXML_MAIN = {
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml": "docx",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml": "pptx",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml": "xlsx",
}
_OOXML_MACROS = re.compile(r"macroEnabled|vbaProject|vnd\.ms-office\.activeX", re.IGNORECASE)
_ODF_MIMETYPES = {
    "application/vnd.oasis.opendocument.text": "odt",
    "application/vnd.oasis.opendocument.presentation": "odp",
    "application/vnd.oasis.opendocument.spreadsheet": "ods",
}
_CONTENT_TYPE = re.compile(rb'ContentType\s*=\s*"([^"]{1,200})"')
_PROGRAM_SIGNATURES = (b"MZ", b"\x7fELF", b"\xfe\xed\xfa\xce", b"\xfe\xed\xfa\xcf",
                       b"\xce\xfa\xed\xfe", b"\xcf\xfa\xed\xfe", b"\xca\xfe\xba\xbe", b"#!")
_MARKUP = re.compile(rb"^\s*(<!doctype|<html|<script|<\?xml|<svg|<\?php)", re.IGNORECASE)


@dataclass(frozen=True)
class Limits:
    max_entries: int = 5_000
    max_unpacked: int = 200 * 1024 * 1024
    max_ratio: int = 200          # per entry, for entries over 1 MB unpacked
    max_pixels: int = 50_000_000


@dataclass(frozen=True)
class CheckedFile:
    type: FileType
    data: bytes


class FileRefused(Exception):
    """The file is not accepted; the message says why, for the person who sent it."""


def safe_name(name: str, extension: str) -> str:
    """The sender's name for the file, made safe to offer for download, with the extension of
    what the file really is."""
    name = unicodedata.normalize("NFC", name.replace("\\", "/").rsplit("/", 1)[-1])
    name = "".join(c for c in name if c.isprintable() and c not in '"<>:|?*').strip(" .")
    stem = name.rsplit(".", 1)[0] if "." in name else name
    stem = stem.strip(" .")[:120] or "file"
    return f"{stem}.{extension}"


def _describe(data: bytes) -> str | None:
    """What puremagic takes the bytes to be, for a message (None when it cannot tell)."""
    import puremagic  # loaded by the first upload, not by every web worker (issue 16)

    try:
        matches = puremagic.magic_string(data[:4096])
    except (puremagic.PureError, ValueError):
        return None
    return matches[0].name if matches else None


def _check_zip(data: bytes, limits: Limits) -> FileType:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        entries = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError) as error:
        raise FileRefused("The file looks like an office document but is damaged: "
                          "save it again and try once more.") from error
    if len(entries) > limits.max_entries:
        raise FileRefused("The file holds too many parts to be a document, so it was refused.")
    unpacked = 0
    for entry in entries:
        unpacked += entry.file_size
        ratio = entry.file_size / max(entry.compress_size, 1)
        if entry.file_size > 1024 * 1024 and ratio > limits.max_ratio:
            raise FileRefused("The file would unpack to far more than its size (an archive "
                              "bomb), so it was refused.")
        if entry.flag_bits & 0x1:
            raise FileRefused("The file is encrypted: save it without a password and try again.")
    if unpacked > limits.max_unpacked:
        raise FileRefused("The file would unpack to far more than its size (an archive bomb), "
                          "so it was refused.")
    names = {entry.filename for entry in entries}

    def read(name: str, most: int = 1024 * 1024) -> bytes:
        with archive.open(name) as stream:
            return stream.read(most)

    try:
        if "[Content_Types].xml" in names:
            types = set(_CONTENT_TYPE.findall(read("[Content_Types].xml")))
            decoded = {t.decode("ascii", "replace") for t in types}
            if any(_OOXML_MACROS.search(t) for t in decoded) or any(
                    n.lower().endswith("vbaproject.bin") for n in names):
                raise FileRefused("The document contains macros, which are not accepted: "
                                  "save it as an ordinary document (.docx, .pptx, .xlsx).")
            found = {_OOXML_MAIN[t] for t in decoded if t in _OOXML_MAIN}
            if len(found) == 1:
                return TYPES[found.pop()]
        elif entries and entries[0].filename == "mimetype":
            mimetype = read("mimetype", 200).decode("ascii", "replace").strip()
            if mimetype in _ODF_MIMETYPES:
                if any(n.startswith(("Basic/", "Scripts/")) for n in names):
                    raise FileRefused("The document contains macros, which are not accepted: "
                                      "save it as an ordinary document (.odt, .odp, .ods).")
                return TYPES[_ODF_MIMETYPES[mimetype]]
    except (zipfile.BadZipFile, KeyError, OSError, EOFError, RuntimeError) as error:
        raise FileRefused("The file looks like an office document but is damaged: "
                          "save it again and try once more.") from error
    raise FileRefused(f"This is a ZIP archive, not a document. Files can be {ALLOWED_NAMES}.")


def _reencode(data: bytes, kind: str, limits: Limits) -> bytes:
    """The image drawn afresh, without EXIF or any other metadata (and turned upright)."""
    # Pillow loads with the first image uploaded, not in every web worker (issue 16).
    from PIL import Image
    from PIL import ImageOps
    from PIL import UnidentifiedImageError

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))
            width, height = image.size
            if width * height > limits.max_pixels:
                raise FileRefused("The image has too many pixels: make it smaller "
                                  f"(at most {limits.max_pixels:,} pixels) and try again.")
            image.load()
            if kind == "jpeg":
                image = ImageOps.exif_transpose(image)
            out = io.BytesIO()
            if kind == "png":
                image.save(out, format="PNG")
            else:
                if image.mode not in {"RGB", "L", "CMYK"}:
                    image = image.convert("RGB")
                image.save(out, format="JPEG", quality=90)
            return out.getvalue()
    except (Image.DecompressionBombWarning, Image.DecompressionBombError) as error:
        raise FileRefused("The image has too many pixels: make it smaller and try "
                          "again.") from error
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError) as error:
        raise FileRefused("The image is damaged: save it again and try once more.") from error


def _is_text(data: bytes) -> bool:
    if b"\x00" in data:
        return False
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = data.decode("cp1252")
        except UnicodeDecodeError:
            return False
    return not any(ord(c) < 32 and c not in "\t\r\n" for c in text)


def check(data: bytes, limits: Limits | None = None) -> CheckedFile:
    """What the file is (and, for images, its clean bytes); FileRefused otherwise."""
    limits = limits or Limits()
    if not data:
        raise FileRefused("The file is empty.")
    if data.startswith(b"%PDF-"):
        if b"%%EOF" not in data[-4096:]:
            raise FileRefused("The PDF is incomplete or damaged: save it again and try once more.")
        return CheckedFile(TYPES["pdf"], data)
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return CheckedFile(TYPES["png"], _reencode(data, "png", limits))
    if data.startswith(b"\xff\xd8\xff"):
        return CheckedFile(TYPES["jpeg"], _reencode(data, "jpeg", limits))
    if data.startswith(b"PK\x03\x04"):
        return CheckedFile(_check_zip(data, limits), data)
    if data.startswith(_PROGRAM_SIGNATURES):
        raise FileRefused("This file is a program, not a document, so it cannot be attached.")
    if _is_text(data) and not _MARKUP.match(data[:200]):
        return CheckedFile(TYPES["csv"], data)
    described = _describe(data)
    what = f"This file is a {described}, which is not accepted" if described \
        else "This kind of file is not accepted"
    raise FileRefused(f"{what}. Files can be {ALLOWED_NAMES}.")
