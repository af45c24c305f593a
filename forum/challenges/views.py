"""Challenge pages: bring one, reply with a kind, move it on, re-label a reply.

A challenge is read on its thread page (``threads.show``), which adds its aim, status, the
kinds and the filter by kind (:mod:`forum.challenges.page`).
"""

from __future__ import annotations

from typing import NoReturn

from flask import abort
from flask import flash
from flask import redirect
from flask import render_template
from flask import request
from flask import url_for
from flask_login import current_user
from werkzeug.exceptions import NotFound

from forum import permissions
from forum.challenges import bp
from forum.challenges import service
from forum.challenges.forms import KindForm
from forum.challenges.forms import MakeChallengeForm
from forum.challenges.forms import NewChallengeForm
from forum.challenges.forms import StatusForm
from forum.challenges.forms import StatusNow
from forum.challenges.page import kind_items
from forum.challenges.page import reply_form
from forum.errors import Refused
from forum.extensions import db
from forum.files.limits import accepts_files
from forum.loading import load_visible_set
from forum.loading import refuse_outsider
from forum.models import Challenge
from forum.models import ChallengeStatus
from forum.models import Post
from forum.models import PostKind
from forum.models import PostStatus
from forum.models import UpdateOutcome
from forum.threads import service as threads
from forum.threads.forms import MARKDOWN_HINT
from forum.threads.views import _load_post
from forum.threads.views import _load_thread
from forum.threads.views import _post_once
from forum.threads.views import _post_url
from forum.threads.views import _posted_message
from forum.threads.views import _preview
from forum.threads.views import _require_sign_in
from forum.threads.views import _with_files
from forum.threads.views import refuse_reply


def _challenge_of(thread_id: int) -> Challenge:
    """The challenge of a thread the visitor may open; 404 otherwise."""
    thread = _load_thread(thread_id)
    challenge = service.load_challenge(db.session, thread.id)
    if challenge is None:
        abort(404)
    return challenge


def _refuse(challenge: Challenge | None, step: str, post: Post | None = None) -> NoReturn:
    """Why a signed-in reader of the challenge may not take this step (``"status"``,
    ``"kind"`` of ``post``), with the way back to it: a 403 that says who may, not a bare one.
    (Bringing one and replying are refused by :func:`refuse_outsider` and
    :func:`refuse_reply`.)"""
    if challenge is None:  # a post outside any challenge has no kind to change
        abort(403)
    learning_set = challenge.learning_set
    if step == "status":
        if permissions.is_holder(current_user, challenge):  # they have left the set since
            refuse_outsider(learning_set, "change where a challenge in it stands")
        reason = ("Only the member who brought this challenge, or a facilitator of the set, "
                  "can change where it stands.")
    elif post is not None and permissions.is_facilitator(current_user, learning_set):
        reason = ("Actions, updates, closing summaries and the challenge itself keep their "
                  "kind: only questions, reflections, learnings and suggestions can be "
                  "changed.")
    else:
        reason = "Only the set's facilitators can change the kind of a reply."
    raise Refused(reason, ("Go back to the challenge",
                           url_for("threads.show", thread_id=challenge.thread_id)))


@bp.route("/sets/<slug>/challenges/new", methods=["GET", "POST"])
def new(slug: str):
    learning_set = load_visible_set(slug)
    if not permissions.is_signed_in(current_user):
        return _require_sign_in()
    if not permissions.can_bring_challenge(current_user, learning_set):
        refuse_outsider(learning_set, "bring a challenge to it")
    form = NewChallengeForm()
    if form.is_submitted() and form.preview.data:
        return render_template("challenges/new.html", learning_set=learning_set, form=form,
                               markdown_hint=MARKDOWN_HINT, preview=_preview(form, learning_set))
    if form.validate_on_submit():
        post, new_post = _post_once(form.submission_key.data, lambda: service.start_challenge(
            db.session, current_user, learning_set, title=form.title.data, body=form.body.data,
            aim=form.aim.data, key=form.submission_key.data)[1])
        _posted_message(post, "Your challenge is open. The set can now ask you questions.",
                        new_post)
        return redirect(url_for("threads.show", thread_id=post.thread_id))
    return render_template("challenges/new.html", learning_set=learning_set, form=form,
                           markdown_hint=MARKDOWN_HINT)


def _parsed_outcome(value: object) -> UpdateOutcome | None:
    try:
        return UpdateOutcome(value) if value else None
    except ValueError:
        return None


@bp.route("/posts/<int:post_id>/challenge-reply", methods=["GET", "POST"])
@accepts_files
def reply(post_id: int):
    parent = _load_post(post_id)
    thread = parent.thread
    challenge = service.load_challenge(db.session, thread.id)
    if challenge is None:
        abort(404)
    if not permissions.is_signed_in(current_user):
        return _require_sign_in()
    if not permissions.can_reply_to_post(current_user, parent):
        refuse_reply(parent)
    form = reply_form(db.session, current_user, challenge,
                      formdata=request.form if request.method == "POST" else None)
    if request.method == "GET":
        _preselect(form, request.args.get("kind", ""), request.args.get("action_id", ""))
        if request.args.get("quote"):
            # As on a thread's reply form: only the post's published text is quoted (the
            # reader may reply to it, so may read it), or the passage of it they chose.
            form.body.data = threads.quotation(parent, threads.post_url(parent),
                                               request.args.get("passage")) or ""
    preview = None
    if request.method == "POST" and form.preview.data:
        preview = _preview(form, thread.learning_set)
    elif request.method == "POST" and form.validate_on_submit():
        kind = PostKind(form.kind.data)
        due_on = getattr(form.due_on, "parsed", None) if kind == PostKind.ACTION else None
        try:
            # Its files go with the reply: a waiting reply's files wait with its text.
            post, new_post = _post_once(form.submission_key.data, lambda: _with_files(
                service.reply(db.session, current_user, parent, challenge, kind=kind,
                              body=form.body.data, key=form.submission_key.data, due_on=due_on,
                              action_id=form.action_choice(),
                              outcome=_parsed_outcome(form.outcome.data)), form))
        except service.FieldProblem as problem:
            db.session.rollback()
            getattr(form, problem.field).errors = [str(problem)]
        else:
            _posted_message(post, f"Your {kind.label.lower()} has been posted.", new_post)
            return redirect(_post_url(post))
    return render_template("challenges/reply.html", thread=thread,
                           learning_set=thread.learning_set, challenge=challenge,
                           parent=parent, parent_view=threads.post_view(current_user, parent),
                           form=form, kind_items=kind_items(form), markdown_hint=MARKDOWN_HINT,
                           preview=preview)


def _preselect(form, kind: str, action_id: str) -> None:
    """A link may choose the kind and the action (a reminder's "post an update" link does);
    only what the form offers this person is taken, anything else is ignored."""
    if kind in {choice.value for choice in form.kind.choices or []}:
        form.kind.data = kind
    if action_id in {choice.value for choice in form.action_id.choices or []}:
        form.action_id.data = action_id


@bp.route("/threads/<int:thread_id>/make-challenge", methods=["GET", "POST"])
def make(thread_id: int):
    try:
        thread = _load_thread(thread_id)
    except NotFound:
        if request.method == "POST":  # deleted while they wrote: the page shows their aim
            abort(404, "This thread is not there now (it may have been deleted, or you can "
                       "no longer open it), so it was not made a challenge.")
        raise
    if request.method == "GET" and service.load_challenge(db.session, thread.id) is not None:
        abort(404)
    if not permissions.is_signed_in(current_user):
        return _require_sign_in()
    if not permissions.can_make_challenge(current_user, thread) and not (
            # its author deleted their account while the aim was typed: told, aim kept
            request.method == "POST"
            and permissions.makes_challenges_of_threads(current_user, thread)):
        abort(403)
    form = MakeChallengeForm()
    if form.validate_on_submit():
        try:
            service.make_challenge(db.session, current_user, thread, aim=form.aim.data)
        except service.NotAllowed as refused:  # made one, or author gone, meanwhile: aim kept
            db.session.rollback()
            form.aim.errors = [*form.aim.errors, f"{refused} Nothing was saved: your text is "
                               "kept here, so you can copy it if you still need it."]
        else:
            db.session.commit()
            flash("The thread is now a challenge. Check the kind of each reply.", "success")
            return redirect(url_for("threads.show", thread_id=thread.id))
    return render_template("challenges/make.html", thread=thread,
                           learning_set=thread.learning_set, form=form)


@bp.route("/threads/<int:thread_id>/challenge-status", methods=["GET", "POST"])
def status(thread_id: int):
    challenge = _challenge_of(thread_id)
    if not permissions.is_signed_in(current_user):
        return _require_sign_in()
    if not permissions.can_change_challenge_status(current_user, challenge):
        _refuse(challenge, "status")
    current = service.closing_summary(db.session, current_user, challenge)
    now = StatusNow(challenge.status.value, service.summary_source(current_user, current))
    form = StatusForm(data=now._asdict() if request.method == "GET" else None)
    if request.method == "GET":
        form.opened_with(now)
    if form.validate_on_submit() and not form.changed_meanwhile(now):
        try:
            changed = service.set_status(db.session, current_user, challenge,
                                         ChallengeStatus(form.status.data),
                                         form.closing_summary.data or "")
        except service.FieldProblem as problem:
            db.session.rollback()
            getattr(form, problem.field).errors = [str(problem)]
        else:
            db.session.commit()
            summary = (service.closing_summary(db.session, current_user, challenge)
                       if challenge.status == ChallengeStatus.CLOSED else None)
            if changed and summary is not None and summary.author_id == current_user.id \
                    and (summary.status != PostStatus.APPROVED or summary.has_pending_edit):
                flash(f"The challenge is now {challenge.status.label.lower()}. Your closing "
                      "summary waits for a moderator: others will read it once it is "
                      "approved.", "success")
            elif changed:
                flash(f"The challenge is now {challenge.status.label.lower()}.", "success")
            else:
                flash("Nothing was changed.", "info")
            return redirect(url_for("threads.show", thread_id=challenge.thread_id))
    # Told before they write it: where their posts wait, the summary waits too.
    summary_waits = threads.posts_wait(db.session, current_user, challenge.learning_set)
    # A moderator may be shown someone else's summary that is not yet published: saving a
    # changed text here would publish it as theirs, not the writer's.
    others_unpublished = (current if current is not None
                          and current.author_id != current_user.id
                          and current.status != PostStatus.APPROVED else None)
    return render_template("challenges/status.html", challenge=challenge,
                           thread=challenge.thread, learning_set=challenge.learning_set,
                           form=form, summary_waits=summary_waits,
                           others_unpublished=others_unpublished)


@bp.post("/posts/<int:post_id>/kind")
def change_kind(post_id: int):
    post: Post = _load_post(post_id)
    if not permissions.is_signed_in(current_user):
        return _require_sign_in()
    if not permissions.can_change_post_kind(current_user, post):
        _refuse(service.load_challenge(db.session, post.thread_id), "kind", post)
    form = KindForm()
    if form.validate_on_submit():
        try:
            changed = service.change_kind(db.session, current_user, post,
                                          PostKind(form.kind.data))
        except (ValueError, service.FieldProblem):
            db.session.rollback()
            flash("Choose one of the kinds offered.", "info")
        else:
            db.session.commit()
            if changed:
                flash(f"The post is now a {PostKind(post.kind).label.lower()}. The change is "
                      "in the moderation log.", "success")
            else:
                flash("Nothing was changed.", "info")
    else:
        flash("The kind was not changed: the form had expired. Try again.", "info")
    return redirect(_post_url(post))
