"""Curation actions: add, edit, reorder and delete sections; add, edit, move and remove excerpts.

Each action redirects back to the curation page at the anchor of what changed, so a
facilitator working through a long page without JavaScript stays where they were.
"""

from __future__ import annotations

from flask import abort
from flask import flash
from flask import redirect
from flask import render_template
from flask import request
from flask import url_for
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from forum import permissions
from forum.extensions import db
from forum.forms import ActionForm
from forum.guides import bp
from forum.guides import credit
from forum.guides import gather
from forum.guides import service
from forum.guides.forms import AddExcerptForm
from forum.guides.forms import AddSectionForm
from forum.guides.forms import AddSeveralForm
from forum.guides.forms import EditExcerptForm
from forum.guides.forms import MoveForm
from forum.guides.forms import MoveToSectionForm
from forum.guides.forms import SectionForm
from forum.guides.forms import SourceChangeForm
from forum.guides.views import curate_url
from forum.guides.views import flash_failed
from forum.guides.views import load_guide
from forum.guides.views import refuse
from forum.guides.views import render_curation
from forum.models import CreditPreference
from forum.models import Guide
from forum.models import GuideExcerpt
from forum.models import GuideSection
from forum.models import Post
from forum.text import render_markdown
from forum.threads import service as thread_service

GUIDE = "/sets/<slug>/guides/<int:guide_id>"


def _section(guide: Guide, section_id: int) -> GuideSection:
    section = service.load_section(guide, section_id)
    if section is None:
        abort(404)
    return section


def _excerpt(guide: Guide, excerpt_id: int) -> GuideExcerpt:
    excerpt = service.load_excerpt(guide, excerpt_id)
    if excerpt is None:
        abort(404)
    return excerpt


def _author(post: Post | None) -> str:
    if post is None or post.author is None:
        return "a former member"
    return post.author.display_name


def _moved(direction: str, before: int, after: int) -> str:
    if before == after:
        return f"already {'first' if direction == 'up' else 'last'}"
    return f"moved {direction}"


# --- sections ------------------------------------------------------------

@bp.post(f"{GUIDE}/sections")
def add_section(slug: str, guide_id: int):
    guide = load_guide(slug, guide_id)
    form = AddSectionForm()
    if not form.validate_on_submit():
        return render_curation(guide, form=form)
    section = service.add_section(db.session, guide, title=form.title.data,
                                  introduction_source=form.introduction.data or "")
    db.session.commit()
    flash(f"The section “{section.title}” was added.", "success")
    return redirect(curate_url(guide, f"section-{section.id}"))


@bp.route(f"{GUIDE}/sections/<int:section_id>/edit", methods=["GET", "POST"])
def edit_section(slug: str, guide_id: int, section_id: int):
    guide = load_guide(slug, guide_id)
    section = _section(guide, section_id)
    data = None
    if request.method == "GET":
        data = {"title": section.title, "introduction": section.introduction_source}
    form = SectionForm(data=data)
    if request.method == "GET":
        form.opened_with(section)
    if form.validate_on_submit() and not form.changed_meanwhile(section):
        service.update_section(db.session, section, title=form.title.data,
                               introduction_source=form.introduction.data or "")
        db.session.commit()
        flash(f"The section “{section.title}” was saved.", "success")
        return redirect(curate_url(guide, f"section-{section.id}"))
    return render_template("guides/edit_section.html", guide=guide, section=section, form=form,
                           learning_set=guide.learning_set)


@bp.post(f"{GUIDE}/sections/<int:section_id>/move")
def move_section(slug: str, guide_id: int, section_id: int):
    guide = load_guide(slug, guide_id)
    section = _section(guide, section_id)
    form = MoveForm()
    if form.validate_on_submit():
        before = section.position
        service.move_section(db.session, section, form.direction.data)
        db.session.commit()
        flash(f"The section “{section.title}” "
              f"{_moved(form.direction.data, before, section.position)}.", "success")
    else:
        flash_failed(form)
    return redirect(curate_url(guide, f"section-{section.id}"))


@bp.route(f"{GUIDE}/sections/<int:section_id>/delete", methods=["GET", "POST"])
def delete_section(slug: str, guide_id: int, section_id: int):
    guide = load_guide(slug, guide_id)
    section = _section(guide, section_id)
    form = ActionForm()
    if form.validate_on_submit():
        title, count = section.title, len(section.excerpts)
        service.delete_section(db.session, section)
        db.session.commit()
        flash(f"The section “{title}” was deleted"
              f"{f', with its {count} excerpt' + ('s' if count != 1 else '') if count else ''}.",
              "success")
        return redirect(curate_url(guide, "sections"))
    return render_template("guides/delete_section.html", guide=guide, section=section,
                           form=form, learning_set=guide.learning_set)


# --- excerpts ------------------------------------------------------------

def _render_add_excerpt(guide: Guide, post: Post, form: AddExcerptForm):
    return render_template("guides/add_excerpt.html", guide=guide, post=post, form=form,
                           learning_set=guide.learning_set)


@bp.post(f"{GUIDE}/excerpts")
def add_excerpt(slug: str, guide_id: int):
    guide = load_guide(slug, guide_id)
    form = AddExcerptForm()
    form.set_section_choices(guide.sections)
    post_id = form.post_id.data if isinstance(form.post_id.data, int) else None
    post = db.session.get(Post, post_id) if post_id and 0 < post_id <= service.MAX_ID else None
    if post is None or post.thread_id not in {t.id for t in guide.threads}:
        flash("That post is not in this guide’s threads, so nothing was added.", "info")
        return redirect(curate_url(guide, "posts"))
    if not form.validate_on_submit():
        return _render_add_excerpt(guide, post, form)
    section = _section(guide, form.section_id.data)
    body = form.body.data
    whole = not body or body.strip() == (credit.approved_source(post) or "").strip()
    try:
        excerpt = service.add_excerpt(db.session, section, post,
                                      body_source=None if whole else body,
                                      editorial_note_source=form.note.data or "")
    except service.GuideError as error:
        db.session.rollback()
        if whole:
            flash(f"Nothing was added. {error}.", "info")
            return redirect(curate_url(guide, f"post-{post.id}"))
        form.body.errors = [str(error)]
        return _render_add_excerpt(guide, post, form)
    db.session.commit()
    what = "A trimmed excerpt of" if excerpt.is_trimmed else "The whole of"
    flash(f"{what} {_author(post)}’s post was added to “{section.title}”.", "success")
    return redirect(curate_url(guide, f"excerpt-{excerpt.id}"))


def _credit_items(excerpt: GuideExcerpt, form: EditExcerptForm) -> list[dict]:
    """Each credit radio's hint: exactly what the guide will print."""
    author = excerpt.post.author if excerpt.post is not None else None
    return [{"hint": {"text": "Printed as: "
                      + credit.credit_for(author, CreditPreference(choice.value))}}
            for choice in form.credit.choices]


def _skipped_message(skipped: list[tuple[Post, str]]) -> str:
    """``"Sam Patel’s post was not added: it is already quoted in “Naming”."``..."""
    sentences = []
    for post, reason in skipped:
        name = _author(post)
        sentences.append(f"{name[:1].upper()}{name[1:]}’s post was not added: {reason}.")
    return " ".join(sentences)


@bp.post(f"{GUIDE}/excerpts/several")
def add_several(slug: str, guide_id: int):
    guide = load_guide(slug, guide_id)
    items = service.curation_items(db.session, guide)
    form = AddSeveralForm()
    form.set_choices([item.post.id for item in items], guide.sections)
    if not form.validate_on_submit():
        return render_curation(guide, several=form)
    section = _section(guide, form.section_id.data)
    chosen = set(form.post_ids.data)
    result = gather.add_excerpts(db.session, section,
                                  [item.post for item in items if item.post.id in chosen])
    db.session.commit()
    count = len(result.excerpts)
    if count:
        flash(f"{count} post{'s were' if count != 1 else ' was'} added to “{section.title}”, "
              f"whole and in thread order. {_skipped_message(result.skipped)}".strip(),
              "success")
        return redirect(curate_url(guide, f"section-{section.id}"))
    flash(f"Nothing was added. {_skipped_message(result.skipped)}".strip(), "info")
    return redirect(curate_url(guide, "posts"))


@bp.post("/threads/<int:thread_id>/guide")
def from_thread(thread_id: int):
    """Make a draft guide of a whole thread, then curate it as any other guide."""
    thread = thread_service.load_thread(db.session, thread_id)
    if thread is None or not permissions.can_open_thread(
            current_user, thread, permissions.opening_post(thread)):
        abort(404)
    if not permissions.can_curate_guide(current_user, thread.learning_set):
        refuse(learning_set=thread.learning_set)
    back = url_for("threads.show", thread_id=thread.id)
    form = ActionForm()
    if not form.validate_on_submit():
        flash_failed(form)
        return redirect(back)
    try:
        guide, result = gather.guide_from_thread(db.session, thread=thread, creator=current_user)
    except service.GuideError as error:
        db.session.rollback()
        flash(f"No guide was made. {error}.", "info")
        return redirect(back)
    db.session.commit()
    count = len(result.excerpts)
    flash(f"The draft guide “{guide.title}” was made from the thread: {count} approved "
          f"post{'s' if count != 1 else ''}, whole and in thread order. "
          f"{_skipped_message(result.skipped)} Trim, remove or reorder excerpts, add "
          "sections, then preview and publish.".replace("  ", " "), "success")
    return redirect(curate_url(guide, "sections"))


@bp.post(f"{GUIDE}/excerpts/<int:excerpt_id>/source")
def resolve_source_change(slug: str, guide_id: int, excerpt_id: int):
    """The post was edited after it was quoted: take its new text, or keep the quoted one."""
    guide = load_guide(slug, guide_id)
    excerpt = _excerpt(guide, excerpt_id)
    form = SourceChangeForm()
    if not form.validate_on_submit():
        flash_failed(form)
        return redirect(curate_url(guide, f"excerpt-{excerpt.id}"))
    try:
        if form.decision.data == "accept":
            kept_trim = service.accept_source_change(db.session, excerpt)
            message = (f"The excerpt from {_author(excerpt.post)}’s post now quotes its new "
                       + ("text, trimmed as before." if kept_trim else
                          "text, whole. Edit it to trim it again if the guide needs less."))
        else:
            service.keep_quoted_text(db.session, excerpt)
            message = (f"The excerpt from {_author(excerpt.post)}’s post keeps the text it "
                       "quoted. A further edit of the post will be shown to you again.")
    except service.GuideError as error:
        db.session.rollback()
        flash(f"Nothing was changed. {error}.", "info")
        return redirect(curate_url(guide, f"excerpt-{excerpt.id}"))
    db.session.commit()
    flash(message, "success")
    return redirect(curate_url(guide, f"excerpt-{excerpt.id}"))


@bp.route(f"{GUIDE}/excerpts/<int:excerpt_id>/edit", methods=["GET", "POST"])
def edit_excerpt(slug: str, guide_id: int, excerpt_id: int):
    guide = load_guide(slug, guide_id)
    excerpt = _excerpt(guide, excerpt_id)
    choice = credit.author_choice(excerpt.post)
    data = None
    if request.method == "GET":
        data = {"body": excerpt.body_source, "note": excerpt.editorial_note_source,
                "credit": credit.effective_credit(excerpt).value,
                "show_in_reply_to": excerpt.show_in_reply_to}
    form = EditExcerptForm(data=data)
    form.set_credit_choices(choice)
    is_reply = excerpt.post is not None and excerpt.post.parent_id is not None
    if request.method == "GET":
        form.opened_with(excerpt)
    if form.validate_on_submit() and not form.changed_meanwhile(excerpt):
        try:
            service.update_excerpt(db.session, excerpt, body_source=form.body.data,
                                   editorial_note_source=form.note.data or "",
                                   credit_override=form.credit_override(choice),
                                   show_in_reply_to=form.show_in_reply_to.data if is_reply
                                   else None)
        except service.GuideError as error:
            db.session.rollback()
            form.body.errors = [str(error)]
        else:
            db.session.commit()
            flash(f"The excerpt from {_author(excerpt.post)}’s post was saved"
                  f"{' (trimmed)' if excerpt.is_trimmed else ''}.", "success")
            return redirect(curate_url(guide, f"excerpt-{excerpt.id}"))
    return render_template(
        "guides/edit_excerpt.html", guide=guide, excerpt=excerpt, form=form,
        learning_set=guide.learning_set, reason=credit.attention_reason(excerpt),
        change=service.source_change(excerpt), is_reply=is_reply,
        quoted_html=render_markdown(excerpt.quoted_source),
        authors_choice=credit.CREDIT_LABELS[choice], credit_items=_credit_items(excerpt, form))


@bp.post(f"{GUIDE}/excerpts/<int:excerpt_id>/move")
def move_excerpt(slug: str, guide_id: int, excerpt_id: int):
    guide = load_guide(slug, guide_id)
    excerpt = _excerpt(guide, excerpt_id)
    form = MoveForm()
    if form.validate_on_submit():
        before = excerpt.position
        service.move_excerpt(db.session, excerpt, form.direction.data)
        db.session.commit()
        flash(f"The excerpt from {_author(excerpt.post)}’s post "
              f"{_moved(form.direction.data, before, excerpt.position)}.", "success")
    else:
        flash_failed(form)
    return redirect(curate_url(guide, f"excerpt-{excerpt.id}"))


@bp.post(f"{GUIDE}/excerpts/<int:excerpt_id>/move-to")
def move_excerpt_to(slug: str, guide_id: int, excerpt_id: int):
    guide = load_guide(slug, guide_id)
    excerpt = _excerpt(guide, excerpt_id)
    form = MoveToSectionForm()
    form.section_id.choices = [SelectChoice(s.id, s.title) for s in guide.sections]
    if form.validate_on_submit():
        target = _section(guide, form.section_id.data)
        if target.id == excerpt.section_id:
            flash(f"The excerpt is already in “{target.title}”.", "info")
        else:
            service.move_excerpt_to_section(db.session, excerpt, target)
            db.session.commit()
            flash(f"The excerpt from {_author(excerpt.post)}’s post was moved to the end of "
                  f"“{target.title}”.", "success")
    else:
        flash_failed(form)
    return redirect(curate_url(guide, f"excerpt-{excerpt.id}"))


@bp.post(f"{GUIDE}/excerpts/<int:excerpt_id>/remove")
def remove_excerpt(slug: str, guide_id: int, excerpt_id: int):
    guide = load_guide(slug, guide_id)
    excerpt = _excerpt(guide, excerpt_id)
    form = ActionForm()
    if not form.validate_on_submit():
        flash_failed(form)
        return redirect(curate_url(guide, f"excerpt-{excerpt.id}"))
    section, author = excerpt.section, _author(excerpt.post)
    service.remove_excerpt(db.session, excerpt)
    db.session.commit()
    flash(f"The excerpt from {author}’s post was removed from “{section.title}”. The post "
          "itself is unchanged.", "success")
    return redirect(curate_url(guide, f"section-{section.id}"))
