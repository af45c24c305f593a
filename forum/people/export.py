"""Download my data: everything the product keeps about one person, as JSON.

Every column that points at ``users.id`` is listed in :data:`EXPORTED` with the columns of its
rows the person gets; a test walks the schema and fails when a new one is missing. Rows that
are about someone else's text (a revision they made of another's post, a notification their
act caused, an invitation they sent) give only numbers and times, so the download never
carries anyone else's unapproved text or address.
"""

from __future__ import annotations

import enum
import io
import json
import zipfile
from collections.abc import Callable
from datetime import date
from datetime import datetime
from typing import Any

from sqlalchemy import case
from sqlalchemy import func
from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.orm import contains_eager

from forum import permissions
from forum.extensions import db
from forum.files.storage import upload_storage
from forum.guides.credit import credit_text
from forum.models import Event
from forum.models import Guide
from forum.models import GuideExcerpt
from forum.models import GuideSection
from forum.models import Invitation
from forum.models import Meeting
from forum.models import Notification
from forum.models import Post
from forum.models import PostRevision
from forum.models import QueuedEmail
from forum.models import Thread
from forum.models import UploadedFile
from forum.models import User
from forum.models import utcnow

EXPORT_FORMAT = 1
META = ("id", "created_at")

Rows = list[dict[str, Any]]
Custom = Callable[[Session, User], Rows]


def _value(value: Any) -> Any:
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, datetime):
        return value.isoformat(timespec="seconds") + "Z"
    if isinstance(value, date):
        return value.isoformat()
    return value


def _rows(session: Session, table: str, column: str, columns: tuple[str, ...],
          user_id: int) -> Rows:
    t = db.metadata.tables[table]
    wanted = [t.c[name] for name in columns if name in t.c]
    order = t.c["id"] if "id" in t.c else wanted[0]
    result = session.execute(select(*wanted).where(t.c[column] == user_id).order_by(order))
    return [{key: _value(value) for key, value in row._mapping.items()} for row in result]


# --- rows that need more than a column list ---------------------------------------

def _posts(session: Session, user: User) -> Rows:
    """Every post they wrote, in every state, with every revision (their own text); the
    thread's title (someone else's text) only where they may still open the thread."""
    title = case((permissions.visible_threads_filter(user), Thread.title), else_=None)
    posts = session.execute(
        select(Post, title).join(Thread, Post.thread_id == Thread.id)
        .where(Post.author_id == user.id).order_by(Post.id)).all()
    revisions: dict[int, Rows] = {}
    for revision in session.scalars(
            select(PostRevision).join(Post, PostRevision.post_id == Post.id)
            .where(Post.author_id == user.id).order_by(PostRevision.id)):
        revisions.setdefault(revision.post_id, []).append({
            "created_at": _value(revision.created_at),
            "text": revision.previous_source,
            "was_published": revision.was_published,
            "edited_by_you": revision.editor_id == user.id,
        })
    return [{
        "id": post.id, "thread_id": post.thread_id, "thread_title": title,
        "in_reply_to_post_id": post.parent_id, "status": _value(post.status),
        "kind": post.kind, "created_at": _value(post.created_at),
        "edited_at": _value(post.edited_at), "text": post.body_source,
        "edit_waiting_for_approval": post.pending_source,
        "title_waiting_for_approval": post.pending_title,
        "earlier_versions": revisions.get(post.id, []),
    } for post, title in posts]


def _notifications_received(session: Session, user: User) -> Rows:
    """What they were told; one about something they can no longer read keeps only its kind."""
    readable = set(session.scalars(select(Notification.id).where(
        Notification.user_id == user.id, permissions.readable_notifications(user))))
    rows = []
    for note in session.scalars(select(Notification).where(Notification.user_id == user.id)
                                .order_by(Notification.id)):
        row = {"id": note.id, "kind": _value(note.kind), "created_at": _value(note.created_at),
               "read_at": _value(note.read_at), "emailed_at": _value(note.emailed_at)}
        if note.id in readable:
            row.update(text=note.text, reason=note.reason)
        rows.append(row)
    return rows


def _emails_to_them(session: Session, user: User) -> Rows:
    """Emails sent to them as sent; one not sent yet (and perhaps never) only by its kind."""
    rows = []
    for email in session.scalars(select(QueuedEmail).where(
            (QueuedEmail.user_id == user.id)
            | (func.lower(QueuedEmail.to_address) == user.email.lower()))
            .order_by(QueuedEmail.id)):
        row = {"id": email.id, "kind": email.kind, "to": email.to_address,
               "created_at": _value(email.created_at), "sent_at": _value(email.sent_at)}
        if email.sent_at is not None:
            row.update(subject=email.subject, text=email.text_body)
        rows.append(row)
    return rows


def _guide_credits(session: Session, user: User) -> Rows:
    """Where guides quote them, and how each quote is credited now."""
    # Loaded with their sections, guides and posts in a fixed number of queries, however many.
    excerpts = session.scalars(
        select(GuideExcerpt).join(Post, GuideExcerpt.post_id == Post.id)
        .join(GuideSection, GuideExcerpt.section_id == GuideSection.id)
        .options(contains_eager(GuideExcerpt.post),
                 contains_eager(GuideExcerpt.section).joinedload(GuideSection.guide))
        .where(Post.author_id == user.id).order_by(GuideExcerpt.id))
    rows = []
    for e in excerpts:
        guide = e.section.guide
        # The guide's and section's titles are its curators' text: only while they may read
        # the guide (removed from a private set, they keep their quote, not the guide's titles),
        # and as published (a draft's new titles are its curators' until they publish them).
        guide_title = section_title = None
        if permissions.can_curate_guide(user, guide):
            guide_title, section_title = guide.title, e.section.title
        elif permissions.can_view_published_guide(user, guide):
            guide_title, section_title = _published_titles(guide, e.post_id)
        rows.append({"guide_id": e.section.guide_id, "guide_title": guide_title,
                     "section_title": section_title, "post_id": e.post_id,
                     "quoted_text": e.body_source, "credited_as": credit_text(e)})
    return rows


def _guides_created(session: Session, user: User) -> Rows:
    """The guides they created; each title as :func:`_guide_credits` gives it (a curator's
    draft title only while they curate it: the guide is its curators' since)."""
    rows = []
    for guide in session.scalars(select(Guide).where(Guide.created_by_id == user.id)
                                 .order_by(Guide.id)):
        title = None
        if permissions.can_curate_guide(user, guide):
            title = guide.title
        elif permissions.can_view_published_guide(user, guide):
            title = _published_titles(guide, None)[0]
        rows.append({"id": guide.id, "learning_set_id": guide.learning_set_id, "title": title,
                     "created_at": _value(guide.created_at)})
    return rows


def _meetings_arranged(session: Session, user: User) -> Rows:
    """The meetings they arranged; the title (the set's facilitators' to change since) only
    while they may read the set's meetings."""
    title = case((permissions.visible_meetings_filter(user), Meeting.title), else_=None)
    return [{"id": meeting_id, "learning_set_id": set_id, "title": shown,
             "starts_at": _value(starts_at), "ends_at": _value(ends_at)}
            for meeting_id, set_id, shown, starts_at, ends_at in session.execute(
                select(Meeting.id, Meeting.learning_set_id, title, Meeting.starts_at,
                       Meeting.ends_at).where(Meeting.created_by_id == user.id)
                .order_by(Meeting.id))]


def _events_created(session: Session, user: User) -> Rows:
    """The events they created; the title (the people who run events change it since) only
    while they may see the event."""
    title = case((permissions.visible_events_filter(user), Event.title), else_=None)
    return [{"id": event_id, "title": shown, "starts_at": _value(starts_at),
             "ends_at": _value(ends_at), "created_at": _value(created_at)}
            for event_id, shown, starts_at, ends_at, created_at in session.execute(
                select(Event.id, title, Event.starts_at, Event.ends_at, Event.created_at)
                .where(Event.created_by_id == user.id).order_by(Event.id))]


def _published_titles(guide: Guide, post_id: int | None) -> tuple[str | None, str | None]:
    """The guide's title in its latest published version, and the title of that version's
    section quoting ``post_id`` (None if that version does not quote it)."""
    document = max(guide.versions, key=lambda version: version.number).document
    sections = [section.get("title") for section in document.get("sections", [])
                if any(item.get("post_id") == post_id for item in section.get("excerpts", []))]
    return document.get("title"), (sections[0] if sections else None)


def _invitations_to_them(session: Session, user: User) -> Rows:
    return [{"id": i.id, "learning_set_id": i.learning_set_id, "role": _value(i.role),
             "created_at": _value(i.created_at), "expires_at": _value(i.expires_at),
             "accepted_at": _value(i.accepted_at), "revoked_at": _value(i.revoked_at)}
            for i in session.scalars(select(Invitation).where(
                func.lower(Invitation.email) == user.email.lower()).order_by(Invitation.id))]


FILES_SECTION = "files_you_uploaded"


def _columns(*names: str) -> tuple[str, ...]:
    return names


# Every column that points at users.id: the section of the download holding its rows, and
# either the columns each row gives or a function that builds the rows.
EXPORTED: dict[tuple[str, str], tuple[str, tuple[str, ...] | Custom]] = {
    ("account_events", "actor_id"): ("account_changes_you_made",
                                     _columns("id", "account_id", "action", "created_at")),
    ("actions", "holder_id"): ("actions_you_hold", _columns(
        "id", "post_id", "challenge_id", "due_on", "state", "created_at")),
    ("challenges", "holder_id"): ("challenges_you_hold", _columns(
        "id", "thread_id", "status", "closed_at", "created_at")),
    ("challenges", "closed_by_id"): ("challenges_you_closed", _columns(
        "id", "thread_id", "status", "closed_at")),
    # Admins' copies of their data (for_admin) are listed too: it is theirs to know of.
    ("data_exports", "user_id"): ("data_downloads_you_asked_for", _columns(
        "id", "state", "for_admin", "requested_at", "ready_at", "expires_at")),
    # As an admin: copies of other people's data asked for, by account number only.
    ("data_exports", "requested_by_id"): ("data_copies_you_asked_for_as_admin", _columns(
        "id", "user_id", "state", "requested_at", "ready_at")),
    ("email_outbox", "user_id"): ("emails_to_you", _emails_to_them),
    ("event_materials", "added_by_id"): ("event_materials_you_added", _columns(
        "id", "event_id", "title", "url", "body_source", "created_at")),
    ("events", "created_by_id"): ("events_you_created", _events_created),
    ("event_signups", "user_id"): ("event_sign_ups", _columns(
        "id", "event_id", "status", "requested_at")),
    ("event_topics", "proposer_id"): ("workshop_topics_you_proposed", _columns(
        "id", "event_id", "title", "description_source", "status", "on_agenda", "created_at")),
    ("event_topics", "decided_by_id"): ("workshop_topics_you_decided_on", _columns(
        "id", "event_id", "status", "on_agenda", "decided_at")),
    ("event_topic_supports", "user_id"): ("workshop_topics_you_support", _columns(
        "topic_id", "created_at")),
    ("organisation_changes", "actor_id"): ("organisation_changes_you_made", _columns(
        "id", "organisation_id", "action", "detail", "created_at")),
    ("guide_versions", "published_by_id"): ("guide_versions_you_published", _columns(
        "id", "guide_id", "number", "published_at")),
    ("guides", "created_by_id"): ("guides_you_created", _guides_created),
    ("invitations", "accepted_by_id"): ("invitations_you_accepted", _columns(
        "id", "learning_set_id", "role", "created_at", "accepted_at")),
    ("invitations", "invited_by_id"): ("invitations_you_sent", _columns(
        "id", "learning_set_id", "role", "created_at", "accepted_at", "revoked_at")),
    ("join_requests", "user_id"): ("requests_to_join_sets", _columns(
        "id", "learning_set_id", "message", "status", "reason", "created_at", "decided_at")),
    ("join_requests", "decided_by_id"): ("join_requests_you_decided", _columns(
        "id", "learning_set_id", "status", "reason", "decided_at")),
    # Decisions only: the requester's name and address are theirs, not the decider's.
    ("network_requests", "decided_by_id"): ("network_requests_you_decided", _columns(
        "id", "status", "invited_to", "reason", "decided_at")),
    ("meetings", "created_by_id"): ("meetings_you_arranged", _meetings_arranged),
    ("memberships", "user_id"): ("memberships", _columns(
        "id", "learning_set_id", "role", "joined_at", "created_at")),
    ("moderation_actions", "moderator_id"): ("moderation_actions_you_took", _columns(
        "id", "action", "learning_set_id", "post_id", "thread_id", "reason", "created_at")),
    ("notification_preferences", "user_id"): ("notification_preferences", _columns(
        "decisions", "replies", "waiting", "meetings", "events", "last_digest_at")),
    ("notifications", "user_id"): ("notifications", _notifications_received),
    ("notifications", "actor_id"): ("notifications_your_actions_caused", _columns(
        "id", "kind", "created_at")),
    ("post_revisions", "editor_id"): ("edits_you_made", _columns(
        "id", "post_id", "created_at", "was_published")),
    ("posts", "author_id"): ("posts", _posts),
    ("reports", "reporter_id"): ("reports_you_made", _columns(
        "id", "post_id", "reason", "status", "created_at", "resolved_at")),
    ("reports", "resolved_by_id"): ("reports_you_resolved", _columns(
        "id", "post_id", "status", "resolved_at")),
    ("site_pages", "updated_by_id"): ("site_pages_you_edited", _columns("slug", "updated_at")),
    ("thread_follows", "user_id"): ("threads_you_follow", _columns(
        "thread_id", "level")),
    ("thread_reads", "user_id"): ("threads_you_read", _columns("thread_id", "read_up_to")),
    ("threads", "opening_author_id"): ("threads_whose_opening_post_is_yours", _columns(
        "id", "title")),
    ("threads", "author_id"): ("threads_you_started", _columns(
        "id", "learning_set_id", "title", "created_at")),
    ("uploaded_files", "uploaded_by_id"): (FILES_SECTION, _columns(
        "id", "original_name", "file_type", "size", "post_id", "event_material_id",
        "meeting_id", "created_at")),
}

# Kept about them without a column pointing at them.
EXTRA: dict[str, Custom] = {
    "guide_credits": _guide_credits,
    "invitations_to_your_address": _invitations_to_them,
}


def exported_columns() -> set[tuple[str, str]]:
    return {key for key in EXPORTED if key[0] in db.metadata.tables}


def personal_data(session: Session, user: User) -> dict[str, Any]:
    """Everything about ``user``, ready for ``json.dumps``."""
    sections: dict[str, Rows] = {}
    for (table, column), (name, how) in sorted(EXPORTED.items()):
        if table not in db.metadata.tables:
            continue
        rows = how(session, user) if callable(how) else _rows(session, table, column, how,
                                                               user.id)
        sections[name] = rows
    for name, build in EXTRA.items():
        sections[name] = build(session, user)
    return {
        "format": EXPORT_FORMAT,
        "made_at": _value(utcnow()),
        "profile": {
            "id": user.id, "email": user.email, "name": user.display_name,
            "organisation": user.organisation, "is_admin": user.is_admin,
            "credit_preference": _value(user.credit_preference),
            "created_at": _value(user.created_at),
        },
        **dict(sorted(sections.items())),
    }


def data_zip(data: dict[str, Any], summary_html: str) -> bytes:
    """The download: ``my-data.json`` and a readable ``my-data.html`` of the same."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("my-data.json", json.dumps(data, indent=2, ensure_ascii=False))
        archive.writestr("my-data.html", summary_html)
        _add_uploaded_files(archive, data.get(FILES_SECTION, []))
    return buffer.getvalue()


def uploaded_file_path(row: dict[str, Any]) -> str:
    """Where a file they uploaded sits inside the download."""
    return f"files/{row['id']}-{row['original_name']}"


def _add_uploaded_files(archive: zipfile.ZipFile, rows: list[dict[str, Any]]) -> None:
    """The files themselves, beside the JSON that lists them (``files/<id>-<name>``)."""
    if not rows:
        return
    storage = upload_storage()
    keys = dict(db.session.execute(select(UploadedFile.id, UploadedFile.storage_key).where(
        UploadedFile.id.in_([row["id"] for row in rows]))).all())
    for row in rows:
        key = keys.get(row["id"])
        if key is not None and storage.exists(key):
            archive.write(storage.path(key), uploaded_file_path(row))
