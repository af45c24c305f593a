"""The admin area: people, sets and site-wide settings."""

from __future__ import annotations

from flask import abort
from flask import current_app
from flask import flash
from flask import redirect
from flask import render_template
from flask import request
from flask import send_file
from flask import url_for
from flask_login import current_user
from flask_login import login_required
from wtforms.fields.choices import SelectChoice

from forum import organisations
from forum import permissions
from forum import site_settings
from forum.admin import bp
from forum.admin import service
from forum.admin.forms import NO_NATION
from forum.admin.forms import MergeOrganisationForm
from forum.admin.forms import OrganisationForm
from forum.admin.forms import SiteSettingsForm
from forum.errors import Refused
from forum.extensions import db
from forum.extensions import writes_on_get
from forum.forms import ActionForm
from forum.forms import clean_line
from forum.guides.export.storage import storage_for
from forum.models import Nation
from forum.models import Organisation
from forum.models import OrganisationKind
from forum.models import User
from forum.models import utcnow
from forum.pagination import requested_page
from forum.people import background
from forum.people import erasure
from forum.people import exports
from forum.people.forms import REMOVE
from forum.people.forms import EraseAccountForm
from forum.people.storage import export_storage
from forum.sets import service as sets_service

USERS_PER_PAGE = 25

# action in the URL -> (attribute, value, message)
USER_ACTIONS = {
    "make-admin": ("is_admin", True, "{name} is now an admin."),
    "remove-admin": ("is_admin", False, "{name} is no longer an admin."),
    "make-coordinator": ("is_network_coordinator", True,
                         "{name} is now a network coordinator: they can publish and run events."),
    "remove-coordinator": ("is_network_coordinator", False,
                           "{name} is no longer a network coordinator."),
    "disable": ("is_disabled", True, "{name}’s account is disabled. They cannot sign in."),
    "enable": ("is_disabled", False, "{name}’s account is enabled again."),
}


ORGANISATION_ENDPOINTS = {"admin.organisations_list", "admin.edit_organisation",
                          "admin.merge_organisation"}


@bp.before_request
@login_required
def require_admin():
    """Every page here is for admins only (signed-out visitors are sent to sign in), but the
    organisation pages, which network coordinators keep too."""
    # Their links are shown only to those who may use them; a bookmark kept after losing the
    # role lands here, so the page says why.
    if request.endpoint in ORGANISATION_ENDPOINTS:
        if not permissions.can_manage_organisations(current_user):
            raise Refused("Only admins and network coordinators keep the list of member "
                          "organisations. If you were one, your role may have changed.",
                          ("See the network’s organisations", url_for("network.organisations")))
    elif not permissions.can_administer(current_user):
        raise Refused("These pages are for the site’s admins. If you were one, your role may "
                      "have changed.")


@bp.get("/admin/")
def index():
    q = request.args.get("q", "").strip()
    users = service.find_users(db.session, q=q, page=requested_page(), per_page=USERS_PER_PAGE)
    sets = sets_service.all_sets(db.session)
    return render_template("admin/index.html", users=users, q=q, sets=sets)


def _load_user(user_id: int) -> User:
    user = db.session.get(User, user_id)  # the int converter keeps ids within INTEGER
    if user is None:
        abort(404)
    return user


def _user_page(target: User, form: ActionForm, error: str | None = None,
               copy_error: str | None = None):
    """The person's admin page, with the admins' copy of their data (if any) and its state."""
    now = utcnow()
    copies = exports.admin_copies_of(db.session, current_user, target, now)
    if copies.active is not None and exports.is_stale(copies.active, current_app.config, now):
        background.wake(current_app._get_current_object(), copies.active.id)  # type: ignore[attr-defined]
    failed = copies.failed
    return render_template("admin/user.html", user=target,
                           sets=sets_service.sets_of(db.session, target), action_form=form,
                           error=error, copy_error=copy_error, copies=copies,
                           failed_copy=failed)


@bp.get("/admin/users/<int:user_id>")
def user(user_id: int):
    return _user_page(_load_user(user_id), ActionForm(formdata=None))


@bp.post("/admin/users/<int:user_id>/"
         "<any('make-admin', 'remove-admin', 'make-coordinator', 'remove-coordinator', "
         "'disable', 'enable'):action>")
def user_action(user_id: int, action: str):
    target = _load_user(user_id)
    form = ActionForm()
    if form.validate_on_submit():
        attribute, value, message = USER_ACTIONS[action]
        change = {"is_admin": service.set_admin, "is_disabled": service.set_disabled,
                  "is_network_coordinator": service.set_coordinator}[attribute]
        try:
            change(db.session, actor=current_user, user=target, value=value)
        except service.AdminError as refused:
            db.session.rollback()
            return _user_page(target, form, error=str(refused))
        db.session.commit()
        flash(message.format(name=target.display_name), "success")
    return redirect(url_for("admin.user", user_id=target.id))


@bp.post("/admin/users/<int:user_id>/data-copy")
def request_data_copy(user_id: int):
    """A subject access request: a copy of the person's data, made in the background for
    admins to download and send; the request is written to the admin log."""
    target = _load_user(user_id)
    form = ActionForm()
    if not form.validate_on_submit():
        return _user_page(target, form, copy_error="Nothing was asked for. Try again.")
    job, new = exports.request_admin_copy(db.session, current_user, target, utcnow())
    db.session.commit()
    if new:
        flash(f"A copy of {target.display_name}’s data is being made. This page shows the "
              "download when it is ready, and you will be told in your notifications.",
              "success")
    else:
        flash(f"A copy of {target.display_name}’s data is already being made.", "info")
    response = redirect(url_for("admin.user", user_id=target.id, _anchor="data-copy"))
    export_id = job.id
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    response.call_on_close(lambda: background.wake(app, export_id))
    return response


@bp.get("/admin/users/<int:user_id>/data-copy/<int:export_id>")
@writes_on_get
def download_data_copy(user_id: int, export_id: int):
    """The admins' copy of a person's data (ZIP); each download is written to the admin log."""
    job = exports.owned_file(db.session, current_user, export_id, utcnow(), for_admin=True)
    if job is None or job.user_id != user_id:
        abort(404)
    path = export_storage().path(job.file_key)
    if not path.is_file():
        abort(404)
    exports.record_admin_download(db.session, current_user, job, utcnow())
    db.session.commit()
    stamp = job.started_at.strftime("%Y-%m-%d")
    response = send_file(path, mimetype="application/zip", as_attachment=True,
                         download_name=f"data-of-account-{user_id}-{stamp}.zip", max_age=0)
    response.headers["Cache-Control"] = "no-store, private"
    return response


@bp.route("/admin/users/<int:user_id>/erase", methods=["GET", "POST"])
def erase_user(user_id: int):
    """Erase a person on their request (or a subject's erasure request), logged without them."""
    target = _load_user(user_id)
    form = EraseAccountForm()
    if form.validate_on_submit():
        if form.confirm_email.data.strip().lower() != target.email.lower():
            form.confirm_email.errors.append("Enter this person’s email address exactly, "
                                             "to confirm it is the right account")
        else:
            try:
                result = erasure.erase(db.session, storage_for(), target, by=current_user,
                                       remove_text=form.posts.data == REMOVE)
            except erasure.ErasureError as refused:
                db.session.rollback()
                form.confirm_email.errors.append(str(refused))
            else:
                db.session.commit()
                changed = len(result.guides_changed)
                flash(f"Account {result.account_id} has been erased. "
                      f"{changed} guide{'s' if changed != 1 else ''} now credit "
                      "“A participant” instead.", "success")
                return redirect(url_for("admin.log"))
    return render_template("admin/erase.html", user=target, form=form)


@bp.get("/admin/log")
def log():
    rows, page, pages = service.account_log(db.session, page=requested_page())
    return render_template("admin/log.html", rows=rows, page=page, pages=pages,
                           labels=service.ACTION_LABELS)


@bp.route("/admin/settings", methods=["GET", "POST"])
def settings():
    form = SiteSettingsForm()
    if request.method == "GET":
        form.open_signup.data = site_settings.open_signup_enabled(db.session)
    if form.validate_on_submit():
        site_settings.set_bool(db.session, site_settings.OPEN_SIGNUP, bool(form.open_signup.data))
        db.session.commit()
        flash("Open sign-up is now " + ("on." if form.open_signup.data else "off."), "success")
        return redirect(url_for("admin.settings"))
    return render_template("admin/settings.html", form=form)


@bp.route("/admin/organisations", methods=["GET", "POST"])
def organisations_list():
    """The network's list of member organisations; people are linked to theirs by name."""
    form = OrganisationForm()
    if form.validate_on_submit():
        try:
            record = organisations.add_organisation(
                db.session, name=form.name.data, kind=OrganisationKind(form.kind.data),
                nation=Nation(form.nation.data) if form.nation.data else None,
                website=form.website.data or "")
        except organisations.OrganisationError as refused:
            db.session.rollback()
            form.name.errors = [str(refused)]
        else:
            db.session.commit()
            flash(f"{record.name} is on the list. People who gave it as their organisation are "
                  "linked to it.", "success")
            return redirect(url_for("admin.organisations_list"))
    elif request.method == "GET" and request.args.get("name"):
        # "Add" from the unlisted names, kept whole: a name longer than the list allows (a
        # request to join the network may give 200 characters) gets the field's own message.
        form.name.data = clean_line(request.args["name"])
        if form.name.data:
            form.name.validate(form)
    return render_template("admin/organisations.html", form=form,
                           records=organisations.all_organisations(db.session),
                           unlisted=organisations.unlisted_names(db.session),
                           changes=organisations.recent_changes(db.session))


def _organisation(organisation_id: int) -> Organisation:
    record = db.session.get(Organisation, organisation_id) if 0 < organisation_id < 2**31 else None
    if record is None:
        abort(404)
    return record


@bp.route("/admin/organisations/<int:organisation_id>/edit", methods=["GET", "POST"])
def edit_organisation(organisation_id: int):
    record = _organisation(organisation_id)
    form = (OrganisationForm(data=OrganisationForm.stored_data(record))
            if request.method == "GET" else OrganisationForm())
    form.submit.label.text = "Save changes"
    if request.method == "GET":
        form.opened_with(record)
    if form.validate_on_submit() and not form.changed_meanwhile(record):
        try:
            organisations.edit_organisation(
                db.session, current_user, record, name=form.name.data,
                kind=OrganisationKind(form.kind.data),
                nation=Nation(form.nation.data) if form.nation.data != NO_NATION else None,
                website=form.website.data or "")
        except organisations.OrganisationError as refused:
            db.session.rollback()
            form.name.errors = [str(refused)]
        else:
            db.session.commit()
            flash(f"{record.name} has been saved.", "success")
            return redirect(url_for("admin.organisations_list"))
    return render_template("admin/organisation_edit.html", form=form, record=record)


@bp.route("/admin/organisations/<int:organisation_id>/merge", methods=["GET", "POST"])
def merge_organisation(organisation_id: int):
    """Fold a duplicate into another record: its people and their guide credits move."""
    record = _organisation(organisation_id)
    form = MergeOrganisationForm()
    others = [SelectChoice(str(other.id), other.name)
              for other in organisations.all_organisations(db.session) if other.id != record.id]
    # The merge cannot be undone: the list starts with no choice, so a press of "Merge" without
    # choosing (or without the type-ahead's script) asks which organisation, never picks one.
    form.survivor.choices = [SelectChoice("", "Choose an organisation"), *others]
    # With no other record there is no field to choose with, so no error to point to: the
    # page says there is nothing to merge into.
    if others and form.validate_on_submit():
        survivor = db.session.get(Organisation, int(form.survivor.data))
        if survivor is None:
            form.survivor.errors = ["Choose the organisation to merge into"]
        else:
            name = record.name
            moved = organisations.merge_organisations(db.session, current_user, record, survivor)
            db.session.commit()
            flash(f"{name} is merged into {survivor.name}: {moved} "
                  f"{'person' if moved == 1 else 'people'} moved.", "success")
            return redirect(url_for("admin.organisations_list"))
    return render_template("admin/organisation_merge.html", form=form, record=record)
