from __future__ import annotations

from flask import render_template

from forum.main import bp


@bp.get("/")
def index():
    return render_template("main/index.html")
