from flask import Blueprint

bp = Blueprint("sets", __name__)

from forum.sets import join_views  # noqa: E402,F401
from forum.sets import views  # noqa: E402,F401
