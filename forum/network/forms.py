"""The request-to-join form on the About the network page, and the coordinators' decisions."""

from __future__ import annotations

from govuk_frontend_wtf.wtforms_widgets import GovCheckboxesInput
from govuk_frontend_wtf.wtforms_widgets import GovSubmitInput
from govuk_frontend_wtf.wtforms_widgets import GovTextArea
from govuk_frontend_wtf.wtforms_widgets import GovTextInput
from wtforms import HiddenField
from wtforms import SelectMultipleField
from wtforms import StringField
from wtforms import SubmitField
from wtforms import TextAreaField
from wtforms.validators import DataRequired
from wtforms.validators import Email
from wtforms.validators import Length

from forum.forms import BaseForm
from forum.forms import MaxChars
from forum.forms import PlainLine
from forum.forms import Required
from forum.forms import clean_body
from forum.forms import clean_line
from forum.forms import strip

HOPES_MAX = 2_000
REASON_MAX = 2_000


def _line(label: str, what: str, limit: int, required: str | None = None) -> StringField:
    validators: list = [Length(max=limit, message=f"{what} must be {limit} characters or fewer"),
                        PlainLine(what)]
    if required:
        validators.insert(0, DataRequired(message=required))
    return StringField(label, widget=GovTextInput(), filters=[clean_line], validators=validators)


class NetworkRequestForm(BaseForm):
    name = _line("Your name", "Your name", 120, "Enter your name")
    email = StringField("Work email address", widget=GovTextInput(), filters=[strip], validators=[
        DataRequired(message="Enter your work email address"),
        Length(max=254, message="Email address must be 254 characters or fewer"),
        Email(message="Enter an email address in the correct format, like name@example.org"),
    ])
    organisation = _line("Organisation", "Organisation", 200, "Enter your organisation")
    job_title = _line("Your role", "Your role", 200, "Enter your role, for example policy officer")
    hopes = TextAreaField("What do you hope to get from the network?", widget=GovTextArea(),
                          filters=[clean_body],
                          validators=[Required("Say what you hope to get from the network"),
                                      MaxChars(HOPES_MAX, "Your answer")])
    # Spam checks: a field people never see (robots fill it in), and when the form was shown.
    website = StringField("Leave this empty", filters=[strip])
    started = HiddenField()
    submit = SubmitField("Send request", widget=GovSubmitInput())


class AcceptNetworkRequestForm(BaseForm):
    sets = SelectMultipleField("Also invite them to these sets (optional)",
                               widget=GovCheckboxesInput(), coerce=int, choices=[],
                               validate_choice=True)
    submit = SubmitField("Accept and send the invitation", widget=GovSubmitInput())


class DeclineNetworkRequestForm(BaseForm):
    reason = TextAreaField("Message to the person", widget=GovTextArea(), filters=[clean_body],
                           validators=[Required("Write a message: it is emailed to the person"),
                                       MaxChars(REASON_MAX, "The message")])
    submit = SubmitField("Decline and send the message", widget=GovSubmitInput())
