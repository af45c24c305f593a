"""The rules of a challenge on their own: which kinds each person may post, who may re-label and
move a challenge on, what an update makes of its action, and the curation page's ordering."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from forum import permissions
from forum.challenges import service
from forum.extensions import db
from forum.guides.service import items_by_kind
from forum.guides.service import parse_kind
from forum.models import ActionState
from forum.models import Challenge
from forum.models import ChallengeStatus
from forum.models import PostKind
from forum.models import Role
from forum.models import UpdateOutcome
from forum.models import Visibility
from tests import factories


@pytest.fixture
def cast(db_session):
    """A set with a holder, another member, a moderator, a facilitator, an outsider, an
    admin, and a challenge held by the holder."""
    facilitator = factories.make_user()
    learning_set = factories.make_set(visibility=Visibility.NETWORK, facilitator=facilitator)
    people = {"facilitator": facilitator, "outsider": factories.make_user(),
              "admin": factories.make_user(is_admin=True)}
    for name, role in (("holder", Role.MEMBER), ("member", Role.MEMBER),
                       ("moderator", Role.MODERATOR)):
        people[name] = factories.make_user()
        factories.add_member(people[name], learning_set, role)
    thread = factories.make_thread(learning_set, people["holder"])
    challenge = Challenge(thread=thread, learning_set=learning_set,
                          holder_id=people["holder"].id, aim="An aim.")
    db.session.add(challenge)
    db.session.flush()
    return people, challenge


@pytest.mark.parametrize(("who", "kinds"), [
    ("holder", ["reflection", "action", "update", "learning"]),
    ("member", ["question", "learning"]),
    ("moderator", ["question", "learning"]),
    ("facilitator", ["question", "learning"]),
    ("admin", ["question", "learning"]),
    ("outsider", []),
])
def test_each_person_is_offered_their_kinds_default_first(cast, who, kinds):
    people, challenge = cast
    assert permissions.reply_kinds(people[who], challenge) == kinds
    assert permissions.reply_kinds(None, challenge) == []


def test_suggestions_follow_the_sets_setting(cast):
    people, challenge = cast
    challenge.learning_set.allow_suggestions = True
    assert permissions.can_post_kind(people["member"], challenge, PostKind.SUGGESTION)
    assert not permissions.can_post_kind(people["holder"], challenge, PostKind.SUGGESTION)
    challenge.learning_set.allow_suggestions = False
    assert not permissions.can_post_kind(people["member"], challenge, PostKind.SUGGESTION)


def test_a_locked_challenge_offers_no_kinds_to_members(cast):
    people, challenge = cast
    challenge.thread.is_locked = True
    assert permissions.reply_kinds(people["holder"], challenge) == []
    assert permissions.reply_kinds(people["facilitator"], challenge) == [
        PostKind.QUESTION, PostKind.LEARNING]  # moderators still reply in a locked thread


@pytest.mark.parametrize(("who", "may"), [("holder", True), ("member", False),
                                          ("moderator", False), ("facilitator", True),
                                          ("admin", True), ("outsider", False)])
def test_the_holder_and_facilitators_move_a_challenge_on(cast, who, may):
    people, challenge = cast
    assert permissions.can_change_challenge_status(people[who], challenge) is may


def test_closing_needs_a_summary_and_reopening_clears_who_closed(cast):
    people, challenge = cast
    with pytest.raises(service.FieldProblem) as problem:
        service.set_status(db.session, people["holder"], challenge, ChallengeStatus.CLOSED, " ")
    assert problem.value.field == "closing_summary"
    assert service.set_status(db.session, people["facilitator"], challenge,
                              ChallengeStatus.CLOSED, "It worked.")
    assert challenge.closed_by_id == people["facilitator"].id
    assert not service.set_status(db.session, people["facilitator"], challenge,
                                  ChallengeStatus.CLOSED, "It worked.")
    assert service.set_status(db.session, people["holder"], challenge, ChallengeStatus.OPEN)
    assert challenge.closed_at is None and challenge.closed_by_id is None
    with pytest.raises(service.NotAllowed):
        service.set_status(db.session, people["member"], challenge, ChallengeStatus.CLOSED,
                           "Not mine to close.")


@pytest.mark.parametrize(("kind", "relabelable"), [
    (None, False), (PostKind.CHALLENGE, False), (PostKind.ACTION, False),
    (PostKind.UPDATE, False), (PostKind.QUESTION, True), (PostKind.REFLECTION, True),
    (PostKind.LEARNING, True), (PostKind.SUGGESTION, True)])
def test_facilitators_relabel_only_kinds_without_a_row_behind_them(cast, kind, relabelable):
    people, challenge = cast
    post = factories.make_post(challenge.thread, people["member"],
                               parent=challenge.thread.posts[0])
    post.kind = kind.value if kind else None
    assert permissions.can_change_post_kind(people["facilitator"], post) is relabelable
    assert permissions.can_change_post_kind(people["admin"], post) is relabelable
    assert not permissions.can_change_post_kind(people["moderator"], post)
    assert not permissions.can_change_post_kind(people["member"], post)


def test_an_update_gives_its_action_the_state_it_reports():
    assert service.OUTCOME_STATES == {
        UpdateOutcome.DONE: ActionState.DONE,
        UpdateOutcome.PARTLY_DONE: ActionState.PARTLY_DONE,
        UpdateOutcome.NOT_DONE: ActionState.OPEN,
        UpdateOutcome.DROPPED: ActionState.DROPPED,
    }


@dataclass
class _Post:
    kind: str | None


@dataclass
class _Item:
    post: _Post
    depth: int


def test_curation_puts_learnings_first_or_keeps_only_the_kind_asked():
    items = [_Item(_Post(kind), depth) for kind, depth in
             (("challenge", 0), ("question", 1), ("learning", 2), (None, 0), ("learning", 1))]
    ordered = items_by_kind(items, None)  # type: ignore[arg-type]
    assert [i.post.kind for i in ordered] == ["learning", "learning", "challenge", "question",
                                              None]
    assert [i.depth for i in ordered[:2]] == [0, 0]
    assert [i.post.kind for i in items_by_kind(items, PostKind.QUESTION)] == ["question"]
    assert parse_kind("learning") == PostKind.LEARNING
    assert parse_kind("<script>") is None and parse_kind(None) is None


@pytest.mark.parametrize(("who", "may"), [("holder", False), ("member", False),
                                          ("moderator", False), ("facilitator", True),
                                          ("admin", True), ("outsider", False)])
def test_only_facilitators_make_a_thread_a_challenge(cast, who, may):
    people, challenge = cast
    thread = factories.make_thread(challenge.learning_set, people["member"])
    assert permissions.can_make_challenge(people[who], thread) is may
    thread.author_id = None  # a former member's thread has nobody to hold it
    assert not permissions.can_make_challenge(people["facilitator"], thread)
