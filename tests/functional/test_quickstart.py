"""forum-quickstart: from nothing to a migrated database with the demo, twice without harm."""

from __future__ import annotations

import io
import logging
import os
import sqlite3
import subprocess
import sys

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
