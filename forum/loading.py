"""Loading a set for a view: the one place where "may not see it" becomes a 404.

Every area's pages (sets, threads, challenges, actions, meetings, guides, moderation) load
the set a URL names through here, so it sits below them all."""

from __future__ import annotations

from functools import cache
from typing import NoReturn

from flask import abort
from flask import url_for
from flask_login import current_user
from sqlalchemy import Select
from sqlalchemy import bindparam
from sqlalchemy import select

from forum import permissions
from forum.errors import Refused
from forum.extensions import db
from forum.models import LearningSet


@cache
def _set_statement(with_role: bool) -> Select:
    """The set by its slug (parameter ``slug``) and, ``with_role``, the viewer's role in it
    (parameter ``viewer_id``) as a scalar subquery: the question every set page's rules ask
    first, so it is not a query of its own. Built once per process."""
    columns: list = [LearningSet]
    if with_role:
        columns.append(permissions.role_select(bindparam("viewer_id"), LearningSet.id)
                       .scalar_subquery().label("viewer_role"))
    return select(*columns).where(LearningSet.slug == bindparam("slug"))


def load_visible_set(slug: str) -> LearningSet:
    """The set at ``slug`` if the visitor may see it; otherwise 404, whether it exists or not."""
    viewer = current_user._get_current_object()
    signed_in = permissions.is_signed_in(viewer)
    values = {"slug": slug, "viewer_id": viewer.id} if signed_in else {"slug": slug}
    row = db.session.execute(_set_statement(signed_in), values).first()
    if row is None:
        abort(404)
    learning_set = row[0]
    if signed_in:
        permissions.remember_role(viewer, learning_set, row.viewer_role)
    if not permissions.can_view_set(viewer, learning_set):
        abort(404)
    return learning_set


def set_page_link(learning_set: LearningSet) -> tuple[str, str]:
    """A refusal's way on: back to the set's page (its text and address)."""
    return (f"Go to “{learning_set.name}”", url_for("sets.show", slug=learning_set.slug))


def refuse_outsider(learning_set: LearningSet, doing: str) -> NoReturn:
    """A 403 for a signed-in reader of the set who is not (or no longer) one of its members:
    only they may ``doing`` ("bring a challenge to it"), and how to become one."""
    # Whoever reads a set they are not in may ask to join it (a private set is not read).
    raise Refused(f"Only members of “{learning_set.name}” can {doing}, and you are not a "
                  "member of it. You can ask to join it from its page.",
                  set_page_link(learning_set))
