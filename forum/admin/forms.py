"""Forms for site administration."""

from __future__ import annotations

from govuk_frontend_wtf.wtforms_widgets import GovCheckboxInput
from govuk_frontend_wtf.wtforms_widgets import GovSubmitInput
from wtforms import BooleanField
from wtforms import SubmitField

from forum.forms import BaseForm


class SiteSettingsForm(BaseForm):
    open_signup = BooleanField(
        "Allow open sign-up", widget=GovCheckboxInput(),
        description="When this is ticked, anyone can create an account without an invitation "
                    "and read the sets open to the network. Learning sets stay invite-only "
                    "whatever you choose: nobody joins a set, or reads a private one, without "
                    "an invitation from its facilitator.")
    submit = SubmitField("Save settings", widget=GovSubmitInput())
