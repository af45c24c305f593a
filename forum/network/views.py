"""The network members page: the organisations taking part, with how many sets they are in."""

from __future__ import annotations

from flask import render_template

from forum import organisations as records
from forum.extensions import db
from forum.network import bp


@bp.get("/network/organisations")
def organisations():
    return render_template("network/organisations.html",
                           taking_part=records.taking_part(db.session))
