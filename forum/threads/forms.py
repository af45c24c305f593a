"""Forms for starting threads, replying and editing posts."""

from __future__ import annotations

import re
import secrets
from typing import Any

from flask import current_app
from govuk_frontend_wtf.wtforms_widgets import GovCheckboxesInput
from govuk_frontend_wtf.wtforms_widgets import GovRadioInput
from govuk_frontend_wtf.wtforms_widgets import GovSubmitInput
from govuk_frontend_wtf.wtforms_widgets import GovTextArea
from govuk_frontend_wtf.wtforms_widgets import GovTextInput
from wtforms import Field
from wtforms import Form
from wtforms import HiddenField
from wtforms import RadioField
from wtforms import SelectMultipleField
from wtforms import StringField
from wtforms import SubmitField
from wtforms import TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired
from wtforms.validators import StopValidation

from forum.files.forms import FilesField
from forum.forms import BaseForm
from forum.forms import PlainLine
from forum.forms import clean_line
from forum.models import FollowLevel

MARKDOWN_HINT = "You can use Markdown: **bold**, *italic*, lists, links."


def clean_text(value: Any) -> Any:
    """Drop NUL characters (no database can store them) and use \\n line endings."""
    if not isinstance(value, str):
        return value
    return value.replace("\x00", "").replace("\r\n", "\n").replace("\r", "\n")


# A title is one line: see forum.forms.clean_line.
clean_title = clean_line


def clean_body(value: Any) -> Any:
    value = clean_text(value)
    return value.rstrip() if isinstance(value, str) else value


SUBMISSION_KEY = re.compile(r"[A-Za-z0-9_-]{16,64}")


def new_submission_key() -> str:
    return secrets.token_urlsafe(18)


def _valid_key(value: Any) -> str | None:
    """A well-formed key, else None (the post is then made without one)."""
    return value if isinstance(value, str) and SUBMISSION_KEY.fullmatch(value) else None


def _submission_key_field() -> HiddenField:
    """The form's one-time key: sending the same form again returns the first post."""
    return HiddenField(default=new_submission_key, filters=[_valid_key])


class Required:
    """Refuse an empty or whitespace-only value with a plain message."""

    def __init__(self, message: str) -> None:
        self.message = message
        self.field_flags = {"required": True}

    def __call__(self, form: Form, field: Field) -> None:
        if not (field.data or "").strip():
            field.errors[:] = []
            raise StopValidation(self.message)


class MaxLength:
    """Refuse text longer than a configured limit, saying the limit and the current length."""

    def __init__(self, config_key: str, what: str) -> None:
        self.config_key = config_key
        self.what = what

    def __call__(self, form: Form, field: Field) -> None:
        limit = int(current_app.config[self.config_key])
        length = len(field.data or "")
        if length > limit:
            raise StopValidation(
                f"{self.what} must be {limit:,} characters or fewer (it has {length:,})")


def _title_field() -> StringField:
    return StringField("Title", widget=GovTextInput(), filters=[clean_title],
                        validators=[Required("Enter a title"),
                                    MaxLength("THREAD_TITLE_MAX", "Title"), PlainLine("Title")])


class NewThreadForm(BaseForm):
    submission_key = _submission_key_field()
    title = _title_field()
    body = TextAreaField("Your post", widget=GovTextArea(), filters=[clean_body],
                         validators=[Required("Enter your post"),
                                     MaxLength("POST_BODY_MAX", "Your post")])
    attachments = FilesField("Attach files (optional)")
    submit = SubmitField("Start thread", widget=GovSubmitInput())
    preview = SubmitField("Preview", widget=GovSubmitInput())


class ReplyForm(BaseForm):
    submission_key = _submission_key_field()
    body = TextAreaField("Your reply", widget=GovTextArea(), filters=[clean_body],
                         validators=[Required("Enter your reply"),
                                     MaxLength("POST_BODY_MAX", "Your reply")])
    attachments = FilesField("Attach files (optional)")
    submit = SubmitField("Post reply", widget=GovSubmitInput())
    preview = SubmitField("Preview", widget=GovSubmitInput())


class EditPostForm(BaseForm):
    body = TextAreaField("Your post", widget=GovTextArea(), filters=[clean_body],
                         validators=[Required("Enter your post"),
                                     MaxLength("POST_BODY_MAX", "Your post")])
    remove_files = SelectMultipleField("Remove attached files", widget=GovCheckboxesInput(),
                                       coerce=int, choices=[])
    attachments = FilesField("Attach more files (optional)")
    submit = SubmitField("Save changes", widget=GovSubmitInput())
    preview = SubmitField("Preview", widget=GovSubmitInput())


class EditOpeningPostForm(BaseForm):
    """Editing a thread's opening post also lets the author retitle the thread."""

    title = _title_field()
    body = TextAreaField("Your post", widget=GovTextArea(), filters=[clean_body],
                         validators=[Required("Enter your post"),
                                     MaxLength("POST_BODY_MAX", "Your post")])
    remove_files = SelectMultipleField("Remove attached files", widget=GovCheckboxesInput(),
                                       coerce=int, choices=[])
    attachments = FilesField("Attach more files (optional)")
    submit = SubmitField("Save changes", widget=GovSubmitInput())
    preview = SubmitField("Preview", widget=GovSubmitInput())


class FollowForm(BaseForm):
    """How much the member hears about one thread."""

    level = RadioField(
        "Tell me about this thread", widget=GovRadioInput(),
        choices=[SelectChoice(level.value, level.label) for level in FollowLevel],
        validators=[InputRequired(message="Choose what to hear about this thread")])
    submit = SubmitField("Save", widget=GovSubmitInput())
