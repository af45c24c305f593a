"""The base form every form in the forum derives from."""

from __future__ import annotations

from typing import Any

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovSelect
from wtforms import Field
from wtforms import Form
from wtforms.validators import StopValidation
from wtforms.validators import ValidationError

from forum.text import line_problem
from forum.text import normalise_line

EXPIRED_FORM_MESSAGE = (
    "This page was open too long, so nothing was saved yet. Check your text and send it again."
)


class BaseForm(FlaskForm):
    """A Flask-WTF form whose CSRF failure reads as a plain-English, recoverable message.

    CSRF is checked here, per form, rather than before every request, so a form whose token
    expired re-renders with everything the user typed instead of failing with a bare 400.
    """

    def validate(self, extra_validators: Any = None) -> bool:
        valid = super().validate(extra_validators=extra_validators)
        if not valid and getattr(self, "csrf_token", None) is not None and self.csrf_token.errors:
            self.csrf_token.errors = [EXPIRED_FORM_MESSAGE]
        return valid


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
