"""Forms for creating, curating and publishing guides.

Field names are plain (``title``, ``body``...) even where the curation page repeats a form
once per section, excerpt or post: templates give each copy unique ids, and a copy that fails
validation is shown again on a page of its own, where the error summary's links work.
"""

from __future__ import annotations

from govuk_frontend_wtf.wtforms_widgets import GovCheckboxesInput
from govuk_frontend_wtf.wtforms_widgets import GovCheckboxInput
from govuk_frontend_wtf.wtforms_widgets import GovRadioInput
from govuk_frontend_wtf.wtforms_widgets import GovSubmitInput
from govuk_frontend_wtf.wtforms_widgets import GovTextArea
from govuk_frontend_wtf.wtforms_widgets import GovTextInput
from wtforms import BooleanField
from wtforms import Form
from wtforms import HiddenField
from wtforms import IntegerField
from wtforms import RadioField
from wtforms import SelectField
from wtforms import SelectMultipleField
from wtforms import StringField
from wtforms import SubmitField
from wtforms import TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import AnyOf
from wtforms.validators import InputRequired
from wtforms.validators import StopValidation
from wtforms.widgets import HiddenInput

from forum.forms import BaseForm
from forum.forms import ChoiceSelect
from forum.forms import MaxLength
from forum.forms import PlainLine
from forum.forms import Required
from forum.forms import SharedTextForm
from forum.forms import clean_body
from forum.forms import clean_title
from forum.guides.document import LICENCES
from forum.models import ANONYMOUS_CREDIT
from forum.models import CreditPreference
from forum.models import Guide
from forum.models import GuideExcerpt
from forum.models import GuideSection

TITLE_MAX = 200
SUBTITLE_MAX = 300

# What each credit looks like in a guide, strongest first (the order of the radios).
CREDIT_ORDER = [CreditPreference.NAME_AND_ORGANISATION, CreditPreference.ORGANISATION,
                CreditPreference.ANONYMOUS]
CREDIT_LABELS = {
    CreditPreference.NAME_AND_ORGANISATION: "Name and organisation",
    CreditPreference.ORGANISATION: "Organisation only",
    CreditPreference.ANONYMOUS: f"Anonymously, as “{ANONYMOUS_CREDIT}”",
}


class Length:
    """Refuse text longer than ``limit`` characters, saying the limit and the current length."""

    def __init__(self, limit: int, what: str) -> None:
        self.limit = limit
        self.what = what

    def __call__(self, form: Form, field: object) -> None:
        length = len(field.data or "")  # type: ignore[attr-defined]
        if length > self.limit:
            raise StopValidation(
                f"{self.what} must be {self.limit:,} characters or fewer (it has {length:,})")


def _title(label: str, message: str, what: str = "Title") -> StringField:
    return StringField(label, widget=GovTextInput(), filters=[clean_title],
                       validators=[Required(message), Length(TITLE_MAX, what), PlainLine(what)])


def _introduction(label: str = "Introduction", hint: str = "") -> TextAreaField:
    return TextAreaField(label, widget=GovTextArea(), filters=[clean_body], description=hint,
                         validators=[MaxLength("POST_BODY_MAX", label)])


class _ThreadChoices:
    threads = SelectMultipleField(
        "Threads to draw from", widget=GovCheckboxesInput(), coerce=int,
        description="The curation page lists the approved posts of these threads.",
        validators=[InputRequired("Choose at least one thread")])

    def set_thread_choices(self, threads: list) -> None:
        self.threads.choices = [SelectChoice(t.id, t.title) for t in threads]  # type: ignore[attr-defined]


class NewGuideForm(_ThreadChoices, BaseForm):
    title = _title("Title", "Enter a title for the guide")
    subtitle = StringField("Subtitle (optional)", widget=GovTextInput(), filters=[clean_title],
                           validators=[Length(SUBTITLE_MAX, "Subtitle"),
                                       PlainLine("Subtitle")])
    introduction = _introduction(hint="Optional. Say who the guide is for and where its "
                                      "advice comes from. You can use Markdown.")
    submit = SubmitField("Create guide", widget=GovSubmitInput())


class GuideSettingsForm(SharedTextForm, NewGuideForm):
    is_public = BooleanField(
        "Readable without signing in", widget=GovCheckboxInput(),
        description="Published versions of this guide can be read by anyone with the link, "
                    "even if the set is private, and name the set as their publisher. Drafts "
                    "are never shown.")
    licence = RadioField(
        "Licence", widget=GovRadioInput(),
        description="Printed at the end of every copy: how others may reuse the guide.",
        choices=[SelectChoice(code, licence.name) for code, licence in LICENCES.items()],
        # Left out of a POST, the licence stays as it is; the service refuses unknown codes.
        validate_choice=False)
    submit = SubmitField("Save settings", widget=GovSubmitInput())
    shared_field = "introduction"

    def shared_text(self, record: Guide) -> tuple[str | None, ...]:
        return (record.title, record.subtitle, record.introduction_source, str(record.is_public),
                record.licence, ",".join(sorted(str(t.id) for t in record.threads)))


class SectionForm(SharedTextForm, BaseForm):
    title = _title("Section title", "Enter a title for the section", "Section title")
    introduction = _introduction("Section introduction",
                                 "Optional. A few sentences before the excerpts. "
                                 "You can use Markdown.")
    submit = SubmitField("Save section", widget=GovSubmitInput())
    shared_field = "introduction"

    def shared_text(self, record: GuideSection) -> tuple[str | None, ...]:
        return (record.title, record.introduction_source)


class AddSectionForm(SectionForm):
    submit = SubmitField("Add section", widget=GovSubmitInput())


class MoveForm(BaseForm):
    """Up and down buttons: ``<button name="direction" value="up">``."""

    direction = HiddenField(validators=[AnyOf(["up", "down"])])


class MoveToSectionForm(BaseForm):
    section_id = SelectField("Move to", widget=ChoiceSelect(), coerce=int,
                             validators=[InputRequired("Choose a section")])


def _section_choice(sections: list) -> list[SelectChoice]:
    return [SelectChoice(s.id, s.title) for s in sections]


class AddExcerptForm(BaseForm):
    post_id = IntegerField(widget=HiddenInput(), validators=[InputRequired()])
    section_id = SelectField("Add to section", widget=ChoiceSelect(), coerce=int,
                             validators=[InputRequired("Choose a section")])
    body = TextAreaField(
        "Trim to", widget=GovTextArea(), filters=[clean_body],
        description="Delete whole words the guide does not need and put “…” wherever you "
                    "left words out, at the start and end too. Left as it is, the guide quotes "
                    "the whole post; changed, the excerpt is marked “trimmed”.",
        validators=[MaxLength("POST_BODY_MAX", "The excerpt")])
    note = TextAreaField(
        "Editorial note (optional)", widget=GovTextArea(), filters=[clean_body],
        description="Printed after the excerpt, in your voice. You can use Markdown.",
        validators=[MaxLength("POST_BODY_MAX", "The editorial note")])
    submit = SubmitField("Add to section", widget=GovSubmitInput())

    def set_section_choices(self, sections: list) -> None:
        self.section_id.choices = _section_choice(sections)


class _TickedPosts(SelectMultipleField):
    def pre_validate(self, form: Form) -> None:
        allowed = {choice.value for choice in self.choices or []}  # type: ignore[union-attr]
        if any(value not in allowed for value in self.data or []):
            raise StopValidation("A ticked post can no longer be quoted (it may have been "
                                 "hidden or withdrawn since the page was shown): tick again")


class AddSeveralForm(BaseForm):
    """Tick several posts on the curation page and quote them all in one section."""

    post_ids = _TickedPosts("Posts", coerce=int,
                            validators=[InputRequired("Tick at least one post to add")])
    section_id = SelectField("Add the ticked posts to", widget=ChoiceSelect(), coerce=int,
                             validators=[InputRequired("Choose a section")])

    def set_choices(self, post_ids: list[int], sections: list) -> None:
        self.post_ids.choices = [SelectChoice(i, str(i)) for i in post_ids]
        self.section_id.choices = _section_choice(sections)


class SourceChangeForm(BaseForm):
    """"Use the new text" / "Keep the quoted text": ``<button name="decision" value=...>``."""

    decision = HiddenField(validators=[AnyOf(["accept", "keep"],
                                             message="Choose the new text or the quoted one")])


class EditExcerptForm(SharedTextForm, BaseForm):
    body = TextAreaField(
        "Excerpt text", widget=GovTextArea(), filters=[clean_body],
        description="Markdown. If it differs from the original post, the guide says the "
                    "excerpt was trimmed.",
        validators=[Required("Enter the text to quote"),
                    MaxLength("POST_BODY_MAX", "The excerpt")])
    note = TextAreaField(
        "Editorial note (optional)", widget=GovTextArea(), filters=[clean_body],
        description="Printed after the excerpt, in your voice. You can use Markdown.",
        validators=[MaxLength("POST_BODY_MAX", "The editorial note")])
    credit = RadioField("How the author is credited", widget=GovRadioInput(),
                        validators=[InputRequired("Choose how the author is credited")])
    show_in_reply_to = BooleanField(
        "Say whom this reply answers", widget=GovCheckboxInput(),
        description="When the post it answers is quoted in the guide too, the credit line "
                    "says “in reply to” and credits that author as their excerpt does.")
    submit = SubmitField("Save excerpt", widget=GovSubmitInput())
    shared_field = "body"

    def shared_text(self, record: GuideExcerpt) -> tuple[str | None, ...]:
        return (record.body_source, record.editorial_note_source)

    def set_credit_choices(self, authors_choice: CreditPreference) -> None:
        """Only the author's own choice and the credits below it: a curator may only lower it."""
        allowed = CREDIT_ORDER[CREDIT_ORDER.index(authors_choice):]
        self.credit.choices = [
            SelectChoice(c.value, CREDIT_LABELS[c] + (" (the author’s choice)"
                                                      if c == authors_choice else ""))
            for c in allowed]

    def credit_override(self, authors_choice: CreditPreference) -> CreditPreference | None:
        """``None`` when the author's own choice is kept, so a later change of theirs applies."""
        chosen = CreditPreference(self.credit.data)
        return None if chosen == authors_choice else chosen
