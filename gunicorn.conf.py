"""gunicorn settings for production: ``gunicorn -c gunicorn.conf.py``.

Each setting can be changed with an environment variable (shown beside it). The app logs one
JSON line per request itself (with a request id), so gunicorn's own access log is off.
"""

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
# The proxy in front (nginx, a load balancer) terminates TLS; see FORUM_PROXY_COUNT.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
accesslog = None
errorlog = "-"
loglevel = os.environ.get("FORUM_GUNICORN_LOG_LEVEL", "info")
