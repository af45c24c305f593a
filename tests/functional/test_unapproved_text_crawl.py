"""Nobody reads text a moderator has not approved, by any route: the whole site, crawled.

One public learning set holds an item of every kind that waits for a moderator, was refused by
one, or was hidden by one, each carrying its own marker word (:data:`MARKERS`). Nine people
(:data:`PEOPLE`) then read the site: each follows every link to a GET route from the start
pages (at most :data:`PAGES_PER_ROUTE` pages per route, :data:`PAGE_BUDGET` pages in all),
searches for every marker, and downloads the waiting files; the emails the outbox sent them
are read too. The set also has a meeting (agenda and notes), a draft guide and an unpublished
new title of its published guide, and the network a waiting request to join and a decided one;
their pages, the event's and the curators' pages are start pages, so every GET route of the
site is opened by someone, except data copies (the download is read below) and the links of
an invitation to a set or to the network (whose invitee, not one of the nine, may read the
set's name). Each person also opens the links their emails carry (stop following a thread,
unsubscribe, reset a password) and a sign-up confirmation; sign-up, the health check and the
organisation records (one the author's organisation) are start pages. A marker may reach only
the people its item allows (its author, the set's moderators, the admin), and it must reach
each of them, so the test cannot pass on pages the crawl never opened.

The crawl runs twice. With the set public, even a visitor opens every page that holds the
items: only the moderation rule (``forum.permissions``), not the set's privacy, stands between
them and the markers. With the set private, its own published text (its name, a thread's
title, a reply) is marked too and must reach its members and the admin alone. Only GET routes
are followed, and they change nothing a later page depends on (opening a notification marks it
read, which is why the emails are read first).
"""

from __future__ import annotations

import functools
import io
import re
import zipfile
from collections import Counter
from collections import deque
from dataclasses import dataclass
from datetime import date
from datetime import datetime
from datetime import timedelta
from email.message import EmailMessage
from urllib.parse import parse_qs
from urllib.parse import urljoin
from urllib.parse import urlsplit

import pytest
from flask import Flask
from flask import url_for
from sqlalchemy import select
from werkzeug.exceptions import HTTPException
from werkzeug.routing import MapAdapter
from werkzeug.routing import RequestRedirect
from werkzeug.test import TestResponse

from forum import site_settings
from forum.auth import service as accounts
from forum.challenges import service as challenges
from forum.events import topics
from forum.events.service import add_material
from forum.extensions import db
from forum.files.service import attach
from forum.files.service import prepare
from forum.files.storage import upload_storage
from forum.guides import compile as compiler
from forum.guides import service as guides
from forum.guides.export import FORMATS as GUIDE_FORMATS
from forum.mail import outbox_messages
from forum.meetings import service as meetings
from forum.models import Action
from forum.models import ChallengeStatus
from forum.models import EmailTopic
from forum.models import Event
from forum.models import EventAudience
from forum.models import EventKind
from forum.models import FollowLevel
from forum.models import LearningSet
from forum.models import MaterialKind
from forum.models import Membership
from forum.models import ModerationPolicy
from forum.models import NetworkRequest
from forum.models import OrganisationKind
from forum.models import Post
from forum.models import PostKind
from forum.models import RequestStatus
from forum.models import Role
from forum.models import UpdateOutcome
from forum.models import User
from forum.models import Visibility
from forum.models import utcnow
from forum.moderation import service as moderation
from forum.notifications.delivery import send_digests
from forum.notifications.preferences import unfollow_url
from forum.notifications.preferences import unsubscribe_url
from forum.organisations import add_organisation
from forum.people.erasure import erase
from forum.sets import join_requests
from forum.sets import service as sets_service
from forum.threads import service as threads
from forum.threads.following import set_follow_level
from tests import factories
from tests import file_samples
from tests.conftest import FormClient
from tests.functional.my_data import download_my_data
from tests.guide_readers import pdf_text
from tests.page_checks import off_site

PEOPLE = ("visitor", "member", "other_set_member", "author", "removed_member",
          "other_set_moderator", "set_moderator", "coordinator", "admin")
AUTHOR_AND_MODERATORS = frozenset({"author", "set_moderator", "admin"})
MODERATORS = frozenset({"set_moderator", "admin"})
# Workshop topics are decided by the people who run events (the network coordinator and the
# admin), not set moderators.
AUTHOR_AND_EVENT_MANAGERS = frozenset({"author", "coordinator", "admin"})
# A guide's unpublished draft, a request to join the set: for the set's facilitators (it has
# none here but the admin).
GUIDE_CURATORS = frozenset({"admin"})
# An event shown to the set's members: they and the people who run events.
EVENT_READERS = frozenset({"member", "author", "set_moderator", "coordinator", "admin"})
# Published text: whoever reads the set (everyone for a public set; its members and the admin
# for a private one, where even the set's name must reach nobody else).
SET_READERS = None


@dataclass(frozen=True)
class Marker:
    """A word planted in one unapproved item, and who may read that item."""

    word: str
    item: str
    readers: frozenset[str] | None = AUTHOR_AND_MODERATORS  # None: the set's readers
    searchable: bool = False  # search finds the item for its readers
    # The author's own words (their data download holds every post they wrote, hidden ones
    # too), not a moderator's reason or someone else's text.
    by_author: bool = True
    # Someone else whose own words these are (their data download holds them).
    written_by: str | None = None


MARKERS = (
    Marker("zqsetname", "the set's name", SET_READERS),
    Marker("zqpublishedtitle", "a published thread's title", SET_READERS, searchable=True),
    Marker("zqpublishedreply", "a published reply", SET_READERS, searchable=True),
    Marker("zqwaitingreply", "a waiting reply", searchable=True),
    Marker("zqreturnedreply", "a reply sent back", searchable=True),
    Marker("zqwithdrawnreply", "a withdrawn reply", searchable=True),
    Marker("zqhiddenreply", "a reply a moderator hid", MODERATORS, searchable=True),
    Marker("zqwaitingedit", "a waiting edit of a published reply"),
    Marker("zqunapproveddraft", "a reply's first version, replaced before it was approved"),
    Marker("zqwaitingthread", "a waiting thread's title", searchable=True),
    Marker("zqwaitingopening", "a waiting thread's opening post", searchable=True),
    Marker("zqwaitingretitle", "a waiting new title of a published thread"),
    Marker("zqwaitingreopening", "a waiting edit of a published opening post"),
    Marker("zqwaitingquestion", "a waiting reply to a challenge", searchable=True),
    Marker("zqwaitingchallenge", "a waiting challenge's title", searchable=True),
    Marker("zqwaitingissue", "a waiting challenge's opening post", searchable=True),
    Marker("zqwaitingaim", "a waiting challenge's aim"),
    Marker("zqwaitingaction", "a waiting action", searchable=True),
    Marker("zqwaitingupdate", "a waiting update on an action", searchable=True),
    Marker("zqwaitingsummary", "a waiting closing summary of a closed challenge",
           searchable=True),
    Marker("zqwaitingsummaryedit", "a waiting change to a published closing summary"),
    Marker("zqwaitingtopic", "a waiting workshop topic's title", AUTHOR_AND_EVENT_MANAGERS),
    Marker("zqwaitingtopicnote", "a waiting workshop topic's description",
           AUTHOR_AND_EVENT_MANAGERS),
    Marker("zqwaitingfile", "the name of a file on a waiting reply"),
    Marker("zqwaitingeditfile", "the name of a file added by a waiting edit"),
    Marker("zqreturnreason", "a moderator's reason for sending a reply back", by_author=False),
    Marker("zqhidereason", "a moderator's reason for hiding a reply", MODERATORS, by_author=False),
    Marker("zqfirstdraft", "a waiting reply's first version, changed while it waits"),
    Marker("zqsecondwaiting", "a waiting reply's second version", searchable=True),
    Marker("zqreturnededit", "a moderator's sent-back edit of a published reply"),
    Marker("zqreturneditreason", "a moderator's reason for sending an edit back", by_author=False),
    Marker("zqmoderatedoriginal", "a reply's text before a moderator changed and approved it"),
    Marker("zqreturnedsummary", "a closing summary a moderator sent back"),
    Marker("zqerasedwaiting", "a waiting reply by someone since erased", frozenset(),
           by_author=False),
    Marker("zqerasedthread", "a waiting thread's title by someone since erased", frozenset(),
           by_author=False),
    Marker("zqjoinhopes", "a waiting request to join the set (for its facilitators)",
           GUIDE_CURATORS, by_author=False, written_by="other_set_moderator"),
    Marker("zqeventnotes", "the notes of an event shown to the set's members", EVENT_READERS,
           by_author=False),
    Marker("zqmeetingagenda", "a set meeting's agenda", SET_READERS, by_author=False),
    Marker("zqmeetingnotes", "a set meeting's notes", SET_READERS, by_author=False),
    Marker("zqguidedraft", "a draft guide's title, never published", GUIDE_CURATORS,
           by_author=False),
    Marker("zqguideretitle", "a published guide's new title, not published yet", GUIDE_CURATORS,
           by_author=False),
)
MARKER_BY_WORD = {marker.word: marker for marker in MARKERS}
# A marker word stands alone: letters only, so tokens and nonces cannot contain one by chance.
MARKER_WORD = re.compile(r"(?<![A-Za-z0-9])zq[a-z]+(?![A-Za-z0-9])", re.IGNORECASE)

# Two pages of a route (two threads, two notifications...) find what the route shows; the
# start pages name every page that holds a marker. About 190-260 pages a person.
PAGES_PER_ROUTE = 2
PAGE_BUDGET = 400
LINK = re.compile(r'(?:href|src|action)="([^"#]*)')
NO_RESULTS = re.compile(r'id="results-heading">\s*No results')


@dataclass
class MarkedSite:
    """Ids of the people, and of the pages and files that hold the markers."""

    people: dict[str, int]                    # signed-in people's ids, by name
    person_by_email: dict[str, str]
    threads: list[int]
    marked_posts: dict[str, tuple[int, int]]  # marker word -> (thread id, post id)
    files: dict[str, int]                     # marker word -> file id
    event: int
    guide: str                                # a published guide's slug
    guides: list[int]                         # the published guide's id and a draft's
    guide_parts: list[str]                    # its section's and an excerpt's curator pages
    meeting: int
    network_request: int                      # waiting
    organisation: int                         # the author's organisation's record
    join_request: int                         # waiting
    visibility: Visibility

    def readers(self, marker: Marker | str) -> frozenset[str]:
        """Who may read the marked item on this site."""
        if isinstance(marker, str):
            marker = MARKER_BY_WORD[marker]
        if marker.readers is not None:
            return marker.readers
        if self.visibility == Visibility.PRIVATE:
            return frozenset({"member", "author", "set_moderator", "admin"})
        return frozenset(PEOPLE)


def _people(learning_set: LearningSet) -> dict[str, User | None]:
    """The nine readers (the visitor is None); the removed member is still a member here."""
    other_set_moderator = factories.make_user("bob@example.org", display_name="Bob Other")
    other_set = factories.make_set("other", name="Other set", facilitator=other_set_moderator)
    people = {
        "visitor": None,
        "member": factories.make_user("mo@example.org", display_name="Mo Member"),
        "other_set_member": factories.make_user("otto@example.org", display_name="Otto Other"),
        "author": factories.make_user("penny@example.org", display_name="Penny Author"),
        "removed_member": factories.make_user("rita@example.org", display_name="Rita Removed"),
        "other_set_moderator": other_set_moderator,
        "set_moderator": factories.make_user("mia@example.org", display_name="Mia Moderator"),
        "coordinator": factories.make_user("cora@example.org", display_name="Cora Coordinator",
                                           is_network_coordinator=True),
        "admin": factories.make_user("ada@example.org", display_name="Ada Admin",
                                     is_admin=True),
    }
    for name in ("member", "author", "removed_member"):
        factories.add_member(people[name], learning_set, Role.MEMBER)
    factories.add_member(people["set_moderator"], learning_set, Role.MODERATOR)
    factories.add_member(people["other_set_member"], other_set, Role.MEMBER)
    return people


def build_marked_site(app: Flask, visibility: Visibility) -> MarkedSite:
    """Published items first (posted while nothing waits), then every marked item, then the
    moderators' decisions, and last the member's removal (and a private set made private)."""
    with app.app_context():
        session = db.session
        # A private set was a network set until the end: its followers from other sets read
        # it, were told of its posts and asked to join it before it was made private.
        learning_set = factories.make_set(
            "comms", name="Comms set zqsetname",
            visibility=Visibility.NETWORK if visibility == Visibility.PRIVATE else visibility)
        learning_set.moderation_policy = ModerationPolicy.AFTER_THE_FACT
        people = _people(learning_set)
        author, member, moderator = people["author"], people["member"], people["set_moderator"]

        thread, opening = threads.start_thread(session, member, learning_set,
                                               title="Open thread zqpublishedtitle",
                                               body="Opening councils.")
        published = threads.reply_to(session, author, opening,
                                     body="Published councils zqpublishedreply.")
        topic_thread, topic_opening = threads.start_thread(
            session, author, learning_set, title="Penny topic", body="Penny opening councils.")
        hidden = threads.reply_to(session, author, opening, body="zqhiddenreply councils")
        challenge, challenge_opening = challenges.start_challenge(
            session, member, learning_set, title="A challenge", body="Challenge councils.",
            aim="An aim.")
        own_challenge, own_opening = challenges.start_challenge(
            session, author, learning_set, title="Penny challenge",
            body="Penny challenge councils.", aim="Penny aim.")
        closed_challenge, _ = challenges.start_challenge(
            session, author, learning_set, title="Penny closed challenge",
            body="Penny closed challenge councils.", aim="Penny closed aim.")
        session.flush()
        challenges.set_status(session, author, closed_challenge, ChallengeStatus.CLOSED,
                              "Published summary councils.")
        published_action = challenges.reply(
            session, author, own_opening, own_challenge, kind=PostKind.ACTION,
            body="Approved action councils.", due_on=date.today() + timedelta(days=3))
        event = Event(kind=EventKind.WORKSHOP, title="Set workshop",
                      starts_at=datetime(2031, 1, 1, 10), ends_at=datetime(2031, 1, 1, 12),
                      audience=EventAudience.SETS, signup_open=True, sets=[learning_set])
        session.add(event)
        # Followers who are told of every new post in the two threads that get waiting text.
        for name in ("member", "other_set_member", "removed_member", "author",
                     "set_moderator"):
            for followed in (thread, topic_thread):
                set_follow_level(session, people[name], followed, FollowLevel.WATCHING)
        # A public guide published now quotes the reply whose edit will wait and the reply a
        # moderator will hide: its pages and files must show neither change.
        guide = guides.create_guide(session, learning_set=learning_set, creator=moderator,
                                    title="Comms guide", thread_ids=[thread.id])
        section = guides.add_section(session, guide, title="What we learnt")
        quoted = guides.add_excerpt(session, section, published)
        guides.add_excerpt(session, section, hidden)
        guide.is_public = visibility == Visibility.PUBLIC  # a private set's guide: its own
        compiler.publish(session, guide, by=moderator)
        session.commit()

        learning_set.moderation_policy = ModerationPolicy.EVERY_POST
        session.flush()
        waiting = threads.reply_to(session, author, opening,
                                   body="zqwaitingreply @Mo councils")
        returned = threads.reply_to(session, author, opening, body="zqreturnedreply councils")
        withdrawn = threads.reply_to(session, author, opening, body="zqwithdrawnreply councils")
        redrafted = threads.reply_to(session, author, opening,
                                     body="zqunapproveddraft councils")
        threads.edit_post(session, author, redrafted, body="Redrafted councils")
        threads.edit_post(session, author, published, body="zqwaitingedit councils")
        waiting_thread, waiting_opening = threads.start_thread(session, author, learning_set,
                                                 title="zqwaitingthread councils",
                                                 body="zqwaitingopening councils")
        threads.edit_post(session, author, topic_opening, body="zqwaitingreopening councils",
                          title="zqwaitingretitle councils")
        question = challenges.reply(session, author, challenge_opening, challenge,
                                    kind=PostKind.QUESTION, body="zqwaitingquestion councils")
        waiting_challenge, _ = challenges.start_challenge(
            session, author, learning_set, title="zqwaitingchallenge councils",
            body="zqwaitingissue councils", aim="zqwaitingaim")
        challenges.reply(session, author, own_opening, own_challenge, kind=PostKind.ACTION,
                         body="zqwaitingaction councils",
                         due_on=date.today() + timedelta(days=5))
        action = session.scalar(select(Action).where(Action.post_id == published_action.id))
        challenges.reply(session, author, own_opening, own_challenge, kind=PostKind.UPDATE,
                         body="zqwaitingupdate councils", action_id=action.id,
                         outcome=UpdateOutcome.PARTLY_DONE)
        # The author closes their challenge: it closes at once, its summary waits.
        challenges.set_status(session, author, own_challenge, ChallengeStatus.CLOSED,
                              "zqwaitingsummary councils")
        summary = session.scalar(select(Post).where(Post.kind == PostKind.SUMMARY.value,
                                                    Post.thread_id == own_challenge.thread_id))
        # ...and changes the published summary of a challenge they closed earlier: it waits.
        challenges.set_status(session, author, closed_challenge, ChallengeStatus.CLOSED,
                              "zqwaitingsummaryedit councils")
        published_summary = session.scalar(select(Post).where(
            Post.kind == PostKind.SUMMARY.value, Post.thread_id == closed_challenge.thread_id))
        # A waiting reply changed while it waits; an edit sent back; a reply a moderator
        # changes as they approve it; a closing summary sent back.
        redone = threads.reply_to(session, author, opening, body="zqfirstdraft councils")
        threads.edit_post(session, author, redone, body="zqsecondwaiting councils")
        edit_returned = threads.reply_to(session, moderator, opening,
                                         body="Published for return councils.")
        edit_returned.author_id = author.id  # written by the author while nothing waited
        session.flush()
        threads.edit_post(session, author, edit_returned, body="zqreturnededit councils")
        moderated = threads.reply_to(session, author, opening,
                                     body="zqmoderatedoriginal councils")
        returned_challenge, _ = challenges.start_challenge(
            session, moderator, learning_set, title="Penny returned challenge",
            body="Penny returned challenge councils.", aim="Penny returned aim.")
        returned_challenge.holder_id = author.id
        session.flush()
        challenges.set_status(session, author, returned_challenge, ChallengeStatus.CLOSED,
                              "zqreturnedsummary councils")
        returned_summary = session.scalar(select(Post).where(
            Post.kind == PostKind.SUMMARY.value,
            Post.thread_id == returned_challenge.thread_id))
        # Someone whose waiting posts are erased with their account.
        erin = factories.make_user("erin@example.org", display_name="Erin Erased")
        factories.add_member(erin, learning_set, Role.MEMBER)
        threads.reply_to(session, erin, opening, body="zqerasedwaiting councils")
        threads.start_thread(session, erin, learning_set, title="zqerasedthread councils",
                             body="Erin opening councils.")
        topics.propose(session, author, event, title="zqwaitingtopic",
                       description="zqwaitingtopicnote")
        storage = upload_storage()
        waiting_file = attach(session, storage, author,
                              prepare(file_samples.CSV, "zqwaitingfile.csv"), post=waiting)
        edit_file = attach(session, storage, author,
                           prepare(file_samples.CSV, "zqwaitingeditfile.csv"), post=published,
                           awaiting_approval=True)
        session.commit()

        moderation.reject(session, moderator, returned, "zqreturnreason")
        moderation.withdraw(session, author, withdrawn)
        moderation.approve(session, moderator, redrafted)
        moderation.hide(session, moderator, hidden, "zqhidereason")
        moderation.return_edit(session, moderator, edit_returned, "zqreturneditreason")
        moderation.edit_and_approve(session, moderator, moderated, "Moderated councils.")
        moderation.reject(session, moderator, returned_summary, "Say more.")
        # A moderator answers a waiting thread and a waiting reply, naming members.
        threads.reply_to(session, moderator, waiting_opening,
                         body="Mia answers the waiting thread @Mo @Otto @Rita councils")
        threads.reply_to(session, moderator, waiting,
                         body="Mia answers the waiting reply @Mo @Otto councils")
        erase(session, upload_storage(), erin, by=people["admin"])
        # Published answers to the posts whose new text waits, telling everyone (by mention
        # and by following) with a quotation or title of the waiting text's post.
        threads.reply_to(session, moderator, published,
                         body="Mia answers @Penny @Mo @Otto @Rita councils")
        threads.reply_to(session, moderator, topic_opening,
                         body="Mia answers the opening @Penny @Mo councils")
        session.commit()

        # Someone from another set asks to join, and is declined (emailed at once).
        asked = join_requests.ask_to_join(session, people["other_set_member"], learning_set,
                                          "Otto hopes councils")
        join_requests.decline(session, people["admin"], asked, "Declined councils")
        session.commit()

        # Someone from another set asks to join, and waits (asked while the set was open).
        join_request = join_requests.ask_to_join(session, people["other_set_moderator"],
                                                 learning_set, "Bob hopes zqjoinhopes")
        session.commit()

        sets_service.remove_member(session, session.scalar(select(Membership).where(
            Membership.user_id == people["removed_member"].id,
            Membership.learning_set_id == learning_set.id)))
        learning_set.visibility = visibility
        session.commit()

        # The set's own pages and drafts, made after the member's removal: a meeting with an
        # agenda and notes, a draft guide, and a title the published guide has not published.
        admin = people["admin"]
        meeting = meetings.schedule(session, admin, learning_set, meetings.MeetingDetails(
            title="Set meeting", starts_at=datetime(2031, 1, 2, 10),
            ends_at=datetime(2031, 1, 2, 12), online_url="", place="Leeds",
            agenda="zqmeetingagenda councils"))
        meetings.write_notes(session, admin, meeting, "zqmeetingnotes councils")
        add_material(session, admin, event, kind=MaterialKind.NOTES, title="Workshop notes",
                     url="", body="zqeventnotes councils")
        draft = guides.create_guide(session, learning_set=learning_set, creator=admin,
                                    title="zqguidedraft councils", thread_ids=[thread.id])
        guides.update_guide(session, guide, title="zqguideretitle councils", subtitle="",
                            introduction_source="", is_public=guide.is_public,
                            thread_ids=[thread.id])
        # A request to join the network, waiting; one the admin accepted, inviting to the set
        # (the log names the sets); and a request to join the set, waiting.
        network_request = NetworkRequest(name="Nia Newcomer", email="nia@example.org",
                                         organisation="Valeport Borough Council",
                                         hopes="Nia hopes councils")
        # Anyone may sign up (its pages are crawled), and the author's organisation is on the
        # list, credited with the sets they take part in.
        site_settings.set_bool(session, site_settings.OPEN_SIGNUP, True)
        organisation = add_organisation(session, name="Valeport Borough Council",
                                        kind=OrganisationKind.OTHER, nation=None, website="")
        author.organisation, author.organisation_id = organisation.name, organisation.id
        session.add_all([network_request, NetworkRequest(
            name="Ned Newcomer", email="ned@example.org", organisation="Valeport Borough Council",
            status=RequestStatus.ACCEPTED, decided_at=utcnow(), decided_by_id=admin.id,
            invited_to=learning_set.name)])
        session.commit()

        posts = {"zqwaitingreply": waiting, "zqreturnedreply": returned,
                 "zqwithdrawnreply": withdrawn, "zqhiddenreply": hidden,
                 "zqwaitingedit": published, "zqunapproveddraft": redrafted,
                 "zqwaitingreopening": topic_opening,
                 "zqwaitingquestion": question, "zqwaitingsummary": summary,
                 "zqfirstdraft": redone, "zqreturnededit": edit_returned,
                 "zqmoderatedoriginal": moderated, "zqreturnedsummary": returned_summary,
                 "zqwaitingsummaryedit": published_summary}
        return MarkedSite(
            people={name: person.id for name, person in people.items() if person is not None},
            person_by_email={person.email: name for name, person in people.items()
                             if person is not None},
            threads=[thread.id, topic_thread.id, waiting_thread.id, challenge.thread_id,
                     own_challenge.thread_id, waiting_challenge.thread_id,
                     closed_challenge.thread_id, returned_challenge.thread_id],
            marked_posts={word: (post.thread_id, post.id) for word, post in posts.items()},
            files={"zqwaitingfile": waiting_file.id, "zqwaitingeditfile": edit_file.id},
            event=event.id, guide=guide.slug, guides=[guide.id, draft.id],
            guide_parts=[f"sections/{section.id}/edit", f"sections/{section.id}/delete",
                         f"excerpts/{quoted.id}/edit"],
            meeting=meeting.id,
            network_request=network_request.id, join_request=join_request.id,
            organisation=organisation.id,
            visibility=visibility)


def start_pages(site: MarkedSite) -> list[str]:
    """Every page that lists, counts, quotes or searches the marked items, and each item's
    own pages (the moderators' included: the others must be refused them)."""
    pages = ["/", "/sets/", "/sets/comms/", "/sets/comms/actions", "/sets/comms/participation",
             "/sets/comms/members", "/sets/comms/moderation-log", "/sets/other/",
             "/notifications", "/account/data", "/moderation/", "/events/",
             f"/events/{site.event}", "/admin/", "/admin/log",
             f"/admin/users/{site.people['author']}"]
    pages += [f"/threads/{thread_id}" for thread_id in site.threads]
    pages += [f"/threads/{thread_id}?kind={kind}" for thread_id in site.threads
              for kind in ("summary", "question", "action", "update")]
    pages.append("/guides/")
    # Events and network requests as the people who run them see them.
    pages += [f"/events/{site.event}/edit", "/events/new", "/network/requests"]
    pages += [f"/network/requests/{site.network_request}/{page}" for page in ("accept", "decline")]
    pages.append(f"/sets/comms/join-requests/{site.join_request}/decline")
    pages.append("/sets/comms/mention-suggestions?q=M")
    # The organisation records, sign-up and the health check.
    pages += ["/network/organisations", "/admin/organisations",
              f"/admin/organisations/{site.organisation}/edit",
              f"/admin/organisations/{site.organisation}/merge", "/sign-up", "/healthz"]
    # The set's meetings: each page of one.
    meeting = f"/sets/comms/meetings/{site.meeting}"
    pages += ["/sets/comms/meetings", meeting, f"{meeting}/invitation.ics"]
    pages += [f"{meeting}/{page}" for page in ("notes", "edit", "cancel", "files/new")]
    # The set's guides and each curator's page of each guide (its draft).
    pages += ["/sets/comms/guides/", f"/guides/{site.guide}/v1/"]
    for guide_id in site.guides:
        curate = f"/sets/comms/guides/{guide_id}"
        pages += [f"{curate}/", f"{curate}/preview", f"{curate}/settings"]
        pages += [f"{curate}/download/{fmt}" for fmt in sorted(GUIDE_FORMATS)]
    pages += [f"/sets/comms/guides/{site.guides[0]}/{part}" for part in site.guide_parts]
    # The guide's page and every file of it (read inside: a marker split across a PDF's
    # compression or a DOCX's zip would not be seen in the bytes).
    pages += [f"/guides/{site.guide}/"]
    pages += [f"/guides/{site.guide}/v1/download/{fmt}" for fmt in sorted(GUIDE_FORMATS)]
    # A challenge's status form holds its summary as its writer would change it.
    pages += [f"/threads/{thread_id}/challenge-status" for thread_id in site.threads]
    for thread_id, post_id in site.marked_posts.values():
        pages.append(f"/threads/{thread_id}?post={post_id}")
        pages += [f"/posts/{post_id}/{page}" for page in ("revisions", "reply", "edit", "report")]
        pages += [f"/moderation/posts/{post_id}/{page}"
                  for page in ("edit", "reject", "hide", "return-edit")]
    pages += [f"/files/{file_id}" for file_id in site.files.values()]
    pages += [f"/search?q={marker.word}" for marker in MARKERS]
    pages += [f"/search?q=councils{filters}"
              for filters in ("", "&set=comms", "&author=Penny", "&kind=post", "&kind=thread")]
    return pages


def email_link_pages(app: Flask, site: MarkedSite, person: str) -> list[str]:
    """The pages an email's links open without signing in, as if the person had been sent
    one about each thread (a moderator made a member since, say): "stop following"; and
    their emails' "unsubscribe" and "reset your password" links. A visitor has the link that
    confirms a new address to sign up with."""
    with app.test_request_context(), app.app_context():
        if person == "visitor":
            return [url_for("auth.finish_sign_up",
                            token=accounts.make_sign_up_token("new@example.org"))]
        user = db.session.get(User, site.people[person])
        return [urlsplit(unfollow_url(user, thread_id)).path for thread_id in site.threads] + [
            urlsplit(unsubscribe_url(user, topic)).path for topic in (None, *EmailTopic)] + [
            url_for("auth.reset_password", token=accounts.make_password_reset_token(user))]


def _route(adapter: MapAdapter, url: str) -> str | None:
    """The GET route a URL goes to, with its query's names (the pattern that at most
    :data:`PAGES_PER_ROUTE` pages are read of), or None for a URL not to follow: another
    site's, a static file, or a route that only takes a POST (which writes)."""
    parts = urlsplit(url)
    if off_site(url):
        return None
    try:
        rule, _ = adapter.match(parts.path, method="GET", return_rule=True)
    except RequestRedirect as redirect:
        return _route(adapter, redirect.new_url)
    except HTTPException:
        return None
    if rule.endpoint == "static":
        return None
    return rule.rule + "?" + "&".join(sorted(parse_qs(parts.query)))


@functools.lru_cache(maxsize=64)
def _document_text(data: bytes) -> str:
    """A file's text, read once however many people download the same file (a published
    guide's PDF reads slowly)."""
    return _file_text(data)


def _file_text(data: bytes) -> str:
    """What a PDF, or a zip (DOCX, ODT, a data download), says: its pages' text, or the text
    of every file inside it."""
    if data.startswith(b"%PDF"):
        return pdf_text(data)
    if data.startswith(b"PK"):
        archive = zipfile.ZipFile(io.BytesIO(data))
        return "\n".join(archive.read(name).decode("utf-8", "replace")
                         for name in archive.namelist())
    return data.decode("utf-8", "replace")


def _as_text(response: TestResponse) -> str:
    """The body as text, with the headers (a file's name travels in one)."""
    headers = " ".join(f"{name}: {value}" for name, value in response.headers.items())
    data = response.get_data()
    text = _document_text(data) if data.startswith((b"%PDF", b"PK")) else _file_text(data)
    return text + "\n" + headers


def crawl(client: FormClient, starts: list[str]) -> dict[str, tuple[int, str]]:
    """Every start page, then the links and redirects found, breadth first (at most
    :data:`PAGES_PER_ROUTE` pages per route besides the start pages, :data:`PAGE_BUDGET` pages
    in all): each page's status and text by its path and query."""
    adapter = client.application.url_map.bind("localhost")
    read: dict[str, tuple[int, str]] = {}
    per_route: Counter[str] = Counter()
    queue = deque((url, True) for url in starts)
    while queue and len(read) < PAGE_BUDGET:
        url, is_start = queue.popleft()
        route = _route(adapter, url)
        if route is None or (not is_start and per_route[route] >= PAGES_PER_ROUTE):
            continue
        parts = urlsplit(url)
        url = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        if url in read:
            continue
        per_route[route] += 1
        with client.get(url) as response:
            read[url] = (response.status_code, _as_text(response))
        if response.location:
            queue.append((urljoin(url, response.location), False))
        if response.mimetype == "text/html":
            queue.extend((urljoin(url, link.replace("&amp;", "&")), False)
                         for link in LINK.findall(read[url][1]))
    return read


def markers_in(text: str) -> set[str]:
    return {word.lower() for word in MARKER_WORD.findall(text)} & MARKER_BY_WORD.keys()


class Findings:
    """What the checks found wrong: each marker that reached someone not allowed (with where,
    first place first), and each thing allowed people should have seen but did not."""

    def __init__(self) -> None:
        self.leaks: dict[tuple[str, str], list[str]] = {}
        self.misses: list[str] = []

    def leak(self, marker: str, person: str, where: str) -> None:
        self.leaks.setdefault((marker, person), []).append(where)

    def miss(self, message: str) -> None:
        self.misses.append(message)

    def report(self) -> str:
        lines = []
        for (marker, person), places in self.leaks.items():
            more = f" (and {len(places) - 1} more)" if len(places) > 1 else ""
            lines.append(f"{marker} ({MARKER_BY_WORD[marker].item}) reached {person} "
                         f"in {places[0]}{more}")
        return "\n".join(lines + self.misses)


def check_pages(findings: Findings, site: MarkedSite, person: str,
                pages: dict[str, tuple[int, str]]) -> None:
    """No page shows the person a marker they may not read, and no search finds one; every
    marker they may read shows on some page, and search finds the searchable ones."""
    seen = set()
    for url, (status, text) in pages.items():
        echoed = markers_in(url)  # the crawler's own words, given back (a search box)
        for marker in sorted(markers_in(text) - echoed):
            seen.add(marker)
            if person not in site.readers(marker):
                findings.leak(marker, person, f"{url} [{status}]")
        if url.startswith("/search?") and status == 200:
            found = not NO_RESULTS.search(text)
            for marker in map(MARKER_BY_WORD.get, sorted(echoed)):
                if found and person not in site.readers(marker):
                    findings.leak(marker.word, person, f"the results of {url}")
                if not found and person in site.readers(marker) and marker.searchable:
                    findings.miss(f"{person} may find {marker.word} ({marker.item}) but "
                                  f"{url} found nothing")
    for marker in MARKERS:
        if person in site.readers(marker) and marker.word not in seen:
            findings.miss(f"{person} may read {marker.word} ({marker.item}) but no page "
                          "showed it: the crawl no longer reaches it")


def check_files(findings: Findings, person: str, client: FormClient, site: MarkedSite) -> None:
    """A waiting file downloads for its readers and is refused (403/404) to everyone else."""
    for marker, file_id in site.files.items():
        with client.get(f"/files/{file_id}") as response:
            status = response.status_code
        may_read = person in site.readers(marker)
        if may_read and status != 200:
            findings.miss(f"{person} may download {marker} but /files/{file_id} gave {status}")
        if not may_read and status not in (403, 404):
            findings.leak(marker, person, f"a download of /files/{file_id} [{status}]")


def check_data_download(findings: Findings, site: MarkedSite, person: str, app: Flask,
                        client: FormClient) -> None:
    """The person's "Download my data" carries no marker they may not read (the author's
    holds all their own words, the hidden reply too)."""
    text = _file_text(download_my_data(app, client).data)
    for marker in map(MARKER_BY_WORD.get, sorted(markers_in(text))):
        own = (person == "author" and marker.by_author) or person == marker.written_by
        if person not in site.readers(marker) and not own:
            findings.leak(marker.word, person, "their data download")


def sent_emails(app: Flask) -> list[EmailMessage]:
    """Everything the outbox sends by tomorrow: the moderators' "waiting" email, the author's
    "sent back" email, and the daily digests of replies and mentions."""
    send_digests(app, now=utcnow() + timedelta(days=1))
    with app.app_context():
        return outbox_messages()


def _email_text(message: EmailMessage) -> str:
    parts = [message["Subject"]]
    parts += [part.get_content() for part in message.walk()
              if part.get_content_maintype() == "text"]
    return "\n".join(parts)


def check_emails(findings: Findings, site: MarkedSite, emails: list[EmailMessage]) -> None:
    """No email carries a marker its recipient may not read; and the emails that must go out
    (digests to readers of the set, the "sent back" email with its reason) did."""
    received: Counter[str] = Counter()
    for message in emails:
        person = site.person_by_email[message["To"]]
        text = _email_text(message)
        received[person] += 1
        if person == "author" and "zqreturnreason" in markers_in(text):
            received["the author, with the reason a reply was sent back"] += 1
        for marker in sorted(markers_in(text)):
            if person not in site.readers(marker):
                findings.leak(marker, person, f"the email {message['Subject']!r}")
    # Followers who no longer read a private set (never did, or were removed) get nothing.
    outsiders = (("other_set_member", "removed_member") if site.visibility == Visibility.PUBLIC
                 else ())
    for expected in ("member", *outsiders, "set_moderator",
                     "the author, with the reason a reply was sent back"):
        if not received[expected]:
            findings.miss(f"no email went to {expected}: the emails are not being checked")


@pytest.mark.parametrize("visibility", [Visibility.PUBLIC, Visibility.PRIVATE])
def test_unapproved_text_reaches_only_its_author_and_moderators_by_any_route(
        app: Flask, client: FormClient, visibility: Visibility) -> None:
    """On a public set only the moderation rule stands between the readers and the markers;
    on a private one the set's own text (its name, published posts) reaches its members
    alone too."""
    site = build_marked_site(app, visibility)
    findings = Findings()
    check_emails(findings, site, sent_emails(app))
    starts = start_pages(site)
    for person in PEOPLE:
        client.sign_out()
        if person != "visitor":
            with app.app_context():
                client.sign_in_as(db.session.get(User, site.people[person]))
        check_pages(findings, site, person,
                    crawl(client, starts + email_link_pages(app, site, person)))
        check_files(findings, person, client, site)
        if person != "visitor":
            check_data_download(findings, site, person, app, client)
    if findings.leaks or findings.misses:
        pytest.fail(findings.report(), pytrace=False)
