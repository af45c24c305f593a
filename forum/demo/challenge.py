"""Two demo challenges. One mid-cycle, in the private set: a council officer's presenting issue,
the set's open questions, her reflections, two actions (one overdue, one done with an approved
update), and a learning worth sharing. One closed, in the network set, which Gareth joined
lately: his first posts there wait for a moderator, so his closing summary waits in Claire's
queue while the challenge already shows as closed. Dates
are relative to when the demo is loaded."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from forum.demo.content import COMMS_SLUG
from forum.demo.content import EVALUATION_SLUG
from forum.demo.content import Msg
from forum.demo.content import ThreadSpec
from forum.demo.days import working_days_from
from forum.models import Action
from forum.models import ActionState
from forum.models import ActionUpdate
from forum.models import Challenge
from forum.models import ChallengeStatus
from forum.models import LearningSet
from forum.models import Post
from forum.models import PostKind
from forum.models import PostStatus
from forum.models import Thread
from forum.models import UpdateOutcome
from forum.models import User
from forum.times import to_local

DAYS_AGO = 24
TITLE = "How do I get councillors to champion the assembly's results?"
AIM = ("By the budget round, at least two cabinet members speak for the recommendations in "
       "public, and each ward councillor knows which ones touch their ward.")
# Hours after the challenge opened at which the update was posted (a week before loading).
UPDATE_HOURS = (DAYS_AGO - 7) * 24

Q, R, A, U, L = (PostKind.QUESTION, PostKind.REFLECTION, PostKind.ACTION, PostKind.UPDATE,
                 PostKind.LEARNING)

CHALLENGE_SPEC = ThreadSpec(
    COMMS_SLUG, TITLE, days_ago=DAYS_AGO,
    opening=Msg("claire", 0, """\
Our assembly on the local transport plan reported four months ago with 14 recommendations. Cabinet
"noted" them, the *Eastmoor Echo* ran the story for a day, and since then nothing. Officers are
working through them quietly, but no councillor has said in public that they back any of them,
and assembly members are starting to email me asking what happened.

I think the recommendations will stall at the budget round unless someone elected owns them.
How do I get councillors, not just officers, to champion the results?""", kind=PostKind.CHALLENGE,
        replies=(
            Msg("tom", 2, "What could a councillor say to their own residents if they backed one "
                          "of the recommendations?", kind=Q, replies=(
                Msg("claire", 5, """\
I have not framed it that way at all: I have been presenting all fourteen as one package.
Three of them are about specific places (the Northgate bus interchange, the school-run zone
in Millbrook, the Harbour Road crossing), so three sets of ward councillors could claim
something concrete.""", kind=R),
            )),
            Msg("aisha", 4, "Who in cabinet has already said something positive about the "
                            "assembly, even in passing?", kind=Q, replies=(
                Msg("claire", 6, """\
The transport portfolio holder thanked the members warmly at scrutiny, and asked whether the
Harbour Road crossing could be costed. I took it as politeness; maybe it was an opening.
Thank you, @aisha.rahman: I would not have looked at it again without your question.""",
                    kind=R, replies=(
                        Msg("claire", 26, """\
I will ask the transport portfolio holder for 20 minutes before the next cabinet briefing, to
walk through the three ward-level recommendations with two assembly members.""", kind=A),
                    )),
            )),
            Msg("dev", 24, "If nobody champions them, who will notice, and when?", kind=Q,
                replies=(
                    Msg("claire", 28, """\
The assembly members will notice first, and then the press at the budget, when the money
isn't there. I will send every ward councillor a one-page note of the recommendations that
touch their ward, with the names of assembly members who live there.""", kind=A, replies=(
                        Msg("claire", UPDATE_HOURS, """\
Done. The notes went to all 51 councillors; nine replied and three asked to meet the
assembly members from their ward. What I learnt: a ward-level note got answers where the
full report never did, and the replies came from backbenchers, not cabinet.""", kind=U,
                            replies=(
                                Msg("gareth", UPDATE_HOURS + 3, """\
Worth sharing beyond this set: councillors respond to what they can claim for their ward.
Slice the recommendations by ward *before* you send anything to members.""", kind=L),
                                Msg("siobhan", UPDATE_HOURS + 24, "Knowing how the ward "
                                    "notes landed, what will you ask the portfolio holder "
                                    "for that you would not have asked a month ago?", kind=Q),
                            )),
                    )),
                )),
        )),
)


CLOSED_DAYS_AGO = 40
CLOSED_TITLE = "How do we report back to assembly members a year on?"
CLOSED_AIM = ("Every assembly member hears, a year after the assembly, what happened to each "
              "recommendation, from someone they met there.")
# Hours after the challenge opened at which Gareth closed it (two days before loading).
CLOSED_HOURS = (CLOSED_DAYS_AGO - 2) * 24

CLOSED_CHALLENGE_SPEC = ThreadSpec(
    EVALUATION_SLUG, CLOSED_TITLE, days_ago=CLOSED_DAYS_AGO,
    opening=Msg("gareth", 0, """\
Our assembly on flood resilience finished last spring. We promised members a report back "in
a year", and the year is up in six weeks. The council's response is a 40-page table of
officer updates. I do not want to send them that, and I do not want to send them nothing.""",
        kind=PostKind.CHALLENGE, replies=(
            Msg("rosa", 3, "What did the members say they wanted to hear, when you asked "
                           "them at the last session?", kind=Q),
            Msg("gareth", CLOSED_HOURS, """\
What happened: we held an evening session instead of sending the table. The officer who led
each recommendation said in five minutes what had changed, and members asked the questions.
Twenty-six of the thirty-eight members came.

What I learnt: we had never asked them what they wanted to hear (Rosa's question). They
wanted to meet the people doing the work, not to read their updates; and asking them should
happen at the assembly's last session, not a year on.""",
                kind=PostKind.SUMMARY, status=PostStatus.PENDING),
        )),
)


def _thread_without_challenge(session: Session, learning_set: LearningSet,
                              title: str) -> Thread | None:
    """The demo thread called ``title`` in the set, or None when it is missing or already a
    challenge (so loading the demo again adds nothing)."""
    thread = session.scalar(select(Thread).where(Thread.learning_set_id == learning_set.id,
                                                 Thread.title == title))
    if thread is None or session.scalar(
            select(Challenge.id).where(Challenge.thread_id == thread.id)) is not None:
        return None
    return thread


def ensure_closed_challenge(session: Session, learning_set: LearningSet,
                            users: dict[str, User], now: datetime) -> int:
    """Make the closed demo thread a challenge, closed by its holder, unless it already is
    (its summary post waits for a moderator: Gareth's posts in the set wait)."""
    thread = _thread_without_challenge(session, learning_set, CLOSED_TITLE)
    if thread is None:
        return 0
    holder = users["gareth"]
    summary = session.scalar(select(Post).where(Post.thread_id == thread.id,
                                                Post.kind == PostKind.SUMMARY.value))
    session.add(Challenge(thread=thread, learning_set_id=learning_set.id, holder_id=holder.id,
                          aim=CLOSED_AIM, status=ChallengeStatus.CLOSED,
                          closed_at=summary.created_at if summary else now,
                          closed_by_id=holder.id, created_at=thread.created_at))
    session.flush()
    return 1


def ensure_demo_challenge(session: Session, learning_set: LearningSet, users: dict[str, User],
                          now: datetime) -> int:
    """Make the demo thread a challenge with its actions, unless it already is; returns 1 when
    it created the challenge."""
    thread = _thread_without_challenge(session, learning_set, TITLE)
    if thread is None:
        return 0
    holder = users["claire"]
    challenge = Challenge(thread=thread, learning_set_id=learning_set.id, holder_id=holder.id,
                          aim=AIM, status=ChallengeStatus.IN_PROGRESS,
                          created_at=thread.created_at)
    session.add(challenge)
    session.flush()
    posts = session.scalars(select(Post).where(Post.thread_id == thread.id)
                            .order_by(Post.id)).all()
    meeting, ward_notes = [post for post in posts if post.kind == PostKind.ACTION]
    update = next(post for post in posts if post.kind == PostKind.UPDATE)
    today = to_local(now).date()
    # The meeting with the portfolio holder was due three working days ago: overdue, no update
    # yet. The ward notes were due the day after Claire reported them done.
    session.add(Action(post_id=meeting.id, challenge_id=challenge.id,
                       learning_set_id=learning_set.id, holder_id=holder.id,
                       due_on=working_days_from(today, -3), state=ActionState.OPEN,
                       created_at=meeting.created_at))
    done = Action(post_id=ward_notes.id, challenge_id=challenge.id,
                  learning_set_id=learning_set.id, holder_id=holder.id,
                  due_on=working_days_from(today, -6), state=ActionState.DONE,
                  settled_by_post_id=update.id, created_at=ward_notes.created_at)
    session.add(done)
    session.flush()
    session.add(ActionUpdate(post_id=update.id, action_id=done.id, outcome=UpdateOutcome.DONE,
                             created_at=update.created_at))
    session.flush()
    return 1
