"""Names, organisations and titles: one rule for every form that takes one.

Text is normalised (NFC, one line); control and invisible formatting characters are refused
with a message and the text kept; and names are isolated on the page so they cannot reorder
the text around them.
"""

from __future__ import annotations

import html
import unicodedata

import pytest
from sqlalchemy import func
from sqlalchemy import select

from forum.auth import invitations
from forum.extensions import db
from forum.models import Guide
from forum.models import LearningSet
from forum.models import Role
from forum.models import Thread
from forum.models import User
from forum.text import line_problem

RLO = "\u202e"
PASSWORD = "lantern orchard pebble 42"


def _invite(app, world) -> str:
    with app.app_context():
        _, token = invitations.create_invitation(
            db.session, learning_set=db.session.get(LearningSet, world.learning_set.id),
            email="new.person@example.org", role=Role.MEMBER,
            invited_by=db.session.get(User, world.facilitator.id))
        db.session.commit()
        return token


def _count(app, column) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count(column)))


# (who, url, form data without the field, field, saved count column)
FORMS = {
    "profile name": ("member", "/account/profile", {
        "organisation": "Camden Council", "credit_preference": "organisation"}, "display_name"),
    "profile organisation": ("member", "/account/profile", {
        "display_name": "Mo Member", "credit_preference": "organisation"}, "organisation"),
    "invitation name": (None, "/invitations/{token}", {
        "organisation": "Camden Council", "password": PASSWORD,
        "confirm_password": PASSWORD}, "display_name"),
    "set name": ("facilitator", "/sets/comms/settings", {
        "purpose": "Kept purpose", "visibility": "private"}, "name"),
    "thread title": ("member", "/sets/comms/threads/new", {"body": "Kept body"}, "title"),
    "guide title": ("facilitator", "/sets/comms/guides/new", {
        "introduction": "Kept introduction", "threads": "{thread}"}, "title"),
    "guide subtitle": ("facilitator", "/sets/comms/guides/new", {
        "title": "A guide", "threads": "{thread}"}, "subtitle"),
}


def _send(app, client, world, case: str, value: str):
    who, url, data, field = FORMS[case]
    if who:
        client.sign_in_as(world.user(who))
    url = url.format(token=_invite(app, world) if "{token}" in url else "")
    data = {key: item.format(thread=world.thread.id) for key, item in data.items()}
    return client.post(url, data={**data, field: value})


BAD = [
    ("Aisha" + RLO + "gnp.exe", "U+202E RIGHT-TO-LEFT OVERRIDE"),
    ("\u200b\u200b", "U+200B ZERO WIDTH SPACE"),
]


@pytest.mark.parametrize("case", list(FORMS))
@pytest.mark.parametrize(("value", "named"), BAD)
def test_invisible_and_control_characters_are_refused_with_the_text_kept(
        app, client, world, case, value, named):
    before = {model: _count(app, model.id) for model in (User, Thread, Guide)}
    with app.app_context():
        names_before = sorted(db.session.scalars(select(User.display_name)))
        set_name = db.session.get(LearningSet, world.learning_set.id).name
    response = _send(app, client, world, case, value)
    page = html.unescape(response.get_data(as_text=True))
    assert response.status_code == 200
    assert "There is a problem" in page
    assert named in page
    assert f'value="{value}"' in page  # the text is kept for the person to correct
    assert {model: _count(app, model.id) for model in (User, Thread, Guide)} == before
    with app.app_context():
        assert sorted(db.session.scalars(select(User.display_name))) == names_before
        assert db.session.get(LearningSet, world.learning_set.id).name == set_name


@pytest.mark.parametrize(("value", "named"), [
    ("\u2066\u2069", "U+2066 LEFT-TO-RIGHT ISOLATE"), ("Bell\u0007", "U+0007"),
    ("\u200dx", "U+200D ZERO WIDTH JOINER"), ("\ufeffBOM", "U+FEFF"), ("\u0301", "at least one")])
def test_line_problem_names_the_character_to_remove(value, named):
    assert named in line_problem(value)


@pytest.mark.parametrize("value", [
    "Nadia Hussain", "Zoë Ó Briain", "می\u200cخواهم",  # ZWNJ, needed in Persian
    "👩\u200d💻 Dev Patel",  # ZWJ in an emoji sequence
])
def test_names_in_any_script_are_accepted(app, client, world, value):
    client.sign_in_as(world.member)
    response = client.post("/account/profile", data={
        "display_name": value, "organisation": "Camden Council",
        "credit_preference": "organisation"})
    assert response.status_code == 302
    with app.app_context():
        assert db.session.get(User, world.member.id).display_name == value


def test_names_are_stored_in_nfc_on_one_line(app, client, world):
    client.sign_in_as(world.member)
    decomposed = unicodedata.normalize("NFD", "Zoë  Ó\nBriain")
    client.post("/account/profile", data={
        "display_name": decomposed, "organisation": "Camden Council",
        "credit_preference": "organisation"})
    with app.app_context():
        assert db.session.get(User, world.member.id).display_name == "Zoë Ó Briain"


def test_a_name_already_stored_cannot_reorder_the_text_around_it(app, client, world):
    with app.app_context():
        db.session.get(User, world.member.id).display_name = "Aisha" + RLO + "gnp.exe"
        db.session.commit()
    client.sign_in_as(world.member)
    page = client.get(f"/threads/{world.thread.id}").get_data(as_text=True)
    assert f"<bdi>Aisha{RLO}gnp.exe</bdi>, <bdi>Testshire County Council</bdi>" in page
    members = client.get("/sets/comms/members").get_data(as_text=True)
    assert f"<bdi>Aisha{RLO}gnp.exe</bdi> (you)" in members


def test_create_admin_refuses_a_name_with_a_control_character(app, runner):
    result = runner.invoke(args=["create-admin", "boss@example.org", "--name",
                                 "Boss" + RLO + "x", "--password", PASSWORD])
    assert result.exit_code != 0
    assert "U+202E" in result.output
    assert _count(app, User.id) == 0
