"""The form admins use to change a site page."""

from __future__ import annotations

from govuk_frontend_wtf.wtforms_widgets import GovSubmitInput
from govuk_frontend_wtf.wtforms_widgets import GovTextArea
from wtforms import SubmitField
from wtforms import TextAreaField

from forum.forms import BaseForm
from forum.forms import MaxChars
from forum.forms import Required
from forum.forms import SharedTextForm
from forum.forms import clean_body
from forum.pages.service import BODY_MAX
from forum.pages.service import PageContent


class SitePageForm(SharedTextForm, BaseForm):
    body = TextAreaField("Text of the page", widget=GovTextArea(), filters=[clean_body],
                         validators=[Required("Enter the text of the page"),
                                     MaxChars(BODY_MAX, "The page")])
    submit = SubmitField("Publish changes", widget=GovSubmitInput())
    shared_field = "body"

    def shared_text(self, record: PageContent) -> tuple[str | None, ...]:
        return (record.source,)


class RestoreDefaultForm(BaseForm):
    submit = SubmitField("Go back to the default text", widget=GovSubmitInput())
