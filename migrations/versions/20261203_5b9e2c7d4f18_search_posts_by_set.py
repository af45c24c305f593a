"""SQLite: the posts' search index also holds each post's set (a search within one set reads
only that set's posts from the index)

Revision ID: 5b9e2c7d4f18
Revises: d3a6f1c8e2b4
Create Date: 2026-12-03 12:40:00

``post_search`` is rebuilt over the view ``post_search_source`` (a post's text and its thread's
set), with its triggers. PostgreSQL is unchanged: its search reads a set's posts through the
set's threads.
"""
from alembic import op

revision = '5b9e2c7d4f18'
down_revision = 'd3a6f1c8e2b4'
branch_labels = None
depends_on = None


def upgrade():
    from forum.search import schema

    connection = op.get_bind()
    if connection.dialect.name != 'sqlite':
        return
    schema.drop(connection, ('posts',))
    schema.create_for_table(connection, 'posts')
    # One merged segment, as after a rebuild: a freshly filled index reads slower.
    connection.exec_driver_sql("INSERT INTO post_search(post_search) VALUES ('optimize')")


def downgrade():
    from forum.search import schema

    connection = op.get_bind()
    if connection.dialect.name != 'sqlite':
        return
    schema.drop(connection, ('posts',))
    schema.create_for_table(connection, 'posts', scoped=False)
