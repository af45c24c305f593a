"""Moderation: approval policies, the queue, reports and the audit log."""

from __future__ import annotations

from flask import Blueprint
from flask import g

bp = Blueprint("moderation", __name__)


@bp.app_template_global()
def moderation_note(post: object) -> object:
    """The log row that returned or hid ``post`` (its reason), for the thread page.

    Loaded for the whole thread at the first call in a request, so a thread page costs the
    same number of queries however many posts were returned or hidden.
    """
    from forum.extensions import db
    from forum.moderation.notes import moderation_notes

    notes: dict[int, dict[int, object]] = g.setdefault("_moderation_notes", {})
    thread = post.thread  # type: ignore[attr-defined]
    if thread.id not in notes:
        notes[thread.id] = moderation_notes(db.session, thread.posts)
    return notes[thread.id].get(post.id)  # type: ignore[attr-defined]


@bp.app_template_global()
def moderation_policy_description(learning_set: object) -> str:
    """When posts in the set wait for a moderator, in a sentence (the set page shows it)."""
    from forum.moderation.service import describe_policy

    return describe_policy(learning_set)  # type: ignore[arg-type]


from forum.moderation import views  # noqa: E402,F401
