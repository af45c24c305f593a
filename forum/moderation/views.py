"""Moderation pages: the queue, actions on posts and threads, reports, the log and the policy.

Every route needs a signed-in user. People who cannot see the set (or the post) get 404;
people who can see it but may not moderate it get 403.
"""

from __future__ import annotations

from collections.abc import Callable

from flask import abort
from flask import flash
from flask import redirect
from flask import render_template
from flask import request
from flask import url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user
from flask_login import login_required
from flask_wtf import FlaskForm
from sqlalchemy import select
from sqlalchemy.orm import joinedload
from werkzeug.wrappers import Response
from wtforms.fields.choices import SelectChoice

from forum import permissions
from forum.errors import Refused
from forum.extensions import db
from forum.forms import EXPIRED_FORM_MESSAGE
from forum.forms import ActionForm
from forum.loading import load_visible_set
from forum.models import ActionKind
from forum.models import LearningSet
from forum.models import ModerationAction
from forum.models import ModerationPolicy
from forum.models import Post
from forum.models import PostStatus
from forum.models import Thread
from forum.models import User
from forum.moderation import bp
from forum.moderation import notes
from forum.moderation import service
from forum.moderation.forms import BulkApproveForm
from forum.moderation.forms import HideForm
from forum.moderation.forms import LogFilterForm
from forum.moderation.forms import ModeratorEditForm
from forum.moderation.forms import PolicyForm
from forum.moderation.forms import RejectForm
from forum.moderation.forms import ReportForm
from forum.moderation.forms import ReturnEditForm
from forum.moderation.queue import challenge_aims
from forum.moderation.queue import moderated_sets
from forum.moderation.queue import queue_page
from forum.pagination import requested_page
from forum.redirects import safe_next
from forum.routing import MAX_URL_INT

QUEUE_PER_PAGE = 20
# The queue links to the moderation log of each set it shows, up to this many sets; past it
# (an admin's queue shows every set of the site: 200 on the large seed) it says to choose a set.
QUEUE_LOG_LINKS = 10
LOG_PER_PAGE = 50


# --- loading and redirects ---------------------------------------------------------


def _load_post(post_id: int) -> Post:
    """The post, if the viewer may see it (else 404)."""
    post = None
    if 0 < post_id <= MAX_URL_INT:
        post = db.session.scalar(
            select(Post)
            .options(joinedload(Post.author),
                     joinedload(Post.thread).joinedload(Thread.learning_set),
                     joinedload(Post.parent))
            .where(Post.id == post_id))
    if post is None or not permissions.can_view_post(current_user, post):
        abort(404)
    return post


# A link to these pages is shown only to those who may use them, but one can be followed
# later (an emailed queue, a bookmark) by someone whose role has gone since: the page says why.

def _not_a_moderator(learning_set: LearningSet) -> Refused:
    return Refused("Only the set’s moderators and facilitators can moderate its posts and read "
                   "its moderation log. If you moderated it, your role may have changed.",
                   ("Go to the set", url_for("sets.show", slug=learning_set.slug)))


def _require_moderator(learning_set: LearningSet) -> None:
    if not permissions.can_moderate(current_user, learning_set):
        raise _not_a_moderator(learning_set)


def _require_queue_user() -> None:
    if not permissions.can_use_moderation_queue(current_user):
        raise Refused("The moderation queue is for the moderators and facilitators of sets. "
                      "You do not moderate a set now: your role may have changed.",
                      ("See the sets", url_for("sets.index")))


def _moderated_post(post_id: int) -> Post:
    """The post, if the viewer moderates its set (404 if they cannot see it, else 403)."""
    post = _load_post(post_id)
    _require_moderator(post.thread.learning_set)
    return post


def _approvable_post(post_id: int) -> Post:
    """The post, if the viewer may decide on it: a moderator of its set who is not its author
    (404 if they cannot see it, else 403)."""
    post = _moderated_post(post_id)
    if not permissions.can_approve_post(current_user, post):
        raise Refused("You wrote this post, so another moderator of the set decides on it.",
                      ("See the post", _post_url(post)))
    return post


def _version(raw: str | None) -> int:
    """A post version from a form (0, which no post has, when missing or malformed)."""
    raw = raw or ""
    version = int(raw) if raw.isascii() and raw.isdigit() and len(raw) <= 10 else 0
    return version if version <= MAX_URL_INT else 0


def _seen_version(post_id: int) -> int:
    """The version of the post the moderator read, carried by the queue or thread page."""
    return _version(request.form.get(f"version-{post_id}"))


def _moderated_thread(thread_id: int) -> Thread:
    # The thread's copies of its opening post decide who may open it (its posts not loaded).
    thread = db.session.get(Thread, thread_id) if 0 < thread_id <= MAX_URL_INT else None
    if thread is None or not permissions.can_open_thread(current_user, thread):
        abort(404)
    _require_moderator(thread.learning_set)
    return thread


def _post_url(post: Post) -> str:
    # ?post= opens the page of a long thread that shows the post.
    return url_for("threads.show", thread_id=post.thread_id, post=post.id,
                   _anchor=f"post-{post.id}")


def _next_url(default: str) -> str:
    """Where to go after an action: a local path the form carried, else ``default``."""
    return safe_next(request.values.get("next"), default)


def _back(default: str | None = None) -> Response:
    return redirect(_next_url(default or url_for("moderation.queue")), code=303)


def _refused(error: service.ModerationError, default: str | None = None) -> Response:
    db.session.rollback()
    flash(str(error), "info")
    return _back(default)


def _refused_keeping(field, error: service.ModerationError) -> None:
    """A form's action refused (another moderator decided first, say): the form re-renders
    with what the moderator typed in ``field`` and the reason on it, instead of the text being
    dropped with a redirect."""
    db.session.rollback()
    field.errors = [*field.errors, f"{error} Nothing was saved: your text is kept here, so "
                    "you can copy it if you still need it."]


def _act_on_button(act: Callable[[], object], done: str, default: str | None = None) -> Response:
    """A moderator's one-button action (approve, dismiss reports, lock a thread...): checks the
    form's token, ``act`` (the service call), commit, flash ``done``; back either way, with the
    refusal flashed when the service refuses."""
    if not ActionForm().validate_on_submit():
        return _expired(default)
    try:
        act()
    except service.ModerationError as error:
        return _refused(error, default)
    db.session.commit()
    flash(done, "success")
    return _back(default)


def _already_decided(what: str) -> Response:
    """A form opened for a post no longer waiting for what it does: say what happened, go back."""
    flash(what, "info")
    return _back()


def _act_with_reason(post: Post, form: FlaskForm, act: Callable[[], object], done: str,
                     template: str) -> ResponseReturnValue:
    """A moderator's action with a typed reason (return a post or an edit, hide a post).

    On a valid POST: ``act`` (the service call), commit, flash ``done`` and go back. When the
    service refuses (another moderator decided first, say), the form re-renders keeping the
    typed reason with the refusal on it. Otherwise (a GET, or errors) ``template`` shows it."""
    if form.validate_on_submit():
        try:
            act()
        except service.ModerationError as error:
            _refused_keeping(form.reason, error)
        else:
            db.session.commit()
            flash(done, "success")
            return _back()
    return render_template(template, post=post, form=form)


def _expired(default: str | None = None) -> Response:
    flash(EXPIRED_FORM_MESSAGE, "info")
    return _back(default)


def _previous_next(page: int, has_next: bool, endpoint: str,
                   **args: object) -> dict[str, object] | None:
    """Parameters for govukPagination where the number of pages is not counted (the log):
    links to the previous and the next page only."""
    args = {key: value for key, value in args.items() if value not in (None, "")}
    params: dict[str, object] = {}
    if page > 1:
        params["previous"] = {"href": url_for(endpoint, page=page - 1, **args)}
    if has_next:
        params["next"] = {"href": url_for(endpoint, page=page + 1, **args)}
    return params or None


# --- the queue -----------------------------------------------------------------------


def _render_queue(bulk_form: BulkApproveForm | None = None) -> str:
    _require_queue_user()
    sets = moderated_sets(db.session, current_user)
    slug = request.args.get("set", "")
    chosen = sets
    selected = None
    if slug:
        selected = next((s for s in sets if s.slug == slug), None)
        if selected is None:
            # 404 for a set the user cannot see, 403 for one they can see but do not moderate
            raise _not_a_moderator(load_visible_set(slug))
        chosen = [selected]
    result = queue_page(db.session, current_user, chosen,
                        page=requested_page(), per_page=QUEUE_PER_PAGE, every=selected is None)
    # The queue's own query (the set and page shown), for the form and the links that come
    # back here: not the request's whole query, whose names url_for would take as its own
    # (?endpoint=, ?_method= were a 500).
    queue_args = {"set": selected.slug} if selected else {}
    if result.page > 1:
        queue_args["page"] = result.page
    if bulk_form is None:
        bulk_form = BulkApproveForm(formdata=None)
    return render_template(
        "moderation/queue.html", result=result, sets=sets, selected=selected,
        log_sets=[s for s in chosen if permissions.can_view_moderation_log(current_user, s)]
        if len(chosen) <= QUEUE_LOG_LINKS else None,
        form=bulk_form, action_form=ActionForm(formdata=None),
        queue_args=queue_args, here=url_for("moderation.queue", **queue_args))


@bp.get("/moderation/")
@login_required
def queue():
    return _render_queue()


@bp.post("/moderation/approve-selected")
@login_required
def approve_selected():
    _require_queue_user()
    form = BulkApproveForm()
    if not form.validate_on_submit():
        return _render_queue(form)
    seen = {post_id: _seen_version(post_id) for post_id in form.post_ids.data}
    result = service.approve_many(db.session, current_user, seen)
    db.session.commit()
    count = len(result.approved)
    if count:
        flash(f"{count} post{'s' if count != 1 else ''} approved.", "success")
    for problem in result.problems:
        flash(problem, "info")
    if not count and not result.problems:
        flash("None of the selected posts could be approved.", "info")
    return _back()


@bp.post("/moderation/posts/<int:post_id>/approve")
@login_required
def approve(post_id: int):
    post = _approvable_post(post_id)
    return _act_on_button(
        lambda: service.approve(db.session, current_user, post,
                                seen_version=_seen_version(post.id)),
        "Post approved. Everyone in the set can now see it.")


@bp.route("/moderation/posts/<int:post_id>/reject", methods=["GET", "POST"])
@login_required
def reject(post_id: int):
    post = _approvable_post(post_id)
    if request.method == "GET" and post.status != PostStatus.PENDING:
        return _already_decided(notes.what_happened(db.session, post.id))
    form = RejectForm(data={"next": _next_url("")} if request.method == "GET" else None)
    return _act_with_reason(
        post, form, lambda: service.reject(db.session, current_user, post, form.reason.data),
        "Post returned to its author with your reason. They can edit it and send it again.",
        "moderation/reject.html")


@bp.route("/moderation/posts/<int:post_id>/edit", methods=["GET", "POST"])
@login_required
def edit(post_id: int):
    post = _approvable_post(post_id)
    if request.method == "GET":
        if post.status != PostStatus.PENDING:
            return _already_decided(notes.what_happened(db.session, post.id))
        form = ModeratorEditForm(formdata=None, data={
            "body": post.body_source, "original": post.body_source,
            "next": _next_url("")})
    else:
        form = ModeratorEditForm()
    if form.validate_on_submit():
        try:
            changed = service.edit_and_approve(db.session, current_user, post, form.body.data,
                                               seen_source=form.original.data)
        except service.ChangedMeanwhile as error:
            # The moderator's text is kept with the message; the form now starts from the
            # author's new text, so saving again approves the moderator's text on purpose.
            db.session.rollback()
            form.body.errors = [*form.body.errors, str(error)]
            form.original.data = post.body_source
        except service.ModerationError as error:
            _refused_keeping(form.body, error)
        else:
            db.session.commit()
            flash("Post edited and approved. Its author has been told." if changed
                  else "Post approved without changes.", "success")
            return _back()
    return render_template("moderation/edit.html", post=post, form=form,
                           aim=challenge_aims(db.session, [post]).get(post.thread_id))


@bp.post("/moderation/posts/<int:post_id>/approve-edit")
@login_required
def approve_edit(post_id: int):
    post = _approvable_post(post_id)
    return _act_on_button(
        lambda: service.approve_edit(db.session, current_user, post,
                                     seen_version=_seen_version(post.id)),
        "Edit approved. Everyone in the set now sees the new text.")


@bp.route("/moderation/posts/<int:post_id>/return-edit", methods=["GET", "POST"])
@login_required
def return_edit(post_id: int):
    post = _approvable_post(post_id)
    if request.method == "GET" and not post.has_pending_edit:
        return _already_decided(notes.what_happened_to_edit(db.session, post.id))
    # The version read when the form opened, so an edit changed since is not returned unseen.
    form = ReturnEditForm(data={"next": _next_url(""), "version": post.version}
                          if request.method == "GET" else None)
    return _act_with_reason(
        post, form, lambda: service.return_edit(db.session, current_user, post,
                                                form.reason.data,
                                                seen_version=_version(form.version.data)),
        "Edit returned to its author with your reason. The post keeps its approved text.",
        "moderation/return_edit.html")


@bp.route("/moderation/posts/<int:post_id>/hide", methods=["GET", "POST"])
@login_required
def hide(post_id: int):
    post = _moderated_post(post_id)
    if request.method == "GET" and post.status != PostStatus.APPROVED:
        return _already_decided(notes.what_happened(db.session, post.id))
    form = HideForm(data={"next": _next_url("")} if request.method == "GET" else None)
    return _act_with_reason(
        post, form, lambda: service.hide(db.session, current_user, post, form.reason.data),
        "Post hidden. Others now see that a moderator hid it.", "moderation/hide.html")


@bp.post("/moderation/posts/<int:post_id>/dismiss-reports")
@login_required
def dismiss_reports(post_id: int):
    post = _moderated_post(post_id)
    return _act_on_button(lambda: service.dismiss_reports(db.session, current_user, post),
                          "Reports dismissed. The post stays published.")


THREAD_ACTIONS = {
    "lock": (ActionKind.LOCK, "Thread locked. No one can reply until it is unlocked."),
    "unlock": (ActionKind.UNLOCK, "Thread unlocked. Members can reply again."),
    "pin": (ActionKind.PIN, "Thread pinned to the top of the set."),
    "unpin": (ActionKind.UNPIN, "Thread unpinned."),
}


@bp.post("/moderation/threads/<int:thread_id>/<any(lock, unlock, pin, unpin):action>")
@login_required
def thread_action(thread_id: int, action: str):
    thread = _moderated_thread(thread_id)
    kind, done = THREAD_ACTIONS[action]
    return _act_on_button(lambda: service.set_thread_flag(db.session, current_user, thread, kind),
                          done, url_for("threads.show", thread_id=thread.id))


# --- members and authors ---------------------------------------------------------------


@bp.route("/posts/<int:post_id>/report", methods=["GET", "POST"])
@login_required
def report(post_id: int):
    """The report form. A report the rules refuse once sent (already reported, the post hidden
    or withdrawn since the form was opened) re-renders the form with the typed reason and why;
    a post the reporter can no longer see is then left out of the page."""
    form = ReportForm()
    gone_from = _thread_of_post_gone_for_reporter(post_id) if form.is_submitted() else None
    if gone_from is not None and form.validate_on_submit():
        _refused_keeping(form.reason, service.NotAllowed(
            "This post can no longer be reported: it is no longer shown to you (it may have "
            "been hidden or withdrawn)."))
        return render_template("moderation/report.html", post=None, thread=gone_from,
                               form=form)
    post = _load_post(post_id)
    if form.validate_on_submit():
        try:
            service.report_post(db.session, current_user, post, form.reason.data)
        except service.ModerationError as error:
            _refused_keeping(form.reason, error)
        else:
            db.session.commit()
            flash("Thank you. The set's moderators will look at this post.", "success")
            return redirect(_post_url(post), code=303)
    elif not permissions.can_report_post(current_user, post):
        abort(403)
    return render_template("moderation/report.html", post=post, thread=post.thread, form=form)


def _thread_of_post_gone_for_reporter(post_id: int) -> Thread | None:
    """The thread of a post the reporter can still open the thread of but no longer read the
    post (hidden or withdrawn since the form was opened); else None."""
    post = db.session.get(Post, post_id) if 0 < post_id <= MAX_URL_INT else None
    if post is None or permissions.can_view_post(current_user, post) \
            or not permissions.can_open_thread(current_user, post.thread):
        return None
    return post.thread


@bp.post("/posts/<int:post_id>/withdraw")
@login_required
def withdraw(post_id: int):
    post = _load_post(post_id)
    if not permissions.can_withdraw_post(current_user, post):
        abort(403)
    if not ActionForm().validate_on_submit():
        return _expired(_post_url(post))
    try:
        service.withdraw(db.session, current_user, post)
    except service.ModerationError as error:
        return _refused(error, _post_url(post))
    db.session.commit()
    flash("Your post has been withdrawn. No one else will see it.", "success")
    return redirect(_post_url(post), code=303)


# --- per-set pages ---------------------------------------------------------------------


@bp.get("/sets/<slug>/moderation-log")
@login_required
def log(slug: str):
    learning_set = load_visible_set(slug)
    if not permissions.can_view_moderation_log(current_user, learning_set):
        raise _not_a_moderator(learning_set)
    moderators = db.session.execute(
        select(User.id, User.display_name)
        .where(User.id.in_(select(ModerationAction.moderator_id)
                           .where(ModerationAction.learning_set_id == learning_set.id)))
        .order_by(User.display_name, User.id)).all()
    form = LogFilterForm(request.args)
    form.action.choices = [SelectChoice("", "All actions")] + [
        SelectChoice(kind.value, kind.label) for kind in ActionKind]
    form.moderator.choices = [SelectChoice("", "All moderators")] + [
        SelectChoice(str(i), name) for i, name in moderators]
    query = (select(ModerationAction)
             .options(joinedload(ModerationAction.moderator),
                      joinedload(ModerationAction.post).joinedload(Post.author),
                      joinedload(ModerationAction.post).joinedload(Post.thread),
                      joinedload(ModerationAction.thread))
             .where(ModerationAction.learning_set_id == learning_set.id))
    if form.action.data in {kind.value for kind in ActionKind}:
        query = query.where(ModerationAction.action == ActionKind(form.action.data))
    moderator_id = request.args.get("moderator", "")
    if moderator_id.isdigit() and len(moderator_id) < 10:
        query = query.where(ModerationAction.moderator_id == int(moderator_id))
    page = requested_page()
    rows = list(db.session.scalars(
        query.order_by(ModerationAction.created_at.desc(), ModerationAction.id.desc())
        .limit(LOG_PER_PAGE + 1).offset((page - 1) * LOG_PER_PAGE)))
    return render_template("moderation/log.html", learning_set=learning_set, form=None,
                           filter_form=form, actions=rows[:LOG_PER_PAGE], page=page,
                           pagination=_previous_next(
                               page, len(rows) > LOG_PER_PAGE, "moderation.log",
                               slug=learning_set.slug, action=form.action.data,
                               moderator=moderator_id))


@bp.route("/sets/<slug>/moderation-policy", methods=["GET", "POST"])
@login_required
def policy(slug: str):
    learning_set = load_visible_set(slug)
    if not permissions.can_set_moderation_policy(current_user, learning_set):
        raise Refused("Only the set’s facilitators can change how its posts are moderated.",
                      ("Go to the set", url_for("sets.show", slug=learning_set.slug)))
    if request.method == "GET":
        form = PolicyForm(formdata=None, data={
            "policy": learning_set.moderation_policy.value,
            "threshold": learning_set.new_member_post_threshold})
    else:
        form = PolicyForm()
    if form.validate_on_submit():
        changed = service.set_policy(
            db.session, current_user, learning_set, ModerationPolicy(form.policy.data),
            form.threshold.data or learning_set.new_member_post_threshold)
        db.session.commit()
        flash("Moderation policy saved." if changed else "Nothing was changed.",
              "success" if changed else "info")
        return redirect(url_for("moderation.policy", slug=learning_set.slug), code=303)
    return render_template("moderation/policy.html", learning_set=learning_set, form=form)
