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
