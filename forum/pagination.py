"""The page number a list was asked for, read the same way by every paginated view, and the
page links drawn under a list."""

from __future__ import annotations

import threading
from collections import OrderedDict

from flask import current_app
from flask import request
from markupsafe import Markup

# Far beyond any real list, and small enough that (page - 1) * per_page fits the database.
MAX_PAGE = 1_000_000


def requested_page() -> int:
    """``?page=`` as a number from 1 to :data:`MAX_PAGE`; anything else reads as page 1."""
    page = request.args.get("page", 1, type=int)
    return page if 1 <= page <= MAX_PAGE else 1


# Drawn page links kept per app in each process, least recently drawn first. One entry is a
# list's links for one page (about 1.5 KB of HTML), so the bound keeps at most about 0.4 MB.
KEPT_PAGERS = 256
_pagers_lock = threading.Lock()


def kept_pagination(page: int, pages: int, endpoint: str, url_values: dict,
                    label: str) -> Markup:
    """The page links of ``templates/main/_pagination.html`` (``draw_pagination``), drawn once
    per list, page and address and then reused: drawing them (seven addresses built, GOV.UK's
    macro) took about 1.2 ms, a third of a set page's time. They name no person and hold no
    text but the addresses', so every reader of the same page of the same list is given the
    same links."""
    module = current_app.jinja_env.get_template("main/_pagination.html").module
    key = (request.script_root, endpoint, tuple(sorted(url_values.items())), page, pages,
           label)
    try:
        hash(key)
    except TypeError:  # a value that is a list, say: drawn each time
        return Markup(module.draw_pagination(page, pages, endpoint, url_values, label))
    with _pagers_lock:
        kept: OrderedDict[tuple, Markup] = current_app.extensions.setdefault(
            "kept_pagers", OrderedDict())
        drawn = kept.get(key)
        if drawn is not None:
            kept.move_to_end(key)
            return drawn
    drawn = Markup(module.draw_pagination(page, pages, endpoint, url_values, label))
    with _pagers_lock:
        kept[key] = drawn
        while len(kept) > KEPT_PAGERS:
            kept.popitem(last=False)
    return drawn
