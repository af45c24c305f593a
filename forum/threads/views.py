"""STUB: replaced by the threads work."""
from __future__ import annotations

from forum.threads import bp  # noqa: F401
