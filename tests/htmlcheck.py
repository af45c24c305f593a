"""The Nu HTML checker (vnu) over many documents in one Java run.

vnu comes from npm (``npm ci --prefix .ci`` puts it in ``.ci/node_modules``; ``.ci/run`` does
that) and runs on the machine's Java. Where it is missing, tests that need it skip with the
install command, unless ``FORUM_REQUIRE_BROWSER=1`` (CI), where they fail instead.
``FORUM_VNU_JAR`` points at another copy of ``vnu.jar``.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterable
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
DEFAULT_JAR = REPO / ".ci" / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
INSTALL_COMMAND = "npm ci --prefix .ci"
# Generous: one run checks a few hundred pages in well under a minute on two cores.
TIMEOUT_SECONDS = 300


def vnu_jar() -> Path:
    return Path(os.environ.get("FORUM_VNU_JAR") or DEFAULT_JAR)


def missing_reason() -> str | None:
    """Why the checker cannot run here, or None when it can."""
    if shutil.which("java") is None:
        return "Java is not installed (apt-get install default-jre-headless)"
    if not vnu_jar().is_file():
        return f"the Nu HTML checker is not installed ({INSTALL_COMMAND})"
    return None


def checker_required() -> bool:
    """CI (``FORUM_REQUIRE_BROWSER=1``) must check HTML; elsewhere a missing checker skips."""
    return os.environ.get("FORUM_REQUIRE_BROWSER") == "1"


def require_checker() -> None:
    """Skip the calling test when vnu is missing, or fail it when the checker is required."""
    reason = missing_reason()
    if reason is None:
        return
    if checker_required():
        pytest.fail(f"{reason}; FORUM_REQUIRE_BROWSER=1 requires it")
    pytest.skip(f"{reason}; HTML validity not checked")


def html_errors(documents: Iterable[tuple[str, str]]) -> dict[str, list[str]]:
    """Check ``(name, html)`` documents in one vnu run; map each name to its error messages.

    Only documents with errors appear in the result. A name is what the failure shows
    (a URL and who fetched it, say).
    """
    names: dict[str, str] = {}  # file name -> document name
    with tempfile.TemporaryDirectory(prefix="vnu-") as folder:
        for number, (name, html) in enumerate(documents):
            file_name = f"{number:05}.html"
            (Path(folder) / file_name).write_text(html, encoding="utf-8")
            names[file_name] = name
        if not names:
            return {}
        completed = subprocess.run(
            ["java", "-jar", str(vnu_jar()), "--format", "json", "--errors-only", "--stdout",
             "--no-langdetect", *names],
            cwd=folder, capture_output=True, text=True, timeout=TIMEOUT_SECONDS, check=False)
    try:
        messages = json.loads(completed.stdout)["messages"]
    except (ValueError, KeyError) as error:
        raise AssertionError(f"vnu gave no report (exit {completed.returncode}): "
                             f"{completed.stdout[-2000:]}{completed.stderr[-2000:]}") from error
    errors: dict[str, list[str]] = {}
    for message in messages:
        file_name = message.get("url", "").rpartition("/")[2]
        name = names.get(file_name, f"(vnu: {message.get('type')})")
        errors.setdefault(name, []).append(_describe(message))
    return errors


def describe_html_errors(errors: dict[str, list[str]]) -> str:
    """One block per document: its name, then each message with the markup it points at."""
    lines = [f"the Nu HTML checker found errors on {len(errors)} page(s):"]
    for name, messages in errors.items():
        lines.append(f"- {name}")
        lines.extend(f"    {message}" for message in messages)
    return "\n".join(lines)


def assert_valid_html(documents: Iterable[tuple[str, str]]) -> None:
    """Fail with every page's errors when vnu finds any."""
    errors = html_errors(documents)
    if errors:
        raise AssertionError(describe_html_errors(errors))


def _describe(message: dict) -> str:
    where = f"line {message['lastLine']}" if "lastLine" in message else "document"
    extract = (message.get("extract") or "").replace("\n", "⏎")
    text = f"{where}: {message.get('message', message)}"
    return f"{text} [{extract.strip()}]" if extract.strip() else text
