"""The README's /etc/forum/env example reads the same through a shell (``set -a && .``, as its
commands and cron lines load it) as through systemd's ``EnvironmentFile=``."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

README = Path(__file__).resolve().parents[2] / "README.md"


def _example() -> str:
    block = re.search(r"```\n(# /etc/forum/env.*?)```", README.read_text(), re.S)
    assert block, "the README's /etc/forum/env example is missing"
    return block[1]


def _as_systemd_reads_it(text: str) -> dict[str, str]:
    """KEY=value lines; a value in single quotes is taken as it is, without them."""
    settings = {}
    for line in text.splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        key, value = line.split("=", 1)
        if len(value) >= 2 and value[0] == value[-1] == "'":
            value = value[1:-1]
        settings[key] = value
    return settings


def test_the_env_example_reads_the_same_in_a_shell_as_under_systemd(tmp_path):
    env_file = tmp_path / "env"
    env_file.write_text(_example())
    dump = f"{sys.executable} -c 'import json, os; print(json.dumps(dict(os.environ)))'"
    result = subprocess.run(["sh", "-c", f"set -a && . {env_file} && set +a && {dump}"],
                            capture_output=True, text=True, cwd=tmp_path, env={}, timeout=30)
    assert result.stderr == ""
    assert list(tmp_path.iterdir()) == [env_file]  # nothing was redirected into a file
    shell = json.loads(result.stdout)
    expected = _as_systemd_reads_it(_example())
    assert "FORUM_SITE_OPERATOR" in expected
    assert {key: shell.get(key) for key in expected} == expected
