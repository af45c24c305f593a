"""A form field for files: each chosen file is checked (size, then what it really is) and the
checked files wait on ``field.uploads`` for the view to store once the whole form is valid."""

from __future__ import annotations

from typing import Any

from flask import current_app
from govuk_frontend_wtf.wtforms_widgets import GovFileInput
from wtforms import Field
from wtforms import MultipleFileField
from wtforms.validators import StopValidation

from forum.files.checks import FileRefused
from forum.files.limits import size_words
from forum.files.service import Upload
from forum.files.service import prepare
from forum.models.file_types import ALLOWED_NAMES


def allowed_hint() -> str:
    limit = size_words(current_app.config["UPLOAD_MAX_BYTES"])
    return f"{ALLOWED_NAMES}, up to {limit} each."


class FilesField(MultipleFileField):
    """Up to ``max_files`` files (one when 1), checked as the form validates."""

    def __init__(self, label: str, max_files: int | None = None, **kwargs: Any) -> None:
        self.max_files = max_files
        widget = GovFileInput(multiple=max_files != 1)
        super().__init__(label, widget=widget, **kwargs)
        self.uploads: list[Upload] = []

    def chosen(self) -> list[Any]:
        return [item for item in (self.data or []) if getattr(item, "filename", None)]

    def pre_validate(self, form: Any) -> None:
        self.uploads = []
        chosen = self.chosen()
        most = self.max_files or current_app.config["UPLOAD_MAX_FILES"]
        if len(chosen) > most:
            raise StopValidation(f"Choose at most {most} file{'s' if most != 1 else ''}")
        cap = current_app.config["UPLOAD_MAX_BYTES"]
        for item in chosen:
            name = str(item.filename)[:80]
            data = item.stream.read(cap + 1)
            if getattr(item.stream, "overflowed", False) or len(data) > cap:
                raise StopValidation(f"“{name}” is larger than {size_words(cap)}: choose a "
                                     "smaller file")
            try:
                self.uploads.append(prepare(data, item.filename))
            except FileRefused as refused:
                raise StopValidation(f"“{name}”: {refused}") from refused


def require_file(field: Field, message: str = "Choose a file") -> None:
    if not field.chosen():  # type: ignore[attr-defined]
        raise StopValidation(message)
