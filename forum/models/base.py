"""Shared column helpers for models."""

from __future__ import annotations

import enum
from datetime import UTC
from datetime import datetime

from sqlalchemy import Connection
from sqlalchemy import Enum
from sqlalchemy import Index
from sqlalchemy import Table
from sqlalchemy import event
from sqlalchemy import text


def utcnow() -> datetime:
    """Naive UTC 'now': every timestamp is stored as naive UTC on SQLite and PostgreSQL alike."""
    return datetime.now(UTC).replace(tzinfo=None)


def str_enum(enum_cls: type[enum.Enum], length: int = 16) -> Enum:
    """A portable enum column: VARCHAR holding the member's value, on every database."""
    return Enum(enum_cls, native_enum=False, length=length,
                values_callable=lambda e: [m.value for m in e])


def partial_index(name: str, *columns: str, where: str, unique: bool = False) -> Index:
    """An index over only the rows matching ``where`` (SQL), on SQLite and PostgreSQL alike.

    The condition reaches the database in use when the table is created
    (:func:`_give_partial_index_conditions`), not here: writing ``postgresql_where=`` in a model
    makes SQLAlchemy import its PostgreSQL dialect to check the argument, 2 MiB in every worker
    of a site on SQLite (issue 16). The migrations name both databases' conditions themselves.
    """
    index = Index(name, *columns, unique=unique)
    index.info["where"] = where
    return index


@event.listens_for(Table, "before_create")
def _give_partial_index_conditions(table: Table, connection: Connection, **_: object) -> None:
    dialect = connection.dialect.name
    if dialect not in ("sqlite", "postgresql"):
        return
    for index in table.indexes:
        if "where" in index.info:
            index.dialect_kwargs[f"{dialect}_where"] = text(index.info["where"])


@event.listens_for(Index, "before_create")
def _give_partial_index_condition(index: Index, connection: Connection, **_: object) -> None:
    """The same for an index made on its own (``Index.create``: bench/seed.py's bulk load
    drops and remakes the posts' indexes), which no table's creation precedes."""
    dialect = connection.dialect.name
    if dialect in ("sqlite", "postgresql") and "where" in index.info:
        index.dialect_kwargs[f"{dialect}_where"] = text(index.info["where"])
