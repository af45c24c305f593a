"""Proposing and supporting a workshop's discussion topics, and the coordinators' decisions.

Plain forms on the event's page: every button is a POST with a CSRF token, and each answer
is a redirect back to the topic on that page (no JavaScript needed)."""

from __future__ import annotations

from collections.abc import Callable

from flask import abort
from flask import flash
from flask import redirect
from flask import url_for
from flask_login import current_user
from flask_login import login_required
from sqlalchemy.orm import Session

from forum import permissions
from forum.events import bp
from forum.events import topics
from forum.events.forms import TopicForm
from forum.events.views import _load
from forum.events.views import render_event
from forum.extensions import db
from forum.forms import ActionForm
from forum.models import EventTopic
from forum.models import User

# action in the URL -> (what it does, message)
TopicAction = Callable[[Session, User, EventTopic], None]
ACTIONS: dict[str, tuple[TopicAction, str]] = {
    "support": (topics.support, "You support this topic."),
    "withdraw-support": (topics.withdraw_support, "You no longer support this topic."),
    "approve": (topics.approve, "The topic is published: everyone who can see the workshop "
                                "can read and support it."),
    "hide": (topics.hide, "The topic is hidden."),
    "add-to-agenda": (lambda s, u, t: topics.set_agenda(s, u, t, True),
                      "The topic is on the agenda."),
    "remove-from-agenda": (lambda s, u, t: topics.set_agenda(s, u, t, False),
                           "The topic is no longer on the agenda."),
}


@bp.post("/events/<int:event_id>/topics")
@login_required
def propose_topic(event_id: int):
    event = _load(event_id)
    if not permissions.has_topics(event):
        abort(404)
    form = TopicForm()
    if not form.validate_on_submit():
        return render_event(event, topic_form=form)
    try:
        topic = topics.propose(db.session, current_user, event, title=form.title.data,
                               description=form.description.data or "")
    except topics.TopicError as refused:
        db.session.rollback()
        flash(str(refused), "info")
        return redirect(url_for("events.show", event_id=event.id) + "#topics")
    db.session.commit()
    flash("Your topic is published." if topic.status == "approved" else
          "Thank you: your topic waits for a coordinator’s approval. Until then only you and "
          "the coordinators can see it.", "success")
    return redirect(url_for("events.show", event_id=event.id) + f"#topic-{topic.id}")


@bp.post("/events/<int:event_id>/topics/<int:topic_id>/<action>")
@login_required
def topic_action(event_id: int, topic_id: int, action: str):
    event = _load(event_id)
    topic = topics.find(db.session, event, topic_id)
    if action not in ACTIONS or topic is None \
            or not permissions.can_view_topic(current_user, topic):
        abort(404)
    form = ActionForm()
    if not form.validate_on_submit():
        abort(400)
    do, message = ACTIONS[action]
    try:
        do(db.session, current_user, topic)
    except topics.NotAllowed:
        db.session.rollback()
        abort(403)
    except topics.TopicError as refused:
        db.session.rollback()
        flash(str(refused), "info")
    else:
        db.session.commit()
        flash(message, "success")
    return redirect(url_for("events.show", event_id=event.id) + f"#topic-{topic.id}")
