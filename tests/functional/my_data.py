"""Driving "Download my data" from tests: ask, let the job run, fetch the file."""

from __future__ import annotations

import io
import json
import re
import zipfile

from flask import Flask

from forum.extensions import db
from forum.models import utcnow
from forum.people import exports

DOWNLOAD_LINK = re.compile(r'href="(/account/data/(\d+)/download)"')


def run_waiting_exports(app: Flask) -> int:
    """What the background worker (or ``flask data-exports run``) does: make what waits."""
    with app.app_context():
        ids = exports.due_ids(db.session, app.config, utcnow())
        db.session.rollback()
        return sum(1 for export_id in ids if exports.make_export(app, export_id))


def download_link(client) -> str | None:
    found = DOWNLOAD_LINK.search(client.get("/account/data").get_data(as_text=True))
    return found.group(1) if found else None


def download_my_data(app: Flask, client):
    """The signed-in person presses "Prepare my data", the file is made, they download it."""
    response = client.post("/account/data")
    assert response.status_code == 302, response.status_code
    run_waiting_exports(app)
    link = download_link(client)
    assert link is not None, "no download link once the file was made"
    return fetch(client, link)


def fetch(client, url: str):
    """GET ``url``, read the body and close the file it was sent from."""
    response = client.get(url)
    response.get_data()
    response.close()
    return response


def zip_contents(response) -> tuple[dict, str]:
    archive = zipfile.ZipFile(io.BytesIO(response.data))
    assert sorted(archive.namelist()) == ["my-data.html", "my-data.json"]
    return json.loads(archive.read("my-data.json")), archive.read("my-data.html").decode()
