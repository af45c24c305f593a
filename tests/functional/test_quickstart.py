"""forum-quickstart: from nothing to a migrated database with the demo, twice without harm."""

from __future__ import annotations

import io
import logging
import os
import sqlite3
import subprocess
import sys

from flask import Flask

from forum.demo import DEFAULT_PASSWORD
from forum.quickstart import _PlainFormatter
from forum.quickstart import main


def test_quickstart_sets_up_an_empty_instance_folder_and_can_run_again(tmp_path, monkeypatch,
                                                                     capsys):
    for name in list(os.environ):
        if name.startswith("FORUM_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("FORUM_INSTANCE_PATH", str(tmp_path))

    main(["--no-serve"])
    output = capsys.readouterr().out
    assert "Wrote a new SECRET_KEY" in output
    assert DEFAULT_PASSWORD in output and "Open http://127.0.0.1:5000 and sign in" in output

    def counts() -> list[int]:
        with sqlite3.connect(tmp_path / "forum.db") as connection:
            return [connection.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
                    for table in ("users", "learning_sets", "threads", "posts")]

    first = counts()
    assert all(first)
    main(["--no-serve"])
    assert "Wrote a new SECRET_KEY" not in capsys.readouterr().out
    assert counts() == first


def _served(tmp_path, monkeypatch, argv: list[str]) -> tuple[Flask, int]:
    """Run the quick start on an empty instance folder; the app it would serve, and the port."""
    from forum import outbox

    for name in list(os.environ):
        if name.startswith("FORUM_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("FORUM_INSTANCE_PATH", str(tmp_path))
    served: list[tuple[Flask, int]] = []
    monkeypatch.setattr("werkzeug.serving.run_simple",
                        lambda host, port, app, **_: served.append((app, port)))
    main(argv)
    [(app, port)] = served
    sender = outbox.background_sender(app)
    if sender is not None:
        sender.stop(timeout=10)
    return app, port


def test_links_in_emails_follow_the_port_served(tmp_path, monkeypatch, capsys):
    """`forum-quickstart --port 5187`: an invitation's link points at 5187, not 5000."""
    from forum.auth.invitations import create_invitation
    from forum.extensions import db
    from forum.models import LearningSet
    from forum.models import Role
    from tests.mailbox import sent_messages

    app, port = _served(tmp_path, monkeypatch, ["--port", "5187"])
    assert port == 5187
    assert "http://127.0.0.1:5187" in capsys.readouterr().out
    with app.app_context():
        learning_set = db.session.scalars(db.select(LearningSet)).first()
        create_invitation(db.session, learning_set=learning_set, email="new@example.org",
                          role=Role.MEMBER, invited_by=None)
        db.session.commit()
    [message] = [m for m in sent_messages(app) if m["To"] == "new@example.org"]
    text = message.get_body(preferencelist=("plain",)).get_content()
    assert "http://127.0.0.1:5187/invitations/" in text
    assert ":5000" not in text


def test_the_quick_starts_privacy_notice_gives_an_example_contact_address(tmp_path,
                                                                          monkeypatch):
    """The demo's privacy notice and accessibility statement said "write to the site's
    administrators" with no address: a newcomer could not see where one goes."""
    app, _ = _served(tmp_path, monkeypatch, ["--port", "5188"])
    client = app.test_client()
    for path in ("/privacy", "/accessibility"):
        page = client.get(path).text
        assert ('<a href="mailto:contact@learning-sets.example.org">'
                'contact@learning-sets.example.org</a>') in page, path
def test_quickstart_sent_to_a_file_prints_only_what_a_newcomer_needs(tmp_path):
    """No Alembic INFO lines, no colour codes: the address, the accounts and the password."""
    env = {name: value for name, value in os.environ.items() if not name.startswith("FORUM_")}
    env["FORUM_INSTANCE_PATH"] = str(tmp_path)
    result = subprocess.run([sys.executable, "-m", "forum.quickstart", "--no-serve"],
                            env=env, capture_output=True, text=True, timeout=120, check=True)
    output = result.stdout + result.stderr
    assert "INFO" not in output and "alembic" not in output.lower()
    assert "\x1b[" not in output
    assert DEFAULT_PASSWORD in output
    assert "Open http://127.0.0.1:5000 and sign in." in output
    assert "rosa.lindqvist@example.org" in output
    assert result.stderr == ""


def test_server_log_lines_lose_their_colour_codes_when_not_on_a_terminal():
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(_PlainFormatter("%(message)s"))
    logger = logging.getLogger("tests.quickstart.plain")
    logger.addHandler(handler)
    logger.warning("\x1b[1m\x1b[31mWARNING: This is a development server.\x1b[0m")
    logger.removeHandler(handler)
    assert stream.getvalue() == "WARNING: This is a development server.\n"


def test_quickstart_prints_each_log_line_once_in_plain_text(tmp_path):
    """While serving, "wrote email ... to instance/outbox/..." appears once, as a sentence: not
    a JSON copy on stdout beside a plain copy on stderr."""
    env = {name: value for name, value in os.environ.items() if not name.startswith("FORUM_")}
    env["FORUM_INSTANCE_PATH"] = str(tmp_path)
    serve_instead = (
        "import logging, sys, werkzeug.serving\n"
        "werkzeug.serving.run_simple = lambda *a, **k: logging.getLogger('forum.mail').info("
        "'MAIL_SERVER is not set: wrote email %s', 'walk-check')\n"
        "from forum.quickstart import main\n"
        "main(['--port', '5399'])\n")
    result = subprocess.run([sys.executable, "-c", serve_instead], env=env, capture_output=True,
                            text=True, timeout=120, check=True)
    output = result.stdout + result.stderr
    assert output.count("walk-check") == 1, output
    assert "MAIL_SERVER is not set: wrote email walk-check" in output
    assert '{"time"' not in output
