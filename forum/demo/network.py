"""Requests to join a set in the demo: two people ask to join the network set on evaluation, so
its facilitator (Rosa Lindqvist) finds them on its people page and in her notifications."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from forum.models import JoinRequest
from forum.models import LearningSet
from forum.models import User
from forum.sets import join_requests

ASKING = {
    "aisha": "Northbridge is commissioning an evaluation of its assembly this year: I would "
             "like to learn from councils that have done it.",
    "marcus": "",
}


def ensure_demo_requests(session: Session, users: dict[str, User],
                         learning_set: LearningSet) -> int:
    """Make whatever demo requests are missing; returns how many were made."""
    made = 0
    for key, message in ASKING.items():
        user = users[key]
        if session.scalar(select(JoinRequest.id).where(
                JoinRequest.user_id == user.id,
                JoinRequest.learning_set_id == learning_set.id)) is not None:
            continue
        join_requests.ask_to_join(session, user, learning_set, message)
        made += 1
    return made
