"""A reply written while the session expired survives signing in again."""

from __future__ import annotations

import pytest
from flask import Flask
from flask_login import current_user
from flask_login import login_required
from wtforms import HiddenField
from wtforms import StringField
from wtforms import TextAreaField

from forum.forms import BaseForm
from tests.factories import DEFAULT_PASSWORD

REPLY = "We called ours a *People's Panel*.\r\nIt tested well with residents & staff."


class ReplyForm(BaseForm):
    title = StringField()
    body = TextAreaField()
    parent_id = HiddenField()


@pytest.fixture
def reply_route(app: Flask) -> str:
    """A test-only page that, like a real reply form, needs a signed-in member."""

    @login_required
    def reply():
        form = ReplyForm()
        if form.validate_on_submit():
            return f"sent by {current_user.display_name}: {form.body.data}|{form.parent_id.data}"
        return "form failed", 400

    app.add_url_rule("/test-only/reply", "test_only_reply", reply, methods=["POST"])
    return "/test-only/reply"


def _post_reply_signed_out(client, url):
    return client.post(url, data={"body": REPLY, "title": "Naming", "parent_id": "7",
                                  "password_hint": "secret stuff"})


def test_signed_out_reply_gets_the_sign_in_page_with_the_text_kept(client, world, reply_route):
    response = _post_reply_signed_out(client, reply_route)
    page = response.get_data(as_text=True)
    assert response.status_code == 401
    assert "Sign in again to send what you wrote – it has been kept." in page
    assert 'name="carried-body"' in page
    assert "People&#39;s Panel" in page
    assert 'name="carried-parent_id" value="7"' in page
    assert f'name="next" type="hidden" value="{reply_route}"' in page
    assert "secret stuff" not in page  # password-like fields are dropped
    assert 'name="carried-csrf_token"' not in page


def test_after_signing_in_the_text_is_shown_for_checking_not_sent(client, world, reply_route):
    _post_reply_signed_out(client, reply_route)
    response = client.post("/sign-in", data={
        "email": "member@example.org", "password": DEFAULT_PASSWORD, "next": reply_route,
        "carried-body": REPLY, "carried-title": "Naming", "carried-parent_id": "7"})
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "You are signed in. Nothing has been sent yet. Check your text and send it." in page
    assert f'action="{reply_route}"' in page
    assert "<textarea" in page and "People&#39;s Panel" in page
    assert 'name="title"' in page and 'value="Naming"' in page
    assert '<input type="hidden" name="parent_id" value="7">' in page
    assert 'name="csrf_token"' in page


def test_resume_page_sends_the_text_when_confirmed(client, world, reply_route):
    client.post("/sign-in", data={
        "email": "member@example.org", "password": DEFAULT_PASSWORD, "next": reply_route,
        "carried-body": REPLY, "carried-parent_id": "7"})
    # What the browser submits from the resume page (FormClient adds the CSRF token).
    response = client.post(reply_route, data={"body": REPLY, "parent_id": "7"})
    assert response.get_data(as_text=True) == f"sent by Mo Member: {REPLY}|7"


def test_failed_sign_in_still_keeps_the_text(client, world, reply_route):
    page = client.post("/sign-in", data={
        "email": "member@example.org", "password": "wrong password here",
        "next": reply_route, "carried-body": REPLY}).get_data(as_text=True)
    assert "Enter a correct email address and password" in page
    assert 'name="carried-body"' in page
    assert "Sign in again to send what you wrote" in page


def test_carried_text_is_not_replayed_to_another_site(client, world):
    response = client.post("/sign-in", data={
        "email": "member@example.org", "password": DEFAULT_PASSWORD,
        "next": "https://evil.example/collect", "carried-body": REPLY})
    assert response.status_code == 302
    assert response.headers["Location"] == "/"


def test_signed_out_get_is_redirected_to_sign_in(client, world):
    response = client.get("/account/password")
    assert response.status_code == 302
    assert response.headers["Location"] == "/sign-in?next=/account/password"
