"""Settings come from defaults, instance/config.py and FORUM_* variables; a secret is required."""

from __future__ import annotations

import pytest

from forum import create_app
from forum.config import ConfigurationError


@pytest.fixture
def instance_dir(tmp_path, monkeypatch):
    """An empty instance folder, and no FORUM_* settings leaking in from the environment."""
    import os

    for name in list(os.environ):
        if name.startswith("FORUM_"):
            monkeypatch.delenv(name)
    path = tmp_path / "instance"
    path.mkdir()
    monkeypatch.setenv("FORUM_INSTANCE_PATH", str(path))
    return path


def test_app_refuses_to_start_in_production_without_a_secret_key(instance_dir):
    with pytest.raises(ConfigurationError, match="SECRET_KEY is not set") as caught:
        create_app()
    message = str(caught.value)
    assert "FORUM_SECRET_KEY" in message and str(instance_dir / "config.py") in message


def test_testing_app_gets_a_development_secret_key(instance_dir):
    assert create_app({"TESTING": True}).secret_key


def test_secret_key_comes_from_the_environment(instance_dir, monkeypatch):
    monkeypatch.setenv("FORUM_SECRET_KEY", "from-the-environment")
    assert create_app().secret_key == "from-the-environment"


def test_instance_config_file_is_loaded(instance_dir):
    (instance_dir / "config.py").write_text(
        'SECRET_KEY = "from-the-file"\nSITE_NAME = "Eastmoor learning sets"\n')
    app = create_app()
    assert app.instance_path == str(instance_dir)
    assert app.secret_key == "from-the-file"
    assert app.config["SITE_NAME"] == "Eastmoor learning sets"


def test_environment_overrides_the_instance_config_file(instance_dir, monkeypatch):
    (instance_dir / "config.py").write_text('SECRET_KEY = "from-the-file"\n')
    monkeypatch.setenv("FORUM_SECRET_KEY", "from-the-environment")
    assert create_app().secret_key == "from-the-environment"


@pytest.mark.parametrize(("variable", "value", "key"), [
    ("FORUM_DATABASE_URL", "postgresql+psycopg://forum@db.example.org/forum",
     "SQLALCHEMY_DATABASE_URI"),
    ("FORUM_REDIS_URL", "redis://cache.example.org:6379/0", "RATELIMIT_STORAGE_URI"),
    ("FORUM_PUBLIC_BASE_URL", "https://sets.example.org", "PUBLIC_BASE_URL"),
    ("FORUM_MAIL_SERVER", "smtp.example.org", "MAIL_SERVER"),
])
def test_environment_variables_set_their_settings(instance_dir, monkeypatch, variable, value,
                                                   key):
    monkeypatch.setenv(variable, value)
    app = create_app({"TESTING": True})
    assert app.config[key] == value


def test_numbers_in_environment_variables_are_numbers(instance_dir, monkeypatch):
    # Flask parses FORUM_* values as JSON when it can: a port is an int, not a string.
    monkeypatch.setenv("FORUM_MAIL_PORT", "587")
    assert create_app({"TESTING": True}).config["MAIL_PORT"] == 587


def test_default_database_is_sqlite_in_the_instance_folder(instance_dir):
    from forum.extensions import db

    app = create_app({"TESTING": True})
    with app.app_context():
        assert db.engine.url.database == str(instance_dir / "forum.db")
        db.engine.dispose()


def test_rate_limits_are_kept_in_redis_when_forum_redis_url_is_set(instance_dir, monkeypatch):
    from limits.storage import MemoryStorage
    from limits.storage import RedisStorage

    from forum.extensions import limiter

    monkeypatch.setenv("FORUM_REDIS_URL", "redis://127.0.0.1:6379/15")
    app = create_app({"TESTING": True})
    with app.app_context():
        assert isinstance(limiter.storage, RedisStorage)
    # Back to the default for the tests that follow (the limiter is a module-level object).
    monkeypatch.delenv("FORUM_REDIS_URL")
    with create_app({"TESTING": True}).app_context():
        assert isinstance(limiter.storage, MemoryStorage)


# --- forum-quickstart's secret key -------------------------------------------

def test_quickstart_writes_a_secret_key_once(instance_dir):
    from forum.quickstart import ensure_secret_key

    assert ensure_secret_key(instance_dir) is True
    written = (instance_dir / "config.py").read_text()
    assert ensure_secret_key(instance_dir) is False
    assert (instance_dir / "config.py").read_text() == written
    assert len(create_app().secret_key) == 64


def test_quickstart_keeps_other_settings_in_an_existing_config_file(instance_dir):
    from forum.quickstart import ensure_secret_key

    (instance_dir / "config.py").write_text('SITE_NAME = "Kingsford sets"')
    assert ensure_secret_key(instance_dir) is True
    app = create_app()
    assert app.config["SITE_NAME"] == "Kingsford sets" and app.secret_key


def test_quickstart_writes_no_key_when_the_environment_has_one(instance_dir, monkeypatch):
    from forum.quickstart import ensure_secret_key

    monkeypatch.setenv("FORUM_SECRET_KEY", "from-the-environment")
    assert ensure_secret_key(instance_dir) is False
    assert not (instance_dir / "config.py").exists()


ROOT = __import__("pathlib").Path(__file__).resolve().parents[2]
# Read by Flask or its extensions, which give them their own defaults.
EXTENSIONS_OWN = {"SESSION_COOKIE_SECURE", "REMEMBER_COOKIE_SECURE", "REMEMBER_COOKIE_NAME"}
# FORUM_* variables read by the test suite, not by the app.
TEST_SUITE_OWN = {"TEST_DATABASE_URL", "REQUIRE_BROWSER", "VNU_JAR"}


def _settings_the_code_reads() -> set[str]:
    import re

    pattern = re.compile(r'config(?:\.get\(\s*|\[\s*)"([A-Z][A-Z0-9_]+)"|config\.([A-Z][A-Z0-9_]+)')
    found: set[str] = set()
    for path in [*(ROOT / "forum").rglob("*.py"), *(ROOT / "templates").rglob("*.*")]:
        for match in pattern.finditer(path.read_text(errors="replace")):
            found.add(match.group(1) or match.group(2))
    return found


def test_every_setting_the_code_reads_has_a_default_in_forum_config():
    """README: "any other key in forum/config.py can be set the same way": so every setting
    the code reads must be there, with its default, for an operator to find."""
    from forum.config import DEFAULTS

    missing = _settings_the_code_reads() - set(DEFAULTS) - EXTENSIONS_OWN
    assert not missing, f"read by the code, missing from forum/config.py: {sorted(missing)}"


def test_every_forum_variable_the_docs_name_is_read_by_something():
    """A variable the README, docs/ or gunicorn.conf.py names (FORUM_X) is a setting, an
    alias, or one that gunicorn.conf.py reads: an operator who sets it is not ignored."""
    import re

    from forum.config import DEFAULTS
    from forum.config import ENV_ALIASES

    docs = [ROOT / "README.md", ROOT / "gunicorn.conf.py", *(ROOT / "docs").rglob("*.md"),
            *(ROOT / "docs").rglob("*.service")]
    named = {match.group(1).rstrip("_") for path in docs
             for match in re.finditer(r"FORUM_([A-Z][A-Z0-9_]*)(\*?)", path.read_text())
             if not match.group(2)}  # FORUM_MAIL_* names a family, not a variable
    gunicorn = set(re.findall(r'environ\.get\("FORUM_([A-Z_]+)"',
                              (ROOT / "gunicorn.conf.py").read_text()))
    known = set(DEFAULTS) | set(ENV_ALIASES) | gunicorn | TEST_SUITE_OWN | {"INSTANCE_PATH"}
    assert not named - known, f"documented but read by nothing: {sorted(named - known)}"
