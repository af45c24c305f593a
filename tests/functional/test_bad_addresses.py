"""Hostile addresses on every page: never a server error, never a redirect to another site.

Every GET route of the route matrix (which must name every route the app serves) is asked,
by the roles that may open it in turn, with awkward values in every query parameter its view
reads (found by watching which ones it reads), and with awkward values in place of each part
of its path. The POST routes get the same values in their fields in test_bad_input.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

import pytest
from werkzeug.datastructures import ImmutableMultiDict

from forum import routing
from forum.extensions import db
from forum.models import Event
from forum.models import EventAudience
from forum.models import EventKind
from tests import factories
from tests.conftest import ROLE_NAMES
from tests.functional import test_route_matrix as matrix
from tests.functional.test_bad_input import in_turn
from tests.page_checks import off_site

matrix_world = matrix.matrix_world
app = matrix.app
world = matrix.world
ids = matrix.ids

# Already percent-encoded: sent in the query string as they are. Each class of value goes to
# every route; of a class's several forms each route gets one in turn (see test_bad_input).
AWKWARD = {
    "empty": [""],
    "only spaces": ["%20%20%09"],
    "NUL": ["a%00b"],
    "a lone surrogate and bytes that are no UTF-8": ["%ED%A0%80x%FF%C0%AF"],
    "right-to-left and zero-width": ["%E2%80%AEabc%E2%80%8B"],
    "a number out of range": ["9" * 30, "-1"],
    "a date out of range or impossible": ["0000-00-00", "9999-12-31", "31%2F02%2F2026"],
    "long text": ["é" * 4000],
    "another site": ["%2F%2Fevil.example%2Fx", "javascript%3Aalert(1)"],
    "search syntax": ["%22abc%20NEAR(%20*%3A"],
}
PATH_VALUES = [["1" + "0" * 30, "-1"], ["%ED%A0%80%FF"], ["x" * 3000], ["%E2%80%AE"]]
GET_ROWS = [row for row in matrix.MATRIX if row[1] == "GET"]
ROW_NUMBER = {row[2]: number for number, row in enumerate(GET_ROWS)}


def _may_open(expected: dict[str, int]) -> list[str]:
    return [role for role in ROLE_NAMES if expected[role] == 200] or ["admin"]


class _Watched(ImmutableMultiDict):
    """Query values that note each name a view asks for."""

    read: set[str] = set()

    def get(self, key: Any, *args: Any, **kwargs: Any) -> Any:
        self.read.add(key)
        return super().get(key, *args, **kwargs)

    def __getitem__(self, key: Any) -> Any:
        self.read.add(key)
        return super().__getitem__(key)

    def getlist(self, key: Any, *args: Any, **kwargs: Any) -> list:
        self.read.add(key)
        return super().getlist(key, *args, **kwargs)

    def __contains__(self, key: object) -> bool:
        self.read.add(str(key))
        return super().__contains__(key)



@pytest.mark.parametrize(("endpoint", "template", "expected"),
                         [row[0:1] + row[2:] for row in GET_ROWS],
                         ids=[row[2] for row in GET_ROWS])
def test_awkward_query_values_and_paths_never_fail_or_leave_the_site(
        client, world, ids, monkeypatch, endpoint, template, expected):
    path = template.format(**ids).partition("?")[0]
    roles = _may_open(expected)

    def get(url: str, role: str):
        client.sign_out()
        if world.user(role) is not None:
            client.sign_in_as(world.user(role))
        response = client.get(url)
        response.get_data()
        response.close()
        return response

    # The names the view reads: those asked for with none sent, then with those sent (a
    # view may read one only when another is there).
    cleaned = routing._cleaned
    monkeypatch.setattr(routing, "_cleaned", lambda values: _Watched(cleaned(values)))
    names = {"page", "next"}
    for _ in range(3):
        _Watched.read = set()
        get(f"{path}?" + "&".join(f"{name}=1" for name in sorted(names)), roles[-1])
        if _Watched.read <= names:
            break
        names |= _Watched.read
    monkeypatch.setattr(routing, "_cleaned", cleaned)
    names.discard("csrf_token")

    wrong = []
    row = ROW_NUMBER[template]
    for turn, (label, forms) in enumerate(AWKWARD.items()):
        value = in_turn(forms, row)
        role = roles[turn % len(roles)]
        response = get(f"{path}?" + "&".join(f"{name}={value}" for name in sorted(names)), role)
        if response.status_code >= 500 or off_site(response.headers.get("Location", "")):
            wrong.append(f"{role}, {label} {value[:20]!r}: {response.status_code} "
                         f"{response.headers.get('Location', '')}")
    twice = "&".join(f"{name}=1&{name}=x&{name}[]=2" for name in sorted(names))
    if (response := get(f"{path}?{twice}", roles[0])).status_code >= 500:
        wrong.append(f"each value twice: {response.status_code}")
    for part in re.findall(r"{(\w+)}", template):
        for value in (in_turn(forms, row) for forms in PATH_VALUES):
            url = template.format(**{**ids, part: value}).partition("?")[0]
            if (response := get(url, "admin")).status_code >= 500:
                wrong.append(f"{{{part}}} as {value[:20]}: {response.status_code}")
    assert wrong == [], f"{template} (reads {sorted(names)}):\n" + "\n".join(wrong)


@pytest.mark.parametrize("page", ["1" + "0" * 30, "-1", "1e3", "%ED%A0%80"])
def test_a_very_long_address_or_page_number_is_answered_plainly(client, world, page):
    client.sign_in_as(world.member)
    assert client.get("/" + "a/" * 4000).status_code == 404
    assert client.get(f"/sets/comms/?page={page}").status_code == 200


def test_a_long_search_is_searched_for_whole_and_kept_in_its_box(app, client, world):
    # Each name is as long as its column allows; the search is that and one more character,
    # so it matches nothing. A search cut to a length found them (and the main search showed
    # the cut text in its box, with a count of the cut text).
    with app.app_context():
        factories.make_user(display_name="b" * 100)
        title = "Workshop " + "t" * 191
        db.session.add(Event(kind=EventKind.WORKSHOP, title=title, audience=EventAudience.NETWORK,
                             starts_at=datetime(2020, 1, 1, 10), ends_at=datetime(2020, 1, 1, 12)))
        db.session.commit()
    client.sign_in_as(world.admin)
    people = client.get("/admin/", query_string={"q": "b" * 101}).get_data(as_text=True)
    assert "Nobody matches" in people and f'value="{"b" * 101}"' in people
    events = client.get("/events/archive", query_string={"q": title + "!"}).get_data(as_text=True)
    assert "No past events match." in events and f'value="{title}!"' in events
    words = "word " * 199 + "words"
    found = client.get("/search", query_string={"q": words}).get_data(as_text=True)
    assert "Search for 200 characters or fewer (this has 1,000)." in found
    assert f'value="{words}"' in found
