"""Per-viewer statements built once per process, with the viewer's id as a bound parameter.

The header's counts (waiting items, unread notifications) are asked on every page a signed-in
person opens; building their statements from the permission filters cost more than running
them. The filters read a user's flags in Python (admin? network coordinator?) and put the
user's id in SQL, so a statement is built once per set of flags, for a stand-in viewer whose
``id`` is the parameter ``viewer_id``, and run with each viewer's id. The stand-in has no
other attribute: a filter that starts reading one fails loudly instead of being shared.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any
from typing import TypeVar

from sqlalchemy import Integer
from sqlalchemy import bindparam

from forum.permissions.roles import AnyUser
from forum.permissions.roles import is_admin
from forum.permissions.roles import is_network_coordinator

Statement = TypeVar("Statement")

VIEWER_ID = bindparam("viewer_id", type_=Integer)


class ViewerShape:
    """A signed-in viewer as the permission filters see them, minus who they are."""

    __slots__ = ("is_admin", "is_network_coordinator")
    is_authenticated = True
    is_anonymous = False
    is_active = True
    id = VIEWER_ID

    def __init__(self, admin: bool, coordinator: bool) -> None:
        self.is_admin = admin
        self.is_network_coordinator = coordinator


_built: dict[tuple[Any, bool, bool], Any] = {}
_lock = threading.Lock()


def for_viewer(build: Callable[[Any], Statement], user: AnyUser) -> tuple[Statement,
                                                                          dict[str, int]]:
    """``build(user)`` for a signed-in ``user``, built once per process and flags, and the
    parameters to run it with."""
    shape = (build, is_admin(user), is_network_coordinator(user))
    statement = _built.get(shape)
    if statement is None:
        with _lock:
            statement = _built.get(shape)
            if statement is None:
                statement = _built[shape] = build(ViewerShape(shape[1], shape[2]))
    return statement, {"viewer_id": user.id}
