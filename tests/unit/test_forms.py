"""Rules every form class follows."""

from __future__ import annotations

import importlib
import pkgutil

from wtforms import RadioField
from wtforms import SelectField
from wtforms import SelectMultipleField
from wtforms.fields.core import UnboundField

import forum
from forum.forms import BaseForm
from forum.forms import ChoiceSelect
from forum.forms import SharedTextForm


def _all_form_classes() -> list[type[BaseForm]]:
    for module in pkgutil.walk_packages(forum.__path__, "forum."):
        if module.name.endswith(".forms"):
            importlib.import_module(module.name)
    found: list[type[BaseForm]] = []
    pending = [BaseForm]
    while pending:
        cls = pending.pop()
        found.append(cls)
        pending.extend(cls.__subclasses__())
    return found


def test_every_select_is_rendered_without_required():
    """A select marked ``required`` must start with an empty placeholder; ours never do."""
    selects = [
        (cls.__name__, name, value)
        for cls in _all_form_classes() for name, value in vars(cls).items()
        if isinstance(value, UnboundField) and issubclass(value.field_class, SelectField)
        and not issubclass(value.field_class, (RadioField, SelectMultipleField))]
    assert len(selects) >= 5
    for cls_name, name, field in selects:
        assert isinstance(field.kwargs.get("widget"), ChoiceSelect), f"{cls_name}.{name}"


def test_every_shared_text_form_names_the_values_it_guards_and_where_it_says_so():
    """A form several people may edit says itself which stored values a save must not silently
    replace, and on which of its fields the refusal shows: no view lists them by hand."""
    shared = [cls for cls in _all_form_classes() if issubclass(cls, SharedTextForm)]
    assert len(shared) >= 11
    for cls in shared:
        assert cls.shared_text is not SharedTextForm.shared_text, cls.__name__
        field = getattr(cls, "shared_field", None)
        assert isinstance(getattr(cls, field or "", None), UnboundField), cls.__name__
