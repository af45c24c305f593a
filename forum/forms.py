"""The base form every form in the forum derives from."""

from __future__ import annotations

from typing import Any

from flask_wtf import FlaskForm

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
