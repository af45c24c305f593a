"""Visitors asking to join the network from /network/, and admins and coordinators deciding."""

from __future__ import annotations

import re
import time
from datetime import timedelta

import pytest
from sqlalchemy import func
from sqlalchemy import select

from forum.extensions import db
from forum.guides.export.storage import storage_for
from forum.models import LearningSet
from forum.models import Membership
from forum.models import Nation
from forum.models import NetworkRequest
from forum.models import OrganisationKind
from forum.models import QueuedEmail
from forum.models import RequestStatus
from forum.models import User
from forum.models import Visibility
from forum.models import utcnow
from forum.network import requests as service
from forum.network.requests import form_started
from forum.organisations import add_organisation
from forum.people import erasure
from tests import factories
from tests.functional.page_text import without_nonce
from tests.mailbox import sent_messages
from tests.meanwhile import decided_meanwhile

NEW_PASSWORD = "lantern orchard pebble 42"


def _started(app, seconds_ago: float = 10) -> str:
    with app.test_request_context():
        return form_started(time.time() - seconds_ago)


def _ask(app, client, **fields):
    data = {"name": "Rhian Hughes", "email": "rhian.hughes@example.gov.uk",
            "organisation": "Valeport Borough Council", "job_title": "Engagement officer",
            "hopes": "Advice on recruiting an assembly.", "website": "",
            "started": _started(app), **fields}
    return client.post("/network/", data=data)


def _count(app, model) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


def _text(message) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()


def _add_request(app, name="Rhian Hughes", email="rhian.hughes@example.gov.uk") -> int:
    with app.app_context():
        request = NetworkRequest(name=name, email=email, organisation="Valeport Borough Council",
                                 job_title="Engagement officer", hopes="Advice, please.")
        db.session.add(request)
        db.session.commit()
        return request.id


def _coordinator(app) -> User:
    with app.app_context():
        user = factories.make_user("coordinator@example.org", display_name="Cora Coordinator",
                                   is_network_coordinator=True)
        db.session.commit()
        db.session.refresh(user)
        db.session.expunge(user)
        return user


def test_about_page_shows_the_default_text_and_the_form_to_anyone(client):
    page = client.get("/network/").get_data(as_text=True)
    assert "<h1 class=\"govuk-heading-l\">About the network</h1>" in page
    assert "action-learning sets" in page
    assert 'name="hopes"' in page
    # The robots' field: hidden from people and from screen readers, out of the tab order.
    assert re.search(r'<div class="forum-honeypot" aria-hidden="true">\s*<label for="website">',
                     page)
    assert 'tabindex="-1" autocomplete="off"' in page
    assert 'href="/network/"' in client.get("/").get_data(as_text=True)  # in the navigation


def test_admin_edits_the_about_page_and_it_is_sanitised(app, client, world):
    client.sign_in_as(world.admin)
    response = client.post("/network/edit", data={
        "body": "We are **twelve councils**.\n\n<script>alert(1)</script>"})
    assert response.status_code == 302
    assert response.headers["Location"] == "/network/"
    client.sign_out()
    page = client.get("/network/").get_data(as_text=True)
    assert "<strong>twelve councils</strong>" in page
    assert "<script>alert(1)</script>" not in page
    assert 'name="hopes"' in page


def test_a_request_is_stored_and_acknowledged_without_making_an_account(app, client):
    with app.app_context():
        add_organisation(db.session, name="Valeport Borough Council",
                         kind=OrganisationKind.DISTRICT, nation=Nation.ENGLAND, website="")
        db.session.commit()
    page = _ask(app, client, email="Rhian.Hughes@Example.gov.uk").get_data(as_text=True)
    assert "Request sent" in page
    with app.app_context():
        request = db.session.scalar(select(NetworkRequest))
        assert request.email == "rhian.hughes@example.gov.uk"
        assert request.organisation_record.name == "Valeport Borough Council"
        assert request.status == RequestStatus.PENDING
        assert db.session.scalar(select(func.count()).select_from(User)) == 0
    [message] = sent_messages(app)
    assert message["To"] == "rhian.hughes@example.gov.uk"
    assert "coordinators read every request" in _text(message)


def test_known_and_unknown_addresses_get_the_same_page_and_one_email_each(app, client, world):
    known = _ask(app, client, email="member@example.org").get_data(as_text=True)
    unknown = _ask(app, client, email="nobody@example.org").get_data(as_text=True)
    assert without_nonce(known) == without_nonce(unknown)
    # A second request from the same address: still the same page.
    again = _ask(app, client, email="nobody@example.org").get_data(as_text=True)
    assert without_nonce(again) == without_nonce(unknown)
    assert _count(app, NetworkRequest) == 3
    # The admin's batched notice (one for the three) is the only other email.
    everything = sent_messages(app)
    assert [m["To"] for m in everything if m["To"] == world.admin.email] == [world.admin.email]
    messages = [m for m in everything if m["To"] != world.admin.email]
    assert [m["To"] for m in messages] == ["member@example.org", "nobody@example.org",
                                           "nobody@example.org"]
    # The account holder is told how to sign in instead.
    assert "already have one" in _text(messages[0])
    assert "/password/forgot" in _text(messages[0])
    assert "coordinators read every request" in _text(messages[1])


def test_the_hidden_field_filled_in_keeps_nothing_and_sends_nothing(app, client):
    response = _ask(app, client, website="https://spam.example")
    assert "Request sent" in response.get_data(as_text=True)
    assert _count(app, NetworkRequest) == 0
    assert _count(app, QueuedEmail) == 0


@pytest.mark.parametrize(("started", "message"), [
    (lambda app: _started(app, 1), "sent too quickly"),
    (lambda app: _started(app, 25 * 3600), "open for more than a day"),
    (lambda app: "forged", "could not tell when this form was opened"),
])
def test_too_fast_too_old_or_forged_time_stamps_are_refused_keeping_the_text(
        app, client, started, message):
    response = _ask(app, client, started=started(app))
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert message in page
    assert "govuk-error-summary" in page
    assert "Advice on recruiting an assembly." in page
    assert 'value="Rhian Hughes"' in page
    assert _count(app, NetworkRequest) == 0
    assert _count(app, QueuedEmail) == 0


def test_a_missing_answer_is_explained_beside_the_field_keeping_the_rest(app, client):
    page = _ask(app, client, hopes="", email="not-an-address").get_data(as_text=True)
    assert "Say what you hope to get from the network" in page
    assert "Enter an email address in the correct format" in page
    assert 'value="Valeport Borough Council"' in page
    assert _count(app, NetworkRequest) == 0


def test_three_requests_an_hour_per_address(app, client):
    for _ in range(3):
        assert _ask(app, client).status_code == 200
    refused = _ask(app, client)
    assert refused.status_code == 429
    assert "Wait an hour and try again." in refused.text  # not "3 per 1 hour"
    assert _ask(app, client, email="someone.else@example.org").status_code == 200
    assert _count(app, NetworkRequest) == 4


def test_ten_requests_an_hour_per_network_address(app, client):
    statuses = [_ask(app, client, email=f"person{n}@example.org").status_code
                for n in range(11)]
    assert statuses == [200] * 10 + [429]


@pytest.mark.parametrize(("who", "status"), [
    ("anonymous", 302), ("outsider", 403), ("member", 403), ("facilitator", 403),
    ("coordinator", 200), ("admin", 200)])
def test_only_admins_and_coordinators_see_the_queue(app, client, world, who, status):
    _add_request(app)
    user = _coordinator(app) if who == "coordinator" else world.user(who)
    if user is not None:
        client.sign_in_as(user)
    response = client.get("/network/requests")
    assert response.status_code == status
    if status == 200:
        assert "Rhian Hughes" in response.get_data(as_text=True)
    if who in ("member", "outsider"):
        assert client.post(f"/network/requests/{_add_request(app, 'X')}/accept",
                           data={}).status_code == 403


def test_the_queue_lists_waiting_requests_oldest_first(app, client, world):
    with app.app_context():
        for name, age in (("Newer Person", 1), ("Older Person", 5)):
            db.session.add(NetworkRequest(name=name, email=f"{age}@example.org",
                                          organisation="Council", job_title="Officer",
                                          hopes="", created_at=utcnow() - timedelta(days=age)))
        db.session.commit()
    client.sign_in_as(world.admin)
    page = client.get("/network/requests").get_data(as_text=True)
    assert page.index("Older Person") < page.index("Newer Person")


def test_accepting_invites_to_the_chosen_sets_and_the_link_makes_a_member(app, client, world):
    request_id = _add_request(app)
    coordinator = _coordinator(app)
    with app.app_context():
        other = factories.make_set("other", name="Evaluating assemblies",
                                   visibility=Visibility.NETWORK)
        untouched = factories.make_set("untouched", name="Not chosen",
                                       visibility=Visibility.NETWORK)
        # The coordinator is in the (private) set they invite to.
        factories.add_member(coordinator, db.session.get(LearningSet, world.learning_set.id))
        db.session.commit()
        other_id, untouched_id = other.id, untouched.id
    client.sign_in_as(coordinator)
    form = client.get(f"/network/requests/{request_id}/accept").get_data(as_text=True)
    assert "Not chosen" in form and "Communicating assemblies" in form
    response = client.post(f"/network/requests/{request_id}/accept",
                           data={"sets": [str(world.learning_set.id), str(other_id)]})
    assert response.status_code == 302
    # The decision is logged and shown.
    with app.app_context():
        request = db.session.get(NetworkRequest, request_id)
        assert request.status == RequestStatus.ACCEPTED
        assert request.decided_by_id == coordinator.id
        assert request.decided_at is not None
        assert request.invited_to.splitlines() == ["Communicating assemblies",
                                                   "Evaluating assemblies"]
    log = client.get("/network/requests").get_data(as_text=True)
    assert "No requests are waiting" in log
    assert ("Accepted, invited to <bdi>Communicating assemblies</bdi>, "
            "<bdi>Evaluating assemblies</bdi>") in log
    assert "Cora Coordinator" in log

    [message] = sent_messages(app)  # one email, not one per set
    assert message["To"] == "rhian.hughes@example.gov.uk"
    text = _text(message)
    assert '"Communicating assemblies"' in text and '"Evaluating assemblies"' in text
    link = re.search(r"http://localhost(/network/join/\S+)", text).group(1)

    client.sign_out()
    page = client.get(link).get_data(as_text=True)
    assert "rhian.hughes@example.gov.uk" in page
    response = client.post(link, data={"display_name": "Rhian Hughes",
                                       "organisation": "Valeport Borough Council",
                                       "password": NEW_PASSWORD,
                                       "confirm_password": NEW_PASSWORD})
    assert response.status_code == 302
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == "rhian.hughes@example.gov.uk"))
        sets = set(db.session.scalars(select(Membership.learning_set_id).where(
            Membership.user_id == user.id)))
    assert sets == {world.learning_set.id, other_id}
    assert untouched_id not in sets
    # Signed in, in the first set.
    assert client.get(response.headers["Location"]).status_code == 200
    # The link is spent once the account exists.
    client.sign_out()
    assert client.get(link).headers["Location"] == "/sign-in"


def test_a_coordinator_is_offered_only_the_sets_they_may_read(app, client, world):
    """A private set's name is for its members: a coordinator outside it is not offered it,
    and cannot invite anyone to it by sending its number."""
    request_id = _add_request(app)
    with app.app_context():
        open_id = factories.make_set("open", name="Evaluating assemblies",
                                     visibility=Visibility.NETWORK).id
        db.session.commit()
    coordinator = _coordinator(app)
    client.sign_in_as(coordinator)
    form = client.get(f"/network/requests/{request_id}/accept").get_data(as_text=True)
    assert "Evaluating assemblies" in form
    assert "Communicating assemblies" not in form
    response = client.post(f"/network/requests/{request_id}/accept",
                           data={"sets": [str(world.learning_set.id)]})
    assert response.status_code == 200
    assert "Communicating assemblies" not in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(NetworkRequest, request_id).status == RequestStatus.PENDING
    assert sent_messages(app) == []
    # Admins read every set: they are offered it, and the log of their decision names it to
    # them but not to the coordinator.
    client.sign_out()
    client.sign_in_as(world.admin)
    assert "Communicating assemblies" in client.get(
        f"/network/requests/{request_id}/accept").get_data(as_text=True)
    client.post(f"/network/requests/{request_id}/accept",
                data={"sets": [str(world.learning_set.id), str(open_id)]})
    assert "Communicating assemblies" in client.get("/network/requests").get_data(as_text=True)
    client.sign_out()
    client.sign_in_as(coordinator)
    log = client.get("/network/requests").get_data(as_text=True)
    assert "Communicating assemblies" not in log
    assert ("invited to <bdi>Evaluating assemblies</bdi> and 1 private set you are not in"
            in log)


def test_accepting_without_sets_invites_to_the_network_only(app, client, world):
    request_id = _add_request(app)
    client.sign_in_as(world.admin)
    client.post(f"/network/requests/{request_id}/accept", data={})
    [message] = sent_messages(app)
    link = re.search(r"http://localhost(/network/join/\S+)", _text(message)).group(1)
    client.sign_out()
    response = client.post(link, data={"display_name": "Rhian Hughes",
                                       "organisation": "Valeport Borough Council",
                                       "password": NEW_PASSWORD,
                                       "confirm_password": NEW_PASSWORD})
    assert response.headers["Location"] == "/"
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(User).where(
            User.email == "rhian.hughes@example.gov.uk")) == 1


def test_a_forged_join_link_is_refused(client):
    assert client.get("/network/join/not-a-real-token").status_code == 404


def test_declining_emails_the_message_and_logs_it(app, client, world):
    request_id = _add_request(app)
    client.sign_in_as(world.admin)
    empty = client.post(f"/network/requests/{request_id}/decline", data={"reason": ""})
    assert "Write a message" in empty.get_data(as_text=True)
    response = client.post(f"/network/requests/{request_id}/decline",
                           data={"reason": "The network is for councils in England."})
    assert response.status_code == 302
    [message] = sent_messages(app)
    assert message["To"] == "rhian.hughes@example.gov.uk"
    assert "The network is for councils in England." in _text(message)
    log = client.get("/network/requests").get_data(as_text=True)
    assert "Declined: <bdi>The network is for councils in England.</bdi>" in log
    assert "Ada Admin" in log
    # Decided: it cannot be decided again.
    assert client.post(f"/network/requests/{request_id}/accept", data={}).status_code == 404


def test_erasing_an_account_deletes_their_request_and_keeps_decisions_they_made(app, world):
    decided_id = _add_request(app, name="Decided By Admin", email="someone@example.org")
    _add_request(app, name="Mo Member", email="member@example.org")
    coordinator_id = _coordinator(app).id
    with app.app_context():
        coordinator = db.session.get(User, coordinator_id)
        decided = db.session.get(NetworkRequest, decided_id)
        decided.status, decided.decided_by_id, decided.decided_at = (
            RequestStatus.DECLINED, coordinator.id, utcnow())
        db.session.commit()
        erasure.erase(db.session, storage_for(), db.session.get(User, world.member.id), by=None)
        erasure.erase(db.session, storage_for(), coordinator, by=None)
        db.session.commit()
        assert list(db.session.scalars(select(NetworkRequest.name))) == ["Decided By Admin"]
        assert db.session.get(NetworkRequest, decided_id).decided_by_id is None


@pytest.mark.parametrize("action", ["accept", "decline"])
def test_a_request_decided_by_another_coordinator_at_the_same_moment_is_not_decided_twice(
        app, client, world, monkeypatch, action):
    request_id = _add_request(app)
    coordinator = _coordinator(app)
    client.sign_in_as(coordinator)
    decided_meanwhile(app, monkeypatch, service, "find_waiting", "network_requests", request_id,
                      world.admin.id)
    typed = "The network is for councils in England."
    data = {"reason": typed} if action == "decline" else {}
    response = client.post(f"/network/requests/{request_id}/{action}", data=data)
    assert response.status_code == 404
    assert "This request to join the network is no longer waiting" in response.text
    if action == "decline":
        assert f">{typed}</textarea>" in response.text  # to copy, not lost with the page
    with app.app_context():
        request = db.session.get(NetworkRequest, request_id)
        assert (request.status, request.reason) == (RequestStatus.DECLINED, "Not now.")
        assert request.decided_by_id == world.admin.id
        # Only the first decision's email would go: none from the second coordinator.
        assert _count(app, QueuedEmail) == 0


def test_a_request_decided_before_the_form_was_sent_says_so_and_keeps_the_message(
        app, client, world):
    request_id = _add_request(app)
    client.sign_in_as(world.admin)
    assert client.post(f"/network/requests/{request_id}/accept", data={}).status_code == 302
    other = app.test_client()
    other.sign_in_as(_coordinator(app))
    typed = "The network is for councils in England."
    response = other.post(f"/network/requests/{request_id}/decline", data={"reason": typed})
    assert response.status_code == 404
    assert "This request to join the network is no longer waiting" in response.text
    assert f">{typed}</textarea>" in response.text
