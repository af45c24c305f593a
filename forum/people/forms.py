"""Forms for deleting an account."""

from __future__ import annotations

from govuk_frontend_wtf.wtforms_widgets import GovCheckboxInput
from govuk_frontend_wtf.wtforms_widgets import GovPasswordInput
from govuk_frontend_wtf.wtforms_widgets import GovRadioInput
from govuk_frontend_wtf.wtforms_widgets import GovSubmitInput
from govuk_frontend_wtf.wtforms_widgets import GovTextInput
from wtforms import BooleanField
from wtforms import PasswordField
from wtforms import RadioField
from wtforms import StringField
from wtforms import SubmitField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired
from wtforms.validators import Length

from forum.forms import BaseForm

KEEP = "keep"
REMOVE = "remove"

POSTS_CHOICES = [
    SelectChoice(KEEP, "Keep my published posts, credited to “A former member”"),
    SelectChoice(REMOVE, "Remove the text of my posts (and of any challenge summary I wrote) too"),
]


def _posts_field(label: str) -> RadioField:
    return RadioField(label, widget=GovRadioInput(), choices=POSTS_CHOICES, default=KEEP,
                      validators=[DataRequired(message="Choose what happens to the posts")])


class DeleteAccountForm(BaseForm):
    posts = _posts_field("What happens to your posts")
    password = PasswordField("Your password", widget=GovPasswordInput(), validators=[
        DataRequired(message="Enter your password to delete your account")])
    submit = SubmitField("Delete my account", widget=GovSubmitInput())


class EraseAccountForm(BaseForm):
    """An admin erases someone on request: they type the person's email to confirm."""

    posts = _posts_field("What happens to their posts")
    confirm_email = StringField("Their email address", widget=GovTextInput(), validators=[
        DataRequired(message="Enter the person’s email address to confirm"),
        Length(max=254, message="Email address must be 254 characters or fewer")])
    checked = BooleanField("I have checked that this request comes from this person",
                           widget=GovCheckboxInput(), validators=[
                               DataRequired(message="Confirm that you have checked the request")])
    submit = SubmitField("Erase this account", widget=GovSubmitInput())
