"""A set's Actions page and the facilitator's participation page (with its two charts)."""

from __future__ import annotations

from flask import Response
from flask import abort
from flask import make_response
from flask import render_template
from flask import request
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from forum import permissions
from forum.actions import bp
from forum.actions import service
from forum.actions.forms import ActionFilterForm
from forum.actions.participation import KIND_LABELS
from forum.actions.participation import Participation
from forum.actions.participation import duration
from forum.actions.participation import participation as participation_numbers
from forum.actions.states import uk_today
from forum.extensions import db
from forum.extensions import login_manager
from forum.loading import load_visible_set
from forum.models import LearningSet
from forum.security import svg_image


@bp.get("/sets/<slug>/actions")
def index(slug: str):
    learning_set = load_visible_set(slug)
    today = uk_today()
    holders = service.holders_in(db.session, current_user, learning_set)
    form = ActionFilterForm(request.args)
    form.holder.choices = [SelectChoice("", "All members")] + [
        SelectChoice(str(holder_id), name) for holder_id, name in holders]
    holder_id = form.chosen_holder({holder_id for holder_id, _ in holders})
    status = form.chosen_status()
    form.holder.data = str(holder_id) if holder_id is not None else ""
    form.status.data = status.value if status is not None else ""
    rows = service.set_actions(db.session, current_user, learning_set, today=today,
                               holder_id=holder_id, status=status)
    return render_template("actions/index.html", learning_set=learning_set, rows=rows,
                           filter_form=form, filtered=holder_id is not None or status is not None,
                           today=today)


def _load_for_facilitator(slug: str) -> LearningSet:
    """The set, for someone who may see its participation: 404 if they cannot read the set,
    the sign-in page for anonymous visitors, otherwise 403."""
    learning_set = load_visible_set(slug)
    if not permissions.can_view_participation(current_user, learning_set):
        if not permissions.is_signed_in(current_user):
            abort(make_response(login_manager.unauthorized()))
        abort(403)
    return learning_set


@bp.get("/sets/<slug>/participation")
def participation(slug: str):
    learning_set = _load_for_facilitator(slug)
    numbers = participation_numbers(db.session, learning_set)
    return render_template("actions/participation.html", learning_set=learning_set,
                           numbers=numbers, kind_labels=KIND_LABELS, duration=duration)


def _svg(body: bytes) -> Response:
    response = Response(body, mimetype="image/svg+xml")
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.get("/sets/<slug>/participation/posts.svg")
@svg_image
def posts_chart(slug: str):
    learning_set = _load_for_facilitator(slug)
    from forum.actions import chart  # pygal and lxml: only the charts need them

    return _svg(chart.posts_chart(_numbers(learning_set)))


@bp.get("/sets/<slug>/participation/waits.svg")
@svg_image
def waits_chart(slug: str):
    learning_set = _load_for_facilitator(slug)
    from forum.actions import chart

    return _svg(chart.waits_chart(_numbers(learning_set)))


def _numbers(learning_set: LearningSet) -> Participation:
    return participation_numbers(db.session, learning_set)
