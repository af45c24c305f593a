"""The network's list of member organisations: who keeps it."""

from __future__ import annotations

from forum.permissions.roles import AnyUser
from forum.permissions.roles import is_admin
from forum.permissions.roles import is_network_coordinator


def can_manage_organisations(user: AnyUser) -> bool:
    """Add, change and merge organisation records: admins and the network coordinators."""
    return is_admin(user) or is_network_coordinator(user)
