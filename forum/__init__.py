"""The peer-learning forum for action-learning sets: the application factory."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flask import Flask

from forum.config import DEFAULTS
from forum.config import ENV_ALIASES
from forum.config import ConfigurationError
from forum.config import derive_settings
from forum.config import keep_text_as_typed
from forum.resources import default_instance_path
from forum.resources import resource_dir


def create_app(test_config: Mapping[str, Any] | None = None) -> Flask:
    from forum.assets import VersionedStaticFlask

    app = VersionedStaticFlask(
        __name__,
        instance_path=default_instance_path(),
        instance_relative_config=True,
        template_folder=resource_dir("templates"),
        static_folder=resource_dir("static"),
    )
    app.config.from_mapping(DEFAULTS)
    app.config.from_pyfile("config.py", silent=True)
    app.config.from_prefixed_env("FORUM")
    for alias, key in ENV_ALIASES.items():
        if alias in app.config:
            app.config[key] = app.config.pop(alias)
    keep_text_as_typed(app.config, os.environ)
    if test_config is not None:
        app.config.from_mapping(test_config)

    if not app.config["SECRET_KEY"]:
        if app.debug or app.testing:
            app.config["SECRET_KEY"] = "dev-only-not-secret"
        else:
            raise ConfigurationError(
                "SECRET_KEY is not set. Set FORUM_SECRET_KEY, or put SECRET_KEY in "
                f"{Path(app.instance_path) / 'config.py'} (the quick start writes one for you).")
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    derive_settings(app.config)

    from forum import assets
    from forum import outbox
    from forum import routing
    from forum import security
    from forum import urls

    routing.init_app(app)
    security.init_app(app)
    urls.init_app(app)
    assets.init_app(app)
    _init_extensions(app)
    _register_blueprints(app)

    from forum import cli
    from forum import errors
    from forum import header
    from forum import templating
    from forum.operations import logging as operations_logging

    operations_logging.init_app(app)
    errors.init_app(app)
    header.init_app(app)
    templating.init_app(app)
    cli.init_app(app)
    outbox.init_app(app)
    from forum.guides import background as guide_files

    guide_files.init_app(app)
    from forum.people import background as data_exports

    data_exports.init_app(app)
    from forum.operations import database_errors

    database_errors.init_app(app)  # last: every command is registered by now
    return app


def _init_extensions(app: Flask) -> None:
    from forum import migrating
    from forum import models  # noqa: F401  (register the tables with SQLAlchemy)
    from forum.extensions import csrf
    from forum.extensions import db
    from forum.extensions import limiter
    from forum.extensions import login_manager

    db.init_app(app)
    migrating.init_app(app, db, directory=resource_dir("migrations"))
    csrf.init_app(app)
    limiter.init_app(app)
    login_manager.init_app(app)

    from forum.auth.service import load_user

    login_manager.user_loader(load_user)
    login_manager.login_view = "auth.sign_in"
    login_manager.login_message = "Sign in to see that page."
    login_manager.login_message_category = "info"
    login_manager.needs_refresh_message_category = "info"


def _register_blueprints(app: Flask) -> None:
    from forum import actions
    from forum import challenges
    from forum import notifications
    from forum import threads
    from forum.admin import bp as admin_bp
    from forum.auth import bp as auth_bp
    from forum.events import bp as events_bp
    from forum.guides import bp as guides_bp
    from forum.main import bp as main_bp
    from forum.meetings import bp as meetings_bp
    from forum.moderation import bp as moderation_bp
    from forum.network import bp as network_bp
    from forum.operations import bp as operations_bp
    from forum.pages import bp as pages_bp
    from forum.people import bp as people_bp
    from forum.sets import bp as sets_bp

    app.register_blueprint(main_bp)
    app.register_blueprint(auth_bp)
    app.register_blueprint(sets_bp)
    threads.init_app(app)
    challenges.init_app(app)
    app.register_blueprint(admin_bp)
    app.register_blueprint(moderation_bp)
    notifications.init_app(app)
    app.register_blueprint(guides_bp)
    app.register_blueprint(events_bp)
    app.register_blueprint(meetings_bp)
    app.register_blueprint(network_bp)
    app.register_blueprint(operations_bp)
    app.register_blueprint(pages_bp)
    actions.init_app(app)
    app.register_blueprint(people_bp)
    from forum import files

    files.init_app(app)
    from forum import search

    search.init_app(app)
