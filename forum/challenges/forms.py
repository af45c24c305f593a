"""Forms for bringing a challenge, replying in one, moving it on and re-labelling a reply."""

from __future__ import annotations

from typing import Any
from typing import NamedTuple

from govuk_frontend_wtf.wtforms_widgets import GovRadioInput
from govuk_frontend_wtf.wtforms_widgets import GovSubmitInput
from govuk_frontend_wtf.wtforms_widgets import GovTextArea
from govuk_frontend_wtf.wtforms_widgets import GovTextInput
from wtforms import Field
from wtforms import Form
from wtforms import RadioField
from wtforms import SelectField
from wtforms import StringField
from wtforms import SubmitField
from wtforms import TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired

from forum.files.forms import FilesField
from forum.forms import BaseForm
from forum.forms import ChoiceSelect
from forum.forms import IsDate
from forum.forms import MaxChars
from forum.forms import MaxLength
from forum.forms import Required
from forum.forms import SharedTextForm
from forum.forms import clean_body
from forum.models import ChallengeStatus
from forum.models import PostKind
from forum.models import UpdateOutcome
from forum.threads.forms import _submission_key_field
from forum.threads.forms import _title_field

AIM_MAX = 2_000
SUMMARY_MAX = 20_000

# What each kind means, as the reply form's hint for it.
KIND_HINTS = {
    PostKind.QUESTION: "An open question that helps the holder think: ask, do not advise.",
    PostKind.REFLECTION: "Answer a question, or think aloud about your challenge.",
    PostKind.ACTION: "Commit to something you will do, by a date.",
    PostKind.UPDATE: "Say how one of your actions went, and what you learnt.",
    PostKind.LEARNING: "An insight worth sharing with the wider network.",
    PostKind.SUGGESTION: "Advice or an idea to try (this set allows suggestions).",
}

OUTCOME_CHOICES = [
    SelectChoice(UpdateOutcome.DONE.value, "Done"),
    SelectChoice(UpdateOutcome.PARTLY_DONE.value, "Partly done"),
    SelectChoice(UpdateOutcome.NOT_DONE.value, "Not done yet (it stays open)"),
    SelectChoice(UpdateOutcome.DROPPED.value, "Dropped (I will not do it)"),
]

STATUS_CHOICES = [SelectChoice(status.value, status.label) for status in ChallengeStatus]


def _strip(value: Any) -> Any:
    return value.strip() if isinstance(value, str) else value


class NewChallengeForm(BaseForm):
    submission_key = _submission_key_field()
    title = _title_field()
    body = TextAreaField("Your challenge", widget=GovTextArea(), filters=[clean_body],
                         validators=[Required("Describe your challenge"),
                                     MaxLength("POST_BODY_MAX", "Your challenge")])
    aim = TextAreaField("What I want to achieve", widget=GovTextArea(), filters=[clean_body],
                        validators=[Required("Say what you want to achieve"),
                                    MaxChars(AIM_MAX, "What you want to achieve")])
    submit = SubmitField("Bring this challenge", widget=GovSubmitInput())
    preview = SubmitField("Preview", widget=GovSubmitInput())


class MakeChallengeForm(BaseForm):
    aim = TextAreaField("What the holder wants to achieve", widget=GovTextArea(),
                        filters=[clean_body],
                        validators=[Required("Say what the holder wants to achieve"),
                                    MaxChars(AIM_MAX, "What the holder wants to achieve")])
    submit = SubmitField("Make this thread a challenge", widget=GovSubmitInput())


class OnlyWhenKind:
    """Run the field's checks only when the reply is of ``kind`` (else ignore the field)."""

    def __init__(self, kind: PostKind, *validators: Any) -> None:
        self.kind = kind
        self.validators = validators

    def __call__(self, form: Form, field: Field) -> None:
        if form.kind.data != self.kind.value:
            field.errors[:] = []
            return
        for validator in self.validators:
            validator(form, field)


class ChallengeReplyForm(BaseForm):
    """A reply in a challenge: the kinds offered depend on who is replying
    (:meth:`offer`)."""

    submission_key = _submission_key_field()
    kind = RadioField("What kind of reply is this?", widget=GovRadioInput(),
                      validators=[InputRequired("Choose what kind of reply this is")])
    body = TextAreaField("Your reply", widget=GovTextArea(), filters=[clean_body],
                         validators=[Required("Enter your reply"),
                                     MaxLength("POST_BODY_MAX", "Your reply")])
    due_on = StringField("Due date (for an action)", widget=GovTextInput(), filters=[_strip],
                         validators=[OnlyWhenKind(PostKind.ACTION,
                                                  Required("Enter the date you will do it by"),
                                                  IsDate())])
    action_id = SelectField("Which action (for an update)", widget=ChoiceSelect(),
                            validate_choice=False, choices=[])
    outcome = RadioField("How did it go? (for an update)", widget=GovRadioInput(),
                         choices=OUTCOME_CHOICES, validate_choice=False)
    attachments = FilesField("Attach files (optional)")
    submit = SubmitField("Post reply", widget=GovSubmitInput())
    preview = SubmitField("Preview", widget=GovSubmitInput())

    def offer(self, kinds: list[PostKind], actions: list[tuple[int, str]]) -> None:
        """Offer these kinds (the first is the default) and these open actions."""
        self.kind.choices = [SelectChoice(kind.value, kind.label) for kind in kinds]
        if kinds and not self.kind.data:
            self.kind.data = kinds[0].value
        self.action_id.choices = [SelectChoice(str(action_id), label)
                                  for action_id, label in actions]

    def action_choice(self) -> int | None:
        value = self.action_id.data
        return int(value) if isinstance(value, str) and value.isascii() and value.isdigit() \
            and len(value) < 10 else None


class StatusNow(NamedTuple):
    """Where a challenge stands, and its closing summary's text as the person would change it."""

    status: str
    closing_summary: str


class StatusForm(SharedTextForm, BaseForm):
    status = RadioField("Where does the challenge stand?", widget=GovRadioInput(),
                        choices=STATUS_CHOICES,
                        validators=[InputRequired("Choose where the challenge stands")])
    closing_summary = TextAreaField(
        "Closing summary", widget=GovTextArea(), filters=[clean_body],
        description="Needed to close the challenge: what happened and what was learnt.",
        validators=[MaxChars(SUMMARY_MAX, "The closing summary")])
    submit = SubmitField("Save", widget=GovSubmitInput())
    shared_field = "closing_summary"

    def shared_text(self, record: StatusNow) -> tuple[str | None, ...]:
        return tuple(record)


class KindForm(BaseForm):
    kind = SelectField("Kind", widget=ChoiceSelect(),
                       choices=[SelectChoice(kind.value, kind.label) for kind in (
                           PostKind.QUESTION, PostKind.REFLECTION, PostKind.LEARNING,
                           PostKind.SUGGESTION)],
                       validators=[InputRequired("Choose a kind")])
    submit = SubmitField("Change kind", widget=GovSubmitInput())


class KindFilterForm(BaseForm):
    """The thread page's filter by kind, read from the query string: no CSRF token."""

    class Meta:
        csrf = False

    kind = SelectField("Show", widget=ChoiceSelect(), validate_choice=False,
                       choices=[SelectChoice("", "Every kind")]
                       + [SelectChoice(kind.value, kind.label) for kind in PostKind])

    def chosen(self) -> PostKind | None:
        try:
            return PostKind(self.kind.data) if self.kind.data else None
        except ValueError:
            return None
