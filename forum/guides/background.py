"""Making a published version's kept files after the response, in each web process.

Publishing answers as soon as the version is committed; the PDF, DOCX and ODT (seconds of
CPU) are made by a daemon thread of the web process (:class:`FileMaker`), woken when the
response has been sent. Nothing depends on it finishing: a download of a file not made yet
makes it there and then, once (:func:`forum.guides.files.ensure_version_file`), and
``flask --app forum guides regenerate --missing`` makes whatever a stopped process left.
On unless ``GUIDE_FILES_IN_BACKGROUND`` is false, and off under ``TESTING``.
"""

from __future__ import annotations

import logging
import os
import threading

from flask import Flask

from forum.guides.export.storage import storage_for

log = logging.getLogger(__name__)

MAKER_KEY = "forum.guide_file_maker"


class FileMaker:
    """One daemon thread per process that makes the kept files of the versions it is given.

    Started at the first :meth:`wake` (so forked workers each start their own); the request
    only adds a version id and sets an event.
    """

    def __init__(self, app: Flask) -> None:
        self.app = app
        self._pending: list[int] = []
        self._wake = threading.Event()
        self._idle = threading.Event()
        self._idle.set()
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._pid: int | None = None

    def wake(self, version_id: int) -> None:
        with self._lock:
            if version_id not in self._pending:
                self._pending.append(version_id)
            self._idle.clear()
            thread = self._thread
            if thread is None or not thread.is_alive() or self._pid != os.getpid():
                self._stop.clear()
                self._thread = threading.Thread(target=self._run, name="forum-guide-files",
                                                daemon=True)
                self._pid = os.getpid()
                self._thread.start()
        self._wake.set()

    def wait_idle(self, timeout: float | None = None) -> bool:
        """Wait until every version given so far has its files (for tests and the bench)."""
        return self._idle.wait(timeout)

    def stop(self, timeout: float | None = None) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)

    def _take(self) -> list[int]:
        with self._lock:
            taken, self._pending = self._pending, []
            if not taken:
                self._idle.set()
            return taken

    def _run(self) -> None:
        from forum.guides.files import make_missing_files

        while not self._stop.is_set():
            self._wake.clear()
            version_ids = self._take()
            if not version_ids:
                self._wake.wait()
                continue
            try:
                with self.app.app_context():
                    made = make_missing_files(storage_for(self.app), version_ids)
                log.info("Made %s guide file(s) for version(s) %s", made, version_ids)
            except Exception:  # the next download, or `guides regenerate --missing`, makes them
                log.exception("Could not make the files of guide version(s) %s", version_ids)


def file_maker(app: Flask) -> FileMaker | None:
    return app.extensions.get(MAKER_KEY)


def init_app(app: Flask) -> None:
    enabled = app.config.get("GUIDE_FILES_IN_BACKGROUND")
    if enabled is None:
        enabled = not app.testing
    if enabled:
        app.extensions[MAKER_KEY] = FileMaker(app)
