"""ix_posts_waiting_date, and ids in ix_posts_status_pending_at: an admin's queue in date order

Revision ID: d7e2a4c9f1b8
Revises: c5d1e8f3a2b7
Create Date: 2026-12-05 00:20:00

An admin moderates every set: their queue counted and sorted the site's whole backlog of
waiting posts to show the oldest 20 (32,774 on the 1,000,000-post seed, issue 16). A partial
index of the waiting posts by (created_at, id) lets the page walk them in date order and stop
after the page. Waiting edits likewise: ix_posts_status_pending_at gains the post id, the
queue's second key (SQLite had it already, as the rowid; PostgreSQL sorted every waiting edit).
"""
import sqlalchemy as sa
from alembic import op

revision = 'd7e2a4c9f1b8'
down_revision = 'c5d1e8f3a2b7'
branch_labels = None
depends_on = None

WAITING = "status = 'pending'"


def upgrade():
    op.create_index('ix_posts_waiting_date', 'posts', ['status', 'created_at', 'id'],
                    sqlite_where=sa.text(WAITING), postgresql_where=sa.text(WAITING))
    op.drop_index('ix_posts_status_pending_at', table_name='posts')
    op.create_index('ix_posts_status_pending_at', 'posts', ['status', 'pending_at', 'id'])


def downgrade():
    op.drop_index('ix_posts_status_pending_at', table_name='posts')
    op.create_index('ix_posts_status_pending_at', 'posts', ['status', 'pending_at'])
    op.drop_index('ix_posts_waiting_date', table_name='posts')
