"""Forms for starting threads, replying and editing posts."""

from __future__ import annotations

import re
import secrets
from typing import Any

from govuk_frontend_wtf.wtforms_widgets import GovCheckboxesInput
from govuk_frontend_wtf.wtforms_widgets import GovRadioInput
from govuk_frontend_wtf.wtforms_widgets import GovSubmitInput
from govuk_frontend_wtf.wtforms_widgets import GovTextArea
from govuk_frontend_wtf.wtforms_widgets import GovTextInput
from wtforms import HiddenField
from wtforms import RadioField
from wtforms import SelectMultipleField
from wtforms import StringField
from wtforms import SubmitField
from wtforms import TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired

from forum.files.forms import FilesField
from forum.forms import BaseForm
from forum.forms import MaxLength
from forum.forms import PlainLine
from forum.forms import Required
from forum.forms import SharedTextForm
from forum.forms import clean_body
from forum.forms import clean_title
from forum.models import FollowLevel
from forum.models import Post

MARKDOWN_HINT = "You can use Markdown: **bold**, *italic*, lists, links."


SUBMISSION_KEY = re.compile(r"[A-Za-z0-9_-]{16,64}")


def new_submission_key() -> str:
    return secrets.token_urlsafe(18)


def _valid_key(value: Any) -> str | None:
    """A well-formed key, else None (the post is then made without one)."""
    return value if isinstance(value, str) and SUBMISSION_KEY.fullmatch(value) else None


def _submission_key_field() -> HiddenField:
    """The form's one-time key: sending the same form again returns the first post."""
    return HiddenField(default=new_submission_key, filters=[_valid_key])


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


class _PostTextForm(SharedTextForm):
    """Editing a post: a moderator may edit (and approve) it meanwhile, and the author's save
    must not silently replace the moderator's text (nor a retitled thread's title)."""

    shared_field = "body"

    def shared_text(self, record: Post) -> tuple[str | None, ...]:
        return (record.body_source, record.pending_source, record.pending_title,
                record.thread.title if record.is_opening_post else None)


class EditPostForm(_PostTextForm, BaseForm):
    body = TextAreaField("Your post", widget=GovTextArea(), filters=[clean_body],
                         validators=[Required("Enter your post"),
                                     MaxLength("POST_BODY_MAX", "Your post")])
    remove_files = SelectMultipleField("Remove attached files", widget=GovCheckboxesInput(),
                                       coerce=int, choices=[])
    attachments = FilesField("Attach more files (optional)")
    submit = SubmitField("Save changes", widget=GovSubmitInput())
    preview = SubmitField("Preview", widget=GovSubmitInput())


class EditOpeningPostForm(_PostTextForm, BaseForm):
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
