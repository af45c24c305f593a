"""A set's Actions page, and a member's own open actions on the home page and "My sets"."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import delete

from forum.actions.states import uk_today
from forum.extensions import db
from forum.models import ActionState
from forum.models import LearningSet
from forum.models import Membership
from forum.models import PostStatus
from forum.models import UpdateOutcome
from forum.models import User
from tests import factories
from tests.querycount import count_page_queries


def _seed(app, world) -> dict[str, int]:
    """The member's challenge with actions in every state, and the moderator's waiting one."""
    today = uk_today()
    with app.app_context():
        learning_set = db.session.get(LearningSet, world.learning_set.id)
        member = db.session.get(User, world.member.id)
        moderator = db.session.get(User, world.moderator.id)
        challenge = factories.make_challenge(learning_set, member, title="Champions for results")
        ids = {
            "overdue": factories.make_action(challenge, today - timedelta(days=3),
                                             body="Brief the **cabinet** member").id,
            "soon": factories.make_action(challenge, today + timedelta(days=5),
                                          body="Draft the committee paper").id,
            "open": factories.make_action(challenge, today + timedelta(days=40),
                                          body="Run a second assembly").id,
        }
        done = factories.make_action(challenge, today - timedelta(days=10),
                                     body="Call the leader's office")
        factories.make_update(done, UpdateOutcome.DONE)
        ids["done"] = done.id
        ids["dropped"] = factories.make_action(challenge, today, body="Write to the press",
                                               state=ActionState.DROPPED).id
        other = factories.make_challenge(learning_set, moderator, title="Moderator's own")
        ids["waiting"] = factories.make_action(other, today + timedelta(days=2),
                                               body="Secret waiting plan",
                                               status=PostStatus.PENDING).id
        db.session.commit()
    return ids


def test_members_see_every_committed_action_with_holder_due_date_and_state(app, client, world):
    _seed(app, world)
    client.sign_in_as(world.facilitator)
    page = client.get("/sets/comms/actions").text
    assert "Brief the cabinet member" in page
    assert "Mo Member" in page
    for label in ("Overdue", "Due soon", "Open", "Done", "Dropped"):
        assert f">{label}</strong>" in page
    # The waiting action is not an action yet, not even to a facilitator.
    assert "Secret waiting plan" not in page
    assert page.index("Call the leader") < page.index("Brief the") < page.index("Draft the")


def test_the_holder_sees_their_own_waiting_action_marked(app, client, world):
    _seed(app, world)
    client.sign_in_as(world.moderator)
    page = client.get("/sets/comms/actions").text
    assert "Secret waiting plan" in page
    assert "Waiting for approval" in page


def test_filter_by_member_and_state(app, client, world):
    ids = _seed(app, world)
    client.sign_in_as(world.member)
    overdue = client.get("/sets/comms/actions?status=overdue").text
    assert "Brief the cabinet member" in overdue
    assert "Draft the committee paper" not in overdue
    assert "1 action matching the filter" in overdue
    mine = client.get(f"/sets/comms/actions?holder={world.member.id}&status=done").text
    assert "Call the leader" in mine and "Brief the" not in mine
    nobody = client.get(f"/sets/comms/actions?holder={world.moderator.id}").text
    # The moderator holds only a waiting action, which the member cannot see: no such choice.
    assert "Secret waiting plan" not in nobody
    assert ids


@pytest.mark.parametrize("query", ["status=nonsense", "holder=abc", "holder=99999999999999",
                                   "holder=-1&status=", "status=%00"])
def test_odd_filters_show_everything_rather_than_fail(app, client, world, query):
    _seed(app, world)
    client.sign_in_as(world.member)
    response = client.get(f"/sets/comms/actions?{query}")
    assert response.status_code == 200
    assert "Brief the cabinet member" in response.text


def test_an_outsider_gets_404_for_a_private_sets_actions(app, client, world):
    _seed(app, world)
    client.sign_in_as(world.outsider)
    assert client.get("/sets/comms/actions").status_code == 404


def test_own_open_actions_are_on_the_home_page_and_my_sets(app, client, world):
    _seed(app, world)
    client.sign_in_as(world.member)
    for url in ("/", "/sets/"):
        page = client.get(url).text
        assert "Your open actions" in page
        assert "Brief the cabinet member" in page and "Overdue" in page
        assert "Draft the committee paper" in page and "Due soon" in page
        assert "Call the leader" not in page       # done
        assert "Write to the press" not in page    # dropped
    client.sign_in_as(world.outsider)
    assert "Your open actions" not in client.get("/").text


def test_a_member_who_left_a_private_set_no_longer_sees_its_actions_at_home(app, client, world):
    _seed(app, world)
    with app.app_context():
        db.session.execute(delete(Membership).where(Membership.user_id == world.member.id))
        db.session.commit()
    client.sign_in_as(world.member)
    assert "Brief the cabinet member" not in client.get("/").text


def _more_actions(app, world, n: int) -> None:
    with app.app_context():
        learning_set = db.session.get(LearningSet, world.learning_set.id)
        for i in range(n):
            holder = factories.make_user()
            factories.add_member(holder, learning_set)
            challenge = factories.make_challenge(learning_set, holder)
            factories.make_action(challenge, uk_today() + timedelta(days=i - n // 2))
        db.session.commit()


def test_the_actions_page_costs_a_fixed_number_of_queries(app, client, world):
    _seed(app, world)
    client.sign_in_as(world.member)
    few = count_page_queries(app, client, "/sets/comms/actions")
    _more_actions(app, world, 40)
    many = count_page_queries(app, client, "/sets/comms/actions")
    # The set, the user, their role, the holders, the actions; and the layout's own four.
    assert few == many <= 9, (few, many)
