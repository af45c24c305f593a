"""The privacy notice and accessibility statement: public to read, admins edit them."""

from __future__ import annotations

from flask import abort
from flask import flash
from flask import redirect
from flask import render_template
from flask import request
from flask_login import current_user
from flask_login import login_required

from forum import permissions
from forum.extensions import db
from forum.pages import bp
from forum.pages import service
from forum.pages.forms import RestoreDefaultForm
from forum.pages.forms import SitePageForm

PAGE_SLUGS = "any(" + ", ".join(f"'{slug}'" for slug in service.PAGES) + ")"
SHOWN_HERE = "any(" + ", ".join(f"'{slug}'" for slug in service.PAGES
                                if slug not in service.SHOWN_ELSEWHERE) + ")"


@bp.get(f"/<{SHOWN_HERE}:slug>")
def show(slug: str):
    page = service.page_content(db.session, slug)
    return render_template("pages/show.html", page=page,
                           can_edit=permissions.can_administer(current_user))


@bp.route(f"/<{PAGE_SLUGS}:slug>/edit", methods=["GET", "POST"])
@login_required
def edit(slug: str):
    if not permissions.can_administer(current_user):
        abort(403)
    page = service.page_content(db.session, slug)
    form = SitePageForm(data={"body": page.source} if request.method == "GET" else None)
    if request.method == "GET":
        form.opened_with(page)
    if form.validate_on_submit() and not form.changed_meanwhile(page):
        try:
            service.save_page(db.session, current_user, slug, form.body.data)
        except service.SavedMeanwhile:
            db.session.rollback()
            page = service.page_content(db.session, slug)
            form.changed_meanwhile(page)  # says so beside the kept text
        else:
            db.session.commit()
            flash(f"The {page.title.lower()} has been updated.", "success")
            return redirect(service.address(slug))
    return render_template("pages/edit.html", page=page, form=form, page_url=service.address(slug),
                           restore_form=RestoreDefaultForm(formdata=None))


@bp.post(f"/<{PAGE_SLUGS}:slug>/restore-default")
@login_required
def restore_default(slug: str):
    if not permissions.can_administer(current_user):
        abort(403)
    form = RestoreDefaultForm()
    if form.validate_on_submit():
        restored = service.restore_default(db.session, slug)
        db.session.commit()
        title = service.PAGES[slug]
        flash(f"The {title.lower()} shows its default text again." if restored
              else f"The {title.lower()} already shows its default text.", "success")
    return redirect(service.address(slug))
