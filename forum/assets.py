"""Static files with versioned addresses: cached for a year, and a new address when they change.

``url_for("static", filename=...)`` adds ``?v=<hash of the file>``, the hashes worked out once at
start-up. A request carrying the current hash may be cached for a year (the address changes
with the content); any other static request is revalidated every time.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

from flask import Flask
from flask import request

ONE_YEAR = 365 * 24 * 60 * 60


def file_hashes(folder: str | None) -> dict[str, str]:
    """``{"css/forum.css": "3f2a9c0e1b7d"}`` for every file under ``folder``."""
    if not folder or not Path(folder).is_dir():
        return {}
    root = Path(folder)
    return {path.relative_to(root).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()[:12]
            for path in sorted(root.rglob("*")) if path.is_file()}


class VersionedStaticFlask(Flask):
    """A Flask app whose static files are served with long caching when asked for by version."""

    static_hashes: dict[str, str]

    def get_send_file_max_age(self, filename: str | None) -> int | None:
        current = self.static_hashes.get(filename or "") if request.endpoint == "static" else None
        if current is not None and request.args.get("v") == current:
            return ONE_YEAR
        return super().get_send_file_max_age(filename)


def init_app(app: Flask) -> None:
    """Hash the static files and version every ``url_for("static", ...)``.

    Not in debug mode, where files change while the server runs.
    """
    hashes = {} if app.debug else file_hashes(app.static_folder)
    app.static_hashes = hashes  # type: ignore[attr-defined]

    @app.url_defaults
    def _add_version(endpoint: str, values: dict[str, Any]) -> None:
        if endpoint == "static" and "v" not in values:
            version = hashes.get(values.get("filename", ""))
            if version:
                values["v"] = version
