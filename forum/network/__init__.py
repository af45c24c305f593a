"""The network around the sets: who takes part."""

from flask import Blueprint

bp = Blueprint("network", __name__)

from forum.network import views  # noqa: E402,F401
