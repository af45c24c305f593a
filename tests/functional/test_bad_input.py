"""Bad input on every form and POST route: never a server error, and nothing typed is lost.

The routes come from the route matrix (tests/functional/test_route_matrix.py), which must name
every route the app serves: a new POST route gets a row there, and so is swept here too. Each
is sent awkward values in every field its forms read (at and past the limits, NUL, invisible
and right-to-left characters, huge and negative numbers, impossible dates, duplicated fields,
files and JSON numbers where text is read, other content types, undecodable bytes, ``next``
addresses off the site), by the roles that may use it in turn.
"""

from __future__ import annotations

import json
import re
from io import BytesIO

import pytest
from markupsafe import escape
from sqlalchemy import select
from werkzeug.datastructures import MultiDict

from forum.extensions import db
from forum.forms import BaseForm
from forum.models import Guide
from forum.models import GuideExcerpt
from forum.models import Membership
from forum.models import Thread
from forum.models import User
from forum.permissions import may_post_signed_out
from tests.functional import test_route_matrix as matrix
from tests.page_checks import error_message_problems
from tests.page_checks import off_site

# The route matrix's world (a private set, one person per role, an object behind every URL),
# a copy for each test.
matrix_world = matrix.matrix_world
app = matrix.app
world = matrix.world
ids = matrix.ids

POST_ROWS = [(endpoint, template, expected) for endpoint, method, template, expected
             in matrix.MATRIX if method == "POST"]
SIGNED_IN_ONLY = [row for row in POST_ROWS if not may_post_signed_out(row[0])]

TEXT = "Ours was the *People's Panel* & it\r\ntested well <b>with</b> residents 😀"
KEPT = str(escape("Ours was the *People's Panel* & it"))

# Whoever may use the route: the role whose answer is not a refusal.
PREFERRED_ROLES = ["facilitator", "admin", "member", "moderator", "outsider", "anonymous"]

# Each class of awkward value, sent to every route; where a class has several forms, each
# route gets one of them in turn (by its place in the matrix), so every form is still sent to
# many routes and every route gets every class, in about half the requests of sending each
# form to each route.
AWKWARD = {
    "past the longest limit": ["é" * 50_001],
    "NUL": ["a\x00b"],
    "invisible and right-to-left": ["\u202eabc\u200b e\u0301 \u200f\ufeff"],
    "only spaces": ["   "],
    "markup": ["<script>alert(1)</script> 😀 **x** [a](javascript:x) &amp; <b>"],
    "a number out of range": ["9" * 30, "-1"],
    "a date out of range": ["0000-01-01", "9999-12-31"],
    "no such date": ["2026-02-31", "0000-00-00", "31/02/2026"],
}
TYPED = ("StringField", "TextAreaField", "EmailField", "URLField")
# Free text that, when accepted, must be stored as typed (surrounding spaces aside).
STORED_AS_TYPED = ("invisible and right-to-left", "markup", "past the longest limit")
# Where a ``next`` may point: each must land on this site.
OFF_SITE = ["//evil.example/x", "https://evil.example/", "javascript:alert(1)",
            "/\\evil.example", "\\\\evil.example"]
# A body that is JSON, not a form: numbers, lists and objects where text is read.
NOT_TEXT = [12, [1, {"a": 2}], None]


def in_turn(forms: list, turn: int):
    """One form of a class of awkward value: a different one for each route in turn."""
    return forms[turn % len(forms)]


def _stored_text(app) -> set[str]:
    """Every string held in every table."""
    with app.app_context():
        return {value for table in db.metadata.sorted_tables
                for row in db.session.execute(table.select()).all()
                for value in row if isinstance(value, str)}


def _user_roles(expected: dict[str, int]) -> list[str]:
    """Everyone who may use the route, the likeliest user first."""
    return [role for role in PREFERRED_ROLES if expected[role] in (200, 302, 303)]



@pytest.mark.parametrize(("endpoint", "template", "expected"), SIGNED_IN_ONLY,
                         ids=[template for _, template, _ in SIGNED_IN_ONLY])
def test_a_signed_out_post_gets_the_sign_in_page_keeping_the_text(client, world, ids, endpoint,
                                                                  template, expected):
    # Signed out mid-post (the session expired): whatever the address, existing or not, in a
    # private set or not, the answer is the sign-in page carrying what was written.
    missing = {name: ("no-such-thing" if isinstance(value, str) else 999_999)
               for name, value in ids.items()}
    for url in (template.format(**ids), template.format(**missing)):
        response = client.post(url, data={"body": TEXT, "title": "Naming"})
        page = response.get_data(as_text=True)
        assert response.status_code == 401, (url, response.status_code)
        assert 'name="carried-body"' in page and KEPT in page, url
        assert 'name="carried-title" value="Naming"' in page, url


def _form_fields(app, client, url, monkeypatch) -> dict[str, str]:
    """The fields (name: WTForms class) of the forms a POST to ``url`` validates."""
    validated: list[BaseForm] = []
    validate = BaseForm.validate

    def spy(form, *args, **kwargs):
        validated.append(form)
        return validate(form, *args, **kwargs)

    monkeypatch.setattr(BaseForm, "validate", spy)
    client.post(url, data={})
    monkeypatch.setattr(BaseForm, "validate", validate)
    return {field.name: type(field).__name__ for form in validated for field in form
            if field.name != "csrf_token"}


def _lost(page: str, fields: dict[str, str], value: str) -> list[str]:
    """Typed fields whose value a re-shown form no longer holds (NUL aside: never kept)."""
    value = value.replace("\x00", "")
    shown = {str(escape(value)), str(escape(value.strip()))}
    return [name for name, kind in fields.items()
            if kind in TYPED and not any(text in page for text in shown)]


ROWS_WITH_A_USER = [row for row in POST_ROWS if _user_roles(row[2])]
ROW_NUMBER = {template: number for number, (_, template, _) in enumerate(ROWS_WITH_A_USER)}


@pytest.mark.parametrize(("endpoint", "template", "expected"), ROWS_WITH_A_USER,
                         ids=[template for _, template, _ in ROWS_WITH_A_USER])
def test_awkward_values_never_fail_and_a_refused_form_keeps_them(app, client, world, ids,
                                                                 monkeypatch, endpoint,
                                                                 template, expected):
    # The roles that may use it take turns, the likeliest user first.
    roles = _user_roles(expected)
    user = world.user(roles[0])
    url = template.format(**ids)

    def post(target: str = url, **kwargs):
        client.sign_out()
        if user is not None:
            client.sign_in_as(user)
        response = client.post(target, **kwargs)
        response.get_data()
        response.close()
        return response

    if user is not None:
        client.sign_in_as(user)
    # Routes with no form (buttons) still get a field, to show they ignore it.
    fields = _form_fields(app, client, url, monkeypatch) or {"body": "button"}
    wrong = []
    row = ROW_NUMBER[template]
    for turn, (name, forms) in enumerate(AWKWARD.items()):
        value = in_turn(forms, row)
        user = world.user(roles[turn % len(roles)])
        before = _stored_text(app) if name in STORED_AS_TYPED else set()
        response = post(data=dict.fromkeys(fields, value))
        page = response.get_data(as_text=True)
        if response.status_code >= 500:
            wrong.append(f"{name} {value[:20]!r}: {response.status_code}")
        elif (response.status_code == 200 and 'class="govuk-error-summary' in page
              and (lost := _lost(page, fields, value))):
            wrong.append(f"{name}: a refused form lost {lost}")
        elif response.status_code in (302, 303) and name in STORED_AS_TYPED:
            new = "\n".join(_stored_text(app) - before)  # nothing new: nothing was done
            # Text past a limit is refused with a message, never cut to fit.
            kinds = TYPED if name == "past the longest limit" else ("TextAreaField",)
            if new and (changed := [field for field, kind in fields.items()
                                    if kind in kinds and value.strip() not in new]):
                wrong.append(f"{name}: accepted, but {changed} not stored as typed")
    user = world.user(roles[0])
    for target in [in_turn(OFF_SITE, row)]:
        response = post(f"{url}?next={target}", data={**dict.fromkeys(fields, "Fine"),
                                                      "next": target})
        if response.status_code >= 500 or off_site(response.headers.get("Location", "")):
            wrong.append(f"next={target}: {response.status_code} {response.location}")
    token = client.csrf_token()
    # A file where text is read, and a file of nothing.
    for file_name, content in [in_turn([("notes.txt", b"Some notes"), ("empty.pdf", b"")],
                                       row)]:
        files = MultiDict([(name, (BytesIO(content), file_name)) for name in fields]
                          + [("csrf_token", token)])
        response = post(data=files, content_type="multipart/form-data", csrf=False)
        if response.status_code >= 500:
            wrong.append(f"a file {file_name} in each field: {response.status_code}")
    # Bodies that are not the form: each class in one of its forms.
    raw = [("application/x-www-form-urlencoded",  # a lone surrogate and bytes that are no UTF-8
            "&".join(f"{name}=%ED%A0%80x%FF%zz" for name in fields) + f"&csrf_token={token}"),
           ("application/json", in_turn(  # JSON that is not text where text is read
               [json.dumps(dict.fromkeys(fields, value)) for value in NOT_TEXT]
               + [json.dumps(dict.fromkeys(fields, "x")), "[1, 2]"], row)),
           ("application/json", "{not json"),
           ("text/plain", "hello"),
           in_turn([("multipart/form-data; boundary=xx", ""),
                    ("multipart/form-data", "--xx--")], row)]
    for content_type, body in raw:
        # Undecodable bytes in the address too.
        response = post(f"{url}?next=%ED%A0%80&page=%FF", data=body.encode(),
                        content_type=content_type, csrf=False)
        if response.status_code >= 500:
            wrong.append(f"{content_type}: {response.status_code}")
    twice = MultiDict([(name, value) for name in fields for value in ("first", "9" * 30)]
                      + [("csrf_token", token)])
    if (response := post(data=twice, csrf=False)).status_code >= 500:
        wrong.append(f"each field twice: {response.status_code}")
    assert wrong == [], f"{endpoint} {url}:\n" + "\n".join(wrong)


def _opening_id(app, world) -> int:
    with app.app_context():
        return db.session.get(Thread, world.thread.id).posts[0].id


def _unsent(page: str) -> list[str]:
    return re.findall(r'<textarea[^>]*readonly[^>]*>\s*(.*?)</textarea>', page, re.S)


def test_a_reply_to_a_thread_locked_meanwhile_says_so_and_shows_the_text(app, client, world):
    opening = _opening_id(app, world)
    client.sign_in_as(world.moderator)
    client.post(f"/moderation/threads/{world.thread.id}/lock")
    client.sign_in_as(world.member)
    response = client.post(f"/posts/{opening}/reply", data={"body": TEXT})
    page = response.get_data(as_text=True)
    assert response.status_code == 403
    assert "This thread has been locked, so no one can reply until a moderator unlocks it." \
        in page
    assert "What you wrote has not been sent" in page
    assert any(KEPT in text for text in _unsent(page))


def test_a_post_after_losing_membership_shows_the_text_not_only_page_not_found(app, client,
                                                                               world):
    opening = _opening_id(app, world)
    with app.app_context():
        db.session.delete(db.session.scalar(select(Membership).where(
            Membership.user_id == world.member.id)))
        db.session.commit()
    client.sign_in_as(world.member)
    for url, data in ((f"/posts/{opening}/reply", {"body": TEXT}),
                      ("/sets/comms/threads/new", {"title": "Naming", "body": TEXT})):
        response = client.post(url, data=data)
        page = response.get_data(as_text=True)
        assert response.status_code == 404, url
        assert any(KEPT in text for text in _unsent(page)), url


def test_the_error_page_shows_no_password_token_or_hidden_field(app, client, world):
    client.sign_in_as(world.member)
    response = client.post("/posts/999999/reply", data={
        "body": "Mine", "password": "hunter2", "parent_id": "77", "next": "/x"})
    page = response.get_data(as_text=True)
    assert response.status_code == 404
    assert _unsent(page) == ["Mine"]
    assert "hunter2" not in page


def test_a_get_shows_no_unsent_text(app, client, world):
    with app.app_context():
        assert db.session.get(User, world.member.id) is not None
    client.sign_in_as(world.member)
    page = client.get("/posts/999999/reply?body=Mine").get_data(as_text=True)
    assert "has not been sent" not in page


# Text several people may edit: (address, the field typed in, the field the message is on,
# other fields to send, who edits first). The second editor is always an admin.
SHARED_TEXT = [
    ("/sets/{slug}/meetings/{meeting}/notes", "notes", "notes", {}, "facilitator"),
    ("/sets/{slug}/meetings/{meeting}/edit", "agenda", "agenda",
     {"title": "Set meeting 3", "day": "2031-02-03", "starts": "10:00", "ends": "12:00",
      "online_url": "https://meet.example.org/comms", "place": ""}, "facilitator"),
    ("/privacy/edit", "body", "body", {}, "admin"),
    ("/sets/{slug}/guides/{guide}/sections/{guide_section}/edit", "introduction",
     "introduction", {"title": "Getting started"}, "facilitator"),
    # The body: the excerpt's own (a trim of its post).
    ("/sets/{slug}/guides/{guide}/excerpts/{guide_excerpt}/edit", "note", "body",
     {"body": None, "credit": "anonymous"}, "facilitator"),
    ("/events/{event}/edit", "description", "description",
     {"kind": "workshop", "title": "Set workshop", "day": "2031-01-01", "starts": "10:00",
      "ends": "12:00", "place": "", "online_url": "", "audience": "network",
      "signup_open": "y", "capacity": ""}, "admin"),
    ("/sets/{slug}/settings", "purpose", "purpose",
     {"name": "Comms leads", "visibility": "private"}, "facilitator"),
    # The threads: the guide's own.
    ("/sets/{slug}/guides/{guide}/settings", "introduction", "introduction",
     {"title": "Winning over cabinet", "subtitle": "", "licence": "cc-by-4.0",
      "threads": None}, "facilitator"),
    ("/admin/organisations/{organisation}/edit", "name", "name",
     {"kind": "london_borough", "nation": "", "website": ""}, "admin"),
    # The holder closes their challenge while a facilitator (here an admin) closes it too.
    ("/threads/{challenge_thread}/challenge-status", "closing_summary", "closing_summary",
     {"status": "closed"}, "member"),
]
OPENED_FROM = re.compile(r'name="opened_from" type="hidden" value="([0-9a-f]*)"')


@pytest.mark.parametrize(("template", "field", "error_field", "others", "editor"), SHARED_TEXT,
                         ids=[row[0] for row in SHARED_TEXT])
def test_a_save_over_someone_elses_change_is_refused_with_the_text_kept(
        app, client, world, ids, template, field, error_field, others, editor):
    url = template.format(**ids)
    if others is not None and "body" in others:
        with app.app_context():
            others = {**others, "body": db.session.get(GuideExcerpt, ids["guide_excerpt"])
                      .body_source}
    if "threads" in others:
        with app.app_context():
            others = {**others, "threads": [thread.id for thread in db.session.get(
                Guide, ids["guide"]).threads]}
    client.sign_in_as(getattr(world, editor))
    opened = OPENED_FROM.search(client.get(url).get_data(as_text=True))
    assert opened and opened.group(1), "the form carries the text it was opened with"
    other = app.test_client()
    other.sign_in_as(world.admin)
    theirs = "Their change, saved first."
    assert other.post(url, data={**others, field: theirs}).status_code == 302
    mine = "My longer change\r\nwith a second line."
    response = client.post(url, data={**others, field: mine,
                                      "opened_from": opened.group(1)})
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Someone else saved a change to this while you were editing" in page
    assert f'href="#{error_field}"' in page  # the error summary links to the text
    assert error_message_problems(page) == []  # ...and the message is read with its field
    # (A one-line field, a name, keeps the text on one line.)
    assert any(str(escape(kept)) in page for kept in (
        mine, "My longer change\nwith a second line.", "My longer change with a second line."))
    assert theirs in "\n".join(_stored_text(app))
    # Saving again, having been told, replaces their text with mine.
    again = OPENED_FROM.search(page).group(1)
    assert client.post(url, data={**others, field: mine,
                                  "opened_from": again}).status_code == 302
    assert "My longer change" in "\n".join(_stored_text(app))


# The hidden fields of the app's forms (not the sender's words): the text a shared form was
# opened with, a moderator's copy of the original post, the one-time key of a reply, when a
# request form was started, a guide's move and decision buttons, the queue's post versions.
HIDDEN_FIELDS = {"opened_from": "fp0123456789abcdef", "original": "Original words of a post",
                 "version": "4", "submission_key": "k" * 32, "started": "1733350000",
                 "direction": "up", "decision": "accept", "version-7": "3"}


def test_the_error_page_and_the_kept_text_show_no_hidden_field_of_any_form(app, client,
                                                                           world):
    client.sign_in_as(world.member)
    response = client.post("/posts/999999/reply", data={"body": "Mine", **HIDDEN_FIELDS})
    page = response.get_data(as_text=True)
    assert response.status_code == 404
    assert _unsent(page) == ["Mine"]
    for value in HIDDEN_FIELDS.values():
        assert f">{value}<" not in page and f"> {value}" not in page, value
    # Not kept by any cache: the page holds what the sender wrote.
    assert "no-store" in response.headers.get("Cache-Control", "")


def test_a_refused_post_says_which_attached_files_were_not_kept(app, client, world):
    """A page can keep text, not files: the sign-in page (a post sent signed out) and the
    error page name the files to attach again instead of dropping them silently; neither
    page is kept by a cache."""
    from io import BytesIO

    opening = _opening_id(app, world)

    def send(url: str):
        return client.post(url, content_type="multipart/form-data", data={
            "body": "Mine", "attachments": (BytesIO(b"a,b\n1,2\n"), "turnout-figures.csv")})

    signed_out = send(f"/posts/{opening}/reply")
    page = signed_out.get_data(as_text=True)
    assert signed_out.status_code == 401
    assert "it has been kept" in page
    assert "The files you attached were not kept: <bdi>turnout-figures.csv</bdi>" in page
    assert "no-store" in signed_out.headers.get("Cache-Control", "")
    client.sign_in_as(world.member)
    refused = send("/posts/999999/reply")
    page = refused.get_data(as_text=True)
    assert refused.status_code == 404 and _unsent(page) == ["Mine"]
    assert "The files you attached were not sent either: <bdi>turnout-figures.csv</bdi>" in page


SCHEDULES = [
    ("/events/new", "admin", {"kind": "workshop", "place": "Town hall", "online_url": "",
                              "audience": "network", "signup_open": "y", "capacity": ""}),
    ("/sets/{slug}/meetings/new", "facilitator", {"online_url": "https://meet.example.org/a",
                                                  "place": "", "agenda": "Actions"}),
]


@pytest.mark.parametrize("day", ["0001-01-01", "9999-12-31"])
@pytest.mark.parametrize(("template", "role", "others"), SCHEDULES,
                         ids=[row[0] for row in SCHEDULES])
def test_a_date_in_a_far_year_is_refused_with_the_text_kept(app, client, world, ids, template,
                                                            role, others, day):
    # Each day and time is real, so each field alone passes; an event at midnight on
    # 1 January of year 1 (UTC) was saved, and every page showing it was a server error.
    client.sign_in_as(getattr(world, role))
    before = _stored_text(app)
    response = client.post(template.format(**ids), data={
        **others, "title": "Far away", "day": day, "starts": "00:00", "ends": "00:30"})
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Enter a date in the years 1901 to 2999" in page
    assert f'value="{day}"' in page and 'value="Far away"' in page
    assert _stored_text(app) == before
    assert client.get("/search?q=Far").status_code == 200
