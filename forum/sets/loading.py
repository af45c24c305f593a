"""Loading a set for a view: the one place where "may not see it" becomes a 404."""

from __future__ import annotations

from flask import abort
from flask_login import current_user
from sqlalchemy import select

from forum import permissions
from forum.extensions import db
from forum.models import LearningSet


def load_visible_set(slug: str) -> LearningSet:
    """The set at ``slug`` if the visitor may see it; otherwise 404, whether it exists or not."""
    learning_set = db.session.scalar(select(LearningSet).where(LearningSet.slug == slug))
    if learning_set is None or not permissions.can_view_set(current_user, learning_set):
        abort(404)
    return learning_set
