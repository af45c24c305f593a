"""Download my data as a request, a job and a file (issue 17).

"Prepare my data" records a :class:`DataExport` row (waiting); the web process's background
worker (:mod:`forum.people.background`) claims it, makes the ZIP (:mod:`forum.people.export`)
and keeps it in the data-download storage (:mod:`forum.people.storage`), then tells the
person in the site and by email. A row is claimed by one atomic UPDATE, so two processes (a
worker and ``flask data-exports run``, or two workers woken by the next request) never make
the same file twice; one left "making" by a process that died is taken again once it is
older than ``DATA_EXPORT_STALE_MINUTES``. The file is deleted ``DATA_EXPORT_RETENTION_DAYS``
after it is made, by ``flask retention``, and with the account.

An admin answering a subject access request asks for the same thing for a person
(:func:`request_admin_copy`): the row is marked ``for_admin``, made by the same worker, kept
and deleted the same way, fetched only by admins (never shown to the person), and both the
request and each download are written to the admin log (``account_events``).
"""

from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass
from datetime import datetime
from datetime import timedelta

from flask import Flask
from flask import current_app
from flask import render_template
from sqlalchemy import and_
from sqlalchemy import delete
from sqlalchemy import or_
from sqlalchemy import select
from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from forum import outbox
from forum import permissions
from forum.extensions import db
from forum.models import AccountEvent
from forum.models import DataExport
from forum.models import ExportState
from forum.models import Notification
from forum.models import NotificationKind
from forum.models import User
from forum.models import utcnow
from forum.models.data_export import ACTIVE_STATES
from forum.people import export
from forum.people.storage import export_storage
from forum.storage import FileStorage
from forum.times import to_local
from forum.urls import external_url

log = logging.getLogger(__name__)

# A row left "making" this many times by processes that died is given up on.
MAX_ATTEMPTS = 3

# What the admin log says (account_events.action).
COPY_REQUESTED = "data_copy_requested"
COPY_DOWNLOADED = "data_copy_downloaded"


@dataclass(frozen=True)
class Exports:
    """What the data page shows: the request in hand (if any), the file ready (if any), and,
    with nothing in hand, the latest request that failed since that file (if any)."""

    active: DataExport | None
    ready: DataExport | None
    failed: DataExport | None = None


def _stale_before(settings: dict, now: datetime) -> datetime:
    return now - timedelta(minutes=float(settings["DATA_EXPORT_STALE_MINUTES"]))


def is_stale(job: DataExport, settings: dict, now: datetime) -> bool:
    """Waiting, or making for longer than any export takes: no process is on it any more."""
    if job.state == ExportState.WAITING:
        return True
    return (job.state == ExportState.MAKING and job.started_at is not None
            and job.started_at < _stale_before(settings, now))


def _exports(session: Session, visible, now: datetime) -> Exports:
    active = session.scalar(select(DataExport).where(
        visible, DataExport.state.in_(ACTIVE_STATES)))
    ready = session.scalar(select(DataExport).where(
        visible, DataExport.state == ExportState.READY,
        DataExport.expires_at > now).order_by(DataExport.id.desc()).limit(1))
    failed = None
    if active is None:
        failed = session.scalar(select(DataExport).where(
            visible, DataExport.state == ExportState.FAILED,
            DataExport.id > (ready.id if ready is not None else 0))
            .order_by(DataExport.id.desc()).limit(1))
    return Exports(active=active, ready=ready, failed=failed)


def exports_of(session: Session, user: User, now: datetime) -> Exports:
    """The person's request in progress and latest unexpired file (never anyone else's, nor
    an admins' copy of theirs)."""
    return _exports(session, permissions.own_data_exports(user), now)


def admin_copies_of(session: Session, admin: User, person: User, now: datetime) -> Exports:
    """The admins' copy of ``person``'s data in progress and the latest one made."""
    return _exports(session, permissions.admin_data_exports(admin, person.id), now)


def request_export(session: Session, user: User, now: datetime, *,
                   by: User | None = None) -> tuple[DataExport, bool]:
    """The person's request in progress, or a new one; ``True`` when it is new. With ``by``
    (an admin), the admins' copy of ``user``'s data instead of the person's own.

    A unique index allows one waiting-or-making row per person (and one admins' copy), so
    two presses at once make one row: the loser's insert fails, its session is rolled back,
    and it gets the winner's row.
    """
    for_admin = by is not None
    in_hand = select(DataExport).where(
        DataExport.user_id == user.id, DataExport.for_admin.is_(for_admin),
        DataExport.state.in_(ACTIVE_STATES))
    active = session.scalar(in_hand)
    if active is not None:
        return active, False
    job = DataExport(user_id=user.id, state=ExportState.WAITING, requested_at=now, attempts=0,
                     for_admin=for_admin, requested_by_id=by.id if by is not None else None)
    session.add(job)
    try:
        session.flush()
    except IntegrityError:
        session.rollback()
        return session.scalars(in_hand).one(), False
    return job, True


def request_admin_copy(session: Session, admin: User, person: User,
                       now: datetime) -> tuple[DataExport, bool]:
    """An admin asks for a copy of ``person``'s data (a subject access request); logged.

    Never commits. A request already in hand is returned, and not logged again.
    """
    job, new = request_export(session, person, now, by=admin)
    if new:
        session.add(AccountEvent(actor_id=admin.id, account_id=person.id,
                                 action=COPY_REQUESTED, detail=f"copy {job.id}",
                                 created_at=now))
        session.flush()
    return job, new


def record_admin_download(session: Session, admin: User, job: DataExport,
                          now: datetime) -> None:
    """Write to the admin log that ``admin`` downloaded the admins' copy ``job``."""
    session.add(AccountEvent(actor_id=admin.id, account_id=job.user_id,
                             action=COPY_DOWNLOADED, detail=f"copy {job.id}", created_at=now))
    session.flush()


def owned_file(session: Session, user: User, export_id: int, now: datetime, *,
               for_admin: bool = False) -> DataExport | None:
    """``export_id`` if ``user`` may fetch it, made and not expired; else ``None`` (a 404).

    The person's pages serve only their own copies; the admin pages only admins' copies.
    """
    job = owned_request(session, user, export_id, for_admin=for_admin)
    if (job is None or job.state != ExportState.READY
            or job.file_key is None or job.expires_at is None or job.expires_at <= now):
        return None
    return job


def owned_request(session: Session, user: User, export_id: int, *,
                  for_admin: bool = False) -> DataExport | None:
    job = session.get(DataExport, export_id)
    if job is None or job.for_admin != for_admin:
        return None
    return job if permissions.can_fetch_data_export(user, job) else None


# --- making the file ------------------------------------------------------------------------

def _claim(session: Session, export_id: int, settings: dict, now: datetime) -> bool:
    """Take the row for this process, if it waits or was left by one that died. Commits."""
    stale = and_(DataExport.state == ExportState.MAKING,
                 DataExport.started_at < _stale_before(settings, now))
    session.execute(update(DataExport).where(
        DataExport.id == export_id, stale, DataExport.attempts >= MAX_ATTEMPTS)
        .values(state=ExportState.FAILED))
    claimed = session.execute(update(DataExport).where(
        DataExport.id == export_id,
        or_(DataExport.state == ExportState.WAITING, stale)).values(
        state=ExportState.MAKING, started_at=now, attempts=DataExport.attempts + 1)).rowcount
    session.commit()
    return claimed == 1


def make_export(app: Flask, export_id: int) -> bool:
    """Make the file of one request, if no other process is making it. ``True`` if made.

    Runs in the background worker and in ``flask data-exports run``, inside an app context.
    The ZIP holds the data as it is now; the page and the email say when that was.
    """
    session = db.session
    settings = app.config
    started = utcnow()
    if not _claim(session, export_id, settings, started):
        return False
    storage = export_storage(app)
    job = session.get(DataExport, export_id)
    user = session.get(User, job.user_id) if job is not None else None
    if job is None or user is None:
        return False
    key = f"user-{user.id}/export-{job.id}-{secrets.token_hex(8)}.zip"
    try:
        personal = export.personal_data(session, user)
        summary = render_template("people/summary.html", data=personal)
        body = export.data_zip(personal, summary)
        session.rollback()  # end the long read before writing
        storage.save(key, body)
    except Exception:
        session.rollback()
        log.exception("Could not make data download %s", export_id)
        session.execute(update(DataExport).where(
            DataExport.id == export_id, DataExport.state == ExportState.MAKING,
            DataExport.started_at == started).values(state=ExportState.FAILED))
        session.commit()
        return False
    return _finish(session, storage, export_id, started, key, len(body), settings)


def _finish(session: Session, storage: FileStorage, export_id: int, started: datetime,
            key: str, size: int, settings: dict) -> bool:
    """Mark it ready, drop the person's older files (of the same kind), tell whoever asked;
    or, if the row went (the account was deleted) or was taken by another process meanwhile,
    throw the file away."""
    now = utcnow()
    expires = now + timedelta(days=int(settings["DATA_EXPORT_RETENTION_DAYS"]))
    done = session.execute(update(DataExport).where(
        DataExport.id == export_id, DataExport.state == ExportState.MAKING,
        DataExport.started_at == started).values(
        state=ExportState.READY, ready_at=now, expires_at=expires, file_key=key,
        size_bytes=size)).rowcount
    if done != 1:
        session.rollback()
        storage.delete(key)
        return False
    job = session.get(DataExport, export_id)
    user = session.get(User, job.user_id)
    older = session.execute(select(DataExport.id, DataExport.file_key).where(
        DataExport.user_id == user.id, DataExport.for_admin.is_(job.for_admin),
        DataExport.id != export_id,
        DataExport.state.in_((ExportState.READY, ExportState.FAILED)))).all()
    if older:
        session.execute(delete(DataExport).where(DataExport.id.in_([r.id for r in older])))
    if job.for_admin:
        _tell_admin(session, user, job)
    else:
        _tell(session, user, job)
    session.commit()
    for row in older:
        if row.file_key:
            storage.delete(row.file_key)
    return True


def _tell(session: Session, user: User, job: DataExport) -> None:
    """In the site and by email (they asked for it, so whatever their email choices)."""
    made = to_local(job.started_at).strftime("%-d %B %Y at %H:%M")
    expires = to_local(job.expires_at).strftime("%-d %B %Y")
    session.add(Notification(
        user_id=user.id, kind=NotificationKind.DATA_READY,
        text=f"Your data is ready to download until {expires}.", created_at=job.ready_at,
        emailed_at=job.ready_at))
    context = {"user": user, "url": external_url("people.data"), "made": made,
               "expires": expires, "site_name": current_app.config["SITE_NAME"]}
    outbox.queue_email(session, kind=NotificationKind.DATA_READY.value, to=user.email,
                       user=user, subject="Your data is ready to download",
                       text_body=render_template("email/data_ready.txt", **context),
                       html_body=render_template("email/data_ready.html", **context))


def _tell_admin(session: Session, person: User, job: DataExport) -> None:
    """The admin who asked, in the site only (the copy is theirs to send, not an email's)."""
    if job.requested_by_id is None:
        return  # they have left; the copy waits on the person's admin page
    expires = to_local(job.expires_at).strftime("%-d %B %Y")
    # actor_id names the person whose data it is: the notification opens their admin page.
    session.add(Notification(
        user_id=job.requested_by_id, kind=NotificationKind.DATA_COPY_READY,
        actor_id=person.id, created_at=job.ready_at, emailed_at=job.ready_at,
        text=f"The copy of {person.display_name}’s data you asked for is ready to download "
             f"until {expires}."))


def due_ids(session: Session, settings: dict, now: datetime) -> list[int]:
    """Requests no process is making: waiting, or left "making" by one that died."""
    return list(session.scalars(select(DataExport.id).where(or_(
        DataExport.state == ExportState.WAITING,
        and_(DataExport.state == ExportState.MAKING,
             DataExport.started_at < _stale_before(settings, now))))
        .order_by(DataExport.id)))


# --- deleting ---------------------------------------------------------------------------

def discard_for_user(session: Session, storage: FileStorage, user_id: int) -> int:
    """Delete every request and file of one person, admins' copies included (their account
    is being deleted)."""
    keys = list(session.scalars(select(DataExport.file_key).where(
        DataExport.user_id == user_id, DataExport.file_key.is_not(None))))
    session.execute(delete(DataExport).where(DataExport.user_id == user_id))
    for key in keys:
        storage.delete(key)
    return len(keys)


def prune_expired(session: Session, storage: FileStorage, now: datetime, days: int) -> int:
    """Delete files past their date, and failed requests older than a file would be kept."""
    rows = session.execute(select(DataExport.id, DataExport.file_key).where(or_(
        and_(DataExport.state == ExportState.READY, DataExport.expires_at <= now),
        and_(DataExport.state == ExportState.FAILED,
             DataExport.requested_at < now - timedelta(days=days))))).all()
    if rows:
        session.execute(delete(DataExport).where(DataExport.id.in_([r.id for r in rows])))
    for row in rows:
        if row.file_key:
            storage.delete(row.file_key)
    return sum(1 for row in rows if row.file_key)
