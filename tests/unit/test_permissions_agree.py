"""Each rule in forum.permissions answers "may this user…" and "which rows may this user see";
on generated sets, roles, threads and posts in every status, the two answers always agree.

Runs on SQLite by default and on PostgreSQL with ``FORUM_TEST_DATABASE_URL``.
"""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field
from datetime import date
from datetime import datetime

from flask import Flask
from flask_login import AnonymousUserMixin
from hypothesis import HealthCheck
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st
from sqlalchemy import select

from forum import permissions
from forum.extensions import db
from forum.models import Action
from forum.models import Challenge
from forum.models import DataExport
from forum.models import Event
from forum.models import EventAudience
from forum.models import EventKind
from forum.models import EventTopic
from forum.models import ExportState
from forum.models import Guide
from forum.models import GuideVersion
from forum.models import JoinRequest
from forum.models import LearningSet
from forum.models import Meeting
from forum.models import Membership
from forum.models import Notification
from forum.models import NotificationKind
from forum.models import Post
from forum.models import PostKind
from forum.models import PostRevision
from forum.models import PostStatus
from forum.models import Role
from forum.models import Thread
from forum.models import TopicStatus
from forum.models import User
from forum.models import Visibility
from forum.models import utcnow
from forum.threads.page_posts import load_page_posts
from tests import factories

ROLES = [None, Role.MEMBER, Role.MODERATOR, Role.FACILITATOR]
MAX_SETS = 3
MAX_USERS = 4

# A post: (author index or None for a deleted account, status, parent index or None, kind).
posts_strategy = st.tuples(st.none() | st.integers(0, MAX_USERS - 1),
                           st.sampled_from(list(PostStatus)),
                           st.none() | st.integers(0, 3),
                           st.none() | st.sampled_from(list(PostKind)))

world_strategy = st.fixed_dictionaries({
    "sets": st.lists(st.sampled_from(list(Visibility)), min_size=1, max_size=MAX_SETS),
    "users": st.lists(
        st.tuples(st.sampled_from([False, False, False, True]),  # admin, now and then
                  st.lists(st.sampled_from(ROLES), min_size=MAX_SETS, max_size=MAX_SETS),
                  st.sampled_from([False, False, False, True]),  # network coordinator
                  st.sampled_from([False, False, False, True])),  # account disabled
        min_size=1, max_size=MAX_USERS),
    "threads": st.lists(
        st.tuples(st.integers(0, MAX_SETS - 1), st.lists(posts_strategy, max_size=4)),
        max_size=5),
    # A guide: (set index, marked public, has a published version).
    "guides": st.lists(st.tuples(st.integers(0, MAX_SETS - 1), st.booleans(), st.booleans()),
                       max_size=3),
    # A challenge: (thread index, holder index or None for a deleted account).
    "challenges": st.lists(st.tuples(st.integers(0, 4), st.none() | st.integers(0, MAX_USERS - 1)),
                           max_size=3),
    # A meeting: (set index, cancelled).
    "meetings": st.lists(st.tuples(st.integers(0, MAX_SETS - 1), st.booleans()), max_size=3),
    # An event: (audience, index of the set it is for when the audience is "sets").
    "events": st.lists(st.tuples(st.sampled_from(list(EventAudience)),
                                 st.integers(0, MAX_SETS - 1)), max_size=3),
})


@dataclass
class Built:
    sets: list[LearningSet]
    users: list[User]
    threads: list[Thread]
    posts: list[Post]
    guides: list[Guide]
    challenges: list[Challenge]
    meetings: list[Meeting]
    actions: list[Action]
    events: list[Event]
    notifications: list[Notification]
    join_requests: list[JoinRequest]
    topics: list[EventTopic] = field(default_factory=list)
    revisions: list[PostRevision] = field(default_factory=list)
    data_exports: list[DataExport] = field(default_factory=list)


def _build(spec: dict) -> Built:
    """The generated world as rows, flushed (never committed) in the current session."""
    sets = [factories.make_set(visibility=visibility) for visibility in spec["sets"]]
    users = []
    for is_admin, roles, *flags in spec["users"]:
        coordinator, disabled = (list(flags) + [False, False])[:2]
        user = factories.make_user(is_admin=is_admin, is_network_coordinator=coordinator,
                                   is_disabled=disabled)
        users.append(user)
        for learning_set, role in zip(sets, roles, strict=False):
            if role is not None:
                db.session.add(Membership(user_id=user.id, learning_set_id=learning_set.id,
                                          role=role))
    threads, posts = [], []
    now = utcnow()
    for set_index, post_specs in spec["threads"]:
        thread = Thread(learning_set=sets[set_index % len(sets)], title="A thread",
                        created_at=now, last_activity_at=now)
        db.session.add(thread)
        in_thread: list[Post] = []
        for author_index, status, parent_index, kind in post_specs:
            author = users[author_index % len(users)] if author_index is not None else None
            parent = (in_thread[parent_index % len(in_thread)]
                      if in_thread and parent_index is not None else None)
            post = Post(thread=thread, author=author, parent=parent, body_source="Text.",
                        body_html="<p>Text.</p>", status=status, created_at=now,
                        kind=kind.value if kind is not None else None)
            db.session.add(post)
            db.session.flush()  # ids in creation order: the first root is the opening post
            in_thread.append(post)
        threads.append(thread)
        posts.extend(in_thread)
    guides = []
    for number, (set_index, is_public, published) in enumerate(spec["guides"]):
        guide = Guide(learning_set=sets[set_index % len(sets)], slug=f"guide-{number}",
                      title="A guide", is_public=is_public, created_at=now, updated_at=now)
        if published:
            guide.versions.append(GuideVersion(number=1, published_at=now, document={}))
        db.session.add(guide)
        guides.append(guide)
    challenges = []
    for thread_index, holder_index in spec.get("challenges", []):
        if not threads:
            break
        thread = threads[thread_index % len(threads)]
        if any(c.thread is thread for c in challenges):
            continue
        holder = users[holder_index % len(users)] if holder_index is not None else None
        challenge = Challenge(thread=thread, learning_set=thread.learning_set, holder=holder,
                              aim="An aim.", created_at=now)
        db.session.add(challenge)
        challenges.append(challenge)
    meetings = []
    for set_index, cancelled in spec.get("meetings", []):
        meeting = Meeting(learning_set=sets[set_index % len(sets)], title="A meeting",
                          starts_at=now, ends_at=now, cancelled_at=now if cancelled else None)
        db.session.add(meeting)
        meetings.append(meeting)
    # Every post is also an action (in its thread's challenge): whether it is listed depends
    # on its post alone, so every status and reader is covered.
    actions = []
    challenge_of = {id(c.thread): c for c in challenges}
    for thread in threads:
        challenge = challenge_of.get(id(thread))
        if challenge is None:
            challenge = Challenge(thread=thread, learning_set=thread.learning_set)
            db.session.add(challenge)
        for post in thread.posts:
            action = Action(post=post, challenge=challenge,
                            learning_set_id=thread.learning_set.id,
                            holder=post.author, due_on=date(2026, 1, 1))
            db.session.add(action)
            actions.append(action)
    events = []
    for audience, set_index in spec.get("events", []):
        event = Event(kind=EventKind.WORKSHOP, title="An event", audience=audience,
                      starts_at=datetime(2031, 1, 1, 10), ends_at=datetime(2031, 1, 1, 12),
                      sets=[sets[set_index % len(sets)]] if audience == EventAudience.SETS
                      else [])
        db.session.add(event)
        events.append(event)
    db.session.flush()
    # Everyone is told about every event and post (whether they may read them is the question).
    notifications = []
    for user in users:
        for event in events:
            notifications.append(Notification(user_id=user.id, kind=NotificationKind.EVENT_CHANGED,
                                              event_id=event.id, text="Changed."))
        for post in posts[:3]:
            notifications.append(Notification(user_id=user.id, kind=NotificationKind.REPLY,
                                              post_id=post.id, thread_id=post.thread_id,
                                              learning_set_id=post.thread.learning_set_id,
                                              text="A reply."))
    db.session.add_all(notifications)
    # Everyone has asked to join every set (whether they could is not the question here).
    join_requests = [JoinRequest(learning_set_id=s.id, user_id=u.id) for s in sets for u in users]
    db.session.add_all(join_requests)
    # Each event has a topic in every state, proposed by the first person.
    topics = [EventTopic(event_id=event.id, proposer_id=users[0].id, title="A topic",
                         description_source="", description_html="", status=status,
                         on_agenda=False) for event in events for status in TopicStatus]
    db.session.add_all(topics)
    # Each post has an earlier version: published once, or never (by its position).
    revisions = [PostRevision(post_id=post.id, previous_source="Before.", created_at=now,
                              was_published=number % 2 == 0)
                 for number, post in enumerate(posts)]
    db.session.add_all(revisions)
    # Everyone has a copy of their own data and an admins' copy of it.
    data_exports = [DataExport(user_id=user.id, state=ExportState.READY, requested_at=now,
                               for_admin=for_admin)
                    for user in users for for_admin in (False, True)]
    db.session.add_all(data_exports)
    db.session.flush()
    return Built(sets, users, threads, posts, guides, challenges, meetings, actions, events,
                 notifications, join_requests, topics, revisions, data_exports)


def _ids(model, where, among) -> set[int]:
    """The ids of ``among`` that a query with ``where`` returns."""
    wanted = [row.id for row in among]
    if not wanted:
        return set()
    return set(db.session.scalars(select(model.id).where(where, model.id.in_(wanted))))


def _joined_ids(where, posts) -> set[int]:
    """The ids of ``posts`` that a query joining each post's thread, with ``where``, returns."""
    wanted = [row.id for row in posts]
    if not wanted:
        return set()
    return set(db.session.scalars(select(Post.id).join(Thread, Thread.id == Post.thread_id)
                                  .where(where, Post.id.in_(wanted))))


def _allowed(predicate, among) -> set[int]:
    return {row.id for row in among if predicate(row)}


def _check_viewer(viewer, world: Built) -> None:
    p = permissions
    assert _allowed(lambda s: p.can_view_set(viewer, s), world.sets) \
        == _ids(LearningSet, p.readable_sets_filter(viewer), world.sets)
    assert _allowed(lambda s: p.can_view_set(viewer, s), world.sets) \
        == _ids(LearningSet, LearningSet.id.in_(p.readable_set_ids(viewer)), world.sets)
    assert _allowed(lambda s: p.is_member(viewer, s), world.sets) \
        == _ids(LearningSet, p.member_sets_filter(viewer), world.sets)
    assert _allowed(lambda s: p.can_moderate(viewer, s), world.sets) \
        == _ids(LearningSet, p.moderates_filter(viewer, LearningSet.id), world.sets) \
        == _ids(LearningSet, p.moderates_filter(viewer, LearningSet.id, listed=True),
                world.sets) \
        == _ids(LearningSet, LearningSet.id.in_(p.moderated_set_ids(viewer)), world.sets)
    assert _allowed(lambda t: p.can_open_thread(viewer, t), world.threads) \
        == _ids(Thread, p.visible_threads_filter(viewer), world.threads) \
        == _ids(Thread, p.visible_threads_filter(viewer, listed=True), world.threads)
    assert _allowed(lambda post: p.can_view_post(viewer, post), world.posts) \
        == _ids(Post, p.visible_posts_filter(viewer), world.posts) \
        == _joined_ids(p.visible_posts_in_thread_filter(viewer), world.posts)
    shown = _allowed(lambda post: p.post_display(viewer, post) != p.PostDisplay.OMITTED,
                     world.posts)
    assert shown == _ids(Post, p.shown_posts_filter(viewer), world.posts)
    # In the threads a reader opens without moderating them: the posts left out of their pages.
    read = [post for thread in world.threads if p.can_open_thread(viewer, thread)
            and not p.can_moderate(viewer, thread.learning_set) for post in thread.posts]
    assert _allowed(lambda post: p.post_display(viewer, post) == p.PostDisplay.OMITTED, read) \
        == _ids(Post, p.omitted_in_thread_filter(viewer), read)
    assert _allowed(lambda post: p.can_approve_post(viewer, post), world.posts) \
        == _ids(Post, p.approvable_posts_filter(viewer), world.posts)
    assert _allowed(lambda post: p.can_hide_post(viewer, post), world.posts) \
        == _ids(Post, p.hideable_posts_filter(viewer), world.posts)
    assert _allowed(lambda a: p.can_view_action(viewer, a), world.actions) \
        == _ids(Action, p.visible_actions_filter(viewer), world.actions)
    assert _allowed(lambda g: p.can_view_published_guide(viewer, g), world.guides) \
        == _ids(Guide, p.published_guides_filter(viewer), world.guides)
    assert _allowed(lambda c: p.can_view_challenge(viewer, c), world.challenges) \
        == _ids(Challenge, p.visible_challenges_filter(viewer), world.challenges)
    assert _allowed(lambda post: p.can_change_post_kind(viewer, post), world.posts) \
        == _ids(Post, p.relabelable_posts_filter(viewer), world.posts)
    assert _allowed(lambda s: p.is_facilitator(viewer, s), world.sets) \
        == _ids(LearningSet, p.facilitates_filter(viewer, LearningSet.id), world.sets)
    assert _allowed(lambda m: p.can_view_meeting(viewer, m), world.meetings) \
        == _ids(Meeting, p.visible_meetings_filter(viewer), world.meetings)
    assert _allowed(lambda s: p.can_ask_to_join(viewer, s), world.sets) \
        == _ids(LearningSet, p.joinable_sets_filter(viewer), world.sets)
    assert _allowed(lambda r: p.can_decide_join_request(viewer, r), world.join_requests) \
        == _ids(JoinRequest, p.decidable_join_requests_filter(viewer), world.join_requests)
    assert _allowed(lambda e: p.can_view_event(viewer, e), world.events) \
        == _ids(Event, p.visible_events_filter(viewer), world.events)
    assert _allowed(lambda t: p.can_view_topic(viewer, t), world.topics) \
        == _ids(EventTopic, p.visible_topics_filter(viewer), world.topics)
    assert _allowed(lambda n: p.can_read_notification(viewer, n), world.notifications) \
        == _ids(Notification, p.readable_notifications(viewer), world.notifications)
    for post in world.posts:
        revisions = [r for r in world.revisions if r.post_id == post.id]
        assert _allowed(lambda r: p.can_view_revision(viewer, r), revisions) \
            == _ids(PostRevision, p.visible_revisions(viewer, post), revisions)
    fetchable = _ids(DataExport, p.own_data_exports(viewer), world.data_exports)
    for person in world.users:
        fetchable |= _ids(DataExport, p.admin_data_exports(viewer, person.id),
                          world.data_exports)
    assert _allowed(lambda e: p.can_fetch_data_export(viewer, e), world.data_exports) \
        == fetchable
    _check_page_controls(viewer, world)
    _check_plain_posts(viewer, world)


def _check_page_controls(viewer, world: Built) -> None:
    """The thread page's controls (worked out once per page) say what the predicates say."""
    p = permissions
    for thread in world.threads:
        page = p.PageControls(viewer, thread)
        for post in thread.posts:
            display = p.post_display(viewer, post)
            controls = page.for_post(post, display)
            if display != p.PostDisplay.FULL:
                assert controls == p.NO_CONTROLS
                continue
            may_reply = p.can_reply_to_post(viewer, post)
            assert controls.reply == may_reply
            assert controls.quote == (may_reply and post.status == PostStatus.APPROVED
                                      and not post.kind)
            assert controls.edit == p.can_edit_post(viewer, post)
            assert controls.withdraw == p.can_withdraw_post(viewer, post)
            assert controls.decide == p.can_approve_post(viewer, post)
            assert controls.moderates == p.can_moderate(viewer, thread.learning_set)
            assert controls.hide == p.can_hide_post(viewer, post)
            assert controls.report == p.can_report_post(viewer, post)
            assert controls.see_reason == p.can_see_moderation_reason(viewer, post)


def _check_plain_posts(viewer, world: Built) -> None:
    """The thread page reads its posts as plain rows (forum.threads.page_posts): every rule
    the page asks about a post answers the same about its plain row as about the ORM post."""
    p = permissions
    for thread in world.threads:
        orm = {post.id: post for post in thread.posts}
        plain = load_page_posts(db.session, thread, list(orm))
        assert [post.id for post in plain] == sorted(orm)
        opening = p.opening_post(thread)
        plain_opening = next((post for post in plain
                              if opening is not None and post.id == opening.id), None)
        displays = p.post_displays(viewer, thread, plain, plain_opening)
        page = p.PageControls(viewer, thread)
        for post in plain:
            twin = orm[post.id]
            assert displays[post.id] == p.post_display(viewer, twin)
            assert p.post_display(viewer, post) == p.post_display(viewer, twin)
            assert p.can_view_pending_edit(viewer, post) == p.can_view_pending_edit(viewer, twin)
            assert p.can_reply_to_post(viewer, post) == p.can_reply_to_post(viewer, twin)
            assert page.for_post(post, displays[post.id]) == page.for_post(twin,
                                                                            displays[post.id])
            assert (post.published, post.author_id, post.parent_id, post.status) \
                == (twin.published, twin.author_id, twin.parent_id, twin.status)


def _check_world(world: Built) -> None:
    p = permissions
    viewers = [None, AnonymousUserMixin(), *world.users]
    for viewer in viewers:
        _check_viewer(viewer, world)
    for user in world.users:
        moderates_somewhere = any(p.can_moderate(user, s) for s in world.sets)
        assert p.can_use_moderation_queue(user) == (moderates_somewhere or p.is_admin(user))
    for learning_set in world.sets:
        told = set(db.session.scalars(
            p.moderators_of(learning_set.id).with_only_columns(User.id)))
        assert told == {u.id for u in world.users if p.is_set_moderator(u, learning_set)}
        members = set(db.session.scalars(
            p.members_of(learning_set.id).with_only_columns(User.id)))
        assert members == {u.id for u in world.users if p.is_member(u, learning_set)}
        deciders = set(db.session.scalars(
            p.facilitators_of(learning_set.id).with_only_columns(User.id)))
        assert deciders == {u.id for u in world.users
                            if p.has_role(u, learning_set, Role.FACILITATOR)}
    # Who is told what only admins (or coordinators) decide: those the rule allows, less
    # disabled accounts.
    active = [u for u in world.users if not u.is_disabled]
    for query, rule in ((p.network_request_handlers(), p.can_handle_network_requests),
                        (p.site_admins(), p.is_admin),
                        (p.network_coordinators(), p.is_network_coordinator)):
        told = set(db.session.scalars(query.with_only_columns(User.id)))
        assert told & {u.id for u in world.users} == {u.id for u in active if rule(u)}
    listed = {t.id for t in world.threads
              if p.opening_post(t) is None
              or p.opening_post(t).status in p.LISTED_OPENING_STATUSES}
    assert listed == _ids(Thread, p.listed_threads_filter(), world.threads)
    assert _allowed(p.can_quote_thread, world.threads) \
        == _ids(Thread, p.quotable_threads_filter(), world.threads)
    assert _allowed(p.can_quote_post, world.posts) \
        == _ids(Post, p.quotable_posts_filter(), world.posts)
    assert _allowed(p.can_keep_quote, world.posts) \
        == _ids(Post, p.kept_quotes_filter(), world.posts)


def test_every_predicate_agrees_with_its_query_filter(app: Flask) -> None:
    @settings(max_examples=25, deadline=None, database=None,
              suppress_health_check=[HealthCheck.too_slow])
    @given(spec=world_strategy)
    def check(spec: dict) -> None:
        # A fresh app context per example: a fresh session (rolled back at the end) and no
        # roles cached from an earlier example.
        with app.app_context():
            try:
                _check_world(_build(spec))
            finally:
                db.session.rollback()

    check()


def test_agreement_covers_a_hand_built_case(app: Flask) -> None:
    """The cases the rules exist for: a waiting thread, a hidden post and a private set."""
    spec = {
        "sets": [Visibility.PRIVATE, Visibility.NETWORK],
        "users": [(False, [Role.MEMBER, None, None]), (False, [Role.MODERATOR, None, None]),
                  (False, [None, None, None]), (True, [None, None, None])],
        "threads": [(0, [(0, PostStatus.PENDING, None, PostKind.CHALLENGE),
                         (1, PostStatus.APPROVED, 0, PostKind.QUESTION)]),
                    (1, [(0, PostStatus.APPROVED, None, None), (0, PostStatus.HIDDEN, 0, None),
                         (2, PostStatus.REJECTED, 0, None)])],
        "guides": [(0, True, True), (1, False, True)],
        "challenges": [(0, 0)],
        "meetings": [(0, False), (1, True)],
    }
    with app.app_context():
        world = _build(spec)
        member, moderator, outsider, admin = world.users
        waiting_thread, network_thread = world.threads
        hidden = world.posts[3]
        assert not permissions.can_open_thread(outsider, waiting_thread)
        assert permissions.can_open_thread(moderator, waiting_thread)
        assert permissions.post_display(outsider, hidden) == permissions.PostDisplay.HIDDEN
        assert permissions.post_display(member, hidden) == permissions.PostDisplay.HIDDEN
        assert permissions.post_display(admin, hidden) == permissions.PostDisplay.FULL
        assert not permissions.can_view_post(None, network_thread.posts[0])
        waiting_challenge = world.challenges[0]
        assert permissions.can_view_challenge(member, waiting_challenge)  # its holder
        assert not permissions.can_view_challenge(outsider, waiting_challenge)
        private_meeting, network_meeting = world.meetings
        assert not permissions.can_view_meeting(outsider, private_meeting)
        assert permissions.can_view_meeting(member, private_meeting)
        assert permissions.can_view_meeting(outsider, network_meeting)
        assert not permissions.can_view_meeting(None, network_meeting)
        _check_world(world)
        db.session.rollback()
