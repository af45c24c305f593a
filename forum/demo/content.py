"""The demo's people, sets and conversations, as data (the loader is in :mod:`forum.demo`).

Everyone and every council here is invented; addresses are on example.org.
"""

from __future__ import annotations

from dataclasses import dataclass

from forum.models import ModerationPolicy
from forum.models import PostStatus
from forum.models import Role
from forum.models import Visibility

NORTHBRIDGE = "Northbridge Borough Council"
EASTMOOR = "Eastmoor District Council"
KINGSFORD = "Kingsford City Council"
NETWORK = "Deliberative Councils Network"


@dataclass(frozen=True)
class Person:
    key: str
    email: str
    name: str
    organisation: str
    is_admin: bool = False
    is_network_coordinator: bool = False  # publishes and runs the network's events


@dataclass(frozen=True)
class SetSpec:
    slug: str
    name: str
    visibility: Visibility
    purpose: str
    members: dict[str, Role]
    policy: ModerationPolicy | None = None  # None: the default (new members' first posts wait)


@dataclass(frozen=True)
class Msg:
    """A post: who wrote it, how many hours after the thread opened, and its replies."""

    author: str
    hours: float
    body: str
    replies: tuple[Msg, ...] = ()
    status: PostStatus = PostStatus.APPROVED
    kind: str | None = None  # in a challenge (forum.models.PostKind)


@dataclass(frozen=True)
class ThreadSpec:
    set_slug: str
    title: str
    days_ago: float
    opening: Msg
    pinned: bool = False
    locked: bool = False


PEOPLE: tuple[Person, ...] = (
    Person("rosa", "rosa.lindqvist@example.org", "Rosa Lindqvist", NETWORK,
           is_network_coordinator=True),
    Person("tom", "tom.adeyemi@example.org", "Tom Adeyemi", KINGSFORD),
    Person("aisha", "aisha.rahman@example.org", "Aisha Rahman", NORTHBRIDGE),
    Person("gareth", "gareth.pryce@example.org", "Gareth Pryce", NORTHBRIDGE),
    Person("claire", "claire.whitfield@example.org", "Claire Whitfield", EASTMOOR),
    Person("dev", "dev.patel@example.org", "Dev Patel", EASTMOOR),
    Person("siobhan", "siobhan.murphy@example.org", "Siobhan Murphy", KINGSFORD),
    Person("marcus", "marcus.bell@example.org", "Marcus Bell", KINGSFORD),
    Person("nadia", "nadia.hussain@example.org", "Nadia Hussain", EASTMOOR),
    # New to the private set: his first posts there wait for a moderator.
    Person("owen", "owen.jenkins@example.org", "Owen Jenkins", NORTHBRIDGE),
    # Signed in but in no set: reads the network and public sets, and may ask to join them.
    Person("priya", "priya.shah@example.org", "Priya Shah", EASTMOOR),
    Person("admin", "admin@example.org", "Alex Morgan", NETWORK, is_admin=True),
)

COMMS_SLUG = "communicating-citizens-assemblies"
EVALUATION_SLUG = "evaluating-deliberation"
RECRUITING_SLUG = "recruiting-assembly-members"

SETS: tuple[SetSpec, ...] = (
    SetSpec(
        slug=COMMS_SLUG,
        name="Communicating citizens' assemblies",
        visibility=Visibility.PRIVATE,
        purpose=(
            "Communications, engagement and democratic services officers from councils that are "
            "running, or about to run, a citizens' assembly. We share what worked and what didn't "
            "when telling residents about an assembly: naming it, recruiting members, working with "
            "the press and social media, and reporting back on what happened to the "
            "recommendations. What is said here stays here unless the author agrees otherwise."
        ),
        members={
            "rosa": Role.FACILITATOR,
            "tom": Role.MODERATOR,
            "aisha": Role.MEMBER,
            "gareth": Role.MEMBER,
            "claire": Role.MEMBER,
            "dev": Role.MEMBER,
            "siobhan": Role.MEMBER,
            "marcus": Role.MEMBER,
            "nadia": Role.MEMBER,
            "owen": Role.MEMBER,
        },
    ),
    SetSpec(
        slug=EVALUATION_SLUG,
        name="Evaluating deliberative processes",
        visibility=Visibility.NETWORK,
        purpose=(
            "Open to everyone signed in to the network: how councils evaluate assemblies, juries "
            "and panels, from the first design decisions to the long-term impact on policy."
        ),
        members={"rosa": Role.FACILITATOR, "claire": Role.MODERATOR, "siobhan": Role.MEMBER,
                 "gareth": Role.MEMBER},
    ),
    SetSpec(
        slug=RECRUITING_SLUG,
        name="Recruiting assembly members",
        visibility=Visibility.PUBLIC,
        purpose=(
            "Open to anyone, signed in or not: how councils recruit the members of an assembly, "
            "jury or panel by civic lottery, from the invitation letter to paying members for "
            "their time. Residents and councils outside the network are welcome to read."
        ),
        members={"rosa": Role.FACILITATOR, "siobhan": Role.MODERATOR, "aisha": Role.MEMBER,
                 "marcus": Role.MEMBER, "dev": Role.MEMBER},
        policy=ModerationPolicy.AFTER_THE_FACT,
    ),
)


THREADS: tuple[ThreadSpec, ...] = (
    ThreadSpec(
        COMMS_SLUG, "Welcome: how this set works", days_ago=42, pinned=True,
        opening=Msg("rosa", 0, """\
Welcome, everyone, and thank you for joining.

This set is for officers who are **doing the communications work** around a citizens' assembly.
A few ground rules we agreed at the first call:

1. **Chatham House, by default.** Share freely; nothing leaves the set with your name or council
   attached unless you say so.
2. **Bring the messy bits.** The things that went wrong are the most useful to others.
3. **Start a new thread per question**, so we can find things later and pull them into the guide.

Our next call is on the first Thursday of the month. The notes from the last one are on the
[network's shared drive](https://example.org/network/calls).
""", replies=(
            Msg("aisha", 5, "Thanks Rosa. Looking forward to stealing everyone's good ideas."),
            Msg("marcus", 26, """\
Could we also use this set to share **press lines** before they go out? We've had a couple of
stories where two councils said slightly different things about what an assembly *is*.
""", replies=(
                Msg("rosa", 29, """\
Yes, good idea. Post them as a reply in the press thread and mark anything embargoed clearly
at the top. @tom.adeyemi has offered to read them before they go out.
"""),
            )),
        )),
    ),
    ThreadSpec(
        COMMS_SLUG, "What did you call your assembly, and did the name help?", days_ago=35,
        opening=Msg("aisha", 0, """\
We're about to go to Cabinet with the design for our assembly on **transport and clean air**, and
the name is turning into a bigger debate than the budget.

The options on the table:

- *Northbridge Citizens' Assembly on Transport*
- *Northbridge Climate Assembly*
- *The People's Panel on Getting Around*

Members want "People's Panel" because it sounds less formal. Democratic Services worry it will be
confused with our existing residents' panel (the online survey panel). What did you go with, and
would you choose it again?
""", replies=(
            Msg("siobhan", 3, """\
We called ours the **Kingsford Climate Assembly** and I'd choose it again. Two reasons:

1. "Citizens' assembly" has a meaning people can look up; the national coverage of the
   climate assemblies did a lot of explaining for us.
2. It kept the **question** out of the name, so we could word the question carefully without
   the name pre-empting it.

The one downside: "citizens" put a few people off who weren't sure it included them. We said
"any resident aged 16 or over" in every single piece of copy.
""", replies=(
                Msg("aisha", 6, """\
That point about "citizens" is exactly what our equalities officer raised. Did you do anything
beyond the copy line?
""", replies=(
                    Msg("siobhan", 9, """\
We tested the letter with our community connectors and they suggested a **line in the five
most spoken community languages** on the back of the envelope: *"This is for you if you live
in Kingsford, whatever your nationality."* Response from the two wards we were most worried
about went up, though I can't prove it was that line.
"""),
                    Msg("gareth", 24, """\
Same concern here. Legal were comfortable with "residents' assembly" but the press office
thought it sounded like a tenants' meeting. We stuck with "citizens'" and the line Siobhan
describes.
"""),
                )),
            )),
            Msg("dev", 28, """\
Counterpoint from Eastmoor: we went with **"Eastmoor Talks: Our Future High Street"** and it
worked well on social media, but it was a pain in the press. Every article needed a sentence
explaining it was a citizens' assembly, and our own councillors kept calling it a consultation.

If I did it again I'd keep a friendly **strapline** but put "citizens' assembly" in the name.
""", replies=(
                Msg("claire", 31, "Agree with Dev, and I was the one who chose the name."),
            )),
            Msg("tom", 50, """\
A practical one: check the **domain name and social handles** before you announce. We lost
the obvious handle to a parody account within a day of the press release.
"""),
        )),
    ),
    ThreadSpec(
        COMMS_SLUG, "Recruitment letter: what got people to reply?", days_ago=28,
        opening=Msg("gareth", 0, """\
We're sending **10,000 letters** in the first round of the civic lottery next month. Our draft
is two pages and I think it's too long. What made the difference to your response rate?

Ours currently leads with the council logo and "You have been selected". I'm told the second
half of that is a problem.
""", replies=(
            Msg("claire", 4, """\
Our response rate went from **2.1% to 3.4%** between the pilot and the main mailing. Changes:

- **Lead with the money and the meal.** "You'll be paid £400 for your time, and we'll cover
  travel and childcare" went into the first paragraph.
- **Say what it is in one sentence**, before any background.
- A **freepost reply slip** as well as the web form and phone line; a third of replies used it.
- The envelope said *"You've been chosen to help decide the future of Eastmoor's high
  street"*, not the council's franking.
""", replies=(
                Msg("gareth", 7, """\
£400! We're offering £250 over three weekends. Did anyone push back on the payment?
""", replies=(
                    Msg("claire", 8, """\
A couple of letters to the local paper. Our answer was the same every time: **we pay so that
people on low incomes and with caring responsibilities can take part**, not just the usual
voices. It blew over quickly.
""", replies=(
                        Msg("marcus", 30, """\
Worth checking with your revenues and benefits team too. We had to write a short note for
members on benefits explaining how the payment is treated. See the
[draft wording we used](https://example.org/kingsford/assembly-payment-note).
"""),
                    )),
                )),
            )),
            Msg("nadia", 24, """\
On "you have been selected": our behavioural insights colleague suggested **"you have been
invited"**. "Selected" reads like a jury summons, and it made some people think it was
compulsory. Fewer angry phone calls, same response rate.
"""),
            Msg("siobhan", 48, """\
Two pages is fine if the first page does the work. We kept the FAQ on page two and put a
**QR code to a 90-second video** of a previous assembly member on page one.
""", replies=(
                Msg("gareth", 55, "Would you share the video link? Happy to credit Kingsford."),
            )),
        )),
    ),
    ThreadSpec(
        COMMS_SLUG, "Working with local press before, during and after", days_ago=21,
        opening=Msg("marcus", 0, """\
Press office view, for what it's worth. With the assembly starting in three weeks, our plan is:

1. **Before:** a briefing for the two local papers and the BBC local radio producer, with the
   chair of the assembly and the independent facilitator, *not* the Leader.
2. **During:** no access to small-group sessions; the plenary evidence sessions are open to
   press and streamed.
3. **After:** recommendations published on the final day, council response within six months.

Where has this gone wrong for others?
""", replies=(
            Msg("claire", 3, """\
The **gap between the final weekend and the council response** is where we lost control of
the story. The paper ran "Assembly ignored?" after eight weeks of silence. Next time I'd
publish a **timetable for the response on the final day**, with dates.
""", replies=(
                Msg("marcus", 5, "That's a really good shout. Adding it to our plan now."),
            )),
            Msg("aisha", 24, """\
Ask members **in advance** whether they're willing to speak to the press, and give them a
short briefing. Ours were brilliant, but one was door-stepped on the first weekend and said
she felt ambushed. We now give everyone a card with the press office number on it.
""", replies=(
                Msg("tom", 27, """\
As a moderator note: please don't name individual members in this set without their consent,
even in passing. Thanks all, this thread is really useful.
"""),
            )),
            Msg("dev", 48, """\
Small thing that worked: we gave the local paper a **data-led story** on the recruitment
(who replied, by age and ward) before the assembly started. It meant the first coverage was
about *who* was taking part, not the politics of the question.
"""),
        )),
    ),
    ThreadSpec(
        COMMS_SLUG, "Social media while the assembly is sitting", days_ago=16,
        opening=Msg("dev", 0, """\
Our first weekend is on the 14th. I'd like to post **during** the sessions, but I'm worried
about two things:

- members being identifiable in photos without clear consent;
- councillors quote-posting things out of context while the assembly is still deliberating.

Do you post live, or only summaries at the end of each day?
""", replies=(
            Msg("siobhan", 2, """\
**Summaries only**, at the end of each day, and only about the *evidence* heard, never about
where the members seem to be heading. We found live posting made members self-conscious.

Our consent form had three separate tick boxes: *photos of me*, *my first name in captions*,
*quotes from me*. Lanyards were colour-coded so the photographer knew at a glance.
""", replies=(
                Msg("dev", 4, "Colour-coded lanyards, brilliant. Stealing that.", replies=(
                    Msg("nadia", 6, """\
We did the same with **green, amber and red dots** on name badges. One tip: give a spare
badge to anyone who changes their mind mid-weekend. Two people did.
""", replies=(
                        Msg("dev", 9, "Noted, thank you both."),
                    )),
                )),
            )),
            Msg("marcus", 26, """\
On councillors: we agreed a **protocol with group leaders** before the first session. No
commentary on the substance until the recommendations are published. It held, mostly. Share
it with your monitoring officer early.
"""),
            Msg("claire", 74, """\
Short **video clips of expert speakers** (with their permission) got ten times the reach of
anything else, and nobody could accuse us of spinning the members' views.
"""),
            # Yesterday (the thread opened 16 days ago): he has just joined, and it waits.
            Msg("owen", 15 * 24 + 2, """\
New here: our first assembly sits in the spring.
Does anyone have a template for the social media consent wording? Ours is a paragraph of
legalese.
""", status=PostStatus.PENDING),
        )),
    ),
    ThreadSpec(
        COMMS_SLUG, "Closing the loop: telling members what happened to their recommendations",
        days_ago=11,
        opening=Msg("siobhan", 0, """\
Our Cabinet responded to the assembly's **23 recommendations** last week: 15 accepted,
5 accepted in part, 3 not accepted. Before anything goes public, I want the **members to
hear it from us first**, and in a way that doesn't feel like a brush-off for the three.

Plans so far:

- a letter to every member, signed by the Leader, the day before the public report;
- an **online session** with the lead officers for each recommendation;
- a one-page table: recommendation, decision, *reason*, what happens next and when.

What else should we do?
""", replies=(
            Msg("aisha", 4, """\
The **reasons** matter more than anything. Our members said the hardest thing wasn't a "no",
it was a "no" without an explanation they could repeat to their neighbours.
""", replies=(
                Msg("siobhan", 6, """\
Agreed. We're writing the reasons in plain English and testing them on two former members
before they go out.
"""),
            )),
            Msg("claire", 26, """\
Set a date for the **first progress update** and stick to it, even if there's little to
report. We do six-monthly updates by email, and a reunion event after a year. Attendance at
the reunion was about a third, and they were some of our best advocates afterwards.
""", replies=(
                Msg("gareth", 27, "Did you budget for the reunion from the start?", replies=(
                    Msg("claire", 30, """\
No, and I'd recommend you do. We found the money from the communications budget in the end,
but it was a scramble.
"""),
                )),
            )),
            Msg("rosa", 50, """\
This is exactly the kind of thing we should capture for the guide. Siobhan, would you be
happy for the one-page table to be used as an example, with Kingsford's name on it?
""", replies=(
                Msg("siobhan", 50.75, "Yes, once it's public. I'll post it here."),
            )),
            # Reported by Siobhan (forum.demo.report): a moderator finds it in the queue.
            Msg("marcus", 56, """\
For the letter, the member who spoke at Cabinet is happy to be quoted: Janet Okafor of
14 Millbrook Road. She said "I didn't expect them to read it, let alone answer it." Ring her
on 07700 900123 if you want more for the guide.
"""),
        )),
    ),
    ThreadSpec(
        COMMS_SLUG, "Reporting back to the public: formats that worked", days_ago=7,
        opening=Msg("claire", 0, """\
We're planning the public report. Last time we published a **68-page PDF** and the page
analytics suggest almost nobody got past page three. This time I want layers:

1. a **one-page summary** (recommendations and the council's response);
2. a **web page per recommendation**, with progress updates;
3. the full report for people who want it, as accessible HTML, not just a PDF.

Anyone done something like a **public tracker**?
""", replies=(
            Msg("marcus", 3, """\
We built a simple tracker page: each recommendation with a status tag, *Not started*,
*In progress*, *Done*, *Not taken forward*, and a date last updated. It's the most visited
assembly page by some distance. See the
[Kingsford tracker](https://example.org/kingsford/assembly-tracker).

The catch: somebody has to **own** updating it. Put that in a job description.
""", replies=(
                Msg("claire", 5, "Whose job description did it end up in?", replies=(
                    Msg("marcus", 7, """\
The programme manager for the climate action plan, with a quarterly reminder from us. It
slipped once and a councillor noticed before we did.
""", replies=(
                        Msg("tom", 9, "The best kind of accountability, really."),
                    )),
                )),
            )),
            Msg("nadia", 25, """\
Don't forget people who aren't online. We put the **one-page summary in the residents'
magazine** that goes to every household, plus copies in libraries. Two members volunteered
to talk about it at their community groups.
"""),
        )),
    ),
    ThreadSpec(
        COMMS_SLUG, "Using video and members' own stories", days_ago=3,
        opening=Msg("nadia", 0, """\
We have budget for **one short film** about our assembly. The choice is between:

- a polished film by an agency (about three minutes, professional voice-over); or
- **members filming themselves** on their phones, with a light edit by our digital team.

Which has worked better for you, for recruitment next time and for telling the story now?
""", replies=(
            Msg("dev", 2, """\
Members' own footage, every time. Ours was wobbly and the sound was poor in places, but it
was **believable**. The agency film we made for a previous consultation looked like an advert
and got the engagement of one.

Tips:

- give people **three prompts**, not a script (*why did you say yes? what surprised you? what
  would you tell a neighbour?*);
- always add **captions**, and a transcript on the web page;
- get **written consent** for each use, including future recruitment.
""", replies=(
                Msg("nadia", 4, "Did you pay members for the filming time?", replies=(
                    Msg("dev", 5, """\
We gave a £20 voucher and made clear it was optional. About one in five said yes.
"""),
                )),
            )),
            Msg("aisha", 24, """\
A hybrid worked for us: an agency for the **filming and edit**, but members' own words, no
voice-over. More expensive than phones, but it stood up in front of Full Council and on
local TV.
"""),
        )),
    ),
    ThreadSpec(
        EVALUATION_SLUG, "How are you evaluating the communications, not just the assembly?",
        days_ago=9,
        opening=Msg("claire", 0, """\
Most evaluations I've read judge the **assembly** (was it representative, was the
deliberation good, were members satisfied) but say little about the **communications**. For
ours I'm proposing we measure:

- **reach:** how many residents heard of the assembly (a question in the residents' survey);
- **understanding:** could they say what it was for;
- **trust:** did hearing about it change how they feel about council decisions.

Has anyone got a baseline question that worked? The
[evaluation framework we're adapting](https://example.org/evaluation-framework) is a good
start but quite academic.
""", replies=(
            Msg("siobhan", 5, """\
We added **two questions to the annual residents' survey**, before and after. Awareness went
from 9% to 24%, which was lower than we'd hoped, but the "trust" question moved more among
people who had heard of it than among those who hadn't. Correlation only, of course.
""", replies=(
                Msg("gareth", 26, """\
Would you share the exact wording? We're designing our baseline now and it would be great
to be comparable.
""", replies=(
                    Msg("siobhan", 28, """\
Of course: *"Have you heard of the Kingsford Climate Assembly?"* (yes / no / not sure) and
*"How much do you trust the council to take residents' views into account?"* (a five-point
scale). Both are in the [survey questions](https://example.org/kingsford/survey-2024).
"""),
                )),
            )),
            Msg("rosa", 30, """\
An independent evaluator is worth the money if you can find it. Members are more candid with
someone who isn't from the council.
"""),
        )),
    ),
    # The public set: anyone reads it; its posts appear at once and can be reported.
    ThreadSpec(
        RECRUITING_SLUG, "How many invitations did you send for a 40-member assembly?",
        days_ago=19,
        opening=Msg("aisha", 0, """\
We are planning Northbridge's first assembly: **40 members**, chosen by civic lottery from
people who reply to a letter. The budget pays for one mailing. How many households did you
write to, and what share replied?
""", replies=(
            Msg("siobhan", 3, """\
We wrote to **10,000 households** for 45 places and 4.1% replied, so about 410 people
volunteered. That was plenty to fill every quota except young men, where we had only just
enough.
""", replies=(
                Msg("marcus", 6, """\
Same pattern in Kingsford's transport jury. A **reminder postcard** a fortnight later added
another third to our replies, mostly from the areas that had answered least.
"""),
            )),
            # Hidden by Siobhan (forum.demo.history): the log says why.
            Msg("marcus", 8, """\
For comparison, the supplier we used quoted us these prices per thousand letters: printing
£410, postage £620, handling the replies £0.85 each. Happy to share the full quote.
""", status=PostStatus.HIDDEN),
            Msg("rosa", 24, """\
Worth budgeting for both: the mailing to a random sample, and a follow-up in the areas the
first replies under-represent. The network's
[recruitment checklist](https://example.org/network/recruitment-checklist) has the sums.
"""),
        )),
    ),
    ThreadSpec(
        RECRUITING_SLUG, "Paying members: vouchers, a day rate or nothing?", days_ago=4,
        opening=Msg("dev", 0, """\
Eastmoor is deciding what to pay assembly members. The options on the table are a **£50
voucher per session**, a **day rate** paid through payroll, or nothing but expenses. What did
you choose, and did it change who took part?
""", replies=(
            Msg("siobhan", 2, """\
A voucher per session, plus childcare and travel paid on the day. Vouchers kept it out of
benefits assessments, which mattered to several members.
"""),
            Msg("aisha", 5, """\
We are going to the network's webinar on paying members in a few weeks before we decide: I will
post what we learn here.
"""),
        )),
    ),
    # Gareth is new to this set (fewer approved posts than its policy asks), so his thread waits:
    # whoever signs in as a moderator finds it in the queue.
    ThreadSpec(
        EVALUATION_SLUG, "Should members see the evaluation report before it is published?",
        days_ago=1,
        opening=Msg("gareth", 0, """\
Our evaluator's draft report is due next month. Two of our assembly members have asked to read
it **before** it goes to cabinet, so they can check it describes their experience fairly.

I'm inclined to say yes, with a short deadline for comments. Has anyone done this, and did it
change the report?
""", status=PostStatus.PENDING),
    ),
)
