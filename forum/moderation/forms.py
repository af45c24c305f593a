"""Forms for moderators' actions, members' reports and the set's moderation policy."""

from __future__ import annotations

from govuk_frontend_wtf.wtforms_widgets import GovRadioInput
from govuk_frontend_wtf.wtforms_widgets import GovSubmitInput
from govuk_frontend_wtf.wtforms_widgets import GovTextArea
from govuk_frontend_wtf.wtforms_widgets import GovTextInput
from wtforms import Field
from wtforms import Form
from wtforms import HiddenField
from wtforms import IntegerField
from wtforms import RadioField
from wtforms import SelectField
from wtforms import SelectMultipleField
from wtforms import SubmitField
from wtforms import TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired
from wtforms.validators import StopValidation

from forum.forms import BaseForm
from forum.forms import ChoiceSelect
from forum.forms import MaxLength
from forum.forms import Required
from forum.forms import clean_body
from forum.forms import clean_text
from forum.models import ModerationPolicy
from forum.moderation.service import POLICY_LABELS
from forum.redirects import only_safe_next

REASON_MAX = 1000
THRESHOLD_MAX = 50


class ReasonLength:
    def __call__(self, form: Form, field: Field) -> None:
        length = len(field.data or "")
        if length > REASON_MAX:
            raise StopValidation(
                f"The reason must be {REASON_MAX:,} characters or fewer (it has {length:,})")


def _reason_field(label: str, message: str) -> TextAreaField:
    return TextAreaField(label, widget=GovTextArea(), filters=[clean_text],
                         validators=[Required(message), ReasonLength()])


class RejectForm(BaseForm):
    reason = _reason_field("Why are you returning this post?",
                           "Enter a reason, so the author knows what to change")
    next = HiddenField(filters=[only_safe_next])
    submit = SubmitField("Return post to its author", widget=GovSubmitInput())


class ReturnEditForm(BaseForm):
    reason = _reason_field("Why are you returning this edit?",
                           "Enter a reason, so the author knows what to change")
    # The version of the post the moderator read: refused if the author changed it since.
    version = HiddenField()
    next = HiddenField()
    submit = SubmitField("Return edit to its author", widget=GovSubmitInput())


class HideForm(BaseForm):
    reason = _reason_field("Why are you hiding this post?", "Enter a reason for hiding it")
    next = HiddenField(filters=[only_safe_next])
    submit = SubmitField("Hide post", widget=GovSubmitInput())


class ReportForm(BaseForm):
    reason = _reason_field("What is the problem with this post?",
                           "Enter what the problem is, so a moderator can judge it")
    submit = SubmitField("Send report", widget=GovSubmitInput())


class ModeratorEditForm(BaseForm):
    body = TextAreaField("Post text", widget=GovTextArea(), filters=[clean_body],
                         validators=[Required("Enter the post text"),
                                     MaxLength("POST_BODY_MAX", "The post text")])
    # The text the moderator started from: if the author changes it meanwhile, nothing is saved.
    original = HiddenField(filters=[clean_body])
    next = HiddenField(filters=[only_safe_next])
    submit = SubmitField("Save and approve", widget=GovSubmitInput())


class BulkApproveForm(BaseForm):
    post_ids = SelectMultipleField("Select posts", coerce=int, validate_choice=False)
    next = HiddenField(filters=[only_safe_next])

    def validate_post_ids(self, field: Field) -> None:
        if not field.data:
            raise StopValidation("Select at least one post to approve")


class PolicyForm(BaseForm):
    policy = RadioField(
        "When do posts wait for a moderator?", widget=GovRadioInput(),
        choices=[SelectChoice(policy.value, POLICY_LABELS[policy]) for policy in ModerationPolicy],
        validators=[InputRequired("Choose when posts wait for a moderator")])
    threshold = IntegerField(
        "How many of a member's posts wait?", widget=GovTextInput())
    submit = SubmitField("Save policy", widget=GovSubmitInput())

    def validate_threshold(self, field: Field) -> None:
        # Only the "new members" policy uses the number; one clear message replaces WTForms'.
        field.errors[:] = []
        if self.policy.data != ModerationPolicy.NEW_MEMBERS.value:
            raise StopValidation()
        if field.data is None or not 1 <= field.data <= THRESHOLD_MAX:
            raise StopValidation(f"Enter a whole number from 1 to {THRESHOLD_MAX}")


class LogFilterForm(BaseForm):
    """Read from the query string: filters, not a change, so no CSRF token."""

    class Meta:
        csrf = False

    action = SelectField("Action", widget=ChoiceSelect(), validate_choice=False)
    moderator = SelectField("Moderator", widget=ChoiceSelect(), validate_choice=False)
