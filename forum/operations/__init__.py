"""Running the forum in production: the health check, request logging, backups."""

from flask import Blueprint

bp = Blueprint("operations", __name__)

from forum.operations import views  # noqa: E402,F401
