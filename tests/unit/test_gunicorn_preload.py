"""gunicorn.conf.py loads the app once in the master and forks workers that share it: the hooks
freeze what the master loaded and give each worker database connections of its own (issue 16:
memory per worker)."""

from __future__ import annotations

import gc
import runpy
import weakref
from pathlib import Path
from types import SimpleNamespace

from sqlalchemy import text

from forum.extensions import db

CONF = Path(__file__).resolve().parents[2] / "gunicorn.conf.py"


def _conf(monkeypatch, preload: str = "true") -> dict:
    monkeypatch.setenv("FORUM_PRELOAD_APP", preload)
    enabled = gc.isenabled()
    try:
        return runpy.run_path(str(CONF))
    finally:
        if enabled:
            gc.enable()  # loading the config in the master turns collection off


def _worker(app) -> SimpleNamespace:
    return SimpleNamespace(app=SimpleNamespace(wsgi=lambda: app))


def test_the_app_is_preloaded_by_default(monkeypatch):
    assert _conf(monkeypatch)["preload_app"] is True
    assert _conf(monkeypatch, "false")["preload_app"] is False


def test_the_master_freezes_what_it_loaded_before_each_fork(monkeypatch, app):
    conf = _conf(monkeypatch)
    server = SimpleNamespace(app=SimpleNamespace(wsgi=lambda: app))
    conf["when_ready"](server)
    try:
        conf["pre_fork"](server, _worker(app))
        assert gc.get_freeze_count() > 0 and gc.isenabled()
    finally:
        gc.unfreeze()


class _Cycle:
    """An object in a reference cycle: only the cyclic collector frees it."""

    def __init__(self) -> None:
        self.me = self


def _garbage_cycle() -> weakref.ref:
    return weakref.ref(_Cycle())


def test_the_master_does_not_freeze_its_garbage(monkeypatch, app):
    """Garbage left from loading the app is freed before the freeze, not kept for good in the
    master and in every worker."""
    conf = _conf(monkeypatch)  # collection off, as while the master loads the app
    server = SimpleNamespace(app=SimpleNamespace(wsgi=lambda: app))
    conf["when_ready"](server)
    garbage = _garbage_cycle()
    try:
        conf["pre_fork"](server, _worker(app))
        gc.collect()
        assert garbage() is None
    finally:
        gc.unfreeze()


def test_a_new_worker_drops_the_masters_connections(monkeypatch, app):
    conf = _conf(monkeypatch)
    with app.app_context():
        engine = db.engine
        with engine.connect() as connection:  # the master used the database
            connection.execute(text("select 1"))
        pool = engine.pool
    conf["post_fork"](None, _worker(app))
    try:
        with app.app_context():
            assert db.engine.pool is not pool  # a fresh pool: the worker opens its own
            with db.engine.connect() as connection:
                assert connection.execute(text("select 1")).scalar() == 1
    finally:
        # Here "master" and "worker" are one process: close what the master left open (in a
        # real fork it is the master's to close), or psycopg warns when it is collected.
        pool.dispose()


def test_a_worker_freezes_what_it_holds_once_warmed_up(monkeypatch, app):
    from forum.preload import WARM_UP_REQUESTS

    conf = _conf(monkeypatch)
    gc.unfreeze()
    with app.app_context():
        masters_pools = [engine.pool for engine in db.engines.values()]
    conf["post_fork"](None, _worker(app))
    client = app.test_client()
    try:
        for _ in range(WARM_UP_REQUESTS - 1):
            client.get("/sign-in")
        assert gc.get_freeze_count() == 0  # still warming up: nothing frozen yet
        gc.disable()  # no collection of its own between here and the freeze
        garbage = _garbage_cycle()
        client.get("/sign-in")
        assert gc.get_freeze_count() > 0
        gc.collect()
        assert garbage() is None  # the requests' garbage was not frozen with the rest
    finally:
        gc.enable()
        gc.unfreeze()
        for pool in masters_pools:  # the worker dropped them unclosed: see the test above
            pool.dispose()
