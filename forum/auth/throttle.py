"""A growing delay after repeated failed sign-ins for one email address.

The count lives in the database, so every worker process (and machine) sees the same one: an
in-memory count per worker let 29 of 60 attempts through against three workers. Each attempt
is counted *before* the password is checked, in one short transaction, so attempts racing in
parallel cannot all slip in before the first failure is recorded. After
``SIGN_IN_FREE_ATTEMPTS`` attempts without a success, the next attempt must wait
``SIGN_IN_FIRST_DELAY`` seconds, doubling with each further attempt up to ``SIGN_IN_MAX_DELAY``:
a delay anyone could cause, but never a long lock-out. A correct password resets the count; a
password reset by email clears it too.

Rows are keyed by a keyed hash of the normalised address, and unknown addresses are counted
exactly like real ones, so the delay does not tell anyone who has an account.
"""

from __future__ import annotations

import hashlib
import hmac
import importlib
from datetime import datetime
from datetime import timedelta

from flask import current_app
from sqlalchemy import case
from sqlalchemy import delete
from sqlalchemy import insert
from sqlalchemy import or_
from sqlalchemy import select
from sqlalchemy import update
from sqlalchemy.orm import Session

from forum.auth.invitations import normalise_email
from forum.models import SignInThrottle
from forum.models import utcnow

# Failures older than this are forgotten, so occasional typos never add up to a delay.
FORGET_AFTER = timedelta(hours=24)

_table = SignInThrottle.__table__
_columns = _table.c


def throttle_key(email: str) -> str:
    """A keyed hash of the address: the table never holds anyone's email address."""
    secret = str(current_app.secret_key).encode("utf-8")
    return hmac.new(secret, normalise_email(email).encode("utf-8"), hashlib.sha256).hexdigest()


def delay_after(attempts: int) -> timedelta | None:
    """How long the next attempt must wait after ``attempts`` without a success."""
    config = current_app.config
    free = int(config["SIGN_IN_FREE_ATTEMPTS"])
    if attempts < free:
        return None
    seconds = float(config["SIGN_IN_FIRST_DELAY"]) * 2 ** min(attempts - free, 30)
    return timedelta(seconds=min(seconds, float(config["SIGN_IN_MAX_DELAY"])))


def _insert_if_missing(session: Session, key: str, now: datetime) -> None:
    values = {"key": key, "failures": 0, "last_attempt_at": now, "blocked_until": None}
    dialect = session.get_bind().dialect.name
    if dialect in ("postgresql", "sqlite"):
        # The dialect in use is loaded already; naming it here would load PostgreSQL's on SQLite.
        module = importlib.import_module(f"sqlalchemy.dialects.{dialect}")
        session.execute(module.insert(_table).values(**values)
                        .on_conflict_do_nothing(index_elements=["key"]))
    elif session.scalar(select(_columns.key).where(_columns.key == key)) is None:
        session.execute(insert(_table).values(**values))


def begin_attempt(session: Session, email: str, now: datetime | None = None) -> datetime | None:
    """Count a sign-in attempt before its password is checked.

    Returns ``None`` when the attempt may go ahead, else the time until which attempts for this
    address are refused (whether or not the password is right). The caller commits at once, so
    other workers see the count while this password is being checked.
    """
    now = now or utcnow()
    key = throttle_key(email)
    _insert_if_missing(session, key, now)
    attempts = session.scalar(
        update(_table)
        .where(_columns.key == key,
               or_(_columns.blocked_until.is_(None), _columns.blocked_until <= now))
        .values(failures=case((_columns.last_attempt_at < now - FORGET_AFTER, 1),
                              else_=_columns.failures + 1),
                last_attempt_at=now)
        .returning(_columns.failures))
    if attempts is None:
        return session.scalar(select(_columns.blocked_until).where(_columns.key == key))
    delay = delay_after(attempts)
    if delay is not None:
        session.execute(update(_table).where(_columns.key == key)
                        .values(blocked_until=now + delay))
    return None


def forget_failures(session: Session, email: str, now: datetime | None = None) -> None:
    """A correct password (or a password reset) starts the count again.

    Rows nobody has tried for a day are tidied away at the same time.
    """
    now = now or utcnow()
    session.execute(delete(_table).where(or_(
        _columns.key == throttle_key(email),
        (_columns.last_attempt_at < now - FORGET_AFTER)
        & or_(_columns.blocked_until.is_(None), _columns.blocked_until < now))))
