"""Indexes for bounded counts: ix_posts_thread_published, thread_id in ix_posts_author_status

Revision ID: a7c2e9f4b1d6
Revises: 5b9e2c7d4f18
Create Date: 2026-12-03 12:20:00

The set page's "N new" markers count a thread's posts published after the reader's place, up
to a cap, and find the first of them: on (thread, status, coalesce(approved_at, created_at),
author) both read only the entries they need (an expression index, on SQLite and PostgreSQL).
The moderation queue counts an author's published posts in a set up to 51: with the thread in
ix_posts_author_status that reads the index and the threads' keys, not the author's posts.
"""
import sqlalchemy as sa
from alembic import op

revision = 'a7c2e9f4b1d6'
down_revision = '5b9e2c7d4f18'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index('ix_posts_thread_published', 'posts',
                    ['thread_id', 'status', sa.text('coalesce(approved_at, created_at)'),
                     'author_id'])
    op.drop_index('ix_posts_author_status', table_name='posts')
    op.create_index('ix_posts_author_status', 'posts', ['author_id', 'status', 'thread_id'])


def downgrade():
    op.drop_index('ix_posts_author_status', table_name='posts')
    op.create_index('ix_posts_author_status', 'posts', ['author_id', 'status'])
    op.drop_index('ix_posts_thread_published', table_name='posts')
