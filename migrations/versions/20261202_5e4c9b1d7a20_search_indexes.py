"""search indexes: FTS5 tables and triggers on SQLite, tsvector columns and GIN on PostgreSQL

Revision ID: 5e4c9b1d7a20
Revises: a7c3e1f2b9d4
Create Date: 2026-12-02 06:40:00

"""
from alembic import op


revision = '5e4c9b1d7a20'
down_revision = 'a7c3e1f2b9d4'
branch_labels = None
depends_on = None


def upgrade():
    from forum.search import schema

    schema.create_all(op.get_bind(), ("threads", "posts"), scoped=False)


def downgrade():
    connection = op.get_bind()
    if connection.dialect.name == "sqlite":
        for fts in ("post_search", "thread_search"):
            for trigger in ("insert", "delete", "update"):
                op.execute(f"DROP TRIGGER IF EXISTS {fts}_{trigger}")
            op.execute(f"DROP TABLE IF EXISTS {fts}")
    elif connection.dialect.name == "postgresql":
        for table in ("posts", "threads"):
            op.execute(f"DROP INDEX IF EXISTS ix_{table}_search_vector")
            op.execute(f"ALTER TABLE {table} DROP COLUMN IF EXISTS search_vector")
