"""Uploaded files: a file is seen by exactly those who may see what it is attached to."""

from __future__ import annotations

from forum.models import UploadedFile
from forum.permissions.events import can_view_event
from forum.permissions.meetings import can_view_meeting
from forum.permissions.posts import can_see_unapproved_text
from forum.permissions.posts import can_view_post
from forum.permissions.roles import AnyUser


def can_view_file(user: AnyUser, file: UploadedFile) -> bool:
    """A post's file goes with the post's text (a waiting, returned, hidden or withdrawn post's
    files only to those who read its text); a file added by an edit that waits for a
    moderator, only to those who read the waiting edit; an event's file, to the event's
    readers; a set meeting's file, to the meeting's readers (the set's)."""
    if file.post is not None:
        if file.awaiting_approval:
            return can_see_unapproved_text(user, file.post)
        return can_view_post(user, file.post)
    if file.event_material is not None:
        return can_view_event(user, file.event_material.event)
    if file.meeting is not None:
        return can_view_meeting(user, file.meeting)
    return False
