"""Pages for learning sets: the list, one set's threads, settings, and its members."""

from __future__ import annotations

from flask import abort
from flask import current_app
from flask import flash
from flask import redirect
from flask import render_template
from flask import request
from flask import url_for
from flask_login import current_user
from flask_login import login_required

from forum import permissions
from forum.actions.service import open_actions_of
from forum.actions.states import uk_today
from forum.auth.invitations import InvitationError
from forum.auth.invitations import create_invitation
from forum.auth.invitations import pending_invitations
from forum.auth.invitations import revoke_invitation
from forum.challenges import service as challenge_service
from forum.extensions import db
from forum.forms import ActionForm
from forum.loading import load_visible_set
from forum.models import LearningSet
from forum.models import Membership
from forum.models import Role
from forum.models import Visibility
from forum.pagination import requested_page
from forum.sets import bp
from forum.sets import join_requests
from forum.sets import service
from forum.sets.forms import ROLE_HINTS
from forum.sets.forms import VISIBILITY_HINTS
from forum.sets.forms import InviteForm
from forum.sets.forms import NewSetForm
from forum.sets.forms import RoleForm
from forum.sets.forms import SetSettingsWithMethodForm
from forum.sets.summaries import thread_summaries
from forum.threads import reading


def _hint_items(hints: dict) -> list[dict]:
    return [{"hint": {"text": text}} for text in hints.values()]


# --- lists and the set page ----------------------------------------------

@bp.get("/sets/")
@login_required
def index():
    mine = service.sets_of(db.session, current_user)
    others = service.other_readable_sets(db.session, current_user)
    my_actions = open_actions_of(db.session, current_user, today=uk_today())
    unread = reading.unread_by_set(db.session, current_user,
                                   [row.learning_set.id for row in mine])
    return render_template("sets/index.html", mine=mine, others=others, unread=unread,
                           my_actions=my_actions, visibility_hints=VISIBILITY_HINTS)


@bp.get("/sets/<slug>/")
def show(slug: str):
    learning_set = load_visible_set(slug)
    requested = requested_page()
    page = thread_summaries(db.session, current_user, learning_set, page=requested,
                            per_page=int(current_app.config["THREADS_PER_PAGE"]))
    if page.page != requested:
        abort(404)
    mine = (join_requests.request_of(db.session, current_user, learning_set)
            if permissions.can_ask_to_join(current_user, learning_set) else None)
    return render_template(
        "sets/show.html", learning_set=learning_set, page=page,
        challenges=challenge_service.challenge_summaries(db.session, current_user, learning_set),
        role=permissions.role_in(current_user, learning_set), my_request=mine,
        visibility_hint=VISIBILITY_HINTS[learning_set.visibility])


# --- creating and editing ------------------------------------------------

@bp.route("/sets/new", methods=["GET", "POST"])
@login_required
def new():
    if not permissions.can_manage_sets(current_user):
        abort(403)
    form = NewSetForm()
    if form.validate_on_submit():
        try:
            created = service.create_set(
                db.session, name=form.name.data, slug=form.slug.data,
                purpose=form.purpose.data or "", visibility=Visibility(form.visibility.data),
                facilitator_email=form.facilitator_email.data, created_by=current_user)
        except service.SlugError as error:
            db.session.rollback()
            form.slug.errors = [str(error)]
        else:
            db.session.commit()
            learning_set = created.learning_set
            if created.facilitator is not None:
                flash(f"{learning_set.name} was created. {created.facilitator.display_name} "
                      "is its facilitator.", "success")
            else:
                flash(f"{learning_set.name} was created. We are emailing an invitation to "
                      f"{created.invitation.email} to be its facilitator.", "success")
            return redirect(url_for("sets.show", slug=learning_set.slug))
    return render_template("sets/new.html", form=form,
                           visibility_items=_hint_items(VISIBILITY_HINTS))


@bp.route("/sets/<slug>/settings", methods=["GET", "POST"])
@login_required
def settings(slug: str):
    learning_set = load_visible_set(slug)
    if not permissions.can_edit_set(current_user, learning_set):
        abort(403)
    form = SetSettingsWithMethodForm(obj=learning_set)
    if request.method == "GET":
        form.visibility.data = learning_set.visibility.value
        form.opened_with(learning_set)
    if form.validate_on_submit() and not form.changed_meanwhile(learning_set):
        service.update_set(db.session, learning_set, name=form.name.data,
                           purpose=form.purpose.data or "",
                           visibility=Visibility(form.visibility.data),
                           allow_suggestions=bool(form.allow_suggestions.data))
        db.session.commit()
        flash("Your changes to the set were saved.", "success")
        return redirect(url_for("sets.show", slug=learning_set.slug))
    return render_template("sets/settings.html", learning_set=learning_set, form=form,
                           visibility_items=_hint_items(VISIBILITY_HINTS))


# --- members and invitations ---------------------------------------------

def _role_form(membership: Membership, formdata=None) -> RoleForm:
    form = RoleForm(formdata=formdata)
    # One form per row: unique ids keep labels and error-summary links pointing at the right row.
    form.role.id = f"membership-{membership.id}-role"
    if formdata is None:
        form.role.data = membership.role.value
    return form


def _render_members(learning_set: LearningSet, *, invite_form: InviteForm | None = None,
                    failing_role_form: tuple[int, RoleForm] | None = None, error_form=None):
    if not permissions.can_view_members(current_user, learning_set):
        abort(403)
    memberships = service.memberships_of(db.session, learning_set)
    manage = permissions.can_manage_members(current_user, learning_set)
    role_forms: dict[int, RoleForm] = {}
    invitations = []
    requests = []
    if manage:
        role_forms = {m.id: _role_form(m) for m in memberships}
        if failing_role_form is not None:
            role_forms[failing_role_form[0]] = failing_role_form[1]
        invitations = pending_invitations(db.session, learning_set)
        requests = join_requests.pending_requests(db.session, learning_set)
    invite_form = invite_form or InviteForm(formdata=None)
    return render_template(
        "sets/members.html", learning_set=learning_set, memberships=memberships,
        manage=manage, role_forms=role_forms, invitations=invitations, join_requests=requests,
        invite_form=invite_form, action_form=ActionForm(formdata=None),
        role_items=_hint_items(ROLE_HINTS), form=error_form)


@bp.get("/sets/<slug>/members")
@login_required
def members(slug: str):
    return _render_members(load_visible_set(slug))


def _load_manageable_set(slug: str) -> LearningSet:
    learning_set = load_visible_set(slug)
    if not permissions.can_manage_members(current_user, learning_set):
        abort(403)
    return learning_set


@bp.post("/sets/<slug>/invitations")
@login_required
def invite(slug: str):
    learning_set = _load_manageable_set(slug)
    form = InviteForm()
    if form.validate_on_submit():
        try:
            invitation, _raw_token = create_invitation(
                db.session, learning_set=learning_set, email=form.email.data,
                role=Role(form.role.data), invited_by=current_user)
        except InvitationError as error:
            db.session.rollback()
            form.email.errors = [str(error)]
        else:
            db.session.commit()
            flash(f"We are emailing an invitation to {invitation.email}.", "success")
            return redirect(url_for("sets.members", slug=learning_set.slug))
    return _render_members(learning_set, invite_form=form, error_form=form)


@bp.post("/sets/<slug>/invitations/<int:invitation_id>/revoke")
@login_required
def revoke(slug: str, invitation_id: int):
    learning_set = _load_manageable_set(slug)
    invitation = service.find_invitation(db.session, learning_set, invitation_id)
    if invitation is None:
        abort(404)
    if ActionForm().validate_on_submit():
        revoke_invitation(db.session, invitation)
        db.session.commit()
        flash(f"The invitation to {invitation.email} was revoked. Its link no longer works.",
              "success")
    return redirect(url_for("sets.members", slug=learning_set.slug))


def _load_membership(learning_set: LearningSet, membership_id: int) -> Membership:
    membership = service.find_membership(db.session, learning_set, membership_id)
    if membership is None:
        abort(404)
    return membership


@bp.route("/sets/<slug>/members/<int:membership_id>/remove", methods=["GET", "POST"])
@login_required
def remove_member(slug: str, membership_id: int):
    learning_set = _load_manageable_set(slug)
    membership = _load_membership(learning_set, membership_id)
    if not permissions.can_remove_member(current_user, membership):
        abort(403)
    form = ActionForm()
    error = None
    if form.validate_on_submit():
        name = membership.user.display_name
        try:
            service.remove_member(db.session, membership)
        except service.LastFacilitatorError as refused:
            db.session.rollback()
            error = str(refused)
        else:
            db.session.commit()
            flash(f"{name} was removed from {learning_set.name}.", "success")
            return redirect(url_for("sets.members", slug=learning_set.slug))
    return render_template("sets/remove_member.html", learning_set=learning_set,
                           membership=membership, action_form=form, error=error)


@bp.post("/sets/<slug>/members/<int:membership_id>/role")
@login_required
def change_role(slug: str, membership_id: int):
    learning_set = _load_manageable_set(slug)
    membership = _load_membership(learning_set, membership_id)
    form = _role_form(membership, formdata=request.form)
    if form.validate_on_submit():
        role = Role(form.role.data)
        try:
            service.change_role(db.session, membership, role)
        except service.LastFacilitatorError as refused:
            db.session.rollback()
            form.role.errors = [str(refused)]
        else:
            db.session.commit()
            flash(f"{membership.user.display_name} is now a {role.value} of "
                  f"{learning_set.name}.", "success")
            return redirect(url_for("sets.members", slug=learning_set.slug))
    return _render_members(learning_set, failing_role_form=(membership.id, form),
                           error_form=form)
