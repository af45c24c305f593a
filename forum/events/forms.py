"""Forms for publishing an event, adding its materials and signing up."""

from __future__ import annotations

from datetime import date
from datetime import time
from typing import Any
from urllib.parse import urlsplit

from govuk_frontend_wtf.wtforms_widgets import GovCheckboxesInput
from govuk_frontend_wtf.wtforms_widgets import GovCheckboxInput
from govuk_frontend_wtf.wtforms_widgets import GovRadioInput
from govuk_frontend_wtf.wtforms_widgets import GovSubmitInput
from govuk_frontend_wtf.wtforms_widgets import GovTextArea
from govuk_frontend_wtf.wtforms_widgets import GovTextInput
from wtforms import BooleanField
from wtforms import Field
from wtforms import Form
from wtforms import RadioField
from wtforms import SelectMultipleField
from wtforms import StringField
from wtforms import SubmitField
from wtforms import TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired
from wtforms.validators import StopValidation

from forum.forms import BaseForm
from forum.forms import MaxChars
from forum.models import EventAudience
from forum.models import EventKind
from forum.models import MaterialKind
from forum.threads.forms import Required
from forum.threads.forms import clean_body
from forum.threads.forms import clean_title

TITLE_MAX = 200
PLACE_MAX = 300
URL_MAX = 500
DESCRIPTION_MAX = 20_000
CAPACITY_MAX = 10_000

AUDIENCE_CHOICES = [
    SelectChoice(EventAudience.PUBLIC.value, "Anyone, signed in or not"),
    SelectChoice(EventAudience.NETWORK.value, "Everyone in the network (signed in)"),
    SelectChoice(EventAudience.SETS.value, "Members of the sets chosen below"),
]


def _strip(value: Any) -> Any:
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


def _parse_date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError as error:
        raise StopValidation("Enter a real date, like 2026-03-31") from error


def _parse_time(text: str) -> time:
    try:
        return time.fromisoformat(text)
    except ValueError as error:
        raise StopValidation("Enter a time on the 24-hour clock, like 14:30") from error


class IsDate:
    def __call__(self, form: Form, field: Field) -> None:
        field.parsed = _parse_date(field.data or "")


class IsTime:
    def __call__(self, form: Form, field: Field) -> None:
        field.parsed = _parse_time(field.data or "")


class EventForm(BaseForm):
    kind = RadioField("What kind of event is it?", widget=GovRadioInput(),
                      choices=[SelectChoice(kind.value, kind.label) for kind in EventKind],
                      default=EventKind.WORKSHOP.value,
                      validators=[InputRequired("Choose what kind of event it is")])
    title = StringField("Title", widget=GovTextInput(), filters=[clean_title],
                        validators=[Required("Enter a title"), MaxChars(TITLE_MAX, "The title")])
    day = StringField("Date", widget=GovTextInput(), filters=[_strip],
                      validators=[Required("Enter the date"), IsDate()])
    starts = StringField("Starts at", widget=GovTextInput(), filters=[_strip],
                         validators=[Required("Enter the time it starts"), IsTime()])
    ends = StringField("Ends at", widget=GovTextInput(), filters=[_strip],
                       validators=[Required("Enter the time it ends"), IsTime()])
    place = StringField("Place (optional)", widget=GovTextInput(), filters=[clean_title],
                        validators=[MaxChars(PLACE_MAX, "The place")])
    online_url = StringField("Online link (optional)", widget=GovTextInput(), filters=[_strip],
                             validators=[MaxChars(URL_MAX, "The link"), WebAddress("The link")])
    description = TextAreaField("Description (optional)", widget=GovTextArea(),
                                filters=[clean_body],
                                validators=[MaxChars(DESCRIPTION_MAX, "The description")])
    audience = RadioField("Who can see it?", widget=GovRadioInput(), choices=AUDIENCE_CHOICES,
                          default=EventAudience.NETWORK.value,
                          validators=[InputRequired("Choose who can see the event")])
    sets = SelectMultipleField("Sets", widget=GovCheckboxesInput(), coerce=int, choices=[],
                               validate_choice=False)
    signup_open = BooleanField("People can sign up", widget=GovCheckboxInput())
    capacity = StringField("Places (optional: leave empty for no limit)",
                           widget=GovTextInput(), filters=[_strip])
    submit = SubmitField("Publish the event", widget=GovSubmitInput())

    def validate_ends(self, field: Field) -> None:
        starts = getattr(self.starts, "parsed", None)
        ends = getattr(field, "parsed", None)
        if starts is not None and ends is not None and ends <= starts:
            raise StopValidation("The end time must be after the start time")

    def validate_sets(self, field: Field) -> None:
        allowed = {choice.value for choice in field.choices}
        chosen = set(field.data or [])
        if not chosen <= allowed:
            raise StopValidation("Choose sets from the list")
        if self.audience.data == EventAudience.SETS.value and not chosen:
            raise StopValidation("Choose at least one set whose members can see the event")

    def validate_capacity(self, field: Field) -> None:
        if not field.data:
            field.parsed = None
            return
        if not field.data.isdigit() or not 1 <= int(field.data) <= CAPACITY_MAX:
            raise StopValidation(f"Places must be a whole number from 1 to {CAPACITY_MAX:,}")
        field.parsed = int(field.data)


class MaterialForm(BaseForm):
    kind = RadioField("What is it?", widget=GovRadioInput(),
                      choices=[SelectChoice(MaterialKind.RECORDING.value,
                                            "A recording (a link to where the video lives)"),
                               SelectChoice(MaterialKind.NOTES.value,
                                            "Notes from the discussion")],
                      default=MaterialKind.NOTES.value,
                      validators=[InputRequired("Choose what you are adding")])
    title = StringField("Title", widget=GovTextInput(), filters=[clean_title],
                        validators=[Required("Enter a title"), MaxChars(TITLE_MAX, "The title")])
    url = StringField("Link to the recording", widget=GovTextInput(), filters=[_strip],
                      validators=[MaxChars(URL_MAX, "The link"), WebAddress("The link")])
    body = TextAreaField("Notes, or the recording's transcript", widget=GovTextArea(),
                         filters=[clean_body],
                         validators=[MaxChars(DESCRIPTION_MAX, "The text")])
    submit = SubmitField("Add to the event", widget=GovSubmitInput())

    def validate_url(self, field: Field) -> None:
        if self.kind.data == MaterialKind.RECORDING.value and not field.data:
            raise StopValidation("Enter the link to the recording")

    def validate_body(self, field: Field) -> None:
        if self.kind.data == MaterialKind.NOTES.value and not (field.data or "").strip():
            raise StopValidation("Enter the notes")


MESSAGE_MAX = 2_000


class CancelEventForm(BaseForm):
    message = TextAreaField("Message to the people who signed up (optional)",
                            widget=GovTextArea(), filters=[_strip],
                            validators=[MaxChars(MESSAGE_MAX, "The message")])
    submit = SubmitField("Cancel the event and tell them", widget=GovSubmitInput())
