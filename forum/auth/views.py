"""STUB: replaced by the auth work."""
from __future__ import annotations

from forum.auth import bp


@bp.route("/sign-in", methods=["GET", "POST"])
def sign_in():
    return "sign in"


@bp.post("/sign-out")
def sign_out():
    return "signed out"


@bp.route("/account/profile", methods=["GET", "POST"])
def profile():
    return "profile"


@bp.route("/invitations/<token>", methods=["GET", "POST"])
def accept_invitation(token: str):
    return "invitation"
