"""The home page: your sets when signed in, what the forum is (and public sets) otherwise."""

from __future__ import annotations

from flask import render_template
from flask_login import current_user

from forum import permissions
from forum.actions.service import open_actions_of
from forum.actions.states import uk_today
from forum.extensions import db
from forum.main import bp
from forum.sets import service as sets_service


@bp.get("/")
def index():
    if permissions.is_signed_in(current_user):
        return render_template("main/home.html",
                               mine=sets_service.sets_of(db.session, current_user),
                               my_actions=open_actions_of(db.session, current_user,
                                                          today=uk_today()))
    return render_template("main/index.html",
                           public_sets=sets_service.other_readable_sets(db.session, None))
