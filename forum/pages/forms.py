"""The form admins use to change a site page."""

from __future__ import annotations

from govuk_frontend_wtf.wtforms_widgets import GovSubmitInput
from govuk_frontend_wtf.wtforms_widgets import GovTextArea
from wtforms import Field
from wtforms import Form
from wtforms import SubmitField
from wtforms import TextAreaField
from wtforms.validators import StopValidation

from forum.forms import BaseForm
from forum.pages.service import BODY_MAX
from forum.threads.forms import Required
from forum.threads.forms import clean_body


class TooLong:
    """Refuse a page longer than BODY_MAX, saying the limit and the length."""

    def __call__(self, form: Form, field: Field) -> None:
        length = len(field.data or "")
        if length > BODY_MAX:
            raise StopValidation(
                f"The page must be {BODY_MAX:,} characters or fewer (it has {length:,})")


class SitePageForm(BaseForm):
    body = TextAreaField("Text of the page", widget=GovTextArea(), filters=[clean_body],
                         validators=[Required("Enter the text of the page"), TooLong()])
    submit = SubmitField("Publish changes", widget=GovSubmitInput())


class RestoreDefaultForm(BaseForm):
    submit = SubmitField("Go back to the default text", widget=GovSubmitInput())
