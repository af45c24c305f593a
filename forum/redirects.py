"""Where a ``next`` value may send the browser: only a path on this site.

Every view that reads a ``next`` (a query argument or a hidden field) asks :func:`safe_next`.
Browsers drop tabs and newlines inside a URL and read ``\\`` as ``/``, so ``/<tab>/evil.example``
or ``/\\evil.example`` is another site to them even though it starts with one ``/``.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from werkzeug.urls import iri_to_uri

# A path we generate is far shorter; anything longer is not ours.
MAX_NEXT_LENGTH = 2000


def is_safe_next(target: str | None) -> bool:
    """Only a path on this site: never another host, scheme or protocol-relative address."""
    if not target or len(target) > MAX_NEXT_LENGTH:
        return False
    if not target.startswith("/") or target.startswith(("//", "/\\")):
        return False
    if "\\" in target or any(ord(ch) < 32 or ord(ch) == 127 for ch in target):
        return False
    if any(ch.isspace() for ch in target):
        return False
    parts = urlsplit(target)
    return not parts.scheme and not parts.netloc


def safe_next(target: str | None, default: str) -> str:
    """``target`` as a URI fit for a Location header when it is safe, else ``default``."""
    return iri_to_uri(target) if target is not None and is_safe_next(target) else default


def only_safe_next(value: object) -> str:
    """A WTForms filter for hidden ``next`` fields: an unsafe value becomes empty."""
    return value if isinstance(value, str) and is_safe_next(value) else ""
