"""The site's own pages: the privacy notice and the accessibility statement."""

from flask import Blueprint

bp = Blueprint("pages", __name__)

from forum.pages import views  # noqa: E402,F401
