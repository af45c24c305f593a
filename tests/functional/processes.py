"""Serving the app from separate processes, as gunicorn's workers would: they share nothing but
the database (and Redis when configured)."""

from __future__ import annotations

import http.client
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import ExitStack
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlencode

CHECKOUT = Path(__file__).resolve().parents[2]

_SERVE = """
import json, sys
from werkzeug.serving import make_server
from forum import create_app
app = create_app(json.loads(sys.argv[1]))
server = make_server("127.0.0.1", 0, app, threaded=True)
print(server.server_port, flush=True)
server.serve_forever()
"""


@contextmanager
def app_process(config: dict[str, object], instance_path: Path) -> Iterator[int]:
    """One app in a process of its own; yields the port it listens on."""
    env = {**os.environ, "FORUM_INSTANCE_PATH": str(instance_path)}
    process = subprocess.Popen(
        [sys.executable, "-c", _SERVE, json.dumps(config)], cwd=CHECKOUT, env=env,
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        assert line.strip().isdigit(), "the app process did not start"
        yield int(line)
    finally:
        process.terminate()
        process.wait(timeout=30)
        if process.stdout is not None:
            process.stdout.close()


@contextmanager
def app_processes(count: int, config: dict[str, object],
                  instance_path: Path) -> Iterator[list[int]]:
    with ExitStack() as stack:
        yield [stack.enter_context(app_process(config, instance_path)) for _ in range(count)]


def post_form(port: int, path: str, data: dict[str, str]) -> int:
    """POST a form to the app on ``port``; the status code (redirects are not followed)."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        connection.request("POST", path, body=urlencode(data),
                           headers={"Content-Type": "application/x-www-form-urlencoded"})
        response = connection.getresponse()
        response.read()
        return response.status
    finally:
        connection.close()
