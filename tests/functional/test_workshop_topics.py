"""Topics proposed for a workshop: waiting for a coordinator's approval, supports, the agenda,
who sees which, and proposals closing when the workshop starts."""

from __future__ import annotations

from datetime import datetime
from datetime import timedelta

import pytest
from sqlalchemy import func
from sqlalchemy import select

from forum.extensions import db
from forum.models import Event
from forum.models import EventAudience
from forum.models import EventKind
from forum.models import EventTopic
from forum.models import LearningSet
from forum.models import Notification
from forum.models import NotificationKind
from forum.models import TopicStatus
from forum.models import TopicSupport
from forum.models import User
from forum.models import utcnow
from tests import factories


def _workshop(world, *, audience=EventAudience.NETWORK, kind=EventKind.WORKSHOP,
              starts: datetime | None = None) -> int:
    starts = starts or datetime(2031, 3, 12, 10)
    event = Event(kind=kind, title="Disseminating the learning", starts_at=starts,
                  ends_at=starts + timedelta(hours=5), audience=audience,
                  created_by_id=world.admin.id, sequence=0)
    if audience == EventAudience.SETS:
        event.sets = [db.session.get(LearningSet, world.learning_set.id)]
    db.session.add(event)
    db.session.commit()
    return event.id


def _topic(event_id: int, proposer_id: int, title: str, *,
           status: TopicStatus = TopicStatus.APPROVED, on_agenda: bool = False) -> int:
    topic = EventTopic(event_id=event_id, proposer_id=proposer_id, title=title,
                       description_source="", description_html="", status=status,
                       on_agenda=on_agenda, created_at=utcnow())
    db.session.add(topic)
    db.session.commit()
    return topic.id


def _coordinator(name: str = "Cora Coordinator") -> User:
    user = factories.make_user(f"{name.split()[0].lower()}@example.org", display_name=name)
    user.is_network_coordinator = True
    db.session.commit()
    db.session.refresh(user)
    db.session.expunge(user)
    return user


def test_a_members_proposal_waits_and_only_they_and_coordinators_see_it(app, client, world):
    with app.app_context():
        event_id = _workshop(world)
        coordinator = _coordinator()
    client.sign_in_as(world.member)
    response = client.post(f"/events/{event_id}/topics", data={
        "title": "Reporting back to cabinet", "description": "How do you *report* back?"})
    assert response.status_code == 302
    page = client.get(f"/events/{event_id}").get_data(as_text=True)
    assert "Reporting back to cabinet" in page and "Waiting for approval" in page
    assert "<em>report</em>" in page

    client.sign_in_as(world.outsider)
    assert "Reporting back to cabinet" not in client.get(f"/events/{event_id}").get_data(
        as_text=True)
    client.sign_out()
    with app.app_context():
        told = db.session.scalars(select(Notification).where(
            Notification.kind == NotificationKind.TOPIC_PROPOSED)).all()
        assert [n.user_id for n in told] == [coordinator.id]
        # The notice names the workshop, not the unapproved proposal.
        assert "Reporting back" not in told[0].text
        topic_id = db.session.scalar(select(EventTopic.id))
    client.sign_in_as(coordinator)
    assert "Reporting back to cabinet" in client.get(f"/events/{event_id}").get_data(
        as_text=True)
    assert client.post(f"/events/{event_id}/topics/{topic_id}/approve").status_code == 302
    client.sign_in_as(world.outsider)
    page = client.get(f"/events/{event_id}").get_data(as_text=True)
    assert "Reporting back to cabinet" in page and "Waiting for approval" not in page


def test_the_coordinators_notice_speaks_of_one_proposal_or_several(app, client, world):
    with app.app_context():
        event_id = _workshop(world)
        coordinator = _coordinator()
    client.sign_in_as(world.member)
    client.post(f"/events/{event_id}/topics", data={"title": "Reporting back to cabinet"})
    client.sign_in_as(coordinator)
    page = client.get("/notifications").get_data(as_text=True)
    assert ("A proposed topic for “Disseminating the learning” waits for approval. Approve or "
            "hide it on the event’s page.") in page

    client.sign_in_as(world.member)
    client.post(f"/events/{event_id}/topics", data={"title": "Paying members"})
    client.sign_in_as(coordinator)
    page = client.get("/notifications").get_data(as_text=True)
    assert ("2 proposed topics for “Disseminating the learning” wait for approval. Approve or "
            "hide them on the event’s page.") in page


def test_a_coordinators_proposal_is_published_at_once(app, client, world):
    with app.app_context():
        event_id = _workshop(world)
        coordinator = _coordinator()
    client.sign_in_as(coordinator)
    client.post(f"/events/{event_id}/topics", data={"title": "Evaluating what changed"})
    client.sign_in_as(world.outsider)
    assert "Evaluating what changed" in client.get(f"/events/{event_id}").get_data(as_text=True)


def test_a_refused_proposal_keeps_its_text_and_says_why(app, client, world):
    with app.app_context():
        event_id = _workshop(world)
    client.sign_in_as(world.member)
    response = client.post(f"/events/{event_id}/topics",
                           data={"title": "", "description": "Keep these words."})
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Enter the topic" in page and "govuk-error-summary" in page
    assert "Keep these words." in page
    with app.app_context():
        assert db.session.scalar(select(func.count(EventTopic.id))) == 0


def test_supporting_once_withdrawing_and_not_ones_own(app, client, world):
    with app.app_context():
        event_id = _workshop(world)
        topic_id = _topic(event_id, world.moderator.id, "Engaging councillors early")
    url = f"/events/{event_id}/topics/{topic_id}"
    client.sign_in_as(world.member)
    client.post(f"{url}/support")
    client.post(f"{url}/support")
    page = client.get(f"/events/{event_id}").get_data(as_text=True)
    assert "Supported by 1 person: <bdi>Mo Member</bdi>" in page
    assert "Withdraw my support" in page
    client.post(f"{url}/withdraw-support")
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(TopicSupport)) == 0
    client.sign_in_as(world.moderator)
    assert client.post(f"{url}/support").status_code == 403
    assert "Support this topic" not in client.get(f"/events/{event_id}").get_data(as_text=True)


def test_the_support_button_is_offered_exactly_where_the_rule_allows(app, client, world):
    # The page asks permissions.can_support_topic: a visitor to a public workshop reads the
    # topic (no button, no error), a member may support it, its proposer may not.
    with app.app_context():
        event_id = _workshop(world, audience=EventAudience.PUBLIC)
        _topic(event_id, world.moderator.id, "Engaging councillors early")
    page = client.get(f"/events/{event_id}")
    assert page.status_code == 200
    assert "Engaging councillors early" in page.get_data(as_text=True)
    assert "Support this topic" not in page.get_data(as_text=True)
    client.sign_in_as(world.member)
    assert "Support this topic" in client.get(f"/events/{event_id}").get_data(as_text=True)
    client.sign_in_as(world.moderator)
    assert "Support this topic" not in client.get(f"/events/{event_id}").get_data(as_text=True)


def test_agenda_topics_come_first_then_by_support(app, client, world):
    with app.app_context():
        event_id = _workshop(world)
        quiet = _topic(event_id, world.member.id, "Quiet topic")
        popular = _topic(event_id, world.member.id, "Popular topic")
        chosen = _topic(event_id, world.member.id, "Chosen topic")
        for user in (world.moderator, world.facilitator):
            db.session.add(TopicSupport(topic_id=popular, user_id=user.id))
        db.session.commit()
        assert quiet and chosen
    client.sign_in_as(world.admin)
    client.post(f"/events/{event_id}/topics/{chosen}/add-to-agenda")
    page = client.get(f"/events/{event_id}").get_data(as_text=True)
    assert page.index("Chosen topic") < page.index("Popular topic") < page.index("Quiet topic")
    assert "On the agenda" in page
    client.post(f"/events/{event_id}/topics/{chosen}/remove-from-agenda")
    page = client.get(f"/events/{event_id}").get_data(as_text=True)
    assert page.index("Popular topic") < page.index("Quiet topic") < page.index("Chosen topic")


def test_a_hidden_topic_disappears_for_others(app, client, world):
    with app.app_context():
        event_id = _workshop(world)
        topic_id = _topic(event_id, world.member.id, "Something inappropriate")
    client.sign_in_as(world.admin)
    client.post(f"/events/{event_id}/topics/{topic_id}/hide")
    client.sign_in_as(world.outsider)
    assert "Something inappropriate" not in client.get(f"/events/{event_id}").get_data(
        as_text=True)


@pytest.mark.parametrize("action", ["approve", "hide", "add-to-agenda", "remove-from-agenda"])
def test_members_cannot_decide_on_topics(app, client, world, action):
    with app.app_context():
        event_id = _workshop(world)
        topic_id = _topic(event_id, world.moderator.id, "A topic")
    client.sign_in_as(world.member)
    assert client.post(f"/events/{event_id}/topics/{topic_id}/{action}").status_code == 403
    with app.app_context():
        topic = db.session.get(EventTopic, topic_id)
        assert (topic.status, topic.on_agenda) == (TopicStatus.APPROVED, False)


def test_proposing_and_supporting_close_when_the_workshop_starts(app, client, world):
    with app.app_context():
        event_id = _workshop(world, starts=utcnow() - timedelta(hours=1))
        topic_id = _topic(event_id, world.moderator.id, "Made the agenda", on_agenda=True)
    client.sign_in_as(world.member)
    page = client.get(f"/events/{event_id}").get_data(as_text=True)
    assert "Made the agenda" in page and "Proposals are closed" in page
    assert "Propose the topic" not in page and "Support this topic" not in page
    assert client.post(f"/events/{event_id}/topics",
                       data={"title": "Too late"}).status_code == 302
    assert client.post(f"/events/{event_id}/topics/{topic_id}/support").status_code == 403
    with app.app_context():
        assert db.session.scalar(select(func.count(EventTopic.id))) == 1
        assert db.session.scalar(select(func.count()).select_from(TopicSupport)) == 0


def test_a_private_set_workshops_topics_are_404_to_outsiders(app, client, world):
    with app.app_context():
        event_id = _workshop(world, audience=EventAudience.SETS)
        topic_id = _topic(event_id, world.member.id, "Set-only topic")
    client.sign_in_as(world.outsider)
    assert client.get(f"/events/{event_id}").status_code == 404
    assert client.post(f"/events/{event_id}/topics", data={"title": "X"}).status_code == 404
    assert client.post(f"/events/{event_id}/topics/{topic_id}/support").status_code == 404
    client.sign_in_as(world.member)
    assert "Set-only topic" in client.get(f"/events/{event_id}").get_data(as_text=True)


def test_a_waiting_proposal_is_404_to_others_acting_on_it(app, client, world):
    with app.app_context():
        event_id = _workshop(world)
        topic_id = _topic(event_id, world.member.id, "Waiting", status=TopicStatus.WAITING)
    client.sign_in_as(world.outsider)
    assert client.post(f"/events/{event_id}/topics/{topic_id}/support").status_code == 404


def test_conferences_take_no_topic_proposals(app, client, world):
    with app.app_context():
        event_id = _workshop(world, kind=EventKind.CONFERENCE)
    client.sign_in_as(world.member)
    assert "Proposed topics" not in client.get(f"/events/{event_id}").get_data(as_text=True)
    assert client.post(f"/events/{event_id}/topics", data={"title": "X"}).status_code == 404


def test_a_members_proposals_and_supports_are_in_their_data_and_go_with_their_account(
        app, world):
    from forum.guides.export.storage import storage_for
    from forum.people import erasure
    from forum.people import export
    with app.app_context():
        event_id = _workshop(world)
        published = _topic(event_id, world.member.id, "Published proposal")
        _topic(event_id, world.member.id, "Waiting proposal", status=TopicStatus.WAITING)
        other = _topic(event_id, world.moderator.id, "Someone else's")
        db.session.add(TopicSupport(topic_id=other, user_id=world.member.id))
        db.session.commit()
        member = db.session.get(User, world.member.id)
        data = export.personal_data(db.session, member)
        assert {row["title"] for row in data["workshop_topics_you_proposed"]} == {
            "Published proposal", "Waiting proposal"}
        assert [row["topic_id"] for row in data["workshop_topics_you_support"]] == [other]

        erasure.erase(db.session, storage_for(), member, by=None)
        db.session.commit()
        left = {t.title: t.proposer_id for t in db.session.scalars(select(EventTopic))}
        assert left == {"Published proposal": None, "Someone else's": world.moderator.id}
        assert db.session.get(EventTopic, published) is not None
        assert db.session.scalar(select(func.count()).select_from(TopicSupport)) == 0


def test_the_demo_workshops_show_proposed_topics_the_agenda_and_a_waiting_proposal(
        app, client, runner):
    from forum.demo.topics import UPCOMING
    assert runner.invoke(args=["demo", "--password", "correct horse battery staple demo"]
                         ).exit_code == 0
    with app.app_context():
        event_id = db.session.scalar(select(Event.id).where(Event.title == UPCOMING))
        past_id = db.session.scalar(select(Event.id).where(
            Event.title == "Bringing councillors on board"))
        dev = db.session.scalar(select(User).where(User.email == "dev.patel@example.org"))
        tom = db.session.scalar(select(User).where(User.email == "tom.adeyemi@example.org"))
        rosa = db.session.scalar(select(User).where(User.email == "rosa.lindqvist@example.org"))
        told = db.session.scalar(select(func.count(Notification.id)).where(
            Notification.kind == NotificationKind.TOPIC_PROPOSED,
            Notification.user_id == rosa.id))
        assert told == 1
    client.sign_in_as(tom)
    page = client.get(f"/events/{event_id}").get_data(as_text=True)
    assert page.index("Budgets after the pilot") < page.index("Recalling assembly members")
    assert "On the agenda" in page and "Support this topic" in page
    assert "Youth assemblies" not in page
    client.sign_in_as(dev)
    page = client.get(f"/events/{event_id}").get_data(as_text=True)
    assert "Youth assemblies" in page and "Waiting for approval" in page
    page = client.get(f"/events/{past_id}").get_data(as_text=True)
    assert "Briefing every political group" in page and "Proposals are closed" in page
