"""Guide pages: a set's guides, creating one, the curation page, preview, publish and downloads.

The actions on sections and excerpts are in :mod:`forum.guides.curation_views`.
"""

from __future__ import annotations

from flask import Response
from flask import abort
from flask import current_app
from flask import flash
from flask import make_response
from flask import redirect
from flask import render_template
from flask import request
from flask import url_for
from flask_login import current_user
from sqlalchemy import or_
from sqlalchemy import select

from forum import permissions
from forum.errors import Refused
from forum.extensions import db
from forum.extensions import login_manager
from forum.extensions import writes_on_get
from forum.forms import ActionForm
from forum.guides import background
from forum.guides import bp
from forum.guides import compile as compiler
from forum.guides import credit
from forum.guides import files
from forum.guides import service
from forum.guides.document import GuideDocument
from forum.guides.export import FORMATS
from forum.guides.export.storage import storage_for
from forum.guides.forms import AddSectionForm
from forum.guides.forms import AddSeveralForm
from forum.guides.forms import GuideSettingsForm
from forum.guides.forms import NewGuideForm
from forum.guides.queries import readable_guides
from forum.loading import load_visible_set
from forum.models import Guide
from forum.models import GuideVersion
from forum.models import LearningSet
from forum.models import PostKind
from forum.models import Thread
from forum.urls import public_base_url

# --- loading and refusing ------------------------------------------------


def refuse(guide: Guide | None = None, learning_set: LearningSet | None = None):
    """Refuse a visitor who may not curate: 404 if they may not even know the guide exists
    (a draft, or a set they cannot read), the sign-in page for anonymous visitors (which
    keeps what a POST carried), otherwise a 403 that says who may, with the way to the set's
    guides."""
    if guide is not None and not permissions.can_view_published_guide(current_user, guide):
        abort(404)
    if not permissions.is_signed_in(current_user):
        abort(make_response(login_manager.unauthorized()))
    learning_set = learning_set or guide.learning_set
    raise Refused("Only the set’s facilitators can make, change and publish its guides. "
                  "Ask one of them if you would like a guide made from its threads.",
                  ("See the set’s guides", url_for("guides.set_guides", slug=learning_set.slug)))


def load_guide(slug: str, guide_id: int) -> Guide:
    """The guide ``guide_id`` of the set ``slug``, for someone who may curate it."""
    learning_set = load_visible_set(slug)
    guide = service.load_guide_for_curation(db.session, guide_id)
    if guide is None or guide.learning_set_id != learning_set.id:
        abort(404)
    if not permissions.can_curate_guide(current_user, guide):
        refuse(guide)
    return guide


def curate_url(guide: Guide, anchor: str | None = None) -> str:
    return url_for("guides.curate", slug=guide.learning_set.slug, guide_id=guide.id,
                   _anchor=anchor)


def flash_failed(form: ActionForm) -> None:
    """A button's form that did not validate (an expired page, a stale choice): say so."""
    errors = [e for field_errors in form.errors.values() for e in field_errors]
    flash(errors[0] if errors else "Nothing was changed.", "info")


def _set_threads(learning_set: LearningSet, chosen: list[Thread] | None = None) -> list[Thread]:
    """The set's threads a guide may draw on (permissions.quotable_threads_filter), newest
    first, and any ``chosen`` already so the settings form shows them."""
    offered = permissions.quotable_threads_filter()
    if chosen:
        offered = or_(offered, Thread.id.in_([thread.id for thread in chosen]))
    return list(db.session.scalars(
        select(Thread).where(Thread.learning_set_id == learning_set.id, offered)
        .order_by(Thread.created_at.desc(), Thread.id.desc())))


# --- a set's guides and creating one -------------------------------------

@bp.get("/sets/<slug>/guides/")
def set_guides(slug: str):
    learning_set = load_visible_set(slug)
    curator = permissions.can_curate_guide(current_user, learning_set)
    guides = [g for g in service.guides_of_set(db.session, learning_set)
              if curator or permissions.can_view_published_guide(current_user, g)]
    return render_template("guides/set_guides.html", learning_set=learning_set, guides=guides,
                           curator=curator, latest_version=compiler.latest_version)


@bp.route("/sets/<slug>/guides/new", methods=["GET", "POST"])
def new(slug: str):
    learning_set = load_visible_set(slug)
    if not permissions.can_curate_guide(current_user, learning_set):
        refuse(learning_set=learning_set)
    form = NewGuideForm()
    form.set_thread_choices(_set_threads(learning_set))
    if request.method == "GET" and request.args.get("thread", type=int):
        form.threads.data = [request.args.get("thread", type=int)]
    if form.validate_on_submit():
        try:
            guide = service.create_guide(
                db.session, learning_set=learning_set, creator=current_user,
                title=form.title.data, subtitle=form.subtitle.data or "",
                introduction_source=form.introduction.data or "", thread_ids=form.threads.data)
        except service.GuideError as error:
            db.session.rollback()
            form.threads.errors = [str(error)]
        else:
            db.session.commit()
            flash(f"The guide “{guide.title}” was created. Add a section, then quote posts "
                  "in it.", "success")
            return redirect(curate_url(guide, "add-section"))
    return render_template("guides/new.html", learning_set=learning_set, form=form)


# --- the curation page and settings --------------------------------------

# The curation filter's kinds: learnings first, as the set marked them for sharing.
KIND_ORDER = [PostKind.LEARNING, PostKind.CHALLENGE, PostKind.QUESTION, PostKind.REFLECTION,
              PostKind.ACTION, PostKind.UPDATE, PostKind.SUGGESTION, PostKind.SUMMARY]


def render_curation(guide: Guide, *, form: object = None, several: object = None,
                    status: int = 200):
    """The curation page; ``form`` is the add-section form and ``several`` the form that adds
    ticked posts, with errors when they failed."""
    kind = service.parse_kind(request.args.get("kind"))
    items = service.items_by_kind(service.curation_items(db.session, guide), kind)
    excerpts = [e for s in guide.sections for e in s.excerpts]
    attention = {e.id: credit.attention_reason(e) for e in excerpts}
    quoted = credit.quoted_excerpts(guide)
    body = render_template(
        "guides/curate.html", guide=guide, learning_set=guide.learning_set, items=items,
        chosen_kind=kind, kinds=KIND_ORDER,
        attention={k: v for k, v in attention.items() if v},
        withheld={e.id for e in excerpts if credit.withheld_reason(e)},
        changes={e.id: change for e in excerpts
                 if (change := service.source_change(e)) is not None},
        credits={e.id: credit.credit_line(e, quoted) for e in excerpts},
        bodies={e.id: credit.excerpt_body_html(e) for e in excerpts},
        latest=compiler.latest_version(guide), form=form or AddSectionForm(formdata=None),
        several=several or AddSeveralForm(formdata=None))
    return body, status


@bp.get("/sets/<slug>/guides/<int:guide_id>/")
def curate(slug: str, guide_id: int):
    return render_curation(load_guide(slug, guide_id))


@bp.route("/sets/<slug>/guides/<int:guide_id>/settings", methods=["GET", "POST"])
def settings(slug: str, guide_id: int):
    guide = load_guide(slug, guide_id)
    data = None
    if request.method == "GET":
        data = {"title": guide.title, "subtitle": guide.subtitle,
                "introduction": guide.introduction_source, "is_public": guide.is_public,
                "licence": guide.licence, "threads": [t.id for t in guide.threads]}
    form = GuideSettingsForm(data=data)
    form.set_thread_choices(_set_threads(guide.learning_set, guide.threads))
    if request.method == "GET":
        form.opened_with(guide)
    if form.validate_on_submit() and not form.changed_meanwhile(guide):
        try:
            service.update_guide(
                db.session, guide, title=form.title.data, subtitle=form.subtitle.data or "",
                introduction_source=form.introduction.data or "",
                is_public=bool(form.is_public.data), thread_ids=form.threads.data,
                licence=form.licence.data or None)
        except service.GuideError as error:
            db.session.rollback()
            form.threads.errors = [str(error)]
        else:
            db.session.commit()
            flash("The guide’s settings were saved.", "success")
            return redirect(curate_url(guide))
    return render_template("guides/settings.html", guide=guide, learning_set=guide.learning_set,
                           form=form)


# --- preview, publish and downloads --------------------------------------

def format_or_404(fmt: str):
    if fmt not in FORMATS:
        abort(404)
    return FORMATS[fmt]


def send(made: files.FileFor, filename_stem: str, *, private: bool) -> Response:
    """A download: a kept file with a strong ETag (a repeat answers 304), or made bytes."""
    filename = f"{filename_stem}.{made.extension}"
    if made.stored is None:
        response = Response(made.data, content_type=made.media_type)
    else:
        # Read whole (a guide is a few MB at most): no file handle outlives the request.
        data = storage_for().path(made.stored.storage_key).read_bytes()
        response = Response(data, content_type=made.media_type)
        response.set_etag(made.stored.etag)  # strong: the file's SHA-256
        response.last_modified = made.stored.created_at
        response.make_conditional(request)  # If-None-Match -> 304 Not Modified
        response.cache_control.no_cache = True  # revalidate: the ETag makes that cheap
        if private:
            response.cache_control.private = True
        else:
            response.cache_control.public = True
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def draft_downloads(guide: Guide) -> list[dict]:
    return [{"label": f.label, "href": url_for("guides.download_draft",
                                               slug=guide.learning_set.slug,
                                               guide_id=guide.id, fmt=name)}
            for name, f in FORMATS.items()]


def address_problem() -> str | None:
    """Why guides cannot be published with this site's public address, if they cannot."""
    development = (current_app.debug or current_app.testing
                   or bool(current_app.config.get("DEVELOPMENT")))
    # In development an unset address follows the port actually served (forum.urls).
    base = current_app.config.get("PUBLIC_BASE_URL") or (public_base_url() if development
                                                         else None)
    return service.public_address_problem(base, development=development)


@bp.get("/sets/<slug>/guides/<int:guide_id>/preview")
def preview(slug: str, guide_id: int):
    guide = load_guide(slug, guide_id)
    latest = compiler.latest_version(guide)
    return render_template(
        "guides/preview.html", guide=guide, learning_set=guide.learning_set,
        doc=compiler.compile_guide(guide), downloads=draft_downloads(guide),
        attention_count=len(credit.excerpts_needing_attention(guide)),
        excerpt_count=sum(len(s.excerpts) for s in guide.sections),
        next_number=(latest.number + 1) if latest else 1, latest=latest,
        address_problem=address_problem(),
        publish_form=ActionForm(formdata=None))


@bp.post("/sets/<slug>/guides/<int:guide_id>/publish")
def publish(slug: str, guide_id: int):
    guide = load_guide(slug, guide_id)
    form = ActionForm()
    if not form.validate_on_submit():
        flash_failed(form)
        return redirect(url_for("guides.preview", slug=slug, guide_id=guide.id))
    problem = address_problem()
    if problem:
        flash(f"The guide was not published. {problem}.", "info")
        return redirect(url_for("guides.preview", slug=slug, guide_id=guide.id))
    try:
        version = compiler.publish(db.session, guide, by=current_user)
    except service.GuideError as error:
        db.session.rollback()
        flash(f"The guide was not published. {error}.", "info")
        return redirect(url_for("guides.preview", slug=slug, guide_id=guide.id))
    db.session.commit()
    flash(f"Version {version.number} of “{guide.title}” is published. It will not change: "
          "publish again to make a new version.", "success")
    response = redirect(url_for("guides.published", guide_slug=guide.slug))
    # The PDF, DOCX and ODT are made once the answer is sent, so that no later download
    # renders; a download before then makes its file itself (files.version_file).
    maker = background.file_maker(current_app)
    if maker is not None:
        version_id = version.id
        response.call_on_close(lambda: maker.wake(version_id))
    return response


@bp.get("/sets/<slug>/guides/<int:guide_id>/download/<fmt>")
@writes_on_get
def download_draft(slug: str, guide_id: int, fmt: str):
    guide = load_guide(slug, guide_id)
    format_or_404(fmt)
    made = files.draft_file(db.session, storage_for(), guide, fmt)
    db.session.commit()
    return send(made, f"{guide.slug}-draft", private=True)


# --- published guides ----------------------------------------------------

def load_published(guide_slug: str) -> Guide:
    """A guide the visitor may read published; 404 for drafts and guides they may not see."""
    guide = service.find_guide_by_slug(db.session, guide_slug)
    if guide is None or not permissions.can_view_published_guide(current_user, guide):
        abort(404)
    return guide


def _version_or_404(guide: Guide, number: int) -> GuideVersion:
    version = compiler.get_version(guide, number)
    if version is None:
        abort(404)
    return version


def reader_audience(guide: Guide) -> str:
    """Links to the original posts only for readers who can open the set's threads."""
    if permissions.can_view_set(current_user, guide.learning_set):
        return files.MEMBERS
    return files.PUBLIC


def reader_document(guide: Guide, version: GuideVersion) -> GuideDocument:
    """The version as this reader gets it on the page (every download follows suit)."""
    doc = compiler.version_document(version)
    if reader_audience(guide) == files.MEMBERS:
        return doc
    return doc.without_source_links()


def render_published(guide: Guide, version: GuideVersion):
    latest = compiler.latest_version(guide)
    downloads = [{"label": f.label, "href": url_for("guides.download_version",
                                                    guide_slug=guide.slug,
                                                    number=version.number, fmt=name)}
                 for name, f in FORMATS.items()]
    curator = permissions.can_curate_guide(current_user, guide)
    return render_template(
        "guides/published.html", guide=guide, learning_set=guide.learning_set,
        doc=reader_document(guide, version), version=version, latest=latest,
        versions=sorted(guide.versions, key=lambda v: v.number, reverse=True),
        downloads=downloads, curator=curator,
        set_readable=permissions.can_view_set(current_user, guide.learning_set))


@bp.get("/guides/")
def index():
    """Every published guide the reader may read: the link back from a guide's page."""
    return render_template("guides/index.html",
                           guides=readable_guides(db.session, current_user))


@bp.get("/guides/<guide_slug>/")
def published(guide_slug: str):
    guide = service.find_guide_by_slug(db.session, guide_slug)
    if (guide is not None and not guide.versions
            and permissions.can_curate_guide(current_user, guide)):
        # A facilitator following the future address of a draft sees its preview.
        return redirect(url_for("guides.preview", slug=guide.learning_set.slug,
                                guide_id=guide.id))
    guide = load_published(guide_slug)
    return render_published(guide, compiler.latest_version(guide))


@bp.get("/guides/<guide_slug>/v<int:number>/")
def version(guide_slug: str, number: int):
    guide = load_published(guide_slug)
    return render_published(guide, _version_or_404(guide, number))


@bp.get("/guides/<guide_slug>/v<int:number>/download/<fmt>")
def download_version(guide_slug: str, number: int, fmt: str):
    guide = load_published(guide_slug)
    version = _version_or_404(guide, number)
    format_or_404(fmt)
    audience = reader_audience(guide)
    made = files.version_file(db.session, storage_for(), version, fmt, audience)
    db.session.commit()  # when a file was made (or a stale one dropped); else a no-op
    return send(made, f"{guide.slug}-v{version.number}", private=audience == files.MEMBERS)
