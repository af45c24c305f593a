"""Configuration defaults.

Order of precedence (later wins): these defaults, ``instance/config.py``,
``FORUM_*`` environment variables, then the mapping passed to ``create_app``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from collections.abc import MutableMapping
from datetime import timedelta
from typing import Any

from flask.cli import NoAppException

DEFAULTS: dict[str, object] = {
    "SECRET_KEY": None,
    "SQLALCHEMY_DATABASE_URI": "sqlite:///forum.db",
    "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
    "SITE_NAME": "Learning Sets",
    "SITE_TAGLINE": "Peer learning for councils running deliberative projects",
    # Named in the privacy notice and accessibility statement: who runs the site, and where to
    # write (a request for one's data, an accessibility problem).
    "SITE_OPERATOR": None,
    "CONTACT_EMAIL": None,
    # Retention: `flask --app forum retention` deletes what is older than these (in days).
    "NOTIFICATION_RETENTION_DAYS": 180,
    "OUTBOX_RETENTION_DAYS": 30,
    "INVITATION_RETENTION_DAYS": 30,
    # A made data download ("Download my data") is deleted this many days after it is made.
    "DATA_EXPORT_RETENTION_DAYS": 7,
    # Where links in emails and exported files point, e.g. "https://sets.example.org". Set it in
    # production. Unset, development follows the port actually served (forum.urls).
    "PUBLIC_BASE_URL": None,
    # Set by forum-quickstart: a local development server, where a loopback PUBLIC_BASE_URL is
    # expected (publishing a guide refuses one otherwise).
    "DEVELOPMENT": False,
    # The network named as a guide's publisher after its set; SITE_NAME when unset.
    "GUIDE_PUBLISHER": None,
    # Where published guides' PDF, DOCX and ODT files are kept; <instance>/guide-files if unset.
    "GUIDE_FILES_DIR": None,
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
    # Uploaded files (forum.files): the folder (<instance>/uploads if unset), the largest file,
    # and how far an office document may unpack or an image's pixels go before it is refused.
    "UPLOAD_FOLDER": None,
    "UPLOAD_MAX_BYTES": 20 * 1024 * 1024,
    "UPLOAD_MAX_FILES": 5,
    "UPLOAD_MAX_UNPACKED_BYTES": 200 * 1024 * 1024,
    "UPLOAD_MAX_PIXELS": 50_000_000,
    # The largest request a form with files reads (4 files' worth over the limit if unset).
    "UPLOAD_REQUEST_MAX_BYTES": None,
    "RATELIMIT_STORAGE_URI": "memory://",
    # Redis down: count in this process until it answers again, rather than refuse sign-ins.
    "RATELIMIT_IN_MEMORY_FALLBACK_ENABLED": True,
    "RATELIMIT_HEADERS_ENABLED": True,
    "SIGN_IN_RATE_LIMIT": "10 per minute;50 per hour",
    # Requests to join the network (/network/): per IP address, and per email address asked for.
    "NETWORK_REQUEST_RATE_LIMIT": "10 per hour",
    "NETWORK_REQUEST_EMAIL_RATE_LIMIT": "3 per hour",
    # A request sent sooner than this many seconds after the form was shown is a robot's.
    "NETWORK_REQUEST_MIN_SECONDS": 3,
    # Per email address, counted in the database (forum.auth.throttle): after this many attempts
    # without a success, each further attempt waits, from the first delay doubling to the most.
    "SIGN_IN_FREE_ATTEMPTS": 5,
    "SIGN_IN_FIRST_DELAY": 5,
    "SIGN_IN_MAX_DELAY": 900,
    # How many proxies in front of the app append X-Forwarded-For/-Proto (0: trust none).
    "TRUSTED_PROXY_COUNT": 0,
    # Seconds: giving up on reaching the database, and on one statement (PostgreSQL) or on a
    # locked database (SQLite). Below gunicorn's 30 s, so a stuck database gets a 503 page.
    "DATABASE_CONNECT_TIMEOUT": 5,
    "DATABASE_STATEMENT_TIMEOUT": 15,
    "PASSWORD_RESET_MAX_AGE": 3600,
    # Seconds an emailed sign-up link works (open sign-up, /sign-up).
    "SIGN_UP_MAX_AGE": 24 * 3600,
    "INVITATION_MAX_AGE_DAYS": 14,
    # How long the "stop following this thread" link in a notification email works.
    "UNFOLLOW_LINK_DAYS": 90,
    "MAIL_SERVER": None,
    "MAIL_PORT": 25,
    "MAIL_USE_TLS": False,
    "MAIL_USERNAME": None,
    "MAIL_PASSWORD": None,
    "MAIL_DEFAULT_SENDER": "Learning Sets <no-reply@example.org>",
    "MAIL_TIMEOUT": 10,  # seconds to wait for the mail server before retrying later
    # Send queued email from a thread of the web process (None: on, except under TESTING);
    # `flask notifications send-pending` from cron sends whatever it leaves.
    "MAIL_SEND_IN_BACKGROUND": None,
    "MAIL_RETRY_INTERVAL": 60,  # seconds between the background sender's looks for retries
    # Make a published guide's PDF, DOCX and ODT in a thread of the web process after the
    # answer (None: on, except under TESTING); a download or `guides regenerate --missing`
    # makes whatever it leaves.
    "GUIDE_FILES_IN_BACKGROUND": None,
    # Make a member's data download in a thread of the web process (None: on, except under
    # TESTING); `flask data-exports run` from cron makes whatever it leaves. Where the files
    # are kept (outside static; <instance>/data-exports if unset), and after how many minutes
    # a download still "being made" is taken to be left by a process that died.
    "DATA_EXPORTS_IN_BACKGROUND": None,
    "DATA_EXPORTS_DIR": None,
    "DATA_EXPORT_STALE_MINUTES": 10,
    "THREADS_PER_PAGE": 20,
    "MAX_REPLY_INDENT": 5,
    # A thread page shows this many branches (replies to the opening post, each with all of
    # its replies), so a 10,000-post thread answers as fast as a short one.
    "THREAD_BRANCHES_PER_PAGE": 50,
    # Rendered post articles kept per process (forum.threads.fragments); 0 turns it off. At
    # most this many, and at most this much memory for their HTML (issue 16: a worker's size
    # does not follow the length of the site's posts).
    "POST_FRAGMENT_CACHE_SIZE": 4000,
    "POST_FRAGMENT_CACHE_BYTES": 4 * 1024 * 1024,
    # ...and at most this many replies: a branch longer than that alone (one post with
    # thousands of replies) goes on over several pages, each part linked to the one before.
    # 50, so that a long thread's page draws no more posts than a 50-post thread (issue 16's
    # measure): drawing the posts is most of what a page costs.
    "THREAD_POSTS_PER_PAGE": 50,
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


# Settings that are text even when what was typed reads as JSON: FORUM_* values are decoded as
# JSON when they parse, so an all-digit FORUM_SECRET_KEY or FORUM_MAIL_PASSWORD became a number.
TEXT_SETTINGS = frozenset(
    {key for key, value in DEFAULTS.items() if isinstance(value, str) and key != "LOG_LEVEL"}
    | {"SECRET_KEY", "SITE_OPERATOR", "CONTACT_EMAIL", "PUBLIC_BASE_URL", "GUIDE_PUBLISHER",
       "GUIDE_FILES_DIR", "UPLOAD_FOLDER", "MAIL_SERVER", "MAIL_USERNAME", "MAIL_PASSWORD",
       "DATA_EXPORTS_DIR"})


def keep_text_as_typed(config: MutableMapping[str, Any], environ: Mapping[str, str]) -> None:
    """Put back, exactly as typed, the text settings that JSON decoding turned into numbers
    or booleans."""
    names = {key: alias for alias, key in ENV_ALIASES.items()}
    for key in TEXT_SETTINGS:
        typed = environ.get(f"FORUM_{names.get(key, key)}")
        if typed is not None and not isinstance(config.get(key), str):
            config[key] = typed


class ConfigurationError(NoAppException, RuntimeError):
    """Raised at start-up when the app cannot run safely with its settings.

    A ``NoAppException`` so that ``flask --app forum ...`` prints the message alone, not a
    traceback: the operator most likely forgot to load the settings.
    """


def derive_settings(config: MutableMapping[str, Any]) -> None:
    """Settings that follow from others; applied once the configuration is loaded."""
    if str(config["PUBLIC_BASE_URL"]).lower().startswith("https://"):
        # Served over HTTPS: the browser must never send the cookies over plain HTTP.
        config["SESSION_COOKIE_SECURE"] = True
        config["REMEMBER_COOKIE_SECURE"] = True
    config["SQLALCHEMY_DATABASE_URI"] = database_uri(config["SQLALCHEMY_DATABASE_URI"])
    config["SQLALCHEMY_ENGINE_OPTIONS"] = engine_options(
        str(config["SQLALCHEMY_DATABASE_URI"]), config.get("SQLALCHEMY_ENGINE_OPTIONS") or {},
        connect_timeout=float(config["DATABASE_CONNECT_TIMEOUT"]),
        statement_timeout=float(config["DATABASE_STATEMENT_TIMEOUT"]))


DATABASE_URL_FORMS = ("postgresql+psycopg://user:password@host/name, or "
                      "sqlite:////absolute/path/forum.db")


def database_uri(uri: Any) -> Any:
    """The database URL, checked before any engine is made: PostgreSQL (through psycopg, the
    driver installed; ``postgresql://`` and ``postgres://`` mean it too) or SQLite. Anything
    else stops the program with a message naming the setting, never echoing the URL (it may
    hold a password)."""
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    try:
        url = make_url(uri)
    except (ArgumentError, ValueError, TypeError) as error:
        raise ConfigurationError(
            "FORUM_DATABASE_URL is not a database URL. Write it as "
            f"{DATABASE_URL_FORMS}.") from error
    if url.drivername in {"postgres", "postgresql"}:
        return url.set(drivername="postgresql+psycopg").render_as_string(hide_password=False)
    if url.drivername not in {"postgresql+psycopg", "sqlite", "sqlite+pysqlite"}:
        raise ConfigurationError(
            f"FORUM_DATABASE_URL names a database this program cannot use "
            f"({url.drivername}://...). Write it as {DATABASE_URL_FORMS}.")
    return uri


def engine_options(uri: str, options: Mapping[str, Any], *, connect_timeout: float,
                   statement_timeout: float) -> dict[str, Any]:
    """``options`` with the database driver's timeouts added (explicit ``connect_args`` win)."""
    timeouts: dict[str, Any] = {}
    if uri.startswith("postgresql"):
        if connect_timeout > 0:
            timeouts["connect_timeout"] = max(1, math.ceil(connect_timeout))
        if statement_timeout > 0:
            timeouts["options"] = f"-c statement_timeout={int(statement_timeout * 1000)}"
    elif uri.startswith("sqlite"):
        timeouts["timeout"] = statement_timeout
    return {**options, "connect_args": {**timeouts, **options.get("connect_args", {})}}
