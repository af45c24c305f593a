"""Accepting an invitation to a learning set, from the link in the invitation email."""

from __future__ import annotations

from flask import flash
from flask import redirect
from flask import render_template
from flask import request
from flask import url_for
from flask_login import current_user
from flask_login import login_user

from forum.auth import bp
from forum.auth import invitations
from forum.auth import service
from forum.auth.forms import AccountDetailsForm
from forum.auth.views import new_account
from forum.extensions import db
from forum.forms import ActionForm
from forum.models import Invitation
from forum.models import User


def _joined(invitation: Invitation, user: User):
    invitations.accept_invitation(db.session, invitation, user)
    learning_set = invitation.learning_set
    db.session.commit()
    flash(f"You have joined {learning_set.name}.", "success")
    return redirect(url_for("sets.show", slug=learning_set.slug))


@bp.route("/invitations/<token>", methods=["GET", "POST"])
def accept_invitation(token: str):
    invitation = invitations.find_pending_invitation(db.session, token)
    if invitation is None:
        return render_template("auth/invitation_invalid.html"), 404

    if current_user.is_authenticated:
        user = current_user._get_current_object()  # type: ignore[attr-defined]
        if invitations.normalise_email(user.email) != invitation.email:
            return render_template("auth/invitation_wrong_account.html", invitation=invitation,
                                   sign_out_form=ActionForm(formdata=None))
        form = ActionForm()
        if form.validate_on_submit():
            return _joined(invitation, user)
        return render_template("auth/invitation_join.html", invitation=invitation, form=form)

    if service.find_user_by_email(db.session, invitation.email) is not None:
        return render_template("auth/invitation_sign_in.html", invitation=invitation,
                               sign_in_url=url_for("auth.sign_in", next=request.path))

    form = AccountDetailsForm(email=invitation.email)
    if form.validate_on_submit():
        user = new_account(invitation.email, form)
        if user is None:
            return redirect(url_for("auth.sign_in", next=request.path))
        login_user(user)
        return _joined(invitation, user)
    return render_template("auth/invitation_sign_up.html", invitation=invitation, form=form)
