"""Guides for the guide page tests, built through the curation service as a facilitator would."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from forum.extensions import db
from forum.guides import compile as compiler
from forum.guides import service
from forum.models import LearningSet
from forum.models import Post
from forum.models import User
from tests import factories


@dataclass(frozen=True)
class BuiltGuide:
    id: int
    slug: str
    set_slug: str
    section_ids: tuple[int, ...]
    excerpt_ids: tuple[int, ...]  # first section: 0 and 2; second section: 1
    post_ids: tuple[int, ...]  # the thread's posts: opening post, then two replies


def build_guide(world, *, title: str = "Telling the story of an assembly",
                publish: bool = False, is_public: bool = False,
                thread_title: str | None = None) -> BuiltGuide:
    """A guide of one thread (opening post, a reply, a reply to it) in two sections: the first
    quotes the opening post and the second reply, the second section quotes the first reply.

    Call inside an app context. ``publish`` freezes version 1.
    """
    learning_set = db.session.get(LearningSet, world.learning_set.id)
    facilitator = db.session.get(User, world.facilitator.id)
    member = db.session.get(User, world.member.id)
    moderator = db.session.get(User, world.moderator.id)
    thread = factories.make_thread(learning_set, member, title=thread_title or f"{title}: thread",
                                   body="We named ours **the People’s Panel**.")
    opening = db.session.scalars(
        select(Post).where(Post.thread_id == thread.id).order_by(Post.id)).first()
    reply = factories.make_post(thread, moderator, parent=opening,
                                body="We used local radio. It reached older residents.")
    nested = factories.make_post(thread, member, parent=reply,
                                 body="Which station did you use? We tried two.")
    guide = service.create_guide(db.session, learning_set=learning_set, creator=facilitator,
                                 title=title, thread_ids=[thread.id])
    first = service.add_section(db.session, guide, title="Naming the assembly")
    second = service.add_section(db.session, guide, title="Reaching residents")
    one = service.add_excerpt(db.session, first, opening)
    two = service.add_excerpt(db.session, second, reply)
    three = service.add_excerpt(db.session, first, nested)
    if is_public:
        guide.is_public = True
    if publish:
        compiler.publish(db.session, guide, by=facilitator)
    db.session.commit()
    return BuiltGuide(guide.id, guide.slug, learning_set.slug, (first.id, second.id),
                      (one.id, two.id, three.id), (opening.id, reply.id, nested.id))

