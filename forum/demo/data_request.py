"""Demo: Claire has asked for a copy of her data, so signing in as her shows the flow; and
the admin has asked for a copy of Dev's (a subject access request), shown on his admin page.

Each request waits; the first look at Claire's *Download your data* page, or at Dev's admin
page, wakes the web process's worker, which makes the file (or `flask --app forum
data-exports run` does).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from forum.models import DataExport
from forum.models import User
from forum.people import exports

ASKING = "claire"
SUBJECT = "dev"      # the admin answers his subject access request


def ensure_demo_data_request(session: Session, users: dict[str, User], now: datetime) -> int:
    """Claire's request, unless she has one (of any state) already; returns how many made."""
    user = users[ASKING]
    if session.scalar(select(DataExport.id).where(DataExport.user_id == user.id)) is not None:
        return 0
    exports.request_export(session, user, now)
    subject = users[SUBJECT]
    exports.request_admin_copy(session, users["admin"], subject, now)
    return 1
