"""What happened to a post or an event, announced by the service that did it.

The threads and moderation services send these inside their transaction, at the point where
the change is made (never from ORM events), so the order of events stays explicit in the
service's code. Areas that react (notifications today) connect in their own ``init_app``; the
services that change state do not import them, so every area imports only the areas below it.

Every signal is sent with the app as sender and the keyword arguments ``session`` (the
caller's session, which the receiver adds rows to and never commits) and ``post``; the
moderation signals add ``moderator`` (and ``reason`` for :data:`post_rejected`). The meeting
signals carry ``meeting`` and ``actor`` instead of ``post`` (see :func:`send_meeting`).

The events service sends the event signals below with ``session``, ``event`` and ``when`` (the
event's time in words, UK time) (see :func:`send_about_event`).
"""

from __future__ import annotations

from typing import Any

from blinker import Namespace
from flask import current_app
from sqlalchemy.orm import Session

from forum.models import Event
from forum.models import GuideVersion
from forum.models import Meeting
from forum.models import Post
from forum.models import User

_signals = Namespace()

#: A new post was flushed (waiting for approval, or published at once).
post_created = _signals.signal("post-created")
#: An author's edit sent a returned post back to the moderators.
post_resubmitted = _signals.signal("post-resubmitted")
#: A moderator approved a waiting post (as it was, or with their changes).
post_approved = _signals.signal("post-approved")
#: A moderator returned a waiting post to its author, with a reason.
post_rejected = _signals.signal("post-rejected")
#: A moderator changed a post's text while approving it.
post_edited_by_moderator = _signals.signal("post-edited-by-moderator")
#: The author withdrew a waiting or returned post.
post_withdrawn = _signals.signal("post-withdrawn")
#: An author's edit of a published post waits for a moderator.
edit_waiting = _signals.signal("edit-waiting")
#: A moderator published an author's waiting edit.
edit_approved = _signals.signal("edit-approved")
#: A moderator returned an author's waiting edit, with a reason (the approved text stays).
edit_returned = _signals.signal("edit-returned")

#: A member changed their guide credit preference: sent with ``session``, ``user`` and
#: ``before`` (the earlier choice); receivers return how many guides they changed.
credit_preference_changed = _signals.signal("credit-preference-changed")
#: A guide's latest published version was written (published) or rewritten (its credits
#: lowered): sent with ``session`` and ``version``, so what search finds of the guide follows.
guide_version_changed = _signals.signal("guide-version-changed")


#: A facilitator scheduled a meeting of a set.
meeting_scheduled = _signals.signal("meeting-scheduled")
#: A facilitator changed a meeting's time or place.
meeting_moved = _signals.signal("meeting-moved")
#: A facilitator cancelled a meeting.
meeting_cancelled = _signals.signal("meeting-cancelled")
#: An event's time or place changed (``actor``, and ``changes``: what changed, in words).
event_changed = _signals.signal("event-changed")
#: An event was called off (``actor``, and ``reason``: the organiser's message, may be empty).
event_cancelled = _signals.signal("event-cancelled")
#: People on an event's waiting list were given a place (``signups``: their EventSignup rows).
event_places_given = _signals.signal("event-places-given")
#: Someone proposed a workshop topic that waits for approval (``topic``: the EventTopic).
topic_proposed = _signals.signal("topic-proposed")
#: Someone asked admins to add their organisation to the list (``user``, ``name``).
organisation_requested = _signals.signal("organisation-requested")

#: Someone asked to join a set (``request``: the JoinRequest).
join_requested = _signals.signal("join-requested")
#: A facilitator or admin accepted or declined a request (``request``, ``actor``).
join_request_decided = _signals.signal("join-request-decided")

#: A visitor asked to join the network (``request``: the NetworkRequest). Sent whoever the
#: address belongs to, so what follows never depends on it.
network_request_received = _signals.signal("network-request-received")
#: An admin or coordinator accepted or declined a visitor's request (``request``, ``actor``).
network_request_decided = _signals.signal("network-request-decided")


def send(signal: Any, session: Session, post: Post, **extra: Any) -> None:
    """Send ``signal`` for ``post`` from the current app; receivers run before this returns."""
    signal.send(current_app._get_current_object(), session=session, post=post, **extra)


def send_meeting(signal: Any, session: Session, meeting: Meeting, actor: User) -> None:
    """Send a meeting signal for ``meeting``, changed by ``actor``."""
    signal.send(current_app._get_current_object(), session=session, meeting=meeting,
                actor=actor)
def send_about_event(signal: Any, session: Session, event: Event, **extra: Any) -> None:
    """Send ``signal`` for ``event`` from the current app; receivers run before this returns."""
    signal.send(current_app._get_current_object(), session=session, event=event, **extra)


def send_about_version(session: Session, version: GuideVersion) -> None:
    """Announce that ``version`` is now its guide's latest published text."""
    guide_version_changed.send(current_app._get_current_object(), session=session,
                               version=version)


def send_about_request(signal: Any, session: Session, request: Any, **extra: Any) -> None:
    """Send ``signal`` for a request to join a set or the network; receivers run before this
    returns."""
    signal.send(current_app._get_current_object(), session=session, request=request, **extra)
