"""The Actions page's filter: read from the query string (a filter changes nothing)."""

from __future__ import annotations

from wtforms import SelectField
from wtforms.fields.choices import SelectChoice

from forum.actions.states import ActionStatus
from forum.forms import BaseForm
from forum.forms import ChoiceSelect


class ActionFilterForm(BaseForm):
    class Meta:
        csrf = False

    holder = SelectField("Member", widget=ChoiceSelect(), validate_choice=False)
    status = SelectField("State", widget=ChoiceSelect(), validate_choice=False,
                         choices=[SelectChoice("", "All states")] + [
                             SelectChoice(status.value, status.label) for status in ActionStatus])

    def chosen_status(self) -> ActionStatus | None:
        """The state asked for, or ``None`` for all (anything unknown counts as all)."""
        try:
            return ActionStatus(self.status.data) if self.status.data else None
        except ValueError:
            return None

    def chosen_holder(self, holder_ids: set[int]) -> int | None:
        """The member asked for, if they hold an action here (anything else: everyone)."""
        value = self.holder.data or ""
        if value.isdigit() and len(value) < 10 and int(value) in holder_ids:
            return int(value)
        return None
