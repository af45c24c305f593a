"""Gathering many posts into a guide at once: a whole thread, or several ticked posts.

Built on the one-excerpt rules of :mod:`forum.guides.service`; like it, these functions take
the session and objects explicitly, never commit, and raise :class:`~forum.guides.service.
GuideError`.
"""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field

from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.orm import joinedload

from forum import permissions
from forum.guides.credit import approved_source
from forum.guides.service import TITLE_MAX
from forum.guides.service import GuideError
from forum.guides.service import add_excerpt
from forum.guides.service import add_section
from forum.guides.service import create_guide
from forum.models import Guide
from forum.models import GuideExcerpt
from forum.models import GuideSection
from forum.models import Post
from forum.models import Thread
from forum.models import User
from forum.threads.tree import build_tree


@dataclass
class Added:
    """What adding several posts did: the new excerpts and the posts left out, with why."""

    excerpts: list[GuideExcerpt] = field(default_factory=list)
    skipped: list[tuple[Post, str]] = field(default_factory=list)


def _unquotable(post: Post) -> str | None:
    if post.author_id is None:
        return "its author deleted their account"
    return None


def add_excerpts(session: Session, section: GuideSection, posts: list[Post]) -> Added:
    """Quote each post whole at the end of ``section``, in thread order (replies after the
    post they answer); posts already quoted in the section are not added twice."""
    guide = section.guide
    thread_ids = {t.id for t in guide.threads}
    in_section = {e.post_id for e in section.excerpts}
    result = Added()
    ordered = [node.item for thread in guide.threads
               for node in build_tree([p for p in posts if p.thread_id == thread.id])]
    for post in ordered:
        if approved_source(post) is None:
            result.skipped.append((post, "it is not approved"))
        elif post.id in in_section:
            result.skipped.append((post, f"it is already quoted in “{section.title}”"))
        elif reason := _unquotable(post):
            result.skipped.append((post, reason))
        else:
            result.excerpts.append(add_excerpt(session, section, post,
                                               show_in_reply_to=post.parent_id is not None))
    result.skipped.extend((p, "it is not in this guide’s threads") for p in posts
                          if p.thread_id not in thread_ids)
    return result


def guide_from_thread(session: Session, *, thread: Thread, creator: User | None) -> tuple[
        Guide, Added]:
    """A draft guide of one thread: a section holding every approved post as a whole
    excerpt, in thread order, each reply saying whom it answers. Waiting, returned, hidden
    and withdrawn posts, and posts whose author deleted their account, are left out."""
    if not permissions.can_quote_thread(thread):
        raise GuideError("The thread’s opening post is not approved, so nothing in it can be "
                         "quoted yet")
    guide = create_guide(session, learning_set=thread.learning_set, creator=creator,
                         title=thread.title[:TITLE_MAX], thread_ids=[thread.id])
    section = add_section(session, guide, title=thread.title[:TITLE_MAX])
    posts = list(session.scalars(
        select(Post).options(joinedload(Post.author))
        # Every approved post: those that cannot be quoted are reported as left out, and why.
        .where(Post.thread_id == thread.id, permissions.kept_quotes_filter())
        .order_by(Post.id)))
    return guide, add_excerpts(session, section, posts)
