"""The data the browser tests' live server starts with."""

from __future__ import annotations

from dataclasses import dataclass

from forum.extensions import db
from forum.models import ModerationPolicy
from forum.models import Role
from forum.models import Visibility
from tests import factories


@dataclass(frozen=True)
class Seed:
    """What the live server's database holds before any test runs."""

    set_slug: str
    set_name: str
    member_email: str
    member_name: str
    moderator_email: str
    facilitator_email: str
    password: str
    moderator_name: str = "Mia Moderator"
    admin_email: str = "admin@example.org"
    # A second set where every post waits for a moderator (the moderation flow's test).
    reviewed_set_slug: str = "reviewed"
    reviewed_set_name: str = "Reviewed practice"
    reviewed_thread_title: str = "Recruiting by civic lottery"


@dataclass(frozen=True)
class ThreadRef:
    """A thread a test made for itself."""

    id: int
    title: str
    opening_id: int


SEED = Seed(
    set_slug="comms",
    set_name="Communicating assemblies",
    member_email="member@example.org",
    member_name="Mo Member",
    moderator_email="moderator@example.org",
    facilitator_email="facilitator@example.org",
    password=factories.DEFAULT_PASSWORD,
)


def seed_database() -> None:
    facilitator = factories.make_user(SEED.facilitator_email, display_name="Fran Facilitator")
    learning_set = factories.make_set(SEED.set_slug, name=SEED.set_name,
                                      visibility=Visibility.PRIVATE, facilitator=facilitator)
    # Posts appear at once, so a journey of several posts isn't held for approval.
    learning_set.moderation_policy = ModerationPolicy.AFTER_THE_FACT
    member = factories.make_user(SEED.member_email, display_name=SEED.member_name)
    moderator = factories.make_user(SEED.moderator_email, display_name=SEED.moderator_name)
    factories.add_member(member, learning_set, Role.MEMBER)
    factories.add_member(moderator, learning_set, Role.MODERATOR)
    factories.make_thread(learning_set, facilitator, title="Welcome to the set",
                          body="Introduce yourself here.")

    reviewed = factories.make_set(SEED.reviewed_set_slug, name=SEED.reviewed_set_name,
                                  visibility=Visibility.PRIVATE, facilitator=facilitator)
    reviewed.moderation_policy = ModerationPolicy.EVERY_POST
    factories.add_member(member, reviewed, Role.MEMBER)
    factories.add_member(moderator, reviewed, Role.MODERATOR)
    factories.make_thread(reviewed, facilitator, title=SEED.reviewed_thread_title,
                          body="How did you word the invitation letter?")
    factories.make_user(SEED.admin_email, display_name="Ada Admin", is_admin=True)
    db.session.commit()
