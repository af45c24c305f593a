"""Download my data (``/account/data``) and delete my account (``/account/delete``)."""

from __future__ import annotations

from flask import Response
from flask import flash
from flask import redirect
from flask import render_template
from flask import url_for
from flask_login import current_user
from flask_login import login_required
from flask_login import logout_user

from forum.extensions import db
from forum.guides.export.storage import storage_for
from forum.models import utcnow
from forum.people import bp
from forum.people import erasure
from forum.people import export
from forum.people.forms import REMOVE
from forum.people.forms import DeleteAccountForm


def _me():
    return current_user._get_current_object()  # type: ignore[attr-defined]


@bp.get("/account/data")
@login_required
def data():
    return render_template("people/data.html")


@bp.get("/account/data/download")
@login_required
def download_data():
    """A ZIP of the signed-in person's data: only ever their own (there is no id to change)."""
    user = _me()
    personal = export.personal_data(db.session, user)
    summary = render_template("people/summary.html", data=personal)
    body = export.data_zip(personal, summary)
    stamp = utcnow().strftime("%Y-%m-%d")
    response = Response(body, mimetype="application/zip")
    response.headers["Content-Disposition"] = f'attachment; filename="my-data-{stamp}.zip"'
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/account/delete", methods=["GET", "POST"])
@login_required
def delete_account():
    user = _me()
    form = DeleteAccountForm()
    if form.validate_on_submit():
        if not user.check_password(form.password.data):
            form.password.errors.append("Your password is not correct")
        else:
            try:
                erasure.erase(db.session, storage_for(), user, by=None,
                              remove_text=form.posts.data == REMOVE)
            except erasure.ErasureError as refused:
                db.session.rollback()
                form.password.errors.append(str(refused))
            else:
                db.session.commit()
                logout_user()
                flash("Your account has been deleted. You have been signed out everywhere.",
                      "success")
                return redirect(url_for("main.index"))
    return render_template("people/delete.html", form=form)
