"""forum-quickstart: from nothing to a migrated database with the demo, twice without harm."""

from __future__ import annotations

import os
import sqlite3

from forum.demo import DEFAULT_PASSWORD
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
