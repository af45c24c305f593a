"""Download my data (``/account/data``: ask, wait, download) and delete my account
(``/account/delete``)."""

from __future__ import annotations

from flask import abort
from flask import current_app
from flask import flash
from flask import jsonify
from flask import redirect
from flask import render_template
from flask import send_file
from flask import url_for
from flask_login import current_user
from flask_login import login_required
from flask_login import logout_user

from forum.extensions import db
from forum.forms import ActionForm
from forum.guides.export.storage import storage_for
from forum.models import utcnow
from forum.people import background
from forum.people import bp
from forum.people import erasure
from forum.people import exports
from forum.people.forms import REMOVE
from forum.people.forms import DeleteAccountForm
from forum.people.storage import export_storage


def _me():
    return current_user._get_current_object()  # type: ignore[attr-defined]


def _data_page(form: ActionForm, status: int = 200):
    user = _me()
    now = utcnow()
    mine = exports.exports_of(db.session, user, now)
    if mine.active is not None and exports.is_stale(mine.active, current_app.config, now):
        # The process that took it stopped, or none has yet: this one's worker takes it.
        background.wake(current_app._get_current_object(), mine.active.id)  # type: ignore[attr-defined]
    failed = mine.failed
    return render_template("people/data.html", form=form, active=mine.active,
                           ready=mine.ready, failed=failed), status


@bp.get("/account/data")
@login_required
def data():
    return _data_page(ActionForm(formdata=None))


@bp.post("/account/data")
@login_required
def prepare_data():
    """Ask for a copy: a request row now, the file made in the background (never here)."""
    form = ActionForm()
    if not form.validate_on_submit():
        return _data_page(form)
    job, new = exports.request_export(db.session, _me(), utcnow())
    db.session.commit()
    if new:
        flash("Your data is being prepared. This usually takes less than a minute.", "success")
    else:
        flash("Your data is already being prepared.", "info")
    response = redirect(url_for("people.data"))
    export_id = job.id
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    response.call_on_close(lambda: background.wake(app, export_id))
    return response


@bp.get("/account/data/<int:export_id>/status")
@login_required
def export_status(export_id: int):
    """For the page's script: whether the request is ready yet (its owner only; else 404)."""
    job = exports.owned_request(db.session, _me(), export_id)
    if job is None:
        abort(404)
    response = jsonify(state=job.state.value)
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/account/data/<int:export_id>/download")
@login_required
def download_export(export_id: int):
    """The ZIP, to its owner only: anyone else (admins too) gets 404, as for an expired one."""
    job = exports.owned_file(db.session, _me(), export_id, utcnow())
    if job is None:
        abort(404)
    path = export_storage().path(job.file_key)
    if not path.is_file():
        abort(404)
    stamp = job.started_at.strftime("%Y-%m-%d")
    response = send_file(path, mimetype="application/zip", as_attachment=True,
                         download_name=f"my-data-{stamp}.zip", max_age=0)
    response.headers["Cache-Control"] = "no-store, private"
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
