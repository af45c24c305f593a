"""Asking to join a set: a signed-in person asks to join a network or public set, its
facilitators (or an admin) accept or decline with a reason, and the person is told. Private sets
are invisible to outsiders (their facilitators invite people instead)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from forum.extensions import db
from forum.models import JoinRequest
from forum.models import LearningSet
from forum.models import Membership
from forum.models import RequestStatus
from forum.models import Visibility
from forum.sets import join_requests
from tests.mailbox import sent_messages
from tests.meanwhile import decided_meanwhile


def _open_set(app, world) -> str:
    with app.app_context():
        learning_set = db.session.get(LearningSet, world.learning_set.id)
        learning_set.visibility = Visibility.NETWORK
        db.session.commit()
        return learning_set.slug


def _request(app, world) -> JoinRequest:
    with app.app_context():
        request = db.session.scalar(select(JoinRequest).where(
            JoinRequest.user_id == world.outsider.id))
        db.session.expunge(request)
        return request


def test_an_outsider_asks_and_the_facilitator_is_told(app, client, world):
    slug = _open_set(app, world)
    client.sign_in_as(world.outsider)
    assert "Ask to join this set" in client.get(f"/sets/{slug}/").text
    response = client.post(f"/sets/{slug}/ask-to-join",
                           data={"message": "We are planning an assembly in the spring."})
    shown = client.get(response.headers["Location"]).text
    assert "Your request was sent to the set&#39;s facilitators" in shown
    assert "You asked to join this set on" in shown
    # Asking twice is answered, not duplicated.
    again = client.post(f"/sets/{slug}/ask-to-join", data={"message": "Again"})
    assert "You have already asked" in client.get(again.headers["Location"]).text

    client.sign_in_as(world.facilitator)
    assert "Otto Outsider asks to join Communicating assemblies" in client.get(
        "/notifications").text
    people = client.get(f"/sets/{slug}/members").text
    assert "Requests to join" in people and "We are planning an assembly in the spring." in people
    # Moderators and members do not decide who joins, and do not see the requests.
    client.sign_in_as(world.moderator)
    assert "We are planning an assembly" not in client.get(f"/sets/{slug}/members").text
    assert "asks to join" not in client.get("/notifications").text
    assert {m["To"] for m in sent_messages(app)} == {"facilitator@example.org"}


def test_accepting_makes_a_member_and_tells_them(app, client, world):
    slug = _open_set(app, world)
    client.sign_in_as(world.outsider)
    client.post(f"/sets/{slug}/ask-to-join", data={"message": ""})
    request = _request(app, world)
    client.sign_in_as(world.facilitator)
    done = client.post(f"/sets/{slug}/join-requests/{request.id}/accept")
    assert "Otto Outsider is now a member, and has been told." in client.get(
        done.headers["Location"]).text
    with app.app_context():
        assert db.session.scalar(select(Membership).where(
            Membership.user_id == world.outsider.id,
            Membership.learning_set_id == world.learning_set.id)) is not None
    # The facilitator's notice of the request is settled (read).
    assert "You have no unread notifications." in client.get("/notifications").text
    client.sign_in_as(world.outsider)
    assert "Fran Facilitator accepted your request: you are now a member of " \
        "Communicating assemblies." in client.get("/notifications").text
    assert "Start a new thread" in client.get(f"/sets/{slug}/").text
    email = sent_messages(app)[-1]
    assert email["To"] == "outsider@example.org"
    assert email["Subject"] == "You have joined Communicating assemblies"
    # A decided request cannot be decided again: the second facilitator is told why.
    client.sign_in_as(world.facilitator)
    again = client.post(f"/sets/{slug}/join-requests/{request.id}/accept")
    assert again.status_code == 404 and "This request to join is no longer waiting" in again.text


def test_declining_needs_a_reason_keeps_it_on_error_and_tells_the_person(app, client, world):
    slug = _open_set(app, world)
    client.sign_in_as(world.outsider)
    client.post(f"/sets/{slug}/ask-to-join", data={"message": "Hello"})
    request = _request(app, world)
    client.sign_in_as(world.admin)
    url = f"/sets/{slug}/join-requests/{request.id}/decline"
    empty = client.post(url, data={"reason": "   "})
    assert empty.status_code == 200
    assert "Say why you are declining: the person is told" in empty.text
    too_long = "This set is for county councils only. " * 40
    refused = client.post(url, data={"reason": too_long})
    assert refused.status_code == 200 and too_long.strip() in refused.text
    with app.app_context():
        assert db.session.get(JoinRequest, request.id).status == RequestStatus.PENDING

    done = client.post(url, data={"reason": "This set is for county councils only."})
    assert done.status_code == 302
    client.sign_in_as(world.outsider)
    told = client.get("/notifications").text
    assert "Ada Admin declined your request to join Communicating assemblies." in told
    assert "This set is for county councils only." in told
    # They may ask again later; the form shows why the last one was declined.
    page = client.get(f"/sets/{slug}/ask-to-join").text
    assert "Your earlier request was declined: <bdi>This set is for county councils only." in page


def _asked(app, client, world) -> tuple[str, JoinRequest]:
    """The outsider has asked to join the (now network) set: its slug and the request."""
    slug = _open_set(app, world)
    client.sign_in_as(world.outsider)
    client.post(f"/sets/{slug}/ask-to-join", data={"message": "Hello"})
    return slug, _request(app, world)


def test_a_reason_typed_while_another_facilitator_decided_is_kept_with_what_happened(
        app, client, world):
    slug, request = _asked(app, client, world)
    client.sign_in_as(world.facilitator)
    url = f"/sets/{slug}/join-requests/{request.id}/decline"
    assert client.get(url).status_code == 200
    other = app.test_client()
    other.sign_in_as(world.admin)
    assert other.post(f"/sets/{slug}/join-requests/{request.id}/accept").status_code == 302
    reason = "This set is for county councils only."
    response = client.post(url, data={"reason": reason})
    assert response.status_code == 404
    assert "This request to join is no longer waiting" in response.text
    assert f">{reason}</textarea>" in response.text  # to copy, not lost with the page
    with app.app_context():
        assert db.session.get(JoinRequest, request.id).status == RequestStatus.ACCEPTED


def test_accepting_someone_made_a_member_at_the_same_moment_is_no_error(
        app, client, world, monkeypatch):
    """The facilitator's check finds no membership just before the person joins by an
    invitation: the database refuses a second membership, and the request is still accepted
    (not a 500)."""
    from forum import permissions

    slug, request = _asked(app, client, world)
    with app.app_context():  # joined by an invitation a moment ago
        db.session.add(Membership(user_id=world.outsider.id,
                                  learning_set_id=world.learning_set.id))
        db.session.commit()
    monkeypatch.setattr(permissions, "is_member", lambda user, learning_set: False)  # stale
    client.sign_in_as(world.facilitator)
    assert client.post(f"/sets/{slug}/join-requests/{request.id}/accept").status_code == 302
    with app.app_context():
        assert db.session.get(JoinRequest, request.id).status == RequestStatus.ACCEPTED
        assert len(db.session.scalars(select(Membership).where(
            Membership.user_id == world.outsider.id)).all()) == 1


def test_nobody_asks_to_join_a_private_set_or_one_they_are_in(app, client, world):
    slug = world.learning_set.slug  # private
    client.sign_in_as(world.outsider)
    assert client.get(f"/sets/{slug}/ask-to-join").status_code == 404
    assert client.post(f"/sets/{slug}/ask-to-join", data={"message": "x"}).status_code == 404
    client.sign_in_as(world.member)
    assert client.post(f"/sets/{slug}/ask-to-join", data={"message": "x"}).status_code == 403
    with app.app_context():
        assert db.session.scalar(select(JoinRequest)) is None


def test_a_member_cannot_decide_anothers_request(app, client, world):
    slug = _open_set(app, world)
    client.sign_in_as(world.outsider)
    client.post(f"/sets/{slug}/ask-to-join", data={"message": ""})
    request = _request(app, world)
    for user in (world.member, world.moderator):
        client.sign_in_as(user)
        assert client.post(f"/sets/{slug}/join-requests/{request.id}/accept").status_code == 403
        assert client.post(f"/sets/{slug}/join-requests/{request.id}/decline",
                           data={"reason": "No"}).status_code == 403
    with app.app_context():
        assert db.session.get(JoinRequest, request.id).status == RequestStatus.PENDING


def test_a_reader_who_cannot_reply_is_shown_the_way_to_join(app, client, world):
    slug = _open_set(app, world)
    client.sign_in_as(world.outsider)
    thread = client.get(f"/threads/{world.thread.id}").text
    assert "Only members of this set can reply." in thread
    assert f'href="/sets/{slug}/ask-to-join">Ask to join Communicating assemblies</a>' in thread

    client.sign_in_as(world.admin)  # settings say how people join: asking is one way
    settings = client.get(f"/sets/{slug}/settings").text
    assert "join only by invitation" not in settings
    assert "ask to join a network or public set" in settings


def test_an_email_about_a_set_is_not_sent_to_someone_who_can_no_longer_read_it(
        app, client, world):
    """Checked when it is sent, as the notifications page checks it when shown: the set was
    made private before the email about the declined request went out, so the person (no
    member) is told neither on the page nor by email."""
    slug = _open_set(app, world)
    client.sign_in_as(world.outsider)
    client.post(f"/sets/{slug}/ask-to-join", data={"message": "Hello"})
    request = _request(app, world)
    client.sign_in_as(world.facilitator)
    done = client.post(f"/sets/{slug}/join-requests/{request.id}/decline",
                       data={"reason": "Closing the set to new members."})
    assert done.status_code == 302
    with app.app_context():
        db.session.get(LearningSet, world.learning_set.id).visibility = Visibility.PRIVATE
        db.session.commit()
    client.sign_in_as(world.outsider)
    assert "Closing the set" not in client.get("/notifications").text
    sent = sent_messages(app)
    assert [m for m in sent if m["To"] == "outsider@example.org"] == []
    assert not any("Closing the set" in m.get_body().get_content() for m in sent)


@pytest.mark.parametrize("action", ["accept", "decline"])
def test_a_request_decided_by_another_facilitator_at_the_same_moment_is_not_decided_twice(
        app, client, world, monkeypatch, action):
    slug, request = _asked(app, client, world)
    client.sign_in_as(world.facilitator)
    decided_meanwhile(app, monkeypatch, join_requests, "find_pending", "join_requests",
                      request.id, world.admin.id)
    reason = "This set is for county councils only."
    response = client.post(f"/sets/{slug}/join-requests/{request.id}/{action}",
                           data={"reason": reason} if action == "decline" else {})
    assert response.status_code == 404
    assert "This request to join is no longer waiting" in response.text
    if action == "decline":
        assert f">{reason}</textarea>" in response.text  # to copy, not lost with the page
    with app.app_context():
        decided = db.session.get(JoinRequest, request.id)
        assert (decided.status, decided.reason, decided.decided_by_id) == (
            RequestStatus.DECLINED, "Not now.", world.admin.id)
        assert db.session.scalar(select(Membership).where(
            Membership.user_id == world.outsider.id,
            Membership.learning_set_id == world.learning_set.id)) is None
