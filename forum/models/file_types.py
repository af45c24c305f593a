"""The kinds of file people may upload (light: no image library, so models can import it)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class FileType:
    key: str
    label: str
    extension: str
    mimetype: str

    @property
    def is_image(self) -> bool:
        return self.key in {"png", "jpeg"}


TYPES = {t.key: t for t in [
    FileType("pdf", "PDF", "pdf", "application/pdf"),
    FileType("docx", "Word document", "docx",
             "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    FileType("odt", "OpenDocument text", "odt", "application/vnd.oasis.opendocument.text"),
    FileType("pptx", "PowerPoint presentation", "pptx",
             "application/vnd.openxmlformats-officedocument.presentationml.presentation"),
    FileType("odp", "OpenDocument presentation", "odp",
             "application/vnd.oasis.opendocument.presentation"),
    FileType("xlsx", "Excel spreadsheet", "xlsx",
             "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    FileType("ods", "OpenDocument spreadsheet", "ods",
             "application/vnd.oasis.opendocument.spreadsheet"),
    FileType("csv", "CSV", "csv", "text/csv"),
    FileType("png", "PNG image", "png", "image/png"),
    FileType("jpeg", "JPEG image", "jpg", "image/jpeg"),
]}

ALLOWED_NAMES = ("PDF, Word (DOCX), OpenDocument (ODT, ODP, ODS), PowerPoint (PPTX), "
                 "Excel (XLSX), CSV, PNG or JPEG")

