"""Demo: Siobhan has reported Marcus's reply that gives an assembly member's address and phone
number, so whoever signs in as a moderator of the set (Tom) finds a report in the queue beside
the posts that wait, and can hide the post or dismiss the report."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from forum.models import Post
from forum.models import Report
from forum.models import User
from forum.moderation import service as moderation

REPORTED_START = "For the letter, the member who spoke at Cabinet"
REASON = ("This gives an assembly member's home address and phone number. Our members were "
          "promised they would not be identified; please hide it until the details are out.")


def ensure_demo_report(session: Session, users: dict[str, User]) -> int:
    """Siobhan's report, unless the post has one already; returns how many made."""
    post = session.scalar(select(Post).where(Post.body_source.startswith(REPORTED_START),
                                             Post.author_id == users["marcus"].id))
    if post is None:
        return 0
    if session.scalar(select(Report.id).where(Report.post_id == post.id)) is not None:
        return 0
    moderation.report_post(session, users["siobhan"], post, REASON)
    return 1
