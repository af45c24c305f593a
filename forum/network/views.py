"""The network's public pages (About, with the request to join; its members), the queue of
requests for admins and coordinators, and the invited person's link."""

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
from flask_login import login_user
from sqlalchemy import select

from forum import organisations as records
from forum import permissions
from forum.auth import service as accounts
from forum.auth.forms import AccountDetailsForm
from forum.auth.views import new_account
from forum.errors import Refused
from forum.extensions import db
from forum.extensions import limiter
from forum.models import LearningSet
from forum.models import NetworkRequest
from forum.network import bp
from forum.network import requests as service
from forum.network.forms import AcceptNetworkRequestForm
from forum.network.forms import DeclineNetworkRequestForm
from forum.network.forms import NetworkRequestForm
from forum.pages import service as pages


@bp.get("/network/organisations")
def organisations():
    return render_template("network/organisations.html",
                           taking_part=records.taking_part(db.session, current_user))


# --- About the network, and asking to join --------------------------------------------

def _ip_limit() -> str:
    return str(current_app.config["NETWORK_REQUEST_RATE_LIMIT"])


def _email_limit() -> str:
    return str(current_app.config["NETWORK_REQUEST_EMAIL_RATE_LIMIT"])


def _email_key() -> str:
    return "network-request:" + (request.form.get("email") or "").strip().lower()[:254]


def _render_about(form: NetworkRequestForm, timing: str | None = None, status: int = 200):
    form.started.data = service.form_started()
    return render_template("network/about.html", page=pages.page_content(db.session, "network"),
                           form=form, timing=timing,
                           can_edit=permissions.can_administer(current_user),
                           can_decide=permissions.can_handle_network_requests(current_user)
                           ), status


@bp.route("/network/", methods=["GET", "POST"])
@limiter.limit(_ip_limit, methods=["POST"])
@limiter.limit(_email_limit, key_func=_email_key, methods=["POST"])
def about():
    form = NetworkRequestForm()
    if request.method == "GET":
        return _render_about(form)
    if not form.validate_on_submit():
        return _render_about(form)
    timing = service.timing_problem(form.started.data)
    if timing is not None:
        return _render_about(form, timing)
    if form.website.data:
        # Only robots fill in the hidden field: they get the same page, and nothing is kept.
        return render_template("network/request_sent.html")
    service.submit(db.session, name=form.name.data, email=form.email.data,
                   organisation=form.organisation.data, job_title=form.job_title.data,
                   hopes=form.hopes.data)
    db.session.commit()
    # The same page whether or not the address has an account (or a waiting request).
    return render_template("network/request_sent.html")


# --- the queue -------------------------------------------------------------------------

def _require_decider() -> None:
    if not permissions.can_handle_network_requests(current_user):
        # The queue's link is for deciders; one emailed to a coordinator since replaced lands
        # here.
        raise Refused("Only admins and network coordinators decide requests to join the "
                      "network. If you were one, your role may have changed.",
                      ("About the network", url_for("network.about")))


def _load_waiting(request_id: int) -> NetworkRequest:
    _require_decider()
    found = service.find_waiting(db.session, request_id)
    if found is None:
        # Decided meanwhile (or never there): an action says so, and the error page shows
        # what was typed, to copy.
        abort(404, service.DECIDED_MEANWHILE if request.method == "POST" else None)
    return found


def _accept_form(data: bool = True) -> AcceptNetworkRequestForm:
    form = AcceptNetworkRequestForm() if data else AcceptNetworkRequestForm(formdata=None)
    form.sets.choices = [(s.id, s.name) for s in service.invitable_sets(db.session, current_user)]
    return form


@bp.get("/network/requests")
@login_required
def queue():
    _require_decider()
    waiting = service.waiting(db.session)
    decided = service.decided(db.session)
    return render_template("network/requests.html", waiting=waiting, decided=decided,
                           invited_sets=service.invited_sets_seen_by(db.session, current_user,
                                                                     decided),
                           with_accounts=service.addresses_with_accounts(db.session, waiting))


@bp.route("/network/requests/<int:request_id>/accept", methods=["GET", "POST"])
@login_required
def accept(request_id: int):
    join_request = _load_waiting(request_id)
    form = _accept_form()
    if form.validate_on_submit():
        chosen = list(db.session.scalars(select(LearningSet).where(
            LearningSet.id.in_(form.sets.data or [])).order_by(LearningSet.name)))
        try:
            invited = service.accept(db.session, current_user, join_request, chosen)
        except service.DecidedMeanwhile as meanwhile:
            db.session.rollback()
            abort(404, str(meanwhile))
        db.session.commit()
        also = f" and to {', '.join(invited)}" if invited else ""
        flash(f"{join_request.name} has been invited to the network{also}.", "success")
        return redirect(url_for("network.queue"))
    return render_template("network/accept.html", join_request=join_request, form=form)


@bp.route("/network/requests/<int:request_id>/decline", methods=["GET", "POST"])
@login_required
def decline(request_id: int):
    join_request = _load_waiting(request_id)
    form = DeclineNetworkRequestForm()
    if form.validate_on_submit():
        try:
            service.decline(db.session, current_user, join_request, form.reason.data)
        except service.DecidedMeanwhile as meanwhile:
            db.session.rollback()
            abort(404, str(meanwhile))
        db.session.commit()
        flash(f"You declined {join_request.name}'s request. They have been emailed your "
              "message.", "success")
        return redirect(url_for("network.queue"))
    return render_template("network/decline.html", join_request=join_request, form=form)


# --- the invited person's link ------------------------------------------------------------

@bp.route("/network/join/<token>", methods=["GET", "POST"])
def join(token: str):
    email = service.email_for_invitation_token(token)
    if email is None:
        return render_template("auth/invitation_invalid.html"), 404
    if accounts.find_user_by_email(db.session, email) is not None:
        flash(accounts.ACCOUNT_EXISTS, "info")
        return redirect(url_for("auth.sign_in"))
    form = AccountDetailsForm(email=email)
    if form.validate_on_submit():
        user = new_account(email, form)
        if user is None:
            return redirect(url_for("auth.sign_in"))
        joined = service.join_network(db.session, user)
        db.session.commit()
        login_user(user)
        if joined:
            flash("Welcome to the network. You have joined "
                  + ", ".join(s.name for s in joined) + ".", "success")
            return redirect(url_for("sets.show", slug=joined[0].slug))
        flash("Welcome to the network. Your account has been created and you are signed in.",
              "success")
        return redirect(url_for("main.index"))
    return render_template("network/join.html", form=form, email=email,
                           sets=[i.learning_set for i in
                                 service.pending_set_invitations(db.session, email)])
