"""Forms for publishing an event, adding its materials and signing up."""

from __future__ import annotations

from govuk_frontend_wtf.wtforms_widgets import GovCheckboxesInput
from govuk_frontend_wtf.wtforms_widgets import GovCheckboxInput
from govuk_frontend_wtf.wtforms_widgets import GovRadioInput
from govuk_frontend_wtf.wtforms_widgets import GovSubmitInput
from govuk_frontend_wtf.wtforms_widgets import GovTextArea
from govuk_frontend_wtf.wtforms_widgets import GovTextInput
from wtforms import BooleanField
from wtforms import Field
from wtforms import RadioField
from wtforms import SelectMultipleField
from wtforms import StringField
from wtforms import SubmitField
from wtforms import TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired
from wtforms.validators import StopValidation

from forum.files.forms import FilesField
from forum.files.forms import require_file
from forum.forms import BaseForm
from forum.forms import MaxChars
from forum.forms import Required
from forum.forms import ScheduleForm
from forum.forms import SharedTextForm
from forum.forms import WebAddress
from forum.forms import clean_body
from forum.forms import clean_title
from forum.forms import strip
from forum.models import Event
from forum.models import EventAudience
from forum.models import EventKind
from forum.models import MaterialKind

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


class EventForm(SharedTextForm, ScheduleForm):
    kind = RadioField("What kind of event is it?", widget=GovRadioInput(),
                      choices=[SelectChoice(kind.value, kind.label) for kind in EventKind],
                      default=EventKind.WORKSHOP.value,
                      validators=[InputRequired("Choose what kind of event it is")])
    place = StringField("Place (optional)", widget=GovTextInput(), filters=[clean_title],
                        validators=[MaxChars(PLACE_MAX, "The place")])
    online_url = StringField("Online link (optional)", widget=GovTextInput(), filters=[strip],
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
                           widget=GovTextInput(), filters=[strip])
    submit = SubmitField("Publish the event", widget=GovSubmitInput())
    shared_field = "description"
    kept_sets = 0  # the event's sets the editor may not see: kept, and never offered
    def shared_text(self, record: Event) -> tuple[str | None, ...]:
        return (record.kind.value, record.title, record.starts_at.isoformat(),
                record.ends_at.isoformat(), record.place, record.online_url,
                record.description_source, record.audience.value,
                ",".join(sorted(str(s.id) for s in record.sets)), str(record.signup_open),
                str(record.capacity))

    def validate_sets(self, field: Field) -> None:
        allowed = {choice.value for choice in field.choices}
        chosen = set(field.data or [])
        if not chosen <= allowed:
            raise StopValidation("Choose sets from the list")
        if self.audience.data == EventAudience.SETS.value and not chosen and not self.kept_sets:
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
                                            "Notes from the discussion"),
                               SelectChoice(MaterialKind.FILE.value,
                                            "A file (slides, a paper, a spreadsheet)")],
                      default=MaterialKind.NOTES.value,
                      validators=[InputRequired("Choose what you are adding")])
    title = StringField("Title", widget=GovTextInput(), filters=[clean_title],
                        validators=[Required("Enter a title"), MaxChars(TITLE_MAX, "The title")])
    url = StringField("Link to the recording", widget=GovTextInput(), filters=[strip],
                      validators=[MaxChars(URL_MAX, "The link"), WebAddress("The link")])
    body = TextAreaField("Notes, or the recording's transcript", widget=GovTextArea(),
                         filters=[clean_body],
                         validators=[MaxChars(DESCRIPTION_MAX, "The text")])
    upload = FilesField("File", max_files=1)
    submit = SubmitField("Add to the event", widget=GovSubmitInput())

    def validate_upload(self, field: Field) -> None:
        if self.kind.data == MaterialKind.FILE.value:
            require_file(field, "Choose the file to add")

    def validate_url(self, field: Field) -> None:
        if self.kind.data == MaterialKind.RECORDING.value and not field.data:
            raise StopValidation("Enter the link to the recording")

    def validate_body(self, field: Field) -> None:
        if self.kind.data == MaterialKind.NOTES.value and not (field.data or "").strip():
            raise StopValidation("Enter the notes")


MESSAGE_MAX = 2_000


class CancelEventForm(BaseForm):
    message = TextAreaField("Message to the people who signed up (optional)",
                            widget=GovTextArea(), filters=[strip],
                            validators=[MaxChars(MESSAGE_MAX, "The message")])
    submit = SubmitField("Cancel the event and tell them", widget=GovSubmitInput())

TOPIC_TITLE_MAX = 150
TOPIC_DESCRIPTION_MAX = 2_000


class TopicForm(BaseForm):
    """Propose a discussion topic for a workshop."""

    title = StringField("Topic", widget=GovTextInput(), filters=[clean_title],
                        validators=[Required("Enter the topic"),
                                    MaxChars(TOPIC_TITLE_MAX, "The topic")])
    description = TextAreaField("Why discuss it? (optional)", widget=GovTextArea(),
                                filters=[clean_body],
                                validators=[MaxChars(TOPIC_DESCRIPTION_MAX, "The description")])
    submit = SubmitField("Propose the topic", widget=GovSubmitInput())
