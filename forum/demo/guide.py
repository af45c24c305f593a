"""The demo's published guide, "Telling the story of an assembly", curated from the demo threads.

Built through :mod:`forum.guides.service` exactly as a facilitator would build it, then
published as version 1. Loading again adds nothing: the guide is looked up by its address.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from forum.demo.content import COMMS_SLUG
from forum.guides import service
from forum.guides.compile import publish
from forum.models import CreditPreference
from forum.models import Guide
from forum.models import LearningSet
from forum.models import Post
from forum.models import Thread
from forum.models import User

GUIDE_SLUG = "telling-the-story-of-an-assembly"
GUIDE_TITLE = "Telling the story of an assembly"
CURATOR = "rosa"

NAMING = "What did you call your assembly, and did the name help?"
PRESS = "Working with local press before, during and after"
SOCIAL = "Social media while the assembly is sitting"
CLOSING = "Closing the loop: telling members what happened to their recommendations"
REPORTING = "Reporting back to the public: formats that worked"

# How each demo member chose to be credited (the rest keep the default, organisation only).
CREDIT_CHOICES: dict[str, CreditPreference] = {
    "siobhan": CreditPreference.NAME_AND_ORGANISATION,
    "claire": CreditPreference.NAME_AND_ORGANISATION,
    "marcus": CreditPreference.NAME_AND_ORGANISATION,
    "dev": CreditPreference.ANONYMOUS,
    "nadia": CreditPreference.ANONYMOUS,
}


@dataclass(frozen=True)
class Pick:
    """A post to quote: its thread, author and opening words; optionally trimmed text."""

    thread: str
    author: str
    starts: str
    trimmed: str | None = None
    note: str = ""
    credit: CreditPreference | None = None


@dataclass(frozen=True)
class SectionSpec:
    title: str
    introduction: str
    picks: tuple[Pick, ...]


INTRODUCTION = """\
Officers from councils that have run citizens' assemblies shared, in the *Communicating
citizens' assemblies* learning set, what worked when they told residents about an assembly,
and what they would do differently.

This guide collects the most useful of that advice. Each quotation is credited as its author
chose: by name, by council, or simply as "a participant".
"""

SECTIONS: tuple[SectionSpec, ...] = (
    SectionSpec(
        "Naming and framing the assembly",
        "The name and the first sentence about an assembly shape every piece of copy that "
        "follows. Decide them early, and test them with the people you most want to reach.",
        (
            Pick(NAMING, "siobhan", "We called ours the **Kingsford Climate Assembly**"),
            Pick(NAMING, "siobhan", "We tested the letter with our community connectors"),
            Pick(NAMING, "dev", "Counterpoint from Eastmoor",
                 trimmed=("… we went with **\"Eastmoor Talks: Our Future High Street\"** and it "
                          "worked well on social media, but it was a pain in the press. …\n\n"
                          "If I did it again I'd keep a friendly **strapline** but put "
                          "\"citizens' assembly\" in the name.")),
            Pick(NAMING, "tom", "A practical one: check the **domain name",
                 note="Do this before the name goes to Cabinet: a name agreed in public is "
                      "hard to change."),
        ),
    ),
    SectionSpec(
        "Working with the media",
        "Local papers and radio can explain an assembly to far more residents than the "
        "council can reach itself, but the story has gaps where others will fill the silence.",
        (
            Pick(PRESS, "claire", "The **gap between the final weekend"),
            Pick(PRESS, "aisha", "Ask members **in advance**",
                 trimmed=("Ask members **in advance** whether they're willing to speak to the "
                          "press, and give them a short briefing. … We now give everyone a card "
                          "with the press office number on it.")),
            Pick(PRESS, "dev", "Small thing that worked"),
            Pick(SOCIAL, "siobhan", "**Summaries only**"),
            Pick(SOCIAL, "marcus", "On councillors: we agreed a **protocol",
                 note="Several councils in the set found that a protocol agreed before the "
                      "first session held better than one agreed in a hurry afterwards."),
        ),
    ),
    SectionSpec(
        "Reporting back to participants and the public",
        "The assembly's members should hear what happened to their recommendations first, "
        "and the public should be able to follow progress long after the final weekend.",
        (
            Pick(CLOSING, "aisha", "The **reasons** matter more than anything"),
            Pick(CLOSING, "claire", "Set a date for the **first progress update**"),
            Pick(REPORTING, "marcus", "We built a simple tracker page",
                 trimmed=("We built a simple tracker page: each recommendation with a status "
                          "tag … and a date last updated. It's the most visited assembly page "
                          "by some distance. …\n\nThe catch: somebody has to **own** updating "
                          "it. Put that in a job description.")),
            Pick(REPORTING, "nadia", "Don't forget people who aren't online"),
        ),
    ),
)


def ensure_demo_guide(session: Session, users: dict[str, User],
                      sets: dict[str, LearningSet]) -> int:
    """Create and publish the demo guide unless it exists; return how many guides were made."""
    if session.scalar(select(Guide.id).where(Guide.slug == GUIDE_SLUG)) is not None:
        return 0
    for key, choice in CREDIT_CHOICES.items():
        users[key].credit_preference = choice
    learning_set = sets[COMMS_SLUG]
    titles = sorted({pick.thread for spec in SECTIONS for pick in spec.picks})
    threads = {t.title: t for t in session.scalars(
        select(Thread).where(Thread.learning_set_id == learning_set.id, Thread.title.in_(titles)))}
    missing = [title for title in titles if title not in threads]
    if missing:
        raise LookupError(f"demo guide: threads not found: {missing}")
    posts = list(session.scalars(
        select(Post).where(Post.thread_id.in_([t.id for t in threads.values()]))
        .order_by(Post.id)))
    curator = users[CURATOR]
    guide = service.create_guide(
        session, learning_set=learning_set, creator=curator, title=GUIDE_TITLE,
        subtitle="What council communications officers learned from running citizens' "
                 "assemblies",
        introduction_source=INTRODUCTION, thread_ids=[threads[t].id for t in titles])
    service.update_guide(session, guide, title=guide.title, subtitle=guide.subtitle,
                         introduction_source=INTRODUCTION, is_public=True,
                         thread_ids=[threads[t].id for t in titles])
    for spec in SECTIONS:
        section = service.add_section(session, guide, title=spec.title,
                                      introduction_source=spec.introduction)
        for pick in spec.picks:
            post = _find(posts, threads[pick.thread], users[pick.author], pick.starts)
            service.add_excerpt(session, section, post, body_source=pick.trimmed,
                                editorial_note_source=pick.note, credit_override=pick.credit)
    publish(session, guide, by=curator)
    return 1


def _find(posts: list[Post], thread: Thread, author: User, starts: str) -> Post:
    for post in posts:
        if (post.thread_id == thread.id and post.author_id == author.id
                and post.body_source.startswith(starts)):
            return post
    raise LookupError(f"demo guide: no post by {author.email} starting {starts!r}")
