"""Absolute addresses for things that leave the site: emails and exported files.

Pages link within the site with plain ``url_for`` (relative to the site). Only what is read
elsewhere (an email, a downloaded file) needs the public base address, and that must never come
from the ``Host`` header of a request, which a visitor controls (a password-reset link could then
point at their site). The base is, in order:

1. ``PUBLIC_BASE_URL`` when configured (production must set it; ``forum-quickstart --port``
   sets it to the address it serves);
2. in development, the address the Werkzeug development server is actually bound to (from its
   socket, not from the request), remembered from the first request it serves;
3. ``http://127.0.0.1:5000``, Flask's default development address.
"""

from __future__ import annotations

from typing import Any

from flask import Flask
from flask import current_app
from flask import request

FALLBACK_BASE_URL = "http://127.0.0.1:5000"
SERVED_BASE_KEY = "forum.served_base_url"
_ANY_ADDRESS = {"0.0.0.0", "::", ""}


def public_base_url(app: Flask | None = None) -> str:
    """The public base address, without a trailing slash."""
    app = app or current_app._get_current_object()  # type: ignore[attr-defined]
    configured = app.config.get("PUBLIC_BASE_URL")
    if configured:
        return str(configured).rstrip("/")
    return str(app.extensions.get(SERVED_BASE_KEY) or FALLBACK_BASE_URL)


def external_url(endpoint: str, **values: Any) -> str:
    """The absolute address of ``endpoint`` under :func:`public_base_url`.

    Works inside a request, in a background sender and from the command line alike; an
    ``_anchor`` value becomes the fragment.
    """
    anchor = values.pop("_anchor", None)
    adapter = current_app.url_map.bind("localhost", script_name="/")
    path = adapter.build(endpoint, values, force_external=False)
    return public_base_url() + path + (f"#{anchor}" if anchor else "")


def _remember_served_address() -> None:
    """Development only: remember where the Werkzeug server listens (its socket, not Host)."""
    environ = request.environ
    if not str(environ.get("SERVER_SOFTWARE", "")).startswith("Werkzeug/"):
        return
    host = str(environ.get("SERVER_NAME", ""))
    host = "127.0.0.1" if host in _ANY_ADDRESS else host
    if ":" in host:  # an IPv6 address
        host = f"[{host}]"
    scheme = environ.get("wsgi.url_scheme", "http")
    current_app.extensions[SERVED_BASE_KEY] = f"{scheme}://{host}:{environ.get('SERVER_PORT')}"


def init_app(app: Flask) -> None:
    """Follow the development server's real port while ``PUBLIC_BASE_URL`` is not set, and let
    templates say where files that leave the site will point (``public_base_url()``)."""
    app.jinja_env.globals["public_base_url"] = public_base_url

    @app.before_request
    def _follow_served_port() -> None:
        if (SERVED_BASE_KEY not in current_app.extensions
                and not current_app.config.get("PUBLIC_BASE_URL")):
            _remember_served_address()
