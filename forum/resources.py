"""Where the app's own files are: templates, static files and migrations at the top of a
checkout, or the copies inside the wheel; and the default instance folder."""

from __future__ import annotations

import os
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
CHECKOUT_DIR = PACKAGE_DIR.parent


def resource_dir(name: str) -> str:
    """Top-level ``templates``/``static``/``migrations`` in a checkout, else the copy inside
    the wheel."""
    in_checkout = CHECKOUT_DIR / name
    return str(in_checkout if in_checkout.is_dir() else PACKAGE_DIR / name)


def default_instance_path() -> str:
    return os.environ.get("FORUM_INSTANCE_PATH") or str(CHECKOUT_DIR / "instance")
