"""Deleting what the privacy notice says is not kept: old notifications, sent emails, invitations,
decided requests to join a set or the network, and made data downloads.

Run by ``flask --app forum retention`` on the same timer as the digests. Each limit is a number
of days in the settings (``NOTIFICATION_RETENTION_DAYS``, ``OUTBOX_RETENTION_DAYS``,
``INVITATION_RETENTION_DAYS``, ``DATA_EXPORT_RETENTION_DAYS``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from datetime import timedelta

from sqlalchemy import and_
from sqlalchemy import delete
from sqlalchemy import func
from sqlalchemy import or_
from sqlalchemy.orm import Session

from forum.models import Invitation
from forum.models import JoinRequest
from forum.models import NetworkRequest
from forum.models import Notification
from forum.models import QueuedEmail
from forum.models import RequestStatus
from forum.people.exports import prune_expired
from forum.storage import FileStorage


@dataclass(frozen=True)
class Pruned:
    notifications: int
    emails: int
    invitations: int
    join_requests: int = 0
    network_requests: int = 0
    data_downloads: int = 0

    def describe(self) -> str:
        def count(n: int, what: str) -> str:
            return f"{n:,} {what}{'' if n == 1 else 's'}"

        return (f"Removed {count(self.notifications, 'notification')}, "
                f"{count(self.emails, 'sent or abandoned email')}, "
                f"{count(self.invitations, 'used, revoked or expired invitation')}, "
                f"{count(self.join_requests, 'decided request')} to join a set, "
                f"{count(self.network_requests, 'decided request')} to join the network and "
                f"{count(self.data_downloads, 'expired data download')}.")


def prune(session: Session, settings: Mapping[str, object], now: datetime,
          export_files: FileStorage | None = None) -> Pruned:
    """Delete everything older than its limit; the caller commits.

    ``export_files`` is the data-download storage: without it, data downloads are left.
    """
    def before(key: str) -> datetime:
        return now - timedelta(days=int(settings[key]))

    notifications = session.execute(
        delete(Notification).where(Notification.created_at < before(
            "NOTIFICATION_RETENTION_DAYS"))).rowcount
    # Unsent mail waiting for a retry is kept, whatever its age: it has not done its job yet.
    email_cutoff = before("OUTBOX_RETENTION_DAYS")
    emails = session.execute(
        delete(QueuedEmail).where(or_(QueuedEmail.sent_at < email_cutoff,
                                      QueuedEmail.given_up_at < email_cutoff))).rowcount
    invitation_cutoff = before("INVITATION_RETENTION_DAYS")
    ended = func.coalesce(Invitation.accepted_at, Invitation.revoked_at, Invitation.expires_at)
    invitations = session.execute(
        delete(Invitation).where(and_(ended < invitation_cutoff,
                                      or_(Invitation.accepted_at.is_not(None),
                                          Invitation.revoked_at.is_not(None),
                                          Invitation.expires_at < now)))).rowcount
    # A request to join is kept while it waits, and as long as an invitation once decided.
    join_requests = session.execute(
        delete(JoinRequest).where(JoinRequest.status != RequestStatus.PENDING,
                                  JoinRequest.decided_at < invitation_cutoff)).rowcount
    # A visitor's request to join the network holds a non-member's name and email: the same.
    network_requests = session.execute(
        delete(NetworkRequest).where(NetworkRequest.status != RequestStatus.PENDING,
                                     NetworkRequest.decided_at < invitation_cutoff)).rowcount
    data_downloads = 0
    if export_files is not None:
        data_downloads = prune_expired(session, export_files, now,
                                       int(settings["DATA_EXPORT_RETENTION_DAYS"]))
    return Pruned(notifications=notifications, emails=emails, invitations=invitations,
                  join_requests=join_requests, network_requests=network_requests,
                  data_downloads=data_downloads)
