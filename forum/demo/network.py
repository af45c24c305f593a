"""The network in the demo: its member organisations as records (everyone linked to theirs), and
two people asking to join the network set on evaluation, so its facilitator (Rosa Lindqvist)
finds them on its people page and in her notifications; and two council officers without
accounts asking to join the network itself, waiting in the admins' and coordinators' queue."""

from __future__ import annotations

from datetime import datetime
from datetime import time

from sqlalchemy import select
from sqlalchemy.orm import Session

from forum import organisations
from forum import signals
from forum.demo.content import EASTMOOR
from forum.demo.content import KINGSFORD
from forum.demo.content import NETWORK
from forum.demo.content import NORTHBRIDGE
from forum.demo.days import office_time
from forum.models import JoinRequest
from forum.models import LearningSet
from forum.models import Nation
from forum.models import NetworkRequest
from forum.models import OrganisationKind
from forum.models import User
from forum.sets import join_requests

ASKING = {
    "aisha": "Northbridge is commissioning an evaluation of its assembly this year: I would "
             "like to learn from councils that have done it.",
    "marcus": "",
}


RECORDS = (
    (NORTHBRIDGE, OrganisationKind.METROPOLITAN, Nation.ENGLAND),
    (EASTMOOR, OrganisationKind.DISTRICT, Nation.ENGLAND),
    (KINGSFORD, OrganisationKind.UNITARY, Nation.ENGLAND),
    (NETWORK, OrganisationKind.OTHER, None),
)


def ensure_demo_organisations(session: Session, users: dict[str, User]) -> None:
    for name, kind, nation in RECORDS:
        if organisations.find_by_name(session, name) is None:
            organisations.add_organisation(session, name=name, kind=kind, nation=nation,
                                           website="")
    for user in users.values():
        organisations.link(session, user)


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


# Visitors asking to join the network from /network/ (invented officers; example addresses).
VISITORS = (
    ("Gwen Pritchard", "gwen.pritchard@harlowmere.example.gov.uk", "Harlowmere District Council",
     "Democratic services officer",
     "Our cabinet has agreed a citizens' panel on the local plan next spring. I have never run "
     "one: I hope to learn how other councils recruited members and briefed councillors.", 6),
    ("Sanjay Mehta", "sanjay.mehta@oakfield.example.gov.uk", "Oakfield Metropolitan Borough "
     "Council", "Climate engagement lead",
     "We ran a climate assembly in 2022 and never evaluated it properly. I would like to share "
     "what we did and join a set working on evaluation.", 2),
)


def ensure_demo_network_requests(session: Session, now: datetime) -> int:
    """Two waiting requests to join the network; returns how many were made. The admins and
    coordinators are told, as when a visitor sends one."""
    made = 0
    request = None
    for name, email, organisation, job_title, hopes, days_ago in VISITORS:
        if session.scalar(select(NetworkRequest.id).where(NetworkRequest.email == email)):
            continue
        record = organisations.find_by_name(session, organisation)
        request = NetworkRequest(
            name=name, email=email, organisation=organisation, job_title=job_title,
            hopes=hopes, created_at=office_time(now, days_ago, opens=time(10, 40)),
            organisation_id=record.id if record is not None else None)
        session.add(request)
        made += 1
    if request is not None:
        session.flush()
        signals.send_about_request(signals.network_request_received, session, request)
    return made
