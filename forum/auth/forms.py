"""Forms for signing in, creating an account, resetting a password and the account pages."""

from __future__ import annotations

from typing import Any

from govuk_frontend_wtf.wtforms_widgets import GovCheckboxInput
from govuk_frontend_wtf.wtforms_widgets import GovPasswordInput
from govuk_frontend_wtf.wtforms_widgets import GovRadioInput
from govuk_frontend_wtf.wtforms_widgets import GovSubmitInput
from govuk_frontend_wtf.wtforms_widgets import GovTextInput
from wtforms import BooleanField
from wtforms import Field
from wtforms import HiddenField
from wtforms import PasswordField
from wtforms import RadioField
from wtforms import StringField
from wtforms import SubmitField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired
from wtforms.validators import Email
from wtforms.validators import EqualTo
from wtforms.validators import Length
from wtforms.validators import ValidationError

from forum.forms import BaseForm
from forum.forms import PlainLine
from forum.forms import clean_line
from forum.models import CreditPreference
from forum.passwords import MAX_LENGTH as PASSWORD_MAX_LENGTH
from forum.passwords import password_problems
from forum.redirects import only_safe_next

EMAIL_MAX = 254
DISPLAY_NAME_MAX = 100
ORGANISATION_MAX = 150

CREDIT_CHOICES = [
    SelectChoice(CreditPreference.ORGANISATION.value, "Your organisation only"),
    SelectChoice(CreditPreference.NAME_AND_ORGANISATION.value, "Your name and organisation"),
    SelectChoice(CreditPreference.ANONYMOUS.value, "Anonymously"),
]


def _strip(value: Any) -> Any:
    return value.strip() if isinstance(value, str) else value


def _email_field(label: str = "Email address") -> StringField:
    return StringField(label, widget=GovTextInput(), filters=[_strip], validators=[
        DataRequired(message="Enter your email address"),
        Length(max=EMAIL_MAX, message=f"Email address must be {EMAIL_MAX} characters or fewer"),
        Email(message="Enter an email address in the correct format, like name@example.org"),
    ])


class StrongPassword:
    """Refuse short, over-long and guessable passwords (see :mod:`forum.passwords`).

    The form's ``password_context()`` supplies the person's own details (email, name,
    organisation), which a password must not be built from.
    """

    def __call__(self, form: BaseForm, field: Field) -> None:
        context_of = getattr(form, "password_context", None)
        user_inputs = context_of() if callable(context_of) else []
        problems = password_problems(field.data or "", user_inputs)
        if problems:
            raise ValidationError(problems[0])


def _new_password_fields() -> tuple[PasswordField, PasswordField]:
    password = PasswordField("Password", widget=GovPasswordInput(), validators=[
        DataRequired(message="Enter a password"), StrongPassword()])
    confirm = PasswordField("Confirm password", widget=GovPasswordInput(), validators=[
        DataRequired(message="Enter the password again"),
        EqualTo("password", message="The passwords do not match"),
    ])
    return password, confirm


class SignInForm(BaseForm):
    email = StringField("Email address", widget=GovTextInput(), filters=[_strip], validators=[
        DataRequired(message="Enter your email address"),
        Length(max=EMAIL_MAX, message=f"Email address must be {EMAIL_MAX} characters or fewer"),
    ])
    password = PasswordField("Password", widget=GovPasswordInput(), validators=[
        DataRequired(message="Enter your password"),
        Length(max=PASSWORD_MAX_LENGTH, message="Enter a correct email address and password"),
    ])
    remember = BooleanField("Keep me signed in on this device for 30 days",
                            widget=GovCheckboxInput())
    next = HiddenField(filters=[only_safe_next])
    submit = SubmitField("Sign in", widget=GovSubmitInput())


class EmailForm(BaseForm):
    """Just an email address: starting open sign-up, or asking for a password reset link."""

    email = _email_field()
    submit = SubmitField("Continue", widget=GovSubmitInput())


class AccountDetailsForm(BaseForm):
    """Name, organisation and password for a new account (invited or signed up)."""

    display_name = StringField("Your name", widget=GovTextInput(), filters=[clean_line],
                               validators=[
        DataRequired(message="Enter your name"),
        Length(max=DISPLAY_NAME_MAX,
               message=f"Name must be {DISPLAY_NAME_MAX} characters or fewer"),
        PlainLine("Your name"),
    ])
    organisation = StringField("Organisation", widget=GovTextInput(), filters=[clean_line],
                               validators=[
        DataRequired(message="Enter your organisation"),
        Length(max=ORGANISATION_MAX,
               message=f"Organisation must be {ORGANISATION_MAX} characters or fewer"),
        PlainLine("Organisation"),
    ])
    password, confirm_password = _new_password_fields()
    submit = SubmitField("Create account", widget=GovSubmitInput())

    def __init__(self, *args: Any, email: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.email_address = email

    def password_context(self) -> list[str]:
        return [self.email_address, self.display_name.data or "", self.organisation.data or ""]


class _PasswordContextMixin:
    user_inputs: list[str]

    def password_context(self) -> list[str]:
        return self.user_inputs


class ResetPasswordForm(_PasswordContextMixin, BaseForm):
    password, confirm_password = _new_password_fields()
    submit = SubmitField("Change password", widget=GovSubmitInput())

    def __init__(self, *args: Any, user_inputs: list[str] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user_inputs = user_inputs or []


class ChangePasswordForm(_PasswordContextMixin, BaseForm):
    current_password = PasswordField("Current password", widget=GovPasswordInput(), validators=[
        DataRequired(message="Enter your current password")])
    password, confirm_password = _new_password_fields()
    submit = SubmitField("Change password", widget=GovSubmitInput())

    def __init__(self, *args: Any, user_inputs: list[str] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user_inputs = user_inputs or []


class ProfileForm(BaseForm):
    display_name = AccountDetailsForm.display_name
    organisation = AccountDetailsForm.organisation
    not_listed = BooleanField("My organisation is not listed: ask an admin to add it",
                              widget=GovCheckboxInput())
    credit_preference = RadioField(
        "How you are credited if quoted in a guide", widget=GovRadioInput(),
        choices=CREDIT_CHOICES, default=CreditPreference.ORGANISATION.value,
        validators=[DataRequired(message="Choose how you are credited")])
    submit = SubmitField("Save changes", widget=GovSubmitInput())
