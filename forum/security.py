"""HTTP-level protection set up in one place: security headers, trusted proxies, limiter storage.

* Every response carries a Content-Security-Policy without ``'unsafe-inline'`` (the one inline
  script, GOV.UK Frontend's ``js-enabled`` line, carries a per-request nonce), frame-ancestors
  and X-Frame-Options against framing, X-Content-Type-Options and a Referrer-Policy, set by
  flask-talisman. HSTS is sent when ``PUBLIC_BASE_URL`` is https.
* A page drawn for a signed-in person is theirs alone: ``Cache-Control: private, no-store``
  unless the view said otherwise, so neither a shared cache nor the browser keeps it (on a
  shared computer, Back after signing out would show a moderator's queue from the cache).
* ``X-Forwarded-For``/``-Proto`` are believed only from ``TRUSTED_PROXY_COUNT`` proxies, so the
  rate limits count the real client address and nobody can pick one by sending the header.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Flask
from flask import Response
from flask import g
from flask_talisman import Talisman
from werkzeug.middleware.proxy_fix import ProxyFix

CONTENT_SECURITY_POLICY = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": "'self'",
    "font-src": "'self'",
    "connect-src": "'self'",
    "object-src": "'none'",
    "base-uri": "'none'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
}

# For SVG images drawn on the server (charts): pygal styles them with a <style> element, and
# an image runs no script, so inline styles are allowed there and nothing else is.
SVG_IMAGE_POLICY = {
    "default-src": "'none'",
    "style-src": "'unsafe-inline'",
    "frame-ancestors": "'none'",
}

# For uploaded files (forum.files): nothing in one may load or run anything, or be framed.
UPLOADED_FILE_POLICY = {
    "default-src": "'none'",
    "frame-ancestors": "'none'",
    "sandbox": "",
}

MEMORY_STORAGE_WARNING = (
    "RATELIMIT_STORAGE_URI is memory://: each worker process keeps its own count of sign-in "
    "attempts per address, so with several workers (gunicorn --workers N) the limit is N times "
    "weaker. That is fine for a single process; otherwise set FORUM_REDIS_URL (e.g. "
    "redis://127.0.0.1:6379/0) so every worker shares one count.")


def uses_https(app: Flask) -> bool:
    return str(app.config["PUBLIC_BASE_URL"]).lower().startswith("https://")


def init_app(app: Flask) -> None:
    proxies = int(app.config["TRUSTED_PROXY_COUNT"])
    if proxies > 0:
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            app.wsgi_app, x_for=proxies, x_proto=proxies)

    https = uses_https(app)
    # One Talisman per app (not one at import): it keeps its options and its app on itself, so
    # a shared instance would give every app the options of the last one created.
    app.extensions["talisman"] = Talisman(
        app,
        # Behind a proxy that terminates TLS, the proxy redirects to https; in development
        # and tests there is no https at all.
        force_https=https and proxies == 0 and not (app.debug or app.testing),
        strict_transport_security=https,
        strict_transport_security_include_subdomains=False,
        session_cookie_secure=https,
        session_cookie_samesite=app.config["SESSION_COOKIE_SAMESITE"],
        frame_options="DENY",
        content_security_policy=CONTENT_SECURITY_POLICY,
        content_security_policy_nonce_in=["script-src"],
        referrer_policy="same-origin",
    )

    app.after_request(_keep_signed_in_pages_private)

    storage = str(app.config["RATELIMIT_STORAGE_URI"])
    # A development server (debug, forum-quickstart) is one process: nothing to share.
    if storage.startswith("memory://") and not (app.debug or app.testing
                                                 or app.config["DEVELOPMENT"]):
        _warn_once_when_serving(app)


def _keep_signed_in_pages_private(response: Response) -> Response:
    """``private, no-store`` on what was drawn for a signed-in person, unless the view set its
    own Cache-Control (guide files revalidate with an ETag; uploads set theirs). A response
    that never looked up who is signed in (static files, the health check) does not depend on
    it and is left alone, at no cost of a query."""
    user = g.get("_login_user")
    if (user is not None and user.is_authenticated
            and "Cache-Control" not in response.headers):
        response.headers["Cache-Control"] = "private, no-store"
    return response


def svg_image(view: Callable[..., Any]) -> Callable[..., Any]:
    """Serve the view's SVG under :data:`SVG_IMAGE_POLICY` instead of the page policy."""
    view.talisman_view_options = {  # type: ignore[attr-defined]
        "content_security_policy": SVG_IMAGE_POLICY,
        "content_security_policy_nonce_in": [],
    }
    return view


def uploaded_file(view: Callable[..., Any]) -> Callable[..., Any]:
    """Serve the view's files under :data:`UPLOADED_FILE_POLICY` instead of the page policy."""
    view.talisman_view_options = {  # type: ignore[attr-defined]
        "content_security_policy": UPLOADED_FILE_POLICY,
        "content_security_policy_nonce_in": [],
    }
    return view


def _warn_once_when_serving(app: Flask) -> None:
    """Log the in-memory limiter warning once per process, as it starts serving requests.

    Not at import: ``flask init-db`` or the every-minute ``send-pending`` cron job would print
    it each time (and cron mails whatever a job prints).
    """
    warned = False

    @app.before_request
    def warn_about_memory_storage() -> None:
        nonlocal warned
        if not warned:
            warned = True
            app.logger.warning(MEMORY_STORAGE_WARNING)
