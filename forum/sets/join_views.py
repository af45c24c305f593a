"""Asking to join a set, and its facilitators accepting or declining from its people page."""

from __future__ import annotations

import flask
from flask import abort
from flask import flash
from flask import redirect
from flask import render_template
from flask import url_for
from flask_login import current_user
from flask_login import login_required

from forum import permissions
from forum.extensions import db
from forum.forms import ActionForm
from forum.loading import load_visible_set
from forum.models import JoinRequest
from forum.models import LearningSet
from forum.models import RequestStatus
from forum.sets import bp
from forum.sets import join_requests
from forum.sets.forms import AskToJoinForm
from forum.sets.forms import DeclineRequestForm


@bp.route("/sets/<slug>/ask-to-join", methods=["GET", "POST"])
@login_required
def ask_to_join(slug: str):
    learning_set = load_visible_set(slug)
    mine = join_requests.request_of(db.session, current_user, learning_set)
    if mine is not None and mine.status == RequestStatus.PENDING:
        flash("You have already asked to join this set. Its facilitators will decide.", "info")
        return redirect(url_for("sets.show", slug=learning_set.slug))
    if not permissions.can_ask_to_join(current_user, learning_set):
        abort(403)
    form = AskToJoinForm()
    if form.validate_on_submit():
        try:
            join_requests.ask_to_join(db.session, current_user, learning_set,
                                      form.message.data or "")
        except join_requests.JoinError as refused:
            db.session.rollback()
            flash(str(refused), "info")
        else:
            db.session.commit()
            flash("Your request was sent to the set's facilitators. You will be told when they "
                  "decide.", "success")
        return redirect(url_for("sets.show", slug=learning_set.slug))
    return render_template("sets/ask_to_join.html", learning_set=learning_set, form=form,
                           declined=mine if mine is not None
                           and mine.status == RequestStatus.DECLINED else None)


def _load_request(slug: str, request_id: int) -> tuple[LearningSet, JoinRequest]:
    learning_set = load_visible_set(slug)
    if not permissions.can_manage_members(current_user, learning_set):
        abort(403)
    request = join_requests.find_pending(db.session, learning_set, request_id)
    if request is None:
        # Decided meanwhile by another facilitator (or never there): an action says so, and
        # the error page shows a typed reason to copy.
        abort(404, join_requests.DECIDED_MEANWHILE if flask.request.method == "POST" else None)
    return learning_set, request


@bp.post("/sets/<slug>/join-requests/<int:request_id>/accept")
@login_required
def accept_join_request(slug: str, request_id: int):
    learning_set, request = _load_request(slug, request_id)
    if ActionForm().validate_on_submit():
        try:
            join_requests.accept(db.session, current_user, request)
        except join_requests.DecidedMeanwhile as meanwhile:
            db.session.rollback()
            abort(404, str(meanwhile))
        db.session.commit()
        flash(f"{request.user.display_name} is now a member, and has been told.", "success")
    return redirect(url_for("sets.members", slug=learning_set.slug))


@bp.route("/sets/<slug>/join-requests/<int:request_id>/decline", methods=["GET", "POST"])
@login_required
def decline_join_request(slug: str, request_id: int):
    learning_set, request = _load_request(slug, request_id)
    form = DeclineRequestForm()
    if form.validate_on_submit():
        try:
            join_requests.decline(db.session, current_user, request, form.reason.data)
        except join_requests.DecidedMeanwhile as meanwhile:
            db.session.rollback()
            abort(404, str(meanwhile))
        db.session.commit()
        flash(f"You declined {request.user.display_name}'s request. They have been told why.",
              "success")
        return redirect(url_for("sets.members", slug=learning_set.slug))
    return render_template("sets/decline_request.html", learning_set=learning_set,
                           join_request=request, form=form)
