"""Keeping what someone wrote when their sign-in expired before they pressed send.

A POST from a signed-out visitor to a page that needs an account is answered with the sign-in
page, carrying the posted fields as hidden inputs. After signing in, the visitor sees those
fields again in a form that posts to the original address, so nothing is lost or sent unseen.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from werkzeug.datastructures import MultiDict
from wtforms import Form
from wtforms import HiddenField
from wtforms.fields.core import UnboundField

CARRIED_PREFIX = "carried-"
MAX_CARRIED_FIELDS = 50
LONG_VALUE = 80
# Never echo secrets back into a page: CSRF tokens are renewed, passwords are retyped.
_SECRET_NAME = re.compile(r"csrf|pass|secret|token", re.IGNORECASE)
# (and the queue's hand-written version-<post id> of each post it lists)
_HIDDEN_NAME = re.compile(r"(^|_)id$|^submit$|^next$|^version-\d+$", re.IGNORECASE)


def hidden_field_names() -> frozenset[str]:
    """The names of every hidden field of the app's forms (a fingerprint of the text a form
    was opened with, a moderator's copy of the original post, a one-time submission key...).

    Read from the form classes themselves, not guessed from the names: such a field is sent
    back as it came, never shown as something the sender wrote. Walked on each call, so a form
    class made later (inside a function) is included too.
    """
    names: set[str] = set()
    seen: set[type] = set()
    stack: list[type] = [Form]
    while stack:
        form_class = stack.pop()
        if form_class in seen:
            continue
        seen.add(form_class)
        stack.extend(form_class.__subclasses__())
        for klass in form_class.__mro__:  # mixins (SharedTextForm's opened_from) included
            for name, value in vars(klass).items():
                if isinstance(value, UnboundField) and issubclass(value.field_class,
                                                                  HiddenField):
                    names.add(name)
    return frozenset(names)


@dataclass(frozen=True)
class CarriedField:
    name: str
    value: str

    @property
    def kind(self) -> str:
        """``hidden``, ``textarea`` or ``text``: how the resume page shows this field."""
        if _HIDDEN_NAME.search(self.name) or self.name in hidden_field_names():
            return "hidden"
        if "\n" in self.value or len(self.value) > LONG_VALUE:
            return "textarea"
        return "text"

    @property
    def label(self) -> str:
        words = re.sub(r"[_\-]+", " ", self.name).strip()
        return words[:1].upper() + words[1:] if words else "Field"


MAX_DROPPED_FILES = 20


def dropped_files(files: MultiDict) -> list[str]:
    """The names of the files a refused form carried: a page can keep text, not files, so it
    says which ones to attach again instead of losing them silently."""
    names = [upload.filename for upload in files.values() if getattr(upload, "filename", "")]
    return names[:MAX_DROPPED_FILES]


def fields_to_carry(form: MultiDict[str, str]) -> list[CarriedField]:
    """The posted fields worth keeping, without secrets."""
    fields = [CarriedField(name, value) for name, value in form.items(multi=True)
              if not _SECRET_NAME.search(name)]
    return fields[:MAX_CARRIED_FIELDS]


def carried_in_sign_in(form: MultiDict[str, str]) -> list[CarriedField]:
    """The carried fields that came back with a sign-in attempt."""
    return fields_to_carry(MultiDict(
        [(name[len(CARRIED_PREFIX):], value) for name, value in form.items(multi=True)
         if name.startswith(CARRIED_PREFIX)]))
