"""Notification pages: the list, email settings and unsubscribe links."""

from __future__ import annotations

import math

from flask import abort
from flask import flash
from flask import redirect
from flask import render_template
from flask import request
from flask import url_for
from flask_login import current_user
from flask_login import login_required
from sqlalchemy import select

from forum import permissions
from forum.extensions import db
from forum.extensions import writes_on_get
from forum.forms import ActionForm
from forum.models import Action
from forum.models import EmailMode
from forum.models import EmailTopic
from forum.models import NotificationKind
from forum.notifications import bp
from forum.notifications import inbox
from forum.notifications import preferences
from forum.notifications import reminders
from forum.notifications.forms import PreferencesForm
from forum.pagination import requested_page

PER_PAGE = 25

# Notices about no one object whose page follows from their kind (see open_notification).
KINDS_WITH_A_PAGE = frozenset({NotificationKind.NETWORK_REQUEST, NotificationKind.DATA_READY,
                               NotificationKind.DATA_COPY_READY,
                               NotificationKind.ORGANISATION_REQUEST})


def leads_somewhere(notification) -> bool:
    """Whether following the notice opens a page about it (not just the list again)."""
    return bool(notification.thread_id or notification.meeting_id or notification.event_id
                or notification.learning_set_id or notification.kind in KINDS_WITH_A_PAGE)


TOPIC_DESCRIPTIONS = {
    EmailTopic.DECISIONS: "moderators’ decisions on your posts",
    EmailTopic.REPLIES: "replies to your posts",
    EmailTopic.WAITING: "posts, and requests to join, waiting for your decision",
    EmailTopic.MEETINGS: "your sets’ meetings",
    EmailTopic.EVENTS: "changes to events you signed up to",
}


@bp.get("/notifications")
@login_required
def index():
    page = requested_page()
    notifications, total = inbox.notifications_for(db.session, current_user, page=page,
                                                     per_page=PER_PAGE)
    pages = max(math.ceil(total / PER_PAGE), 1)
    if page > pages:
        abort(404)
    return render_template("notifications/index.html", notifications=notifications,
                           page=page, pages=pages, total=total,
                           mark_form=ActionForm(formdata=None), leads_somewhere=leads_somewhere)


@bp.get("/notifications/<int:notification_id>", endpoint="open")
@writes_on_get
@login_required
def open_notification(notification_id: int):
    """Follow a notification to what it is about, marking it read on the way."""
    notification = inbox.open_notification(db.session, current_user, notification_id)
    if notification is None:
        abort(404)
    db.session.commit()
    if notification.meeting is not None:
        return redirect(url_for("meetings.show", slug=notification.meeting.learning_set.slug,
                                meeting_id=notification.meeting_id))
    if notification.event_id is not None:
        return redirect(url_for("events.show", event_id=notification.event_id))
    if notification.thread_id is None and notification.learning_set is not None:
        page = ("sets.members" if notification.kind == NotificationKind.JOIN_REQUESTED
                else "sets.show")
        return redirect(url_for(page, slug=notification.learning_set.slug))
    if notification.kind == NotificationKind.NETWORK_REQUEST:
        return redirect(url_for("network.queue"))
    if notification.kind == NotificationKind.ORGANISATION_REQUEST:
        return redirect(url_for("admin.organisations_list"))
    if notification.kind == NotificationKind.DATA_READY:
        return redirect(url_for("people.data"))
    if notification.kind == NotificationKind.DATA_COPY_READY:
        if notification.actor_id is None:  # the person has since been erased
            return redirect(url_for("admin.log"))
        return redirect(url_for("admin.user", user_id=notification.actor_id,
                                _anchor="data-copy"))
    if notification.thread_id is None:
        return redirect(url_for("notifications.index"))
    if notification.kind == NotificationKind.ACTION_DUE and notification.post_id is not None:
        action = db.session.scalar(select(Action).where(Action.post_id == notification.post_id))
        if action is not None:
            return redirect(reminders.update_form_url(action))
    if notification.post_id is None:
        return redirect(url_for("threads.show", thread_id=notification.thread_id))
    # ?post= opens the page of a long thread that shows the post.
    return redirect(url_for("threads.show", thread_id=notification.thread_id,
                            post=notification.post_id, _anchor=f"post-{notification.post_id}"))


@bp.post("/notifications/mark-all-read")
@login_required
def mark_all_read():
    form = ActionForm()
    if form.validate_on_submit():
        changed = inbox.mark_all_read(db.session, current_user)
        db.session.commit()
        flash("All your notifications are marked as read." if changed
              else "You had no unread notifications.", "success")
    else:
        flash("Nothing was changed. Please try again.", "info")
    return redirect(url_for("notifications.index"))


@bp.route("/notifications/settings", methods=["GET", "POST"])
@login_required
def settings():
    saved = preferences.preferences_for(db.session, current_user)
    moderates = permissions.can_use_moderation_queue(current_user)
    # Admins and network coordinators are told of visitors' requests under the same choice.
    decides = permissions.can_handle_network_requests(current_user)
    if request.method == "POST":
        form = PreferencesForm()
    else:
        form = PreferencesForm(formdata=None, data={t.value: saved.mode_for(t).value
                                                    for t in EmailTopic})
    if not (moderates or decides):
        del form.waiting
    if form.validate_on_submit():
        topics = [t for t in EmailTopic if t.value in form]
        preferences.update_preferences(db.session, current_user,
                                   {t: EmailMode(form[t.value].data) for t in topics})
        db.session.commit()
        flash("Your email settings are saved.", "success")
        return redirect(url_for("notifications.settings"))
    return render_template("notifications/settings.html", form=form, moderates=moderates,
                           decides=decides, defaults=preferences.DEFAULT_MODES)


@bp.route("/notifications/unsubscribe/<token>", methods=["GET", "POST"])
def unsubscribe(token: str):
    """Turn emails off from a link in an email, without signing in (the token is signed)."""
    try:
        user, topic = preferences.read_unsubscribe_token(db.session, token)
    except preferences.InvalidUnsubscribeLink:
        abort(404)
    what = TOPIC_DESCRIPTIONS[topic] if topic is not None else "your notifications"
    form = ActionForm()
    if request.method == "POST" and form.validate_on_submit():
        preferences.unsubscribe(db.session, user, topic)
        db.session.commit()
        return render_template("notifications/unsubscribed.html", what=what, topic=topic)
    return render_template("notifications/unsubscribe.html", form=form, what=what,
                           topic=topic, email=user.email)


@bp.route("/notifications/stop-following/<token>", methods=["GET", "POST"])
def stop_following(token: str):
    """Stop following a thread from the link in one of its emails, without signing in.

    The GET only asks (mail scanners open links); the button POSTs with the page's CSRF
    token, so a forged request cannot mute someone's thread.
    """
    try:
        user, thread = preferences.read_unfollow_token(db.session, token)
    except preferences.ExpiredUnfollowLink:
        return render_template("notifications/stop_following_expired.html"), 410
    except preferences.InvalidUnsubscribeLink:
        abort(404)
    # The title only for someone who may still open the thread (they may have left the set,
    # or no longer moderate a set whose thread still waits for approval).
    title = thread.title if permissions.can_open_thread(user, thread) else None
    form = ActionForm()
    if request.method == "POST" and form.validate_on_submit():
        preferences.stop_following(db.session, user, thread)
        db.session.commit()
        return render_template("notifications/stopped_following.html", title=title)
    return render_template("notifications/stop_following.html", form=form, title=title,
                           email=user.email)
