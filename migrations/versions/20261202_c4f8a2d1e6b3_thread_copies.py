"""Threads keep copies of what their posts say: the opening post's status and author, the
number of published replies and of posts waiting for a moderator

The set page and the moderation queue read these instead of going through every post on the
site (issue 16: a page's cost must not grow with the database). The service and the session
keep them (forum.models.thread.refresh_threads); this migration works them out for existing
threads. Indexes for the queue and thread pages: a thread's posts by status and by parent
(replacing the index on thread_id alone), waiting edits, an author's published posts.

Revision ID: c4f8a2d1e6b3
Revises: d8a2f5c7e1b4
Create Date: 2026-12-02 15:05:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c4f8a2d1e6b3'
down_revision = 'd8a2f5c7e1b4'
branch_labels = None
depends_on = None

STATUS = sa.Enum('pending', 'approved', 'rejected', 'hidden', 'withdrawn', name='poststatus',
                 native_enum=False, length=16)

# The same statement as forum.models.thread.thread_copies, in SQL both databases read.
BACKFILL = """
UPDATE threads SET
  opening_status = (SELECT p.status FROM posts p WHERE p.id = (
      SELECT r.id FROM posts r WHERE r.thread_id = threads.id AND r.parent_id IS NULL
      ORDER BY r.id LIMIT 1)),
  opening_author_id = (SELECT p.author_id FROM posts p WHERE p.id = (
      SELECT r.id FROM posts r WHERE r.thread_id = threads.id AND r.parent_id IS NULL
      ORDER BY r.id LIMIT 1)),
  reply_count = (SELECT count(*) FROM posts p WHERE p.thread_id = threads.id
      AND p.parent_id IS NOT NULL AND p.status = 'approved'),
  waiting_count = (SELECT count(*) FROM posts p WHERE p.thread_id = threads.id
      AND (p.status = 'pending' OR (p.status = 'approved' AND p.pending_at IS NOT NULL)))
"""


def upgrade():
    with op.batch_alter_table('posts', schema=None) as batch_op:
        batch_op.create_index('ix_posts_thread_status', ['thread_id', 'status', 'pending_at'],
                              unique=False)
        batch_op.create_index('ix_posts_thread_parent', ['thread_id', 'parent_id'],
                              unique=False)
        # Both indexes above start with thread_id: the planner then takes them.
        batch_op.drop_index('ix_posts_thread_id')
        batch_op.create_index('ix_posts_status_pending_at', ['status', 'pending_at'],
                              unique=False)
        batch_op.create_index('ix_posts_author_status', ['author_id', 'status'], unique=False)

    with op.batch_alter_table('threads', schema=None) as batch_op:
        batch_op.add_column(sa.Column('opening_status', STATUS, nullable=True))
        batch_op.add_column(sa.Column('opening_author_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('reply_count', sa.Integer(), server_default='0',
                                      nullable=False))
        batch_op.add_column(sa.Column('waiting_count', sa.Integer(), server_default='0',
                                      nullable=False))
        batch_op.create_foreign_key(batch_op.f('fk_threads_opening_author_id_users'), 'users',
                                    ['opening_author_id'], ['id'], ondelete='SET NULL')
        batch_op.create_index('ix_threads_set_waiting', ['learning_set_id', 'waiting_count'],
                              unique=False)

    op.execute(BACKFILL)

    # SQLite: batch mode rebuilt the threads table (for the new foreign key), which drops the
    # search triggers on it; an earlier rebuild of posts (b7c1d2e3f4a5) dropped the posts'
    # ones. Make them again and re-read the search index (IF NOT EXISTS: a no-op elsewhere).
    from forum.search import schema

    schema.create_all(op.get_bind(), scoped=False)


def downgrade():
    with op.batch_alter_table('threads', schema=None) as batch_op:
        batch_op.drop_index('ix_threads_set_waiting')
        batch_op.drop_constraint(batch_op.f('fk_threads_opening_author_id_users'),
                                 type_='foreignkey')
        batch_op.drop_column('waiting_count')
        batch_op.drop_column('reply_count')
        batch_op.drop_column('opening_author_id')
        batch_op.drop_column('opening_status')

    with op.batch_alter_table('posts', schema=None) as batch_op:
        batch_op.drop_index('ix_posts_author_status')
        batch_op.drop_index('ix_posts_status_pending_at')
        batch_op.drop_index('ix_posts_thread_status')
        batch_op.drop_index('ix_posts_thread_parent')
        batch_op.create_index('ix_posts_thread_id', ['thread_id'], unique=False)
