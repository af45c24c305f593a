"""Site-wide settings an admin changes at run time, stored in the ``site_settings`` table."""

from __future__ import annotations

from sqlalchemy.orm import Session

from forum.models import SiteSetting

OPEN_SIGNUP = "open_signup"


def get_bool(session: Session, key: str, default: bool = False) -> bool:
    setting = session.get(SiteSetting, key)
    return default if setting is None else setting.value == "true"


def set_bool(session: Session, key: str, value: bool) -> None:
    setting = session.get(SiteSetting, key)
    if setting is None:
        setting = SiteSetting(key=key)
        session.add(setting)
    setting.value = "true" if value else "false"


def open_signup_enabled(session: Session) -> bool:
    return get_bool(session, OPEN_SIGNUP)
