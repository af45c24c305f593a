"""Accounts: signing in and out, sign-up, passwords, profiles and accepting invitations."""

from flask import Blueprint
from flask.blueprints import BlueprintSetupState

bp = Blueprint("auth", __name__)

from forum.auth import invitation_views  # noqa: E402,F401
from forum.auth import views  # noqa: E402


@bp.record_once
def _keep_posts_when_sign_in_expires(state: BlueprintSetupState) -> None:
    """Answer a signed-out POST with a sign-in page that keeps what was written."""
    from forum.extensions import login_manager

    login_manager.unauthorized_handler(views.unauthorized)
    state.app.before_request(views.sign_in_before_posting)
