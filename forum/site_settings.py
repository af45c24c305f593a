"""Site-wide settings an admin changes at run time, stored in the ``site_settings`` table."""

from __future__ import annotations

from sqlalchemy.orm import Session

from forum.extensions import added_unless_made_meanwhile
from forum.models import SiteSetting

OPEN_SIGNUP = "open_signup"


def get_bool(session: Session, key: str, default: bool = False) -> bool:
    setting = session.get(SiteSetting, key)
    return default if setting is None else setting.value == "true"


def _stored(session: Session, key: str) -> SiteSetting | None:
    return session.get(SiteSetting, key)


def set_bool(session: Session, key: str, value: bool) -> None:
    text = "true" if value else "false"
    setting = _stored(session, key)
    if setting is None:
        if added_unless_made_meanwhile(session, SiteSetting(key=key, value=text)):
            return
        setting = session.get_one(SiteSetting, key)
    setting.value = text


def open_signup_enabled(session: Session) -> bool:
    return get_bool(session, OPEN_SIGNUP)
