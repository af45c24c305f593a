"""A daemon thread per web process that works through ids it is given, after the response.

Two areas use it: a published guide's kept files (:mod:`forum.guides.background`) and a
member's data download (:mod:`forum.people.background`). A request only adds an id and sets
an event; the work runs in the thread inside an app context. Nothing depends on it finishing:
each area has a command (and a next request) that does whatever a stopped process left.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable

from flask import Flask

log = logging.getLogger(__name__)

Work = Callable[[Flask, list[int]], None]


class BackgroundWorker:
    """Runs ``work(app, ids)`` in one daemon thread for the ids given to :meth:`wake`.

    Started at the first :meth:`wake` (so forked workers each start their own).
    """

    def __init__(self, app: Flask, work: Work, *, name: str) -> None:
        self.app = app
        self.name = name
        self._work = work
        self._pending: list[int] = []
        self._wake = threading.Event()
        self._idle = threading.Event()
        self._idle.set()
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._pid: int | None = None

    def wake(self, item_id: int) -> None:
        with self._lock:
            if item_id not in self._pending:
                self._pending.append(item_id)
            self._idle.clear()
            thread = self._thread
            if thread is None or not thread.is_alive() or self._pid != os.getpid():
                self._stop.clear()
                self._thread = threading.Thread(target=self._run, name=self.name, daemon=True)
                self._pid = os.getpid()
                self._thread.start()
        self._wake.set()

    def wait_idle(self, timeout: float | None = None) -> bool:
        """Wait until every id given so far has been worked on (for tests and the bench)."""
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
        while not self._stop.is_set():
            self._wake.clear()
            ids = self._take()
            if not ids:
                self._wake.wait()
                continue
            try:
                self._work(self.app, ids)
            except Exception:  # the area's command, or its next request, does it instead
                log.exception("%s could not work on %s", self.name, ids)


def enabled(app: Flask, setting: str) -> bool:
    """A background setting: true or false as set, and when unset on except under TESTING."""
    value = app.config.get(setting)
    return (not app.testing) if value is None else bool(value)
