"""Forms for site administration."""

from __future__ import annotations

from govuk_frontend_wtf.wtforms_widgets import GovCheckboxInput
from govuk_frontend_wtf.wtforms_widgets import GovSubmitInput
from govuk_frontend_wtf.wtforms_widgets import GovTextInput
from wtforms import BooleanField
from wtforms import SelectField
from wtforms import StringField
from wtforms import SubmitField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired

from forum.events.forms import WebAddress
from forum.forms import BaseForm
from forum.forms import ChoiceSelect
from forum.forms import MaxChars
from forum.forms import Required
from forum.forms import SharedTextForm
from forum.forms import clean_line
from forum.models import Nation
from forum.models import Organisation
from forum.models import OrganisationKind


class SiteSettingsForm(BaseForm):
    open_signup = BooleanField(
        "Allow open sign-up", widget=GovCheckboxInput(),
        description="When this is ticked, anyone can create an account without an invitation "
                    "and read the sets open to the network. Learning sets stay invite-only "
                    "whatever you choose: nobody joins a set, or reads a private one, without "
                    "an invitation from its facilitator.")
    submit = SubmitField("Save settings", widget=GovSubmitInput())


NO_NATION = ""


class OrganisationForm(SharedTextForm, BaseForm):
    name = StringField("Name", widget=GovTextInput(), filters=[clean_line],
                       validators=[Required("Enter the organisation's name"),
                                   MaxChars(150, "The name")])
    kind = SelectField("Kind", widget=ChoiceSelect(), default=OrganisationKind.OTHER.value,
                       choices=[SelectChoice(k.value, k.label) for k in OrganisationKind],
                       validators=[InputRequired("Choose the kind of organisation")])
    nation = SelectField("Nation", widget=ChoiceSelect(), default=NO_NATION,
                         choices=[SelectChoice(NO_NATION, "Not given")]
                         + [SelectChoice(n.value, n.label) for n in Nation])
    website = StringField("Website (optional)", widget=GovTextInput(),
                          filters=[lambda v: v.strip() if isinstance(v, str) else v],
                          validators=[MaxChars(500, "The address"), WebAddress("The address")])
    submit = SubmitField("Add to the list", widget=GovSubmitInput())
    shared_field = "name"

    def shared_text(self, record: Organisation) -> tuple[str | None, ...]:
        return tuple(self.stored_data(record).values())

    @staticmethod
    def stored_data(record: Organisation) -> dict[str, str | None]:
        """The form's fields as ``record`` holds them (what the edit page opens with)."""
        return {"name": record.name, "kind": record.kind.value,
                "nation": record.nation.value if record.nation else NO_NATION,
                "website": record.website}


class MergeOrganisationForm(BaseForm):
    survivor = SelectField("Merge into", widget=ChoiceSelect(),
                           validators=[InputRequired("Choose the organisation to merge into")])
    submit = SubmitField("Merge", widget=GovSubmitInput())
