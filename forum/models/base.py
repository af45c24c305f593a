"""Shared column helpers for models."""

from __future__ import annotations

import enum
from datetime import UTC
from datetime import datetime

from sqlalchemy import Enum


def utcnow() -> datetime:
    """Naive UTC 'now': every timestamp is stored as naive UTC on SQLite and PostgreSQL alike."""
    return datetime.now(UTC).replace(tzinfo=None)


def str_enum(enum_cls: type[enum.Enum], length: int = 16) -> Enum:
    """A portable enum column: VARCHAR holding the member's value, on every database."""
    return Enum(enum_cls, native_enum=False, length=length,
                values_callable=lambda e: [m.value for m in e])
