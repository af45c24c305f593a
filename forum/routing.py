"""URL converters: every number in a URL is one the database can hold."""

from __future__ import annotations

from flask import Flask
from werkzeug.routing import IntegerConverter
from werkzeug.routing import Map

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


def init_app(app: Flask) -> None:
    """Install the converter; call before any blueprint adds its rules."""
    app.url_map.converters["int"] = BoundedIntConverter
