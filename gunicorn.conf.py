"""gunicorn settings for production: ``gunicorn -c gunicorn.conf.py``.

Each setting can be changed with an environment variable (shown beside it). The app logs one
JSON line per request itself (with a request id), so gunicorn's own access log is off.
"""

import gc
import multiprocessing
import os

wsgi_app = "forum:create_app()"
bind = os.environ.get("FORUM_BIND", "127.0.0.1:8000")
# Sync workers: the app does no long waits inside a request (emails go through the outbox).
workers = int(os.environ.get("WEB_CONCURRENCY", min(2 * multiprocessing.cpu_count() + 1, 8)))
worker_class = "sync"
timeout = int(os.environ.get("FORUM_WORKER_TIMEOUT", 30))
graceful_timeout = 20
keepalive = 5
# Restart each worker now and then so memory stays bounded over months of running.
max_requests = int(os.environ.get("FORUM_MAX_REQUESTS", 5000))
max_requests_jitter = 500
# The proxy in front (nginx, a load balancer) terminates TLS; the app trusts its X-Forwarded-*
# headers per FORUM_TRUSTED_PROXY_COUNT, gunicorn from the addresses in FORWARDED_ALLOW_IPS.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
accesslog = None
errorlog = "-"
loglevel = os.environ.get("FORUM_GUNICORN_LOG_LEVEL", "info")
# gunicorn 25.1+ opens a control socket for ``gunicornc`` at one path per user
# ($XDG_RUNTIME_DIR or ~/.gunicorn/): two sites run by one user would take each other's, and
# the app's user may have no home to write to. Off unless FORUM_CONTROL_SOCKET names a path.
if os.environ.get("FORUM_CONTROL_SOCKET"):
    control_socket = os.environ["FORUM_CONTROL_SOCKET"]
else:
    control_socket_disable = True

# Load the app once in the master, then fork the workers from it: the imported modules, compiled
# templates and mapped models sit in memory pages the workers share copy-on-write, instead of
# each worker loading its own copy. (A code change then needs a restart, not a HUP.)
preload_app = os.environ.get("FORUM_PRELOAD_APP", "true").lower() not in {"0", "false", "no"}

if preload_app:
    # No collection while the app loads: freed objects would leave holes in the master's pages
    # that each worker then fills in, copying the page (re-enabled before the first fork).
    gc.disable()


def when_ready(server):
    """In the master, once the app is loaded: build what every worker would build on its
    first request (the ORM's mappers), so the workers share it."""
    if preload_app:
        from forum.preload import prepare_for_fork

        prepare_for_fork(server.app.wsgi())


def pre_fork(server, worker):
    """In the master, just before each fork: move every object loaded so far into the
    permanent generation, so a worker's collections never write to (and so copy) the pages
    they live in. The garbage of loading (about 1,500 objects in reference cycles) is
    collected first: frozen, it would stay for good in the master and in every worker."""
    if preload_app:
        gc.collect()
        gc.freeze()
        gc.enable()


def post_fork(server, worker):
    """In the new worker: database connections made by the master (if it made any) belong to
    the master; the worker drops its copies without closing them and opens its own. Once
    warmed up, the worker freezes what it holds out of the collector's reach."""
    if not preload_app:
        return
    from forum.extensions import db
    from forum.preload import freeze_after_warm_up

    app = worker.app.wsgi()
    freeze_after_warm_up(app)
    with app.app_context():
        for engine in db.engines.values():
            engine.dispose(close=False)
