"""Forms for scheduling a set's meeting and writing its notes."""

from __future__ import annotations

from govuk_frontend_wtf.wtforms_widgets import GovSubmitInput
from govuk_frontend_wtf.wtforms_widgets import GovTextArea
from govuk_frontend_wtf.wtforms_widgets import GovTextInput
from wtforms import Field
from wtforms import StringField
from wtforms import SubmitField
from wtforms import TextAreaField
from wtforms.validators import StopValidation

from forum.files.forms import FilesField
from forum.files.forms import require_file
from forum.forms import BaseForm
from forum.forms import MaxChars
from forum.forms import ScheduleForm
from forum.forms import SharedTextForm
from forum.forms import WebAddress
from forum.forms import clean_body
from forum.forms import clean_title
from forum.forms import strip
from forum.models import Meeting

PLACE_MAX = 300
URL_MAX = 500
TEXT_MAX = 20_000


class MeetingForm(SharedTextForm, ScheduleForm):
    online_url = StringField("Online link", widget=GovTextInput(), filters=[strip],
                             validators=[MaxChars(URL_MAX, "The link"), WebAddress("The link")])
    place = StringField("Place", widget=GovTextInput(), filters=[clean_title],
                        validators=[MaxChars(PLACE_MAX, "The place")])
    agenda = TextAreaField("Agenda (optional)", widget=GovTextArea(), filters=[clean_body],
                           validators=[MaxChars(TEXT_MAX, "The agenda")])
    submit = SubmitField("Schedule the meeting", widget=GovSubmitInput())
    shared_field = "agenda"

    def shared_text(self, record: Meeting) -> tuple[str | None, ...]:
        return (record.title, record.agenda_source, record.place, record.online_url,
                record.starts_at.isoformat(), record.ends_at.isoformat())

    def validate_place(self, field: Field) -> None:
        if not field.data and not self.online_url.data and not self.online_url.errors:
            raise StopValidation("Enter an online link or a place (or both)")


class NotesForm(SharedTextForm, BaseForm):
    notes = TextAreaField("Notes", widget=GovTextArea(), filters=[clean_body],
                          validators=[MaxChars(TEXT_MAX, "The notes")])
    submit = SubmitField("Save the notes", widget=GovSubmitInput())
    shared_field = "notes"

    def shared_text(self, record: Meeting) -> tuple[str | None, ...]:
        return (record.notes_source,)


class MeetingFilesForm(BaseForm):
    files = FilesField("Files")
    submit = SubmitField("Add the files", widget=GovSubmitInput())

    def validate_files(self, field: Field) -> None:
        require_file(field, "Choose the files to add")
