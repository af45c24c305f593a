"""Signing in and out, open sign-up, password reset and the account pages."""

from __future__ import annotations

import math
from datetime import datetime

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
from flask_login import logout_user
from flask_login.config import COOKIE_NAME

from forum import organisations
from forum import permissions
from forum import redirects
from forum import signals
from forum.auth import bp
from forum.auth import service
from forum.auth import throttle
from forum.auth.forms import AccountDetailsForm
from forum.auth.forms import ChangePasswordForm
from forum.auth.forms import EmailForm
from forum.auth.forms import ProfileForm
from forum.auth.forms import ResetPasswordForm
from forum.auth.forms import SignInForm
from forum.auth.resume import CARRIED_PREFIX
from forum.auth.resume import CarriedField
from forum.auth.resume import carried_in_sign_in
from forum.auth.resume import dropped_files
from forum.auth.resume import fields_to_carry
from forum.extensions import db
from forum.extensions import limiter
from forum.forms import EXPIRED_FORM_MESSAGE
from forum.forms import ActionForm
from forum.models import CreditPreference
from forum.models import User
from forum.models import utcnow
from forum.site_settings import open_signup_enabled

SIGN_IN_ERROR = "Enter a correct email address and password"


def _attempt_limit() -> str:
    return str(current_app.config["SIGN_IN_RATE_LIMIT"])


def safe_next(target: str | None) -> str:
    return redirects.safe_next(target, url_for("main.index"))


def current_path() -> str:
    """This request's path and query, for coming back after signing in."""
    path = request.full_path
    return path[:-1] if path.endswith("?") else path


def _render_sign_in(form: SignInForm, carried: list[CarriedField], status: int = 200,
                    dropped: list[str] | None = None):
    return render_template(
        "auth/sign_in.html", form=form, carried=carried, carried_prefix=CARRIED_PREFIX,
        dropped=dropped or [], open_signup=open_signup_enabled(db.session)), status


# A page holding what someone wrote is theirs alone: no browser or proxy cache keeps it.
KEPT_TEXT_HEADERS = {"Cache-Control": "no-store, private"}


def unauthorized() -> object:
    """Flask-Login's answer to a visitor who must sign in first.

    A GET is redirected to the sign-in page. A POST (a reply written while the session expired)
    is answered with the sign-in page itself, carrying what was written, so nothing is lost.
    """
    if request.method == "POST":
        form = SignInForm(formdata=None, data={"next": current_path()})
        body, status = _render_sign_in(form, fields_to_carry(request.form), status=401,
                                       dropped=dropped_files(request.files))
        return body, status, KEPT_TEXT_HEADERS
    flash(current_app.login_manager.login_message, "info")  # type: ignore[attr-defined]
    return redirect(url_for("auth.sign_in", next=current_path()))


def sign_in_before_posting() -> object | None:
    """A signed-out POST to a page that needs an account gets the sign-in page keeping what
    was written, before the view looks anything up.

    Otherwise a reply to a private set's thread, sent after the session expired, was a bare
    "Page not found" and the reply was lost. The answer is the same whether or not the
    address exists, so it reveals nothing a 404 would hide.
    """
    if (request.method == "POST" and request.url_rule is not None
            and not permissions.is_signed_in(current_user)
            and not permissions.may_post_signed_out(request.endpoint)):
        return unauthorized()
    return None


@bp.route("/sign-in", methods=["GET", "POST"])
@limiter.limit(_attempt_limit, methods=["POST"])
def sign_in():
    form = SignInForm()
    carried = carried_in_sign_in(request.form) if request.method == "POST" else []
    if request.method == "GET":
        form.next.data = redirects.only_safe_next(request.args.get("next", ""))
        if current_user.is_authenticated:
            return redirect(safe_next(form.next.data))
    if form.validate_on_submit():
        # Counted (and committed) before the password is checked, so every worker sees it.
        wait_until = throttle.begin_attempt(db.session, form.email.data)
        db.session.commit()
        if wait_until is not None:
            return _refuse_for_now(form, carried, wait_until)
        user = service.authenticate(db.session, form.email.data, form.password.data)
        if user is not None:
            throttle.forget_failures(db.session, form.email.data)
            db.session.commit()
        if user is not None and login_user(user, remember=form.remember.data):
            target = safe_next(form.next.data)
            if carried and redirects.is_safe_next(form.next.data):
                return (render_template("auth/resume.html", action=target, carried=carried),
                        KEPT_TEXT_HEADERS)
            return redirect(target)
        form.email.errors.append(SIGN_IN_ERROR)
    body, status = _render_sign_in(form, carried)
    return (body, status, KEPT_TEXT_HEADERS) if carried else (body, status)


def _refuse_for_now(form: SignInForm, carried: list[CarriedField], wait_until: datetime):
    """Too many attempts for this address: say when to try again, not whether it was right."""
    seconds = max(1, math.ceil((wait_until - utcnow()).total_seconds()))
    form.email.errors.append(
        f"There have been too many attempts to sign in with this email address. Wait "
        f"{_duration(seconds)}, then try again, or reset your password if you have forgotten it.")
    body, _ = _render_sign_in(form, carried)
    return body, 429, {"Retry-After": str(seconds)}


def _duration(seconds: int) -> str:
    if seconds < 120:
        return f"{seconds} second{'s' if seconds != 1 else ''}"
    return f"{math.ceil(seconds / 60)} minutes"


def _stay_signed_in(user: User) -> None:
    """Sign this browser in again after the user's other sessions were ended.

    The remember-me cookie is renewed when this browser had one, so only *other* devices lose it.
    """
    cookie_name = current_app.config.get("REMEMBER_COOKIE_NAME", COOKIE_NAME)
    login_user(user, remember=cookie_name in request.cookies)


@bp.post("/sign-out")
def sign_out():
    form = ActionForm()
    if not form.validate_on_submit():
        flash("You are still signed in because the page was open too long. "
              "Select Sign out again.", "info")
        return redirect(url_for("main.index"))
    if current_user.is_authenticated:
        # Signing out here signs out everywhere: other sessions and remember-me cookies too.
        current_user.end_sessions()
        db.session.commit()
    logout_user()
    flash("You have signed out.", "success")
    return redirect(safe_next(request.form.get("next")))


# --- open sign-up ----------------------------------------------------------

def _require_open_signup() -> None:
    if not open_signup_enabled(db.session):
        abort(404)


@bp.route("/sign-up", methods=["GET", "POST"])
@limiter.limit(_attempt_limit, methods=["POST"])
def sign_up():
    _require_open_signup()
    form = EmailForm()
    if form.validate_on_submit():
        service.queue_sign_up_email(db.session, form.email.data)
        db.session.commit()
        return render_template("auth/sign_up_sent.html", email=form.email.data)
    return render_template("auth/sign_up.html", form=form)


def new_account(email: str, form: AccountDetailsForm) -> User | None:
    """The account ``form`` describes; None (with a message) when the address has one
    already, made a moment ago by the same form sent twice at once."""
    try:
        return service.create_account(
            db.session, email=email, display_name=form.display_name.data,
            organisation=form.organisation.data, password=form.password.data)
    except service.AccountExistsError:
        db.session.rollback()
        flash(service.ACCOUNT_EXISTS, "info")
        return None


@bp.route("/sign-up/<token>", methods=["GET", "POST"])
def finish_sign_up(token: str):
    _require_open_signup()
    email = service.email_for_sign_up_token(token)
    if email is None:
        return render_template("auth/sign_up_link_invalid.html"), 404
    if service.find_user_by_email(db.session, email) is not None:
        flash(service.ACCOUNT_EXISTS, "info")
        return redirect(url_for("auth.sign_in"))
    form = AccountDetailsForm(email=email)
    if form.validate_on_submit():
        user = new_account(email, form)
        if user is None:
            return redirect(url_for("auth.sign_in"))
        db.session.commit()
        login_user(user)
        flash("Your account has been created and you are signed in.", "success")
        return redirect(url_for("main.index"))
    return render_template("auth/sign_up_details.html", form=form, email=email)


# --- forgotten passwords -----------------------------------------------------

@bp.route("/password/forgot", methods=["GET", "POST"])
@limiter.limit(_attempt_limit, methods=["POST"])
def forgot_password():
    form = EmailForm()
    if form.validate_on_submit():
        # Queued for every address alike: whether one has an account is decided when sending.
        service.queue_password_reset_email(db.session, form.email.data)
        db.session.commit()
        minutes = int(current_app.config["PASSWORD_RESET_MAX_AGE"]) // 60
        return render_template("auth/forgot_password_sent.html", email=form.email.data,
                               minutes=minutes)
    return render_template("auth/forgot_password.html", form=form)


@bp.route("/password/reset/<token>", methods=["GET", "POST"])
def reset_password(token: str):
    user = service.user_for_password_reset_token(db.session, token)
    if user is None:
        return render_template("auth/reset_link_invalid.html"), 404
    form = ResetPasswordForm(user_inputs=[user.email, user.display_name, user.organisation])
    if form.validate_on_submit():
        service.change_password(db.session, user, form.password.data)
        db.session.commit()
        login_user(user)
        flash("Your password has been changed and you are signed in.", "success")
        return redirect(url_for("main.index"))
    return render_template("auth/reset_password.html", form=form)


# --- account pages -------------------------------------------------------------

@bp.route("/account/profile", methods=["GET", "POST"])
@login_required
def profile():
    user = current_user._get_current_object()  # type: ignore[attr-defined]
    if not permissions.can_edit_profile(current_user, user):
        abort(403)
    form = ProfileForm(obj=user)
    if form.validate_on_submit():
        before = user.credit_preference or CreditPreference.ORGANISATION
        user.display_name = form.display_name.data
        user.organisation = form.organisation.data
        organisations.link(db.session, user)
        asked = bool(form.not_listed.data) and organisations.request_addition(db.session, user)
        user.credit_preference = CreditPreference(form.credit_preference.data)
        changed = sum(count or 0 for _, count in signals.credit_preference_changed.send(
            current_app._get_current_object(), session=db.session, user=user, before=before))
        db.session.commit()
        flash("Your profile has been saved." + (
            f" {changed} published guide{'s' if changed != 1 else ''} now "
            f"credit{'s' if changed == 1 else ''} you as you chose." if changed else "")
            + (" The admins have been asked to add your organisation to the list." if asked
               else ""), "success")
        return redirect(url_for("auth.profile"))
    return render_template("auth/profile.html", form=form, user=user,
                           sign_out_others_form=ActionForm(formdata=None))


@bp.post("/account/sign-out-others")
@login_required
def sign_out_others():
    """End every other session and remember-me cookie, keeping this browser signed in."""
    if not ActionForm().validate_on_submit():
        flash(EXPIRED_FORM_MESSAGE, "info")
        return redirect(url_for("auth.profile"))
    user = current_user._get_current_object()  # type: ignore[attr-defined]
    user.end_sessions()
    db.session.commit()
    _stay_signed_in(user)
    flash("You have been signed out on every other device and browser.", "success")
    return redirect(url_for("auth.profile"))


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
@limiter.limit(_attempt_limit, methods=["POST"])
def change_password():
    user = current_user._get_current_object()  # type: ignore[attr-defined]
    form = ChangePasswordForm(user_inputs=[user.email, user.display_name, user.organisation])
    if form.validate_on_submit():
        if user.check_password(form.current_password.data):
            service.change_password(db.session, user, form.password.data)
            db.session.commit()
            _stay_signed_in(user)
            flash("Your password has been changed. You have been signed out on every other "
                  "device and browser.", "success")
            return redirect(url_for("auth.profile"))
        form.current_password.errors.append("Your current password is not correct")
    return render_template("auth/change_password.html", form=form)
