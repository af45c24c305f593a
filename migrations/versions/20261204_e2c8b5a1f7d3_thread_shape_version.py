"""threads.shape_version: the changes to a thread's shape, counted by triggers on posts

Revision ID: e2c8b5a1f7d3
Revises: a7c2e9f4b1d6
Create Date: 2026-12-04 17:00:00

A long thread's shape is kept per process (forum.threads.shape); each page asked whether it
changed by counting the thread's posts and summing their parents, a read of the thread's whole
index (issue 16). The counter is one column of the thread row instead. Existing threads start
at 0: no process keeps a shape against this column before the migration.
"""
import sqlalchemy as sa
from alembic import op

revision = 'e2c8b5a1f7d3'
down_revision = 'a7c2e9f4b1d6'
branch_labels = None
depends_on = None


def upgrade():
    from forum.models import shape_version

    # A plain ADD COLUMN on both databases (no rebuild of threads on SQLite).
    op.add_column('threads', sa.Column('shape_version', sa.Integer(), server_default='0',
                                       nullable=False))
    shape_version.create(op.get_bind())


def downgrade():
    from forum.models import shape_version

    bind = op.get_bind()
    shape_version.drop(bind)
    if bind.dialect.name == 'sqlite':
        # SQLite 3.35+ drops a column in place; batch mode would rebuild threads (and drop
        # the search triggers on it).
        op.execute('ALTER TABLE threads DROP COLUMN shape_version')
    else:
        op.drop_column('threads', 'shape_version')
