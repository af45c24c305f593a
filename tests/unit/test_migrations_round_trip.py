"""Every migration's downgrade and upgrade run on a database holding the demo content, on
SQLite and PostgreSQL, and the round trip loses none of the rows the oldest schema can hold."""

from __future__ import annotations

import warnings

import flask_migrate
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect
from sqlalchemy import text
from sqlalchemy.exc import SAWarning

from forum.extensions import db
from forum.search.schema import include_object
from tests.unit.test_migrations import _clean_up
from tests.unit.test_migrations import _fresh_app


def _row_counts() -> dict[str, int]:
    with db.engine.connect() as connection:
        return {name: connection.execute(text(f'SELECT count(*) FROM "{name}"')).scalar_one()
                for name in inspect(connection).get_table_names()
                if name != "alembic_version" and not name.startswith("post_search_")}


def _current_revision() -> str:
    with db.engine.connect() as connection:
        return connection.execute(text("SELECT version_num FROM alembic_version")).scalar_one()


def _differences_from_the_models() -> list:
    with db.engine.connect() as connection, warnings.catch_warnings():
        warnings.filterwarnings("ignore", "Skipped unsupported reflection of expression-based "
                                "index", SAWarning)
        warnings.filterwarnings("ignore", "autogenerate skipping metadata-specified "
                                "expression-based index", UserWarning)
        return compare_metadata(MigrationContext.configure(connection, opts={
            "compare_type": True, "include_object": include_object}), db.metadata)


def test_every_migration_goes_down_and_up_again_with_the_demo_content(tmp_path, database_url):
    """Walk from the newest revision down to the first one step at a time, then up again:
    each step runs on the demo's rows, the schema ends as the models describe it, and every
    table the first revision already had holds as many rows as before."""
    from forum.demo import load_demo

    app = _fresh_app(tmp_path, database_url)
    with app.app_context():
        try:
            flask_migrate.upgrade()
            load_demo(db.session)
            db.session.commit()
            db.session.remove()
            before = _row_counts()
            assert before["posts"] > 20 and before["users"] > 5
            scripts = ScriptDirectory.from_config(app.extensions["migrate"].migrate.get_config())
            revisions = [script.revision for script in scripts.walk_revisions()]  # newest first
            for expected in revisions[1:]:
                flask_migrate.downgrade(revision="-1")
                assert _current_revision() == expected
            oldest = _row_counts()
            for expected in reversed(revisions[:-1]):
                flask_migrate.upgrade(revision="+1")
                assert _current_revision() == expected
            after = _row_counts()
            differences = _differences_from_the_models()
        finally:
            _clean_up(database_url)
    assert differences == []
    lost = {name: (before[name], oldest[name], after[name]) for name in oldest
            if not before[name] == oldest[name] == after[name]}
    assert lost == {}, "rows lost on the way down or up (before, at the oldest, after)"
