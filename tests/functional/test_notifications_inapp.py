"""In-app notifications: who is told what, the notifications page, the unread count, settings."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import delete
from sqlalchemy import select

from forum.extensions import db
from forum.models import EmailMode
from forum.models import Membership
from forum.models import Notification
from forum.models import NotificationKind
from forum.models import NotificationPreference
from forum.models import Post
from forum.models import PostStatus
from forum.models import Thread
from forum.models import User
from forum.notifications import preferences
from forum.notifications import service
from tests import factories
from tests.querycount import page_statements


def _user(user_id: int) -> User:
    return db.session.get(User, user_id)


def _post(app, world, author_id: int, *, status: PostStatus = PostStatus.APPROVED,
          parent_id: int | None = None, body: str = "A reply.") -> int:
    with app.app_context():
        thread = db.session.get(Thread, world.thread.id)
        parent = db.session.get(Post, parent_id) if parent_id else None
        post = factories.make_post(thread, _user(author_id), parent=parent, body=body,
                                   status=status)
        db.session.commit()
        return post.id


def _opening_post_id(app, world) -> int:
    with app.app_context():
        return db.session.scalar(select(Post.id).where(Post.thread_id == world.thread.id,
                                                       Post.parent_id.is_(None)))


def _notifications(app, user_id: int) -> list[tuple[NotificationKind, str]]:
    with app.app_context():
        rows = db.session.scalars(select(Notification).where(Notification.user_id == user_id)
                                  .order_by(Notification.id)).all()
        return [(n.kind, n.text) for n in rows]


def _approve(app, post_id: int, moderator_id: int) -> None:
    """What the moderation service does: change the status, then notify, then commit."""
    with app.app_context():
        post = db.session.get(Post, post_id)
        post.status = PostStatus.APPROVED
        service.notify_post_approved(db.session, post, _user(moderator_id))
        db.session.commit()


def _notify(app, name: str, post_id: int, *args) -> None:
    with app.app_context():
        post = db.session.get(Post, post_id)
        getattr(service, name)(db.session, post, *[_user(a) if isinstance(a, int) else a
                                                    for a in args])
        db.session.commit()


# --- who is told -----------------------------------------------------------------------------

def test_approval_tells_the_author(app, world):
    post_id = _post(app, world, world.member.id, status=PostStatus.PENDING)
    _approve(app, post_id, world.moderator.id)
    assert _notifications(app, world.member.id) == [
        (NotificationKind.POST_APPROVED,
         "Mia Moderator approved your post in “Naming the assembly”.")]


def test_rejection_tells_the_author_the_reason(app, world, client):
    post_id = _post(app, world, world.member.id, status=PostStatus.PENDING)
    with app.app_context():
        post = db.session.get(Post, post_id)
        post.status = PostStatus.REJECTED
        service.notify_post_rejected(db.session, post, _user(world.moderator.id),
                                     "Please remove the resident's name.")
        db.session.commit()
    client.sign_in_as(world.member)
    page = client.get("/notifications").get_data(as_text=True)
    assert "sent back your post in “Naming the assembly”" in page
    assert "Please remove the resident&#39;s name." in page


def test_moderator_edit_tells_the_author(app, world):
    post_id = _post(app, world, world.member.id)
    _notify(app, "notify_post_edited_by_moderator", post_id, world.moderator.id)
    assert _notifications(app, world.member.id) == [
        (NotificationKind.POST_EDITED, "Mia Moderator edited your post in “Naming the assembly”.")]


def test_waiting_post_tells_moderators_and_facilitators_but_not_members(app, world):
    post_id = _post(app, world, world.member.id, status=PostStatus.PENDING)
    _notify(app, "notify_post_waiting", post_id)
    for user in (world.moderator, world.facilitator):
        assert [k for k, _ in _notifications(app, user.id)] == [NotificationKind.POST_WAITING]
    assert _notifications(app, world.member.id) == []
    assert _notifications(app, world.outsider.id) == []


def test_moderator_is_not_told_about_their_own_waiting_post(app, world):
    post_id = _post(app, world, world.moderator.id, status=PostStatus.PENDING)
    _notify(app, "notify_post_waiting", post_id)
    assert _notifications(app, world.moderator.id) == []
    assert len(_notifications(app, world.facilitator.id)) == 1


def test_approved_reply_tells_the_parent_author(app, world):
    reply_id = _post(app, world, world.moderator.id, parent_id=_opening_post_id(app, world))
    _notify(app, "notify_reply", reply_id)
    assert _notifications(app, world.member.id) == [
        (NotificationKind.REPLY, "Mia Moderator replied to your post in “Naming the assembly”.")]


def test_replying_to_yourself_tells_nobody(app, world):
    reply_id = _post(app, world, world.member.id, parent_id=_opening_post_id(app, world))
    _notify(app, "notify_reply", reply_id)
    assert _notifications(app, world.member.id) == []


def test_waiting_reply_tells_the_parent_author_only_once_approved(app, world):
    reply_id = _post(app, world, world.facilitator.id, status=PostStatus.PENDING,
                     parent_id=_opening_post_id(app, world))
    _notify(app, "notify_reply", reply_id)
    assert _notifications(app, world.member.id) == []
    _approve(app, reply_id, world.moderator.id)
    assert [k for k, _ in _notifications(app, world.member.id)] == [NotificationKind.REPLY]
    assert [k for k, _ in _notifications(app, world.facilitator.id)] == [
        NotificationKind.POST_APPROVED]


def test_nobody_is_told_about_a_post_they_can_no_longer_see(app, world):
    opening_id = _opening_post_id(app, world)
    with app.app_context():
        db.session.execute(delete(Membership).where(Membership.user_id == world.member.id))
        db.session.commit()
    reply_id = _post(app, world, world.moderator.id, parent_id=opening_id)
    _notify(app, "notify_reply", reply_id)
    assert _notifications(app, world.member.id) == []


@pytest.mark.parametrize("opening_status", [PostStatus.WITHDRAWN, PostStatus.PENDING])
def test_nobody_is_told_about_a_reply_in_a_thread_they_cannot_open(app, world, opening_status):
    """A reply the parent's author could see on its own, but whose thread answers them 404."""
    with app.app_context():
        other = factories.make_user(display_name="Olu Other")
        factories.add_member(other, db.session.get(Thread, world.thread.id).learning_set)
        db.session.commit()
        other_id = other.id
    opening_id = _opening_post_id(app, world)
    their_reply = _post(app, world, other_id, parent_id=opening_id)
    with app.app_context():
        db.session.get(Post, opening_id).status = opening_status
        db.session.commit()
    answer = _post(app, world, world.moderator.id, parent_id=their_reply)
    _notify(app, "notify_reply", answer)
    assert _notifications(app, other_id) == []


# --- the page and the count ------------------------------------------------------------------

def _unread_in_header(page: str) -> int | None:
    match = re.search(r"Notifications \((\d+)<span class=\"govuk-visually-hidden\"> unread", page)
    return int(match.group(1)) if match else None


def _notification_ids(app, user_id: int) -> list[int]:
    with app.app_context():
        return list(db.session.scalars(select(Notification.id).where(
            Notification.user_id == user_id).order_by(Notification.id)))


def test_notifications_page_lists_newest_first_with_links_to_the_posts(app, world, client):
    first = _post(app, world, world.member.id)
    second = _post(app, world, world.member.id)
    _notify(app, "notify_post_edited_by_moderator", first, world.moderator.id)
    _notify(app, "notify_post_edited_by_moderator", second, world.facilitator.id)
    client.sign_in_as(world.member)
    page = client.get("/notifications").get_data(as_text=True)
    assert page.index("Fran Facilitator edited") < page.index("Mia Moderator edited")
    for notification_id, post_id in zip(_notification_ids(app, world.member.id),
                                         (first, second), strict=True):
        assert f'href="/notifications/{notification_id}"' in page
        response = client.get(f"/notifications/{notification_id}")
        assert response.headers["Location"] == \
            f"/threads/{world.thread.id}?post={post_id}#post-{post_id}"


def test_opening_a_notification_marks_it_read(app, world, client):
    first = _post(app, world, world.member.id)
    second = _post(app, world, world.member.id)
    _notify(app, "notify_post_edited_by_moderator", first, world.moderator.id)
    _notify(app, "notify_post_edited_by_moderator", second, world.moderator.id)
    opened, other = _notification_ids(app, world.member.id)
    client.sign_in_as(world.member)
    assert _unread_in_header(client.get("/notifications").get_data(as_text=True)) == 2
    client.get(f"/notifications/{opened}")
    assert _unread_in_header(client.get("/notifications").get_data(as_text=True)) == 1
    with app.app_context():
        assert db.session.get(Notification, opened).read_at is not None
        assert db.session.get(Notification, other).read_at is None


def test_nobody_can_open_or_mark_someone_elses_notification(app, world, client):
    post_id = _post(app, world, world.member.id)
    _notify(app, "notify_post_edited_by_moderator", post_id, world.moderator.id)
    [notification_id] = _notification_ids(app, world.member.id)
    client.sign_in_as(world.facilitator)
    assert client.get(f"/notifications/{notification_id}").status_code == 404
    with app.app_context():
        assert db.session.get(Notification, notification_id).read_at is None


def test_header_shows_the_unread_count_and_mark_all_as_read_clears_it(app, world, client):
    first = _post(app, world, world.member.id)
    second = _post(app, world, world.member.id)
    _notify(app, "notify_post_edited_by_moderator", first, world.moderator.id)
    _notify(app, "notify_post_edited_by_moderator", second, world.facilitator.id)
    client.sign_in_as(world.member)
    assert _unread_in_header(client.get("/notifications").get_data(as_text=True)) == 2

    response = client.post("/notifications/mark-all-read", follow_redirects=True)
    page = response.get_data(as_text=True)
    assert "All your notifications are marked as read." in page
    assert _unread_in_header(page) == 0
    assert "You have no unread notifications." in page


def test_mark_all_as_read_without_a_valid_form_changes_nothing(app, world, client):
    post_id = _post(app, world, world.member.id)
    _notify(app, "notify_post_edited_by_moderator", post_id, world.moderator.id)
    client.sign_in_as(world.member)
    client.post("/notifications/mark-all-read", csrf=False)
    assert _unread_in_header(client.get("/notifications").get_data(as_text=True)) == 1


def test_people_see_only_their_own_notifications(app, world, client):
    post_id = _post(app, world, world.member.id)
    _notify(app, "notify_post_edited_by_moderator", post_id, world.moderator.id)
    client.sign_in_as(world.facilitator)
    page = client.get("/notifications").get_data(as_text=True)
    assert "edited your post" not in page
    assert _unread_in_header(page) == 0


def test_anonymous_visitors_see_no_notifications_link_and_are_sent_to_sign_in(client, world):
    assert "Notifications (" not in client.get("/").get_data(as_text=True)
    response = client.get("/notifications")
    assert response.status_code == 302
    assert "/sign-in" in response.headers["Location"]


def test_the_unread_count_costs_one_query(app, world, client):
    client.sign_in_as(world.member)
    client.get("/")  # warm up anything cached per process
    statements = page_statements(app, client, "/")
    assert sum(bool(re.search(r"FROM notifications\b", s)) for s in statements) == 1


# --- email settings --------------------------------------------------------------------------

def test_settings_show_the_defaults_and_save_changes(app, world, client):
    client.sign_in_as(world.moderator)
    page = client.get("/notifications/settings").get_data(as_text=True)
    assert "Posts waiting for your approval" in page
    assert re.search(r'value="immediately"\s+checked|checked[^>]*value="immediately"', page)

    response = client.post("/notifications/settings", data={
        "decisions": "off", "replies": "immediately", "waiting": "daily",
        "meetings": "off", "events": "daily"})
    assert response.status_code == 302
    with app.app_context():
        saved = db.session.get(NotificationPreference, world.moderator.id)
        assert (saved.decisions, saved.replies, saved.waiting, saved.meetings) == (
            EmailMode.OFF, EmailMode.IMMEDIATELY, EmailMode.DAILY, EmailMode.OFF)


def test_members_who_moderate_nothing_are_not_asked_about_waiting_posts(app, world, client):
    client.sign_in_as(world.member)
    assert "Posts waiting for your approval" not in client.get(
        "/notifications/settings").get_data(as_text=True)
    response = client.post("/notifications/settings",
                           data={"decisions": "daily", "replies": "off",
                                 "meetings": "daily", "events": "off"})
    assert response.status_code == 302


@pytest.mark.parametrize("data", [
    {"decisions": "sometimes", "replies": "off"},
    {"replies": "off"},
])
def test_settings_with_a_missing_or_unknown_choice_say_what_to_fix(app, world, client, data):
    client.sign_in_as(world.member)
    response = client.post("/notifications/settings", data=data)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "There is a problem" in page
    with app.app_context():
        assert db.session.get(NotificationPreference, world.member.id) is None


def test_a_tampered_unsubscribe_link_is_not_found(app, world, client):
    with app.app_context():
        token = preferences.unsubscribe_token(_user(world.member.id), None)
    assert client.get(f"/notifications/unsubscribe/{token}x").status_code == 404
    assert client.post(f"/notifications/unsubscribe/{token}x").status_code == 404


def test_profile_links_to_the_email_settings(world, client):
    client.sign_in_as(world.member)
    page = client.get("/account/profile").get_data(as_text=True)
    assert 'href="/notifications/settings"' in page


@pytest.mark.parametrize(("status", "told", "kind"), [
    (PostStatus.APPROVED, "member", NotificationKind.REPLY),
    (PostStatus.PENDING, "moderator", NotificationKind.POST_WAITING),
])
def test_a_new_reply_tells_the_parent_author_or_the_moderators(app, world, status, told, kind):
    reply_id = _post(app, world, world.facilitator.id if status == PostStatus.APPROVED
                     else world.outsider.id, status=status,
                     parent_id=_opening_post_id(app, world))
    with app.app_context():
        db.session.add(Membership(user_id=world.outsider.id,
                                  learning_set_id=world.learning_set.id))
        db.session.commit()
    _notify(app, "notify_post_created", reply_id)
    assert [k for k, _ in _notifications(app, getattr(world, told).id)] == [kind]


def test_replying_through_the_thread_page_tells_the_author_of_the_post_answered(
        app, world, client):
    with app.app_context():
        learning_set = db.session.get(type(world.learning_set), world.learning_set.id)
        learning_set.moderation_policy = learning_set.moderation_policy.AFTER_THE_FACT
        db.session.commit()
    client.sign_in_as(world.moderator)
    response = client.post(f"/posts/{_opening_post_id(app, world)}/reply",
                           data={"body": "We called ours the People's Panel."})
    assert response.status_code == 302
    kinds = [kind for kind, _ in _notifications(app, world.member.id)]
    assert kinds == [NotificationKind.REPLY]


# --- notifications that do not go stale ------------------------------------------------------

def _waiting_notifications(app, user_id: int) -> list[tuple[str, bool]]:
    """(text, unread) of the user's "waiting for approval" notifications."""
    with app.app_context():
        rows = db.session.scalars(select(Notification).where(
            Notification.user_id == user_id,
            Notification.kind == NotificationKind.POST_WAITING).order_by(Notification.id))
        return [(n.text, n.read_at is None) for n in rows]


def _moderate(app, action: str, post_id: int, user_id: int, *args) -> None:
    from forum.moderation import service as moderation

    with app.app_context():
        getattr(moderation, action)(db.session, _user(user_id), db.session.get(Post, post_id),
                                    *args)
        db.session.commit()


@pytest.mark.parametrize("action, args, outcome", [
    ("approve", (), "was approved by Mia Moderator"),
    ("reject", ("Please remove the phone number.",),
     "was sent back to its author by Mia Moderator"),
])
def test_waiting_notification_says_handled_once_any_moderator_acts(app, world, client, action,
                                                                   args, outcome):
    post_id = _post(app, world, world.member.id, status=PostStatus.PENDING,
                    parent_id=_opening_post_id(app, world))
    _notify(app, "notify_post_waiting", post_id)
    client.sign_in_as(world.facilitator)
    assert _unread_in_header(client.get("/notifications").get_data(as_text=True)) == 1

    _moderate(app, action, post_id, world.moderator.id, *args)
    for user_id in (world.facilitator.id, world.moderator.id):
        [(text, unread)] = _waiting_notifications(app, user_id)
        assert text == f"A reply by Mo Member in “Naming the assembly” {outcome}."
        assert not unread
    page = client.get("/notifications").get_data(as_text=True)
    assert _unread_in_header(page) == 0
    assert "is waiting for approval" not in page


def test_waiting_notification_says_handled_when_the_author_withdraws(app, world):
    post_id = _post(app, world, world.member.id, status=PostStatus.PENDING,
                    parent_id=_opening_post_id(app, world))
    _notify(app, "notify_post_waiting", post_id)
    _moderate(app, "withdraw", post_id, world.member.id)
    [(text, unread)] = _waiting_notifications(app, world.facilitator.id)
    assert text.endswith("was withdrawn by its author.") and not unread


def test_a_resubmitted_post_is_one_notification_again_unread(app, world, client):
    from forum.moderation import service as moderation

    post_id = _post(app, world, world.member.id, status=PostStatus.PENDING,
                    parent_id=_opening_post_id(app, world))
    _notify(app, "notify_post_waiting", post_id)
    _moderate(app, "reject", post_id, world.moderator.id, "Please add the date.")
    with app.app_context():
        post = db.session.get(Post, post_id)
        post.body_source = "A reply, dated 3 March."
        assert moderation.resubmit_after_edit(db.session, post)
        db.session.commit()
    [(text, unread)] = _waiting_notifications(app, world.facilitator.id)
    assert text.endswith("is waiting for approval in Communicating assemblies.") and unread
    client.sign_in_as(world.facilitator)
    page = client.get("/notifications").get_data(as_text=True)
    assert page.count("A reply by Mo Member") == 1
    assert _unread_in_header(page) == 1


def test_repeated_decisions_on_one_post_are_one_notification(app, world):
    post_id = _post(app, world, world.member.id)
    _notify(app, "notify_post_edited_by_moderator", post_id, world.moderator.id)
    _notify(app, "notify_post_edited_by_moderator", post_id, world.facilitator.id)
    assert _notifications(app, world.member.id) == [
        (NotificationKind.POST_EDITED,
         "Fran Facilitator edited your post in “Naming the assembly”.")]
