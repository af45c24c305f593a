"""Making a published version's kept files after the response, in each web process.

Publishing answers as soon as the version is committed; the PDF, DOCX and ODT (seconds of
CPU) are made by the web process's background worker (:mod:`forum.background`), woken when
the response has been sent. Nothing depends on it finishing: a download of a file not made
yet makes it there and then, once (:func:`forum.guides.files.ensure_version_file`), and
``flask --app forum guides regenerate --missing`` makes whatever a stopped process left.
On unless ``GUIDE_FILES_IN_BACKGROUND`` is false, and off under ``TESTING``.
"""

from __future__ import annotations

import logging

from flask import Flask

from forum import background
from forum.guides.export.storage import storage_for

log = logging.getLogger(__name__)

MAKER_KEY = "forum.guide_file_maker"


def _make_files(app: Flask, version_ids: list[int]) -> None:
    from forum.guides.files import make_missing_files

    with app.app_context():
        made = make_missing_files(storage_for(app), version_ids)
    log.info("Made %s guide file(s) for version(s) %s", made, version_ids)


class FileMaker(background.BackgroundWorker):
    """The worker that makes the kept files of the guide versions it is given."""

    def __init__(self, app: Flask) -> None:
        super().__init__(app, _make_files, name="forum-guide-files")


def file_maker(app: Flask) -> FileMaker | None:
    return app.extensions.get(MAKER_KEY)


def init_app(app: Flask) -> None:
    if background.enabled(app, "GUIDE_FILES_IN_BACKGROUND"):
        app.extensions[MAKER_KEY] = FileMaker(app)
