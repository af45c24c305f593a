"""Building guides for tests: a set, its members with chosen credit, threads and a guide."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import update

from forum.extensions import db
from forum.guides import service
from forum.models import CreditPreference
from forum.models import Guide
from forum.models import LearningSet
from forum.models import Post
from forum.models import Thread
from forum.models import User
from forum.models import Visibility
from tests import factories


@dataclass
class GuideWorld:
    learning_set: LearningSet
    facilitator: User
    named: User        # credited by name and organisation
    org_only: User     # the default: organisation only
    anonymous: User    # credited as "A participant"
    thread: Thread
    posts: dict[str, Post]  # by the keys above, plus "opening"
    guide: Guide


def build_guide_world(*, visibility: Visibility = Visibility.PRIVATE) -> GuideWorld:
    """A set whose thread has one approved reply by each kind of member, and an empty guide."""
    facilitator = factories.make_user(display_name="Fran Facilitator",
                                      organisation="Network Office")
    learning_set = factories.make_set(visibility=visibility, facilitator=facilitator)
    named = factories.make_user(display_name="Sam Patel",
                                organisation="Northbridge Borough Council",
                                credit_preference=CreditPreference.NAME_AND_ORGANISATION)
    org_only = factories.make_user(display_name="Olu Okafor",
                                   organisation="Eastmoor District Council")
    anonymous = factories.make_user(display_name="Zelda Quiet",
                                    organisation="Hiddenvale Parish Council",
                                    credit_preference=CreditPreference.ANONYMOUS)
    for user in (named, org_only, anonymous):
        factories.add_member(user, learning_set)
    thread = factories.make_thread(learning_set, facilitator, title="Naming the assembly",
                                   body="What did you call your assembly?")
    opening = thread.posts[0]
    posts = {"opening": opening}
    posts["named"] = factories.make_post(
        thread, named, parent=opening,
        body="We called ours the **Northbridge Climate Assembly**. The name helped a lot.")
    posts["org_only"] = factories.make_post(
        thread, org_only, parent=posts["named"],
        body="Eastmoor Talks worked on social media but confused the press.")
    posts["anonymous"] = factories.make_post(
        thread, anonymous, parent=opening,
        body="Ours had a name nobody could remember. Test it with residents first.")
    guide = service.create_guide(db.session, learning_set=learning_set, creator=facilitator,
                                 title="Telling the story", thread_ids=[thread.id])
    db.session.flush()
    return GuideWorld(learning_set, facilitator, named, org_only, anonymous, thread, posts,
                      guide)


def delete_account(user: User) -> None:
    """What deleting an account does to posts: the database sets their author to NULL."""
    db.session.execute(update(Post).where(Post.author_id == user.id).values(author_id=None))
    db.session.delete(user)
    db.session.flush()
    db.session.expire_all()

