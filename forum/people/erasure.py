"""Deleting an account: by its owner (with their password) or by an admin on request.

The person can no longer sign in; their name, email, organisation and profile go with the
``users`` row. Approved posts stay in their threads as "A former member" (or, if chosen,
lose their text, leaving a placeholder so replies still make sense); text nobody else ever
read (waiting, returned, hidden posts, waiting edits and never-published revisions) goes.
Guides that quote them credit "A participant" from then on, and their kept files are made
again. Notifications and emails that name them say "A former member" instead.

Every column that points at ``users.id`` is handled here, in :data:`HANDLED`; a test walks the
schema and fails when a new one is not, so a new table cannot keep a deleted person by mistake.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from dataclasses import dataclass
from dataclasses import field

from markupsafe import escape
from sqlalchemy import Column
from sqlalchemy import and_
from sqlalchemy import delete
from sqlalchemy import func
from sqlalchemy import or_
from sqlalchemy import select
from sqlalchemy import update
from sqlalchemy.orm import Session

from forum import permissions
from forum.auth.throttle import throttle_key
from forum.extensions import db
from forum.files.service import discard
from forum.files.storage import upload_storage
from forum.guides.recredit import recredit
from forum.models import ANONYMOUS_CREDIT
from forum.models import AccountEvent
from forum.models import Challenge
from forum.models import CreditPreference
from forum.models import Guide
from forum.models import GuideExcerpt
from forum.models import Invitation
from forum.models import NetworkRequest
from forum.models import Notification
from forum.models import NotificationKind
from forum.models import Post
from forum.models import PostRevision
from forum.models import PostStatus
from forum.models import QueuedEmail
from forum.models import SignInThrottle
from forum.models import Thread
from forum.models import UploadedFile
from forum.models import User
from forum.models import utcnow
from forum.models.thread import refresh_threads
from forum.people.exports import discard_for_user
from forum.people.storage import export_storage
from forum.search.schema import forget_removed_text
from forum.storage import FileStorage

FORMER_MEMBER = "A former member"
WITHDRAWN_THREAD_TITLE = "A withdrawn thread"

# What the admin log says (account_events.action).
DELETED_OWN_ACCOUNT = "deleted_own_account"
ERASED_BY_ADMIN = "erased"


class ErasureError(Exception):
    """Deletion is refused; the message is fit to show."""


@dataclass
class Erased:
    """What deleting an account did, for the confirmation page and the admin."""

    account_id: int
    posts_kept: int = 0
    posts_emptied: int = 0
    guides_changed: list[str] = field(default_factory=list)
    files_discarded: int = 0


Handler = Callable[[Session, int], None]


def _set_null(column: Column) -> Handler:
    def handle(session: Session, user_id: int) -> None:
        session.execute(update(column.table).where(column == user_id).values(
            {column.name: None}))
    return handle


def _delete_rows(column: Column) -> Handler:
    def handle(session: Session, user_id: int) -> None:
        session.execute(delete(column.table).where(column == user_id))
    return handle


def _table(name: str):
    return db.metadata.tables[name]


def _col(table: str, column: str) -> Column:
    return _table(table).c[column]


def _handlers() -> dict[tuple[str, str], Handler]:
    """Every column that points at ``users.id``, and what deleting the person does to it.

    ``posts.author_id`` is prepared by :func:`_empty_unpublished_text` before it is cleared.
    """
    set_null = [
        ("account_events", "actor_id"),       # the admin log keeps the act, not the person
        ("actions", "holder_id"),
        ("challenges", "holder_id"),
        ("challenges", "closed_by_id"),
        ("data_exports", "requested_by_id"),  # an admins' copy stays theirs, for other admins
        ("email_outbox", "user_id"),          # rows to them are deleted first (by address)
        ("event_materials", "added_by_id"),
        ("events", "created_by_id"),
        ("event_topics", "decided_by_id"),
        ("guide_versions", "published_by_id"),
        ("guides", "created_by_id"),
        ("invitations", "accepted_by_id"),
        ("invitations", "invited_by_id"),
        ("join_requests", "decided_by_id"),
        ("meetings", "created_by_id"),
        ("network_requests", "decided_by_id"),  # the decision stays, "a removed account"
        ("moderation_actions", "moderator_id"),   # the log shows "A former member"
        ("notifications", "actor_id"),        # their name in the text is replaced
        ("organisation_changes", "actor_id"),  # the log keeps the change, not the person
        ("post_revisions", "editor_id"),
        ("posts", "author_id"),               # "A former member"; unpublished text emptied
        ("reports", "reporter_id"),
        ("reports", "resolved_by_id"),
        ("site_pages", "updated_by_id"),
        ("threads", "author_id"),
        ("threads", "opening_author_id"),     # the thread's copy of its opening post's author
        ("uploaded_files", "uploaded_by_id"), # files on emptied posts went with the text
    ]
    delete_rows = [
        ("data_exports", "user_id"),          # their files are deleted first (erase)
        ("event_signups", "user_id"),
        ("event_topic_supports", "user_id"),
        ("join_requests", "user_id"),
        ("memberships", "user_id"),
        ("notification_preferences", "user_id"),
        ("notifications", "user_id"),
        ("thread_follows", "user_id"),
        ("thread_reads", "user_id"),
    ]
    handlers = {key: _set_null(_col(*key)) for key in set_null if key[0] in db.metadata.tables}
    handlers.update({key: _delete_rows(_col(*key)) for key in delete_rows
                     if key[0] in db.metadata.tables})
    if "event_topics" in db.metadata.tables:
        handlers[("event_topics", "proposer_id")] = _erase_topic_proposer
    return handlers


def _erase_topic_proposer(session: Session, user_id: int) -> None:
    """Proposals nobody else may read (waiting or hidden) go; published ones stay, by
    "a former member" (other people supported them and they may be on an agenda)."""
    topics = _table("event_topics")
    session.execute(delete(topics).where(topics.c.proposer_id == user_id,
                                         topics.c.status != "approved"))
    session.execute(update(topics).where(topics.c.proposer_id == user_id)
                    .values(proposer_id=None))


def handled_columns() -> set[tuple[str, str]]:
    return set(_handlers())


def user_foreign_keys() -> set[tuple[str, str]]:
    """Every ``(table, column)`` of the schema that refers to ``users.id``."""
    found = set()
    for table in db.metadata.tables.values():
        for fk in table.foreign_keys:
            if fk.column.table.name == "users":
                found.add((table.name, fk.parent.name))
    return found


def _html_forms(name: str) -> set[str]:
    """The name as written, and as HTML bodies hold it: escaped by Jinja (markupsafe: ' as
    &#39;) or by the standard library (&#x27;)."""
    return {name, str(escape(name)), html.escape(name), html.escape(name, quote=False)}


def _name_pattern(name: str) -> re.Pattern[str] | None:
    name = name.strip()
    if not name:
        return None
    forms = _html_forms(name)
    alternatives = "|".join(re.escape(f) for f in sorted(forms, key=len, reverse=True))
    return re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)")


def _redact(text: str | None, pattern: re.Pattern[str] | None,
            replacement: str = FORMER_MEMBER) -> str | None:
    if text is None or pattern is None:
        return text
    return pattern.sub(replacement, text)


def _redact_notes(notes, pattern: re.Pattern[str], replacement: str = FORMER_MEMBER) -> None:
    for note in notes:
        note.text = _redact(note.text, pattern, replacement) or ""
        note.reason = _redact(note.reason, pattern, replacement)


def _redact_emails(emails, pattern: re.Pattern[str], replacement: str = FORMER_MEMBER) -> None:
    for email in emails:
        email.subject = _redact(email.subject, pattern, replacement) or ""
        email.text_body = _redact(email.text_body, pattern, replacement) or ""
        email.html_body = _redact(email.html_body, pattern, replacement)


def _forget_titles(session: Session, titles: dict[int, str]) -> None:
    """Notifications and emails about these threads (by id) that quote their old titles
    (a moderator's "waiting for approval" notice) say :data:`WITHDRAWN_THREAD_TITLE`."""
    for thread_id, title in titles.items():
        pattern = _name_pattern(title)
        if pattern is None:
            continue
        _redact_notes(session.scalars(select(Notification).where(
            Notification.thread_id == thread_id)), pattern, WITHDRAWN_THREAD_TITLE)
        # An email about one of the thread's posts, or one about no post, to someone told
        # about the thread, that quotes the title: a daily summary of the notifications.
        about_thread = QueuedEmail.post_id.in_(select(Post.id).where(Post.thread_id == thread_id))
        quoting = and_(QueuedEmail.post_id.is_(None),
                       QueuedEmail.user_id.in_(select(Notification.user_id).where(
                           Notification.thread_id == thread_id)),
                       QueuedEmail.text_body.contains(title.strip(), autoescape=True))
        _redact_emails(session.scalars(select(QueuedEmail).where(or_(about_thread, quoting))),
                       pattern, WITHDRAWN_THREAD_TITLE)
    session.flush()  # before the caller's expire_all() drops the changes


def _redact_rows(session: Session, user: User) -> None:
    """Other people's notifications and emails that were written naming them."""
    pattern = _name_pattern(user.display_name)
    if pattern is None:
        return
    name = user.display_name.strip()
    _redact_notes(session.scalars(select(Notification).where(or_(
        Notification.text.contains(name, autoescape=True),
        Notification.reason.contains(name, autoescape=True)))), pattern)
    _redact_emails(session.scalars(select(QueuedEmail).where(or_(
        QueuedEmail.subject.contains(name, autoescape=True),
        QueuedEmail.text_body.contains(name, autoescape=True),
        *(QueuedEmail.html_body.contains(form, autoescape=True)
          for form in _html_forms(name))))), pattern)


def _chunks(ids: set[int], size: int = 500) -> list[list[int]]:
    ordered = sorted(ids)
    return [ordered[i:i + size] for i in range(0, len(ordered), size)]


def _empty_unpublished_text(session: Session, user: User, remove_text: bool,
                            result: Erased) -> tuple[set[int], set[int]]:
    """Keep their approved posts (or empty them too); empty everything nobody else read.

    Returns the ids of their posts, and of those whose text went. Set-wise statements, so a
    long history takes seconds, not a statement per post.
    """
    rows = session.execute(select(Post.id, Post.status, Post.parent_id, Post.thread_id)
                           .where(Post.author_id == user.id)).all()
    every = {row.id for row in rows}
    kept = set() if remove_text else {row.id for row in rows
                                      if row.status == PostStatus.APPROVED}
    emptied = every - kept
    hidden = {row.id for row in rows if row.status == PostStatus.HIDDEN}
    session.execute(update(Post).where(Post.author_id == user.id,
                                       Post.pending_source.is_not(None)).values(
        pending_source=None, pending_html=None, pending_title=None, pending_at=None))
    for chunk in _chunks(kept):
        session.execute(delete(PostRevision).where(
            PostRevision.post_id.in_(chunk), PostRevision.was_published.is_(False)))
    for chunk in _chunks(emptied):
        session.execute(delete(PostRevision).where(PostRevision.post_id.in_(chunk)))
        session.execute(delete(GuideExcerpt).where(GuideExcerpt.post_id.in_(chunk)))
        session.execute(update(Post).where(Post.id.in_(chunk)).values(
            body_source="", body_html="", version=Post.version + 1))
    for chunk in _chunks(emptied - hidden):
        session.execute(update(Post).where(Post.id.in_(chunk)).values(
            status=PostStatus.WITHDRAWN))
    # A thread whose opening post nobody may read keeps no title of theirs, nor a challenge's
    # aim (written with the opening post), nor a notification or email quoting the title.
    emptied_threads = {row.thread_id for row in rows
                       if row.parent_id is None and row.id in emptied}
    for chunk in _chunks(emptied_threads):
        titles = dict(session.execute(select(Thread.id, Thread.title).where(
            Thread.id.in_(chunk), Thread.author_id == user.id)).all())
        session.execute(update(Thread).where(Thread.id.in_(list(titles))).values(
            title=WITHDRAWN_THREAD_TITLE))
        session.execute(update(Challenge).where(Challenge.thread_id.in_(list(titles)))
                        .values(aim=""))
        _forget_titles(session, titles)
    # The statements above pass the session by: the threads' copies of their posts (opening
    # status, counts), which the thread list, search and the reply page read, are worked out
    # again, or a thread whose opening post went would stay listed to its readers.
    for chunk in _chunks({row.thread_id for row in rows}):
        refresh_threads(session, chunk)
    result.posts_kept, result.posts_emptied = len(kept), len(emptied)
    session.expire_all()
    return every, emptied


def _discard_attachments(session: Session, every: set[int], emptied: set[int]) -> int:
    """Files attached to posts whose text went go too (from the folder and the database), and
    those that waited with an edit of a post kept (the edit went: no moderator approved them)."""
    storage = upload_storage()
    count = 0
    for chunk in _chunks(emptied):
        count += discard(session, storage, session.scalars(
            select(UploadedFile).where(UploadedFile.post_id.in_(chunk))))
    for chunk in _chunks(every - emptied):
        count += discard(session, storage, session.scalars(
            select(UploadedFile).where(UploadedFile.post_id.in_(chunk),
                                       UploadedFile.awaiting_approval.is_(True))))
    session.flush()
    return count


def _tell_facilitators(session: Session, guides: list[Guide], remove_text: bool) -> None:
    """Each guide's facilitators learn that it changed (in the site; nobody is named)."""
    now = utcnow()
    for guide in guides:
        what = ("no longer quotes posts whose text was removed" if remove_text else
                f"now credits “{ANONYMOUS_CREDIT}”")
        text = (f"A member quoted in “{guide.title}” deleted their account: the guide {what} "
                "in its draft, its published versions and their downloads.")
        for facilitator in session.scalars(permissions.facilitators_of(guide.learning_set_id)):
            session.add(Notification(
                user_id=facilitator.id, kind=NotificationKind.GUIDE_RECREDITED,
                learning_set_id=guide.learning_set_id, text=text[:500], created_at=now,
                emailed_at=now))


def erase(session: Session, storage: FileStorage, user: User, *, by: User | None,
          remove_text: bool = False) -> Erased:
    """Delete ``user`` and everything of theirs the product keeps (see the module docstring).

    ``by`` is the admin acting on a request, or ``None`` when the person deletes their own
    account. Never commits.
    """
    if by is not None and not permissions.can_erase_account(by, user):
        raise ErasureError("You cannot erase your own account here. Use “Delete your account” "
                           "on your account page.")
    if user.is_admin and session.scalar(select(func.count(User.id)).where(
            User.is_admin.is_(True), User.is_disabled.is_(False), User.id != user.id)) == 0:
        raise ErasureError("This is the only admin account. Make someone else an admin first.")
    result = Erased(account_id=user.id)
    user_id, email = user.id, user.email
    post_ids, emptied = _empty_unpublished_text(session, user, remove_text, result)
    result.files_discarded += _discard_attachments(session, post_ids, emptied)
    changed = recredit(session, storage, post_ids, CreditPreference.ANONYMOUS, None,
                       remove_text_of=emptied)
    result.guides_changed = [guide.title for guide in changed.guides]
    _tell_facilitators(session, changed.guides, remove_text)
    result.files_discarded += changed.files_discarded
    _redact_rows(session, user)
    session.execute(delete(QueuedEmail).where(or_(
        QueuedEmail.user_id == user_id,
        func.lower(QueuedEmail.to_address) == email.lower())))
    session.execute(delete(Invitation).where(func.lower(Invitation.email) == email.lower()))
    # Their request to join the network, from before they had an account.
    session.execute(delete(NetworkRequest).where(NetworkRequest.email == email.lower()))
    session.execute(delete(SignInThrottle).where(SignInThrottle.key == throttle_key(email)))
    discard_for_user(session, export_storage(), user_id)
    session.add(AccountEvent(
        actor_id=by.id if by is not None else None, account_id=user_id,
        action=ERASED_BY_ADMIN if by is not None else DELETED_OWN_ACCOUNT,
        detail=_detail(result, remove_text)))
    session.flush()
    user.end_sessions()
    session.flush()
    for handle in _handlers().values():
        handle(session, user_id)
    session.expunge(user)
    session.execute(delete(User).where(User.id == user_id))
    if emptied:
        forget_removed_text(session.connection())
    session.expire_all()
    return result


def _detail(result: Erased, remove_text: bool) -> str:
    posts = (f"{result.posts_emptied} posts emptied" if remove_text else
             f"{result.posts_kept} posts kept as a former member's, "
             f"{result.posts_emptied} unpublished emptied")
    guides = len(result.guides_changed)
    return f"{posts}; {guides} guide{'s' if guides != 1 else ''} re-credited"

