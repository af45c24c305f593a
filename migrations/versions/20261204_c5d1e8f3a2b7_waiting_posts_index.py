"""ix_posts_waiting_thread_date: the moderation queue's waiting posts by thread and date

Revision ID: c5d1e8f3a2b7
Revises: c4d8e1a6b9f2
Create Date: 2026-12-04 21:45:00

The queue counted a moderator's waiting posts and sorted them for the oldest page through
ix_posts_thread_status, reading each waiting post's row for its date: a cost that followed the
backlog of the moderator's sets (issue 16). A partial index of the waiting posts alone
(thread, status, created_at, id) answers both from the index; it holds only what waits.
"""
import sqlalchemy as sa
from alembic import op

revision = 'c5d1e8f3a2b7'
down_revision = 'c4d8e1a6b9f2'
branch_labels = None
depends_on = None

WAITING = "status = 'pending'"


def upgrade():
    op.create_index('ix_posts_waiting_thread_date', 'posts',
                    ['thread_id', 'status', 'created_at', 'id'],
                    sqlite_where=sa.text(WAITING), postgresql_where=sa.text(WAITING))


def downgrade():
    op.drop_index('ix_posts_waiting_thread_date', table_name='posts')
