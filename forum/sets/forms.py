"""Forms for creating and editing learning sets and managing who is in them."""

from __future__ import annotations

from govuk_frontend_wtf.wtforms_widgets import GovCheckboxInput
from govuk_frontend_wtf.wtforms_widgets import GovRadioInput
from govuk_frontend_wtf.wtforms_widgets import GovSubmitInput
from govuk_frontend_wtf.wtforms_widgets import GovTextArea
from govuk_frontend_wtf.wtforms_widgets import GovTextInput
from wtforms import BooleanField
from wtforms import RadioField
from wtforms import SelectField
from wtforms import StringField
from wtforms import SubmitField
from wtforms import TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired
from wtforms.validators import Email
from wtforms.validators import InputRequired
from wtforms.validators import Length
from wtforms.validators import Optional

from forum.forms import BaseForm
from forum.forms import ChoiceSelect
from forum.forms import MaxChars
from forum.forms import PlainLine
from forum.forms import Required
from forum.forms import SharedTextForm
from forum.forms import clean_body
from forum.forms import clean_line
from forum.models import LearningSet
from forum.models import Role
from forum.models import Visibility
from forum.sets.service import NAME_MAX
from forum.sets.service import PURPOSE_MAX
from forum.sets.service import SLUG_MAX

VISIBILITY_CHOICES = [
    SelectChoice(Visibility.PRIVATE.value, "Private"),
    SelectChoice(Visibility.NETWORK.value, "Network"),
    SelectChoice(Visibility.PUBLIC.value, "Public"),
]
# Shown under each option wherever visibility is chosen or described.
VISIBILITY_HINTS = {
    Visibility.PRIVATE: "Only members of the set can find it and read it.",
    Visibility.NETWORK: "Anyone with an account on this site can read it. Only members can post.",
    Visibility.PUBLIC: "Anyone on the internet can read it, without signing in. "
                       "Only members can post.",
}

ROLE_CHOICES = [
    SelectChoice(Role.MEMBER.value, "Member"),
    SelectChoice(Role.MODERATOR.value, "Moderator"),
    SelectChoice(Role.FACILITATOR.value, "Facilitator"),
]
ROLE_HINTS = {
    Role.MEMBER: "Reads the set, starts threads and replies.",
    Role.MODERATOR: "A member who also approves, hides and pins posts.",
    Role.FACILITATOR: "A moderator who also runs the set: invites and removes people and "
                      "changes its settings.",
}

EMAIL_MESSAGE = "Enter an email address in the correct format, like name@council.gov.uk"


def _strip(value: str | None) -> str | None:
    return value.strip() if isinstance(value, str) else value


class SetSettingsForm(BaseForm):
    """A set's name, purpose and visibility. Extend it by subclassing or adding fields."""

    name = StringField(
        "Name", widget=GovTextInput(), filters=[clean_line],
        validators=[DataRequired("Enter a name for the set"),
                    Length(max=NAME_MAX, message=f"Name must be {NAME_MAX} characters or fewer"),
                    PlainLine("Name")])
    purpose = TextAreaField(
        "Purpose", widget=GovTextArea(),
        description="What the set is for and who it brings together. Members see this first.",
        validators=[Length(max=PURPOSE_MAX,
                           message=f"Purpose must be {PURPOSE_MAX:,} characters or fewer")])
    visibility = RadioField(
        "Who can read the set", widget=GovRadioInput(), choices=VISIBILITY_CHOICES,
        default=Visibility.PRIVATE.value,
        validators=[InputRequired("Choose who can read the set")])
    submit = SubmitField("Save changes", widget=GovSubmitInput())


class SetSettingsWithMethodForm(SharedTextForm, SetSettingsForm):
    """The settings page also sets how the set runs its challenges."""

    allow_suggestions = BooleanField(
        "Members may post suggestions in challenges", widget=GovCheckboxInput(),
        description="Action learning asks open questions rather than giving advice, so "
                    "suggestions are off unless you allow them.")
    shared_field = "purpose"

    def shared_text(self, record: LearningSet) -> tuple[str | None, ...]:
        return (record.name, record.purpose, record.visibility.value,
                str(record.allow_suggestions))


class NewSetForm(SetSettingsForm):
    slug = StringField(
        "Web address (optional)", widget=GovTextInput(), filters=[_strip],
        description="Lowercase letters, numbers and hyphens, like citizens-assemblies. "
                    "Leave blank to make one from the name.",
        validators=[Optional(),
                    Length(max=SLUG_MAX,
                           message=f"The web address must be {SLUG_MAX} characters or fewer")])
    facilitator_email = StringField(
        "Facilitator’s email address", widget=GovTextInput(), filters=[_strip],
        description="If they already have an account they become facilitator now; "
                    "otherwise we email them an invitation to join as facilitator.",
        validators=[DataRequired("Enter the facilitator’s email address"),
                    Length(max=254, message="Email address must be 254 characters or fewer"),
                    Email(EMAIL_MESSAGE, check_deliverability=False)])
    submit = SubmitField("Create set", widget=GovSubmitInput())


class InviteForm(BaseForm):
    email = StringField(
        "Email address", widget=GovTextInput(), filters=[_strip],
        validators=[DataRequired("Enter the email address of the person to invite"),
                    Length(max=254, message="Email address must be 254 characters or fewer"),
                    Email(EMAIL_MESSAGE, check_deliverability=False)])
    role = RadioField(
        "Role", widget=GovRadioInput(), choices=ROLE_CHOICES, default=Role.MEMBER.value,
        validators=[InputRequired("Choose a role")])
    submit = SubmitField("Send invitation", widget=GovSubmitInput())


class RoleForm(BaseForm):
    """Change one member’s role (the view gives each row’s field its own id)."""

    role = SelectField("Role", widget=ChoiceSelect(), choices=ROLE_CHOICES,
                       validators=[InputRequired("Choose a role")])
    submit = SubmitField("Change role", widget=GovSubmitInput())


REQUEST_TEXT_MAX = 1_000


class AskToJoinForm(BaseForm):
    message = TextAreaField("What do you hope to get from this set? (optional)",
                            widget=GovTextArea(), filters=[clean_body],
                            validators=[MaxChars(REQUEST_TEXT_MAX, "Your message")])
    submit = SubmitField("Ask to join", widget=GovSubmitInput())


class DeclineRequestForm(BaseForm):
    reason = TextAreaField("Why are you declining?", widget=GovTextArea(), filters=[clean_body],
                           validators=[Required("Say why you are declining: the person is told"),
                                       MaxChars(REQUEST_TEXT_MAX, "The reason")])
    submit = SubmitField("Decline the request", widget=GovSubmitInput())
