"""Forms for notification pages."""

from __future__ import annotations

from govuk_frontend_wtf.wtforms_widgets import GovRadioInput
from govuk_frontend_wtf.wtforms_widgets import GovSubmitInput
from wtforms import RadioField
from wtforms import SubmitField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired

from forum.forms import BaseForm
from forum.models import EmailMode

MODE_CHOICES = [
    SelectChoice(EmailMode.IMMEDIATELY.value, "Immediately"),
    SelectChoice(EmailMode.DAILY.value, "In a daily summary email"),
    SelectChoice(EmailMode.OFF.value, "Never: I will check the notifications page"),
]


def _mode_field(label: str, about: str) -> RadioField:
    return RadioField(label, choices=MODE_CHOICES, widget=GovRadioInput(),
                      validators=[InputRequired(message=f"Choose when to email you {about}")])


class PreferencesForm(BaseForm):
    decisions = _mode_field("Moderators’ decisions on your posts",
                            "about moderators’ decisions")
    replies = _mode_field("Replies to your posts", "about replies")
    waiting = _mode_field("Posts waiting for your approval", "about waiting posts")
    meetings = _mode_field("Your sets’ meetings", "about meetings")
    events = _mode_field("Events you signed up to", "about events you signed up to")
    submit = SubmitField("Save email settings", widget=GovSubmitInput())
