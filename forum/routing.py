"""What a request carries, made safe once: numbers in URLs, and query and form values.

Every number in a URL is one the database can hold, and no query or form value a view reads
holds a NUL or another control character (a NUL ends a string in SQLite's LIKE, so a search
for it matched everyone, and was written raw into the page).
"""

from __future__ import annotations

import re
from typing import IO
from typing import Any

from flask import Flask
from flask import Request
from werkzeug.datastructures import ImmutableMultiDict
from werkzeug.datastructures import MultiDict
from werkzeug.routing import IntegerConverter
from werkzeug.routing import Map
from werkzeug.routing import UnicodeConverter
from werkzeug.utils import cached_property

from forum.files.limits import file_stream

# Ids are SQL INTEGER columns; page and version numbers stay far below this too.
MAX_URL_INT = 2**31 - 1


class BoundedIntConverter(IntegerConverter):
    """``<int:...>`` that matches only 0 to :data:`MAX_URL_INT`.

    A longer number is then a plain 404 at routing, instead of an overflow in the database
    driver (a 500) in whichever view forgot to check it.
    """

    def __init__(self, map: Map, fixed_digits: int = 0, min: int | None = None,
                 max: int | None = MAX_URL_INT, signed: bool = False) -> None:
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)


class PlainStringConverter(UnicodeConverter):
    """``<slug>`` and other strings in a path: no control characters, so no NUL reaches SQL."""

    def __init__(self, map: Map, *args: Any, **kwargs: Any) -> None:
        super().__init__(map, *args, **kwargs)
        # Keep the length part ("{1,}") that UnicodeConverter worked out; narrow the characters.
        self.regex = self.regex.replace("[^/]", "[^/\\x00-\\x1f\\x7f-\\x9f]", 1)


# C0 and C1 control characters, except the tab and line breaks a text area may hold.
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def without_controls(value: str) -> str:
    return _CONTROL.sub("", value)


def _cleaned(values: MultiDict) -> ImmutableMultiDict:
    return ImmutableMultiDict([(without_controls(key), without_controls(value))
                               for key, value in values.items(multi=True)])


class ForumRequest(Request):
    """A request whose ``args`` and ``form`` (and so ``values``) hold no control characters."""

    @cached_property
    def args(self) -> ImmutableMultiDict:  # type: ignore[override]
        return _cleaned(super().args)

    def _get_file_stream(self, total_content_length: int | None, content_type: str | None,
                         filename: str | None = None,
                         content_length: int | None = None) -> IO[bytes]:
        # Each uploaded file keeps only what the upload limit allows (forum.files.limits).
        return file_stream()

    def _load_form_data(self) -> None:
        # Werkzeug stores the parsed form straight into the instance, past any property.
        super()._load_form_data()
        self.__dict__["form"] = _cleaned(self.__dict__["form"])


def init_app(app: Flask) -> None:
    """Install the converter and the request class; call before any blueprint adds its rules."""
    app.url_map.converters["int"] = BoundedIntConverter
    app.url_map.converters["default"] = PlainStringConverter
    app.url_map.converters["string"] = PlainStringConverter
    app.request_class = ForumRequest
