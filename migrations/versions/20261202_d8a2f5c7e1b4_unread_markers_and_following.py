"""unread markers and following: thread_reads, thread_follows, posts.approved_at

Revision ID: d8a2f5c7e1b4
Revises: c4f1e8a2d6b3
Create Date: 2026-12-02 15:10:00

"""
import sqlalchemy as sa
from alembic import op


revision = 'd8a2f5c7e1b4'
down_revision = 'c4f1e8a2d6b3'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'thread_reads',
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('thread_id', sa.Integer(), nullable=False),
        sa.Column('read_up_to', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['thread_id'], ['threads.id'],
                                name=op.f('fk_thread_reads_thread_id_threads'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'],
                                name=op.f('fk_thread_reads_user_id_users'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('user_id', 'thread_id', name=op.f('pk_thread_reads')),
    )
    with op.batch_alter_table('thread_reads', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_thread_reads_thread_id'), ['thread_id'],
                              unique=False)
    op.create_table(
        'thread_follows',
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('thread_id', sa.Integer(), nullable=False),
        sa.Column('level', sa.Enum('watching', 'normal', 'muted', name='followlevel',
                                   native_enum=False, length=16), nullable=False),
        sa.Column('updated_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['thread_id'], ['threads.id'],
                                name=op.f('fk_thread_follows_thread_id_threads'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'],
                                name=op.f('fk_thread_follows_user_id_users'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('user_id', 'thread_id', name=op.f('pk_thread_follows')),
    )
    with op.batch_alter_table('thread_follows', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_thread_follows_thread_id'), ['thread_id'],
                              unique=False)
    # A plain ADD COLUMN (no table copy on SQLite, which would drop the search triggers).
    op.add_column('posts', sa.Column('approved_at', sa.DateTime(), nullable=True))


def downgrade():
    from forum.search import schema

    with op.batch_alter_table('posts', schema=None) as batch_op:
        batch_op.drop_column('approved_at')
    # SQLite copies the table to drop a column, which drops its search triggers.
    schema.create_for_table(op.get_bind(), 'posts', scoped=False)
    for table in ('thread_follows', 'thread_reads'):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_index(batch_op.f(f'ix_{table}_thread_id'))
        op.drop_table(table)
