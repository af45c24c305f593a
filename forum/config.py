"""Configuration defaults.

Order of precedence (later wins): these defaults, ``instance/config.py``,
``FORUM_*`` environment variables, then the mapping passed to ``create_app``.
"""

from __future__ import annotations

from datetime import timedelta

DEFAULTS: dict[str, object] = {
    "SECRET_KEY": None,
    "SQLALCHEMY_DATABASE_URI": "sqlite:///forum.db",
    "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
    "SITE_NAME": "Learning Sets",
    "SITE_TAGLINE": "Peer learning for councils running deliberative projects",
    # Where links in emails point; overridable for deployments behind a proxy.
    "PUBLIC_BASE_URL": "http://127.0.0.1:5000",
    "REMEMBER_COOKIE_DURATION": timedelta(days=30),
    "REMEMBER_COOKIE_HTTPONLY": True,
    "REMEMBER_COOKIE_SAMESITE": "Lax",
    "SESSION_COOKIE_HTTPONLY": True,
    "SESSION_COOKIE_SAMESITE": "Lax",
    "PERMANENT_SESSION_LIFETIME": timedelta(days=14),
    "WTF_CSRF_TIME_LIMIT": 3600 * 8,
    # CSRF is checked by every form (forum.forms.BaseForm) so an expired token keeps the text.
    "WTF_CSRF_CHECK_DEFAULT": False,
    "MAX_CONTENT_LENGTH": 2 * 1024 * 1024,
    "RATELIMIT_STORAGE_URI": "memory://",
    "RATELIMIT_HEADERS_ENABLED": True,
    "SIGN_IN_RATE_LIMIT": "10 per minute;50 per hour",
    "PASSWORD_RESET_MAX_AGE": 3600,
    "INVITATION_MAX_AGE_DAYS": 14,
    "MAIL_SERVER": None,
    "MAIL_PORT": 25,
    "MAIL_USE_TLS": False,
    "MAIL_USERNAME": None,
    "MAIL_PASSWORD": None,
    "MAIL_DEFAULT_SENDER": "Learning Sets <no-reply@example.org>",
    "THREADS_PER_PAGE": 20,
    "MAX_REPLY_INDENT": 5,
    "THREAD_TITLE_MAX": 200,
    "POST_BODY_MAX": 20_000,
    # Logs go to stdout: "json" (one object a line, with a request id), "text", or "none".
    "LOG_FORMAT": "json",
    "LOG_LEVEL": "INFO",
    # One line per request; None: on, except in tests and under the development server.
    "LOG_REQUESTS": None,
}

# Environment variables that name a setting differently from Flask's own key.
ENV_ALIASES: dict[str, str] = {
    "DATABASE_URL": "SQLALCHEMY_DATABASE_URI",
    "REDIS_URL": "RATELIMIT_STORAGE_URI",
}


class ConfigurationError(RuntimeError):
    """Raised at start-up when the app cannot run safely with its settings."""
