"""Thread pages: read a thread, start one, reply to any post, edit your posts, see revisions."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import NoReturn

from flask import abort
from flask import current_app
from flask import flash
from flask import jsonify
from flask import redirect
from flask import render_template
from flask import request
from flask import url_for
from flask_login import current_user
from markupsafe import Markup
from sqlalchemy.exc import IntegrityError
from sqlalchemy.exc import OperationalError
from wtforms.fields.choices import SelectChoice

from forum import mentions
from forum import permissions
from forum.errors import Refused
from forum.extensions import db
from forum.extensions import login_manager
from forum.extensions import writer_session
from forum.files import service as files
from forum.files.limits import accepts_files
from forum.files.storage import upload_storage
from forum.forms import ActionForm
from forum.loading import load_visible_set
from forum.loading import refuse_outsider
from forum.mentions import handle_of
from forum.models import FollowLevel
from forum.models import LearningSet
from forum.models import Post
from forum.models import PostStatus
from forum.models import Thread
from forum.moderation.notes import returned_note
from forum.moderation.policy import edit_waits
from forum.pagination import requested_page
from forum.templating import set_html
from forum.threads import bp
from forum.threads import extras
from forum.threads import following
from forum.threads import reading
from forum.threads import service
from forum.threads.forms import MARKDOWN_HINT
from forum.threads.forms import EditOpeningPostForm
from forum.threads.forms import EditPostForm
from forum.threads.forms import FollowForm
from forum.threads.forms import NewThreadForm
from forum.threads.forms import ReplyForm

SUGGESTION_PREFIX_MAX = 100
ALREADY_SENT = "This form had already been sent, so nothing was posted twice. Here is your post."
AWAITING_APPROVAL = ("Thank you. Your post will appear to others once a moderator of the set "
                     "approves it.")


def _challenge_of(thread: Thread):
    """The thread's challenge, or None (asked through :mod:`forum.threads.extras`, which the
    challenges package fills in: threads imports nothing of challenges)."""
    extra = extras.registered()
    return extra.load(db.session, thread.id) if extra is not None else None


def _load_thread(thread_id: int) -> Thread:
    thread = service.load_thread(db.session, thread_id)
    if thread is None or not permissions.can_open_thread(current_user, thread,
                                                    permissions.opening_post(thread)):
        abort(404)
    return thread


def _load_post(post_id: int) -> Post:
    """The post, if the viewer may see its thread and at least a placeholder for it."""
    post = service.load_post(db.session, post_id)
    if post is None:
        abort(404)
    # The thread's copies of its opening post decide (its posts are not loaded).
    if not permissions.can_open_thread(current_user, post.thread):
        abort(404)
    if service.display_mode(current_user, post) == "omitted":
        abort(404)
    return post


def _require_sign_in():
    """Anonymous visitors are sent to sign in (and back) rather than refused."""
    return login_manager.unauthorized()


LOCKED_MESSAGE = ("This thread has been locked, so no one can reply until a moderator "
                  "unlocks it.")
UNANSWERABLE_MESSAGE = ("This post was hidden by a moderator or withdrawn by its author, so it "
                        "cannot be answered. You can still reply to the other posts.")


def refuse_reply(parent: Post) -> NoReturn:
    """A 403 that says why, when the reason is one the replier can already see, with the way
    back to the thread."""
    thread = parent.thread
    back = ("Go back to the thread", url_for("threads.show", thread_id=thread.id))
    if thread.is_locked:
        raise Refused(LOCKED_MESSAGE, back)
    if not permissions.can_start_thread(current_user, thread.learning_set):
        refuse_outsider(thread.learning_set, "reply in it")
    if not permissions.accepts_replies(parent):
        raise Refused(UNANSWERABLE_MESSAGE, back)
    abort(403)


def _post_url(post: Post) -> str:
    return service.post_url(post)


def _post_once(key: str | None, create: Callable[[], Post]) -> tuple[Post, bool]:
    """Run ``create`` and commit, unless this form (its one-time key) was already sent.

    Returns the post and whether it is new. A repeat that arrives while the first is still
    being saved is refused by the database's unique key, and answered with the first post.
    """
    author_id = current_user.id
    earlier = service.post_for_key(db.session, author_id, key)
    if earlier is not None:
        return earlier, False
    try:
        post = create()
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        earlier = service.post_for_key(db.session, author_id, key)
        if earlier is None:
            raise
        return earlier, False
    return post, True


def _preview(form, learning_set: LearningSet) -> Markup | None:
    """The post as it would appear in the set, sanitised exactly as when it is sent and with
    its mentions linked (nothing is saved); None when the form has errors, which the page
    shows beside the fields instead."""
    if not form.validate():
        return None
    return set_html(str(service.render_source(form.body.data)), learning_set)


def _posted_message(post: Post, done: str, new: bool = True) -> None:
    if not new:
        flash(ALREADY_SENT, "info")
    elif post.status == PostStatus.APPROVED:
        flash(done, "success")
    else:
        flash(AWAITING_APPROVAL, "info")


@bp.get("/threads/<int:thread_id>")
def show(thread_id: int):
    # A link to one post (?post=N#post-N) opens the page that shows it.
    post_id = request.args.get("post", type=int) if "page" not in request.args else None
    return _show(_load_thread_page(thread_id, requested_page(), post_id=post_id))


def _load_thread_page(thread_id: int, page: int, *, post_id: int | None = None):
    """One page of the thread (50 branches and 50 replies at most by default), or 404 if the
    viewer may not see it."""
    viewer_id = current_user.id if permissions.is_signed_in(current_user) else None
    loaded = service.load_thread_page(db.session, thread_id, page,
                                      current_app.config["THREAD_BRANCHES_PER_PAGE"],
                                      post_id=post_id,
                                      max_posts=current_app.config["THREAD_POSTS_PER_PAGE"],
                                      viewer_id=viewer_id, viewer=current_user)
    if loaded is None or not permissions.can_open_thread(current_user, loaded.thread,
                                                    loaded.opening):
        abort(404)
    return loaded


def _follow_form(thread: Thread, formdata=None, *,
                 loaded: service.ThreadPosts | None = None) -> FollowForm | None:
    """The follow form (None for visitors); ``loaded``: the viewer's choice was read with the
    thread page's thread."""
    if loaded is not None:
        level = following.level_shown(current_user, loaded.follow_choice)
    else:
        level = following.follow_level(db.session, current_user, thread)
    if level is None:
        return None
    form = FollowForm(formdata=formdata)
    if formdata is None:
        form.level.data = level.value
    return form


def _show(loaded, follow_form: FollowForm | None = None, *, record: bool = True):
    thread, opening = loaded.thread, loaded.opening
    # The signed-in user (or the visitor) itself, not the proxy: the permission rules ask it
    # a few hundred questions a page, each a look-up through the proxy otherwise.
    viewer = current_user._get_current_object()  # type: ignore[attr-defined]
    drawn = {post_id for post_id, _ in loaded.reading}
    if loaded.page == 1 and opening is not None:
        drawn.add(opening.id)
    posts = service.thread_view(viewer, thread, current_app.config["MAX_REPLY_INDENT"],
                                reading=loaded.reading, on_page=drawn)
    opening_view = next((view for view in posts if view.post is opening), None)
    replies = [view for view in posts if view.post is not opening]
    extra: dict[str, object] = {}
    challenge = _challenge_of(thread) if loaded.has_challenge else None
    if challenge is not None:
        extra = extras.registered().page_context(db.session, viewer, challenge, posts)
    reply_count = thread.reply_count
    chosen = extra.get("chosen_kind")
    if chosen is not None:
        # Filtered by kind: the matching posts in reading order, each saying whom it answers.
        replies = [replace(view, level=0) for view in replies if view.post.kind == chosen]
    shown = [view.post for view in posts if view.mode == "full"]
    since = loaded.read_up_to  # read with the thread (None for visitors)
    page = render_template(
        "threads/show.html", thread=thread, learning_set=thread.learning_set,
        opening=opening_view, replies=replies, reply_count=reply_count,
        page=loaded.page, pages=loaded.pages, continues=loaded.continues,
        continued=loaded.continued,
        new_ids=reading.new_post_ids(viewer, shown, since),
        follow_form=follow_form or _follow_form(thread, loaded=loaded),
        # Visitors get no reply form (the page asks them to sign in).
        reply_form=ReplyForm(formdata=None) if permissions.is_signed_in(viewer) else None,
        markdown_hint=MARKDOWN_HINT, **extra)
    # What the page showed is now read: one write, only when that moves the place forward, in
    # a transaction of its own (on SQLite one that waits for the write lock: the page's reads
    # cannot be followed by a write once another worker has written since).
    # Best effort: another tab, or a database that stays busy, leaves the place where it was.
    if not record:  # a refused form shown again changes nothing
        return page
    try:
        with writer_session() as session, session.begin():
            reading.record_read(session, viewer, thread, shown, since)
    except (IntegrityError, OperationalError) as error:
        current_app.logger.warning("The place read in thread %s was not kept: %s",
                                   thread.id, error)
    return page


def _with_files(post: Post, form) -> Post:
    """Store the form's checked files on the new post (same transaction)."""
    files.attach_to_post(db.session, upload_storage(), current_user, post,
                         form.attachments.uploads)
    return post


def _file_choices(post: Post) -> list[SelectChoice]:
    return [SelectChoice(row.id, f"{row.original_name} ({row.type.label})")
            for row in post.attachments]


@bp.route("/sets/<slug>/threads/new", methods=["GET", "POST"])
@accepts_files
def new_thread(slug: str):
    learning_set = load_visible_set(slug)
    if not permissions.is_signed_in(current_user):
        return _require_sign_in()
    if not permissions.can_start_thread(current_user, learning_set):
        refuse_outsider(learning_set, "start a thread in it")
    form = NewThreadForm()
    if form.is_submitted() and form.preview.data:
        return render_template("threads/new.html", learning_set=learning_set, form=form,
                               markdown_hint=MARKDOWN_HINT, preview=_preview(form, learning_set))
    if form.validate_on_submit():
        post, new = _post_once(form.submission_key.data, lambda: _with_files(
            service.start_thread(db.session, current_user, learning_set, title=form.title.data,
                                 body=form.body.data, key=form.submission_key.data)[1], form))
        _posted_message(post, "Your thread has been started.", new)
        return redirect(url_for("threads.show", thread_id=post.thread_id))
    return render_template("threads/new.html", learning_set=learning_set, form=form,
                           markdown_hint=MARKDOWN_HINT)


@bp.route("/posts/<int:post_id>/reply", methods=["GET", "POST"])
@accepts_files
def reply(post_id: int):
    parent = _load_post(post_id)
    thread = parent.thread
    if _challenge_of(thread) is not None:
        # A reply in a challenge has a kind: its own form (307 keeps a POST a POST).
        # A quotation asked for (the Quote link) comes along.
        quoting = {name: request.args[name] for name in ("quote", "passage")
                   if request.args.get(name)}
        return redirect(url_for(extras.registered().reply_endpoint, post_id=parent.id,
                                **quoting), code=307)
    if not permissions.is_signed_in(current_user):
        return _require_sign_in()
    if not permissions.can_reply_to_post(current_user, parent):
        refuse_reply(parent)
    form = ReplyForm()
    if not form.is_submitted() and request.args.get("quote"):
        # The reply page already requires reading the post (can_reply_to_post); only its
        # published text is quoted.
        # The passage the reader selected is quoted only if it is part of that published text.
        form.body.data = service.quotation(parent, _post_url(parent),
                                           request.args.get("passage")) or ""
    preview = None
    if form.is_submitted() and form.preview.data:
        preview = _preview(form, thread.learning_set)
    elif form.validate_on_submit():
        post, new = _post_once(form.submission_key.data, lambda: _with_files(service.reply_to(
            db.session, current_user, parent, body=form.body.data,
            key=form.submission_key.data), form))
        _posted_message(post, "Your reply has been posted.", new)
        return redirect(_post_url(post))
    return render_template("threads/reply.html", thread=thread, learning_set=thread.learning_set,
                           parent=parent, parent_view=service.post_view(current_user, parent),
                           form=form, preview=preview,
                           markdown_hint=MARKDOWN_HINT)


EDIT_MESSAGES = {
    service.EditResult.UNCHANGED: ("Nothing was changed.", "info"),
    service.EditResult.SAVED: ("Your changes have been saved.", "success"),
    service.EditResult.RESUBMITTED: ("Your changes have been saved and your post is waiting "
                                     "for approval again.", "success"),
    service.EditResult.WAITING: ("Your edit will replace the published text once a moderator "
                                 "approves it. Until then others see the text they saw before.",
                                 "info"),
    service.EditResult.WITHDRAWN: ("Your post is back to its published text: no edit is "
                                   "waiting for approval.", "success"),
}


@bp.route("/posts/<int:post_id>/edit", methods=["GET", "POST"])
@accepts_files
def edit_post(post_id: int):
    post = _load_post(post_id)
    if not permissions.is_signed_in(current_user):
        return _require_sign_in()
    if not permissions.can_edit_post(current_user, post):
        if not permissions.can_start_thread(current_user, post.thread.learning_set):
            refuse_outsider(post.thread.learning_set, "edit their own posts in it")
        abort(403)
    thread = post.thread
    form_class = EditOpeningPostForm if post.is_opening_post else EditPostForm
    # The author edits what they last wrote: a waiting edit, if there is one.
    data = {"body": post.pending_source if post.has_pending_edit else post.body_source}
    if post.is_opening_post:
        data["title"] = (post.pending_title or thread.title) if post.has_pending_edit \
            else thread.title
    form = form_class(data=data if request.method == "GET" else None)
    if request.method == "GET":
        form.opened_with(post)  # a moderator may edit (and approve) it meanwhile
    form.remove_files.choices = _file_choices(post)
    if post.status == PostStatus.REJECTED:
        form.submit.label.text = "Send for approval again"
    elif post.status == PostStatus.APPROVED and edit_waits(db.session, current_user, post):
        form.submit.label.text = "Send edit for approval"
    preview = None
    if form.is_submitted() and form.preview.data:
        preview = _preview(form, thread.learning_set)
    elif form.validate_on_submit() and not form.changed_meanwhile(post):
        title = form.title.data if post.is_opening_post else None
        try:
            adding = form.attachments.uploads
            result = service.edit_post(db.session, current_user, post, body=form.body.data,
                                       title=title, adds_files=bool(adding))
            files_changed = files.change_post_files(
                db.session, upload_storage(), current_user, post, add=adding,
                remove_ids=form.remove_files.data or [],
                edit_waits=result == service.EditResult.WAITING)
        except service.EditConflict as error:
            db.session.rollback()
            flash(str(error), "info")
        else:
            db.session.commit()
            if result == service.EditResult.UNCHANGED and files_changed:
                flash("Your post's files have been changed.", "success")
            else:
                flash(*EDIT_MESSAGES[result])
            return redirect(_post_url(post))
    return render_template("threads/edit.html", thread=thread, learning_set=thread.learning_set,
                           post=post, form=form, markdown_hint=MARKDOWN_HINT, preview=preview,
                           returned=returned_note(db.session, post))


@bp.get("/posts/<int:post_id>/revisions")
def revisions(post_id: int):
    post = _load_post(post_id)
    # A hidden post's earlier text is no more visible than its current text.
    if (not permissions.can_view_revisions(current_user, post)
            or service.display_mode(current_user, post) != "full"):
        abort(404)
    thread = post.thread
    return render_template("threads/revisions.html", thread=thread,
                           learning_set=thread.learning_set, post=post,
                           revisions=service.revisions_newest_first(db.session, current_user,
                                                                    post),
                           show_pending=permissions.can_view_pending_edit(current_user, post),
                           render_source=service.render_source)


@bp.get("/sets/<slug>/mention-suggestions")
def mention_suggestions(slug: str):
    """Members of the set whose handle starts with ``?q=``, for the post box's @ suggestions:
    only for those who may post in the set; handles and names only (never an email)."""
    learning_set = load_visible_set(slug)
    if not permissions.can_start_thread(current_user, learning_set):
        abort(403)
    prefix = request.args.get("q", "")[:SUGGESTION_PREFIX_MAX]
    found = mentions.suggestions(db.session, learning_set.id, prefix, exclude_id=current_user.id)
    response = jsonify({"members": [
        {"handle": handle_of(member.display_name), "name": member.display_name,
         "organisation": member.organisation or ""} for member in found]})
    response.cache_control.private = True
    response.cache_control.no_store = True
    return response


@bp.post("/sets/<slug>/read")
def mark_set_read(slug: str):
    """"Mark all as read": every thread of the set, up to its newest published post."""
    learning_set = load_visible_set(slug)
    if not permissions.is_signed_in(current_user):
        return _require_sign_in()
    if ActionForm().validate_on_submit():
        reading.mark_set_read(db.session, current_user, learning_set)
        db.session.commit()
        flash(f"Every thread in {learning_set.name} is marked as read.", "success")
    return redirect(url_for("sets.show", slug=learning_set.slug))


@bp.post("/threads/<int:thread_id>/follow")
def follow(thread_id: int):
    """Every new post, only replies to me, or nothing: the member's choice for the thread."""
    thread = _load_thread(thread_id)
    if not permissions.is_signed_in(current_user):
        return _require_sign_in()
    form = _follow_form(thread, request.form)
    if not form.validate_on_submit():
        return (_show(_load_thread_page(thread_id, 1), follow_form=form, record=False),
                400 if form.csrf_token.errors else 200)
    level = FollowLevel(form.level.data)
    following.set_follow_level(db.session, current_user, thread, level)
    db.session.commit()
    flash({FollowLevel.WATCHING: "You will hear about every new post in this thread.",
           FollowLevel.NORMAL: "You will hear only about replies to your posts in this thread.",
           FollowLevel.MUTED: "You will hear nothing more about this thread."}[level], "success")
    return redirect(url_for("threads.show", thread_id=thread.id, _anchor="follow"))
