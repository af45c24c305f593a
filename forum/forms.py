"""The base form every form in the forum derives from, and the validators forms share."""

from __future__ import annotations

import hashlib
from datetime import datetime
from datetime import time
from typing import Any
from urllib.parse import urlsplit

from flask import current_app
from flask import has_request_context
from flask import request
from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovSelect
from govuk_frontend_wtf.wtforms_widgets import GovTextInput
from werkzeug.datastructures import FileStorage
from werkzeug.datastructures import MultiDict
from wtforms import Field
from wtforms import FileField
from wtforms import Form
from wtforms import HiddenField
from wtforms import StringField
from wtforms.validators import DataRequired
from wtforms.validators import StopValidation
from wtforms.validators import ValidationError

from forum.text import line_problem
from forum.text import normalise_line
from forum.times import DEFAULT_ZONE
from forum.times import OutOfYears
from forum.times import TimeProblem
from forum.times import read_day
from forum.times import to_utc

EXPIRED_FORM_MESSAGE = (
    "This page was open too long, so nothing was saved yet. Check your text and send it again."
)


def as_a_form_sends_it(form: Form, formdata: Any) -> Any:
    """``formdata`` as a browser's form sends it: text for every field, and files only for
    the form's file fields.

    A file sent under a text field's name (or a JSON number or list) would otherwise reach
    filters and validators written for text, and fail there with a server error.
    """
    if formdata is None:
        return None
    files = {field.name for field in form if isinstance(field, FileField)}
    return MultiDict([(name, value) for name, value in formdata.items(multi=True)
                      if isinstance(value, str)
                      or (isinstance(value, FileStorage) and name in files)])


class BaseForm(FlaskForm):
    """A Flask-WTF form whose CSRF failure reads as a plain-English, recoverable message.

    CSRF is checked here, per form, rather than before every request, so a form whose token
    expired re-renders with everything the user typed instead of failing with a bare 400.
    """

    class Meta:
        def wrap_formdata(self, form: Form, formdata: Any) -> Any:
            if has_request_context() and request.is_json and not hasattr(formdata, "getlist"):
                return None  # a JSON body is not a form: read as an empty one
            return as_a_form_sends_it(form, super().wrap_formdata(form, formdata))  # type: ignore[misc]

    def validate(self, extra_validators: Any = None) -> bool:
        valid = super().validate(extra_validators=extra_validators)
        if not valid and getattr(self, "csrf_token", None) is not None and self.csrf_token.errors:
            self.csrf_token.errors = [EXPIRED_FORM_MESSAGE]
        return valid


EDITED_MEANWHILE = (
    "Someone else saved a change to this while you were editing, so your changes were not "
    "saved. Your text is kept here: compare it with theirs (open the page in another tab), "
    "then save again to replace theirs with yours."
)


def fingerprint(*texts: str | None) -> str:
    """A short digest of the stored text a form was opened with."""
    return hashlib.sha256("\x1f".join(text or "" for text in texts).encode()).hexdigest()[:32]


class SharedTextForm:
    """A mixin for forms that edit text several people may edit: the text the form was opened
    with travels as ``opened_from``, so a save over someone else's change is refused, not
    silently applied (see :func:`edited_meanwhile`).

    Each form says which stored values it guards (:meth:`shared_text`) and on which field the
    refusal is shown (``shared_field``), so a view only names the record it edits."""

    opened_from = HiddenField()
    #: The field told that someone else saved a change: the text most likely to be lost.
    shared_field: str

    def shared_text(self, record: Any) -> tuple[str | None, ...]:
        """The stored values this form edits, as ``record`` holds them now."""
        raise NotImplementedError

    def opened_with(self, record: Any) -> None:
        """On the page that opens the form: carry the stored values it was opened with."""
        self.opened_from.data = fingerprint(*self.shared_text(record))

    def changed_meanwhile(self, record: Any) -> bool:
        """Whether ``record`` changed since the form was opened (:func:`edited_meanwhile`)."""
        return edited_meanwhile(self, getattr(self, self.shared_field),
                                *self.shared_text(record))


def edited_meanwhile(form: Any, field: Field, *stored: str | None) -> bool:
    """Whether the stored text changed since ``form`` was opened; if so, says so on ``field``.

    The form then carries the new fingerprint, so saving again (after the message) replaces
    the other change deliberately. A form sent without one (an old page) is not refused.
    """
    now = fingerprint(*stored)
    sent, form.opened_from.data = form.opened_from.data, now
    if sent and sent != now:
        field.errors = [*field.errors, EDITED_MEANWHILE]
        return True
    return False


class ActionForm(BaseForm):
    """A form with no fields: a CSRF-protected button (sign out, revoke, remove...)."""


class ChoiceSelect(GovSelect):
    """A ``<select>`` whose every option is a real choice, so it is never marked ``required``.

    HTML allows ``required`` on a select only when its first option is an empty placeholder;
    our selects always have a value chosen, and the validators still refuse a missing one.
    """

    def map_gov_params(self, field: Field, **kwargs: Any) -> dict[str, Any]:
        params = super().map_gov_params(field, **kwargs)
        params["attributes"].pop("required", None)
        return params


def clean_line(value: Any) -> Any:
    """A filter for names, organisations and titles: one line, NFC, no NUL, trimmed."""
    return normalise_line(value.replace("\x00", "")) if isinstance(value, str) else value


def clean_text(value: Any) -> Any:
    """Drop NUL characters (no database can store them) and use \\n line endings."""
    if not isinstance(value, str):
        return value
    return value.replace("\x00", "").replace("\r\n", "\n").replace("\r", "\n")


def clean_body(value: Any) -> Any:
    value = clean_text(value)
    return value.rstrip() if isinstance(value, str) else value


# A title is one line: see :func:`clean_line`.
clean_title = clean_line


class PlainLine:
    """Refuse a name or title with control or invisible formatting characters in it.

    Used with :func:`clean_line` by every field that names a person, an organisation, a set,
    a thread or a guide, so all of them accept and refuse the same text.
    """

    def __init__(self, what: str) -> None:
        self.what = what

    def __call__(self, form: Form, field: Field) -> None:
        problem = line_problem(field.data) if field.data else None
        if problem:
            raise ValidationError(f"{self.what} {problem}")


class MaxChars:
    """Refuse text longer than ``limit`` characters, saying the limit and the length."""

    def __init__(self, limit: int, what: str) -> None:
        self.limit, self.what = limit, what

    def __call__(self, form: Form, field: Field) -> None:
        length = len(field.data or "")
        if length > self.limit:
            raise StopValidation(f"{self.what} must be {self.limit:,} characters or fewer "
                                 f"(it has {length:,})")


class Required:
    """Refuse an empty or whitespace-only value with a plain message."""

    def __init__(self, message: str) -> None:
        self.message = message
        self.field_flags = {"required": True}

    def __call__(self, form: Form, field: Field) -> None:
        if not (field.data or "").strip():
            field.errors[:] = []
            raise StopValidation(self.message)


class MaxLength:
    """Refuse text longer than a configured limit, saying the limit and the current length."""

    def __init__(self, config_key: str, what: str) -> None:
        self.config_key = config_key
        self.what = what

    def __call__(self, form: Form, field: Field) -> None:
        limit = int(current_app.config[self.config_key])
        length = len(field.data or "")
        if length > limit:
            raise StopValidation(
                f"{self.what} must be {limit:,} characters or fewer (it has {length:,})")


def strip(value: Any) -> Any:
    """A filter: the text without surrounding spaces."""
    return value.strip() if isinstance(value, str) else value


class WebAddress:
    """Empty, or an address starting https:// (or http://) with a host."""

    def __init__(self, what: str) -> None:
        self.what = what

    def __call__(self, form: Form, field: Field) -> None:
        if not field.data:
            return
        parts = urlsplit(field.data)
        if parts.scheme not in ("http", "https") or not parts.netloc or " " in field.data:
            raise StopValidation(f"{self.what} must be a web address starting https://")


# --- a day with a start and end time (events, set meetings) --------------------------


class IsDate:
    """The field holds a real date from :data:`~forum.times.FIRST_YEAR` to
    :data:`~forum.times.LAST_YEAR`; it is kept on the field as ``parsed``."""

    def __call__(self, form: Form, field: Field) -> None:
        try:
            field.parsed = read_day(field.data or "")
        except OutOfYears as error:
            raise StopValidation(str(error)) from error
        except ValueError as error:
            raise StopValidation("Enter a real date, like 2026-03-31") from error


class IsTime:
    """The field holds a time on the 24-hour clock; it is kept on the field as ``parsed``."""

    def __call__(self, form: Form, field: Field) -> None:
        try:
            field.parsed = time.fromisoformat(field.data or "")
        except ValueError as error:
            raise StopValidation("Enter a time on the 24-hour clock, like 14:30") from error


class EndsAfter:
    """On the end-time field: refuse an end at or before the start time (field ``starts``)."""

    def __init__(self, starts: str = "starts") -> None:
        self.starts = starts

    def __call__(self, form: Form, field: Field) -> None:
        starts = getattr(form[self.starts], "parsed", None)
        ends = getattr(field, "parsed", None)
        if starts is not None and ends is not None and ends <= starts:
            raise StopValidation("The end time must be after the start time")


class ScheduleForm(BaseForm):
    """A title, a day and its start and end times on UK clocks: what the forms of events and
    of set meetings share. :func:`utc_span` turns the times into stored UTC."""

    title = StringField("Title", widget=GovTextInput(), filters=[clean_line],
                        validators=[DataRequired("Enter a title"), MaxChars(200, "The title")])
    day = StringField("Date", widget=GovTextInput(), filters=[strip],
                      validators=[DataRequired("Enter the date"), IsDate()])
    starts = StringField("Starts at", widget=GovTextInput(), filters=[strip],
                         validators=[DataRequired("Enter the time it starts"), IsTime()])
    ends = StringField("Ends at", widget=GovTextInput(), filters=[strip],
                       validators=[DataRequired("Enter the time it ends"), IsTime(),
                                   EndsAfter()])


def utc_span(day: Field, starts: Field, ends: Field,
             zone: str = DEFAULT_ZONE) -> tuple[datetime, datetime] | None:
    """The validated local day and times as naive UTC, or ``None`` with the problem (a time
    a clock change skips or repeats) put beside the field it is about."""
    span = []
    for field in (starts, ends):
        try:
            span.append(to_utc(day.parsed, field.parsed, zone))
        except TimeProblem as problem:
            field.errors = [str(problem)]
            return None
    return span[0], span[1]
