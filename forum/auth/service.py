"""Accounts: look-up, sign-in checks, creation, and the signed links sent by email.

Signed links (sign-up and password reset) are itsdangerous tokens; nothing about them is stored.
A reset token carries a fingerprint of the current password hash, so it stops working as soon
as the password changes, which makes it single-use.
"""

from __future__ import annotations

import hashlib
from functools import cache
from typing import Any

from flask import current_app
from itsdangerous import BadSignature
from itsdangerous import URLSafeTimedSerializer
from sqlalchemy import bindparam
from sqlalchemy import func
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.util import identity_key
from werkzeug.security import check_password_hash
from werkzeug.security import generate_password_hash

from forum import organisations
from forum import outbox
from forum.auth import throttle
from forum.auth.invitations import normalise_email
from forum.extensions import db
from forum.mail import render_email
from forum.models import QueuedEmail
from forum.models import User
from forum.routing import MAX_URL_INT
from forum.urls import external_url

SIGN_UP_SALT = "sign-up"
PASSWORD_RESET_SALT = "password-reset"


class AccountExistsError(Exception):
    """An account with that email address already exists."""


ACCOUNT_EXISTS = ("You already have an account. Sign in, or reset your password if you have "
                  "forgotten it.")


def load_user(session_id: str) -> User | None:
    """Flask-Login's user loader, for the session and the remember-me cookie alike.

    ``session_id`` is what :meth:`User.get_id` gave at sign-in (``id:version``). Once the user's
    session version has moved on (signed out, password changed or reset, account disabled), the
    old value no longer loads anyone, so that session or cookie is signed out at its next request.
    """
    user_id, _, version = str(session_id).partition(":")
    try:
        user_number, version_number = int(user_id), int(version)
    except ValueError:
        return None
    if not 0 < user_number <= MAX_URL_INT:
        return None
    user = _signed_in_user(user_number)
    if user is None or user.is_disabled or user.session_version != version_number:
        return None
    return user


@cache
def _user_statement():
    """The signed-in user's row by id, built once per process (parameter ``user_id``)."""
    return select(User).where(User.id == bindparam("user_id"))


def _signed_in_user(user_id: int) -> User | None:
    """What ``session.get(User, user_id)`` gives, cheaper: the user is looked up once a
    request, where ``get`` builds its statement each time (about 0.4 ms)."""
    known = db.session.identity_map.get(identity_key(User, user_id))
    if known is not None:
        return db.session.get(User, user_id)  # refreshed by get if it was expired
    return db.session.execute(_user_statement(), {"user_id": user_id}).scalar_one_or_none()


def find_user_by_email(session: Session, email: str) -> User | None:
    return session.scalar(select(User).where(func.lower(User.email) == normalise_email(email)))


@cache
def _dummy_hash() -> str:
    return generate_password_hash("not a real password")


def authenticate(session: Session, email: str, password: str) -> User | None:
    """The active user with this email and password, else ``None`` (whatever the reason)."""
    user = find_user_by_email(session, email)
    if user is None:
        # Spend the same time as a real check so timing does not reveal who has an account.
        check_password_hash(_dummy_hash(), password)
        return None
    if not user.check_password(password) or user.is_disabled:
        return None
    return user


def create_account(session: Session, *, email: str, display_name: str, organisation: str,
                   password: str) -> User:
    email = normalise_email(email)
    if find_user_by_email(session, email) is not None:
        raise AccountExistsError(email)
    user = User(email=email, display_name=display_name, organisation=organisation)
    user.set_password(password)
    organisations.link(session, user)
    try:
        with session.begin_nested():
            session.add(user)
    except IntegrityError as error:  # the same address signed up at the same moment
        raise AccountExistsError(email) from error
    return user


def change_password(session: Session, user: User, new_password: str) -> None:
    """Set a new password and end every session and remember-me cookie issued before it."""
    user.set_password(new_password)
    user.end_sessions()
    throttle.forget_failures(session, user.email)


# --- signed links --------------------------------------------------------

def _serializer(salt: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.secret_key, salt=salt)


def _password_fingerprint(user: User) -> str:
    return hashlib.sha256(user.password_hash.encode("utf-8")).hexdigest()[:16]


def make_password_reset_token(user: User) -> str:
    return _serializer(PASSWORD_RESET_SALT).dumps(
        {"user": user.id, "fp": _password_fingerprint(user)})


def user_for_password_reset_token(session: Session, token: str) -> User | None:
    """The user a valid, unexpired, unused reset token belongs to, else ``None``."""
    try:
        data: Any = _serializer(PASSWORD_RESET_SALT).loads(
            token, max_age=int(current_app.config["PASSWORD_RESET_MAX_AGE"]))
    except BadSignature:  # includes SignatureExpired
        return None
    if not isinstance(data, dict):
        return None
    try:
        user = session.get(User, int(data.get("user")))
    except (TypeError, ValueError):
        return None
    if user is None or user.is_disabled or data.get("fp") != _password_fingerprint(user):
        return None
    return user


def make_sign_up_token(email: str) -> str:
    return _serializer(SIGN_UP_SALT).dumps({"email": normalise_email(email)})


def email_for_sign_up_token(token: str) -> str | None:
    max_age = int(current_app.config["SIGN_UP_MAX_AGE"])
    try:
        data: Any = _serializer(SIGN_UP_SALT).loads(token, max_age=max_age)
    except BadSignature:
        return None
    email = data.get("email") if isinstance(data, dict) else None
    return email if isinstance(email, str) and email else None


# --- emails --------------------------------------------------------------
# Queued in the request's transaction and composed when sent (forum.outbox), so the link is
# fresh, never stored, and the request does the same work whether or not the address has an
# account: the page cannot reveal who has one, by its words or by its time.

PASSWORD_RESET_KIND = "password_reset"
SIGN_UP_KIND = "sign_up"


def queue_password_reset_email(session: Session, email: str) -> None:
    """Queue a reset link for whoever has this address (sent only if it has an active account)."""
    outbox.queue_email(session, kind=PASSWORD_RESET_KIND, to=normalise_email(email))


def queue_sign_up_email(session: Session, email: str) -> None:
    """Queue a link to finish signing up, or, if the address has an account by then, a reminder."""
    outbox.queue_email(session, kind=SIGN_UP_KIND, to=normalise_email(email))


def _compose_password_reset(session: Session, row: QueuedEmail,
                            _user: User | None) -> outbox.Composed:
    user = find_user_by_email(session, row.to_address)
    if user is None or user.is_disabled:
        raise outbox.NothingToSend("No active account uses this address.")
    minutes = int(current_app.config["PASSWORD_RESET_MAX_AGE"]) // 60
    text_body, html_body = render_email(
        "password_reset", user=user, minutes=minutes,
        url=external_url("auth.reset_password", token=make_password_reset_token(user)))
    return f"Reset your {current_app.config['SITE_NAME']} password", text_body, html_body


def _compose_sign_up(session: Session, row: QueuedEmail, _user: User | None) -> outbox.Composed:
    site_name = current_app.config["SITE_NAME"]
    user = find_user_by_email(session, row.to_address)
    if user is not None:
        text_body, html_body = render_email(
            "sign_up_existing", user=user, sign_in_url=external_url("auth.sign_in"),
            reset_url=external_url("auth.forgot_password"))
        return f"You already have a {site_name} account", text_body, html_body
    hours = int(current_app.config["SIGN_UP_MAX_AGE"]) // 3600
    text_body, html_body = render_email(
        "sign_up", hours=hours,
        url=external_url("auth.finish_sign_up", token=make_sign_up_token(row.to_address)))
    return f"Finish creating your {site_name} account", text_body, html_body


outbox.register_preparer(PASSWORD_RESET_KIND, _compose_password_reset)
outbox.register_preparer(SIGN_UP_KIND, _compose_sign_up)
