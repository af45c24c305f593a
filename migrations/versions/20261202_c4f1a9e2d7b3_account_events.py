"""account events: the admin log of what was done to accounts (disable, erase, delete)

Revision ID: c4f1a9e2d7b3
Revises: 4d2b8e6f1a90
Create Date: 2026-12-02 15:05:00

"""
from alembic import op
import sqlalchemy as sa


revision = 'c4f1a9e2d7b3'
down_revision = '4d2b8e6f1a90'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('account_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('account_id', sa.Integer(), nullable=False),
    sa.Column('action', sa.String(length=32), nullable=False),
    sa.Column('detail', sa.String(length=300), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['users.id'], name=op.f('fk_account_events_actor_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_account_events'))
    )
    with op.batch_alter_table('account_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_account_events_account_id'), ['account_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_account_events_actor_id'), ['actor_id'], unique=False)


def downgrade():
    with op.batch_alter_table('account_events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_account_events_actor_id'))
        batch_op.drop_index(batch_op.f('ix_account_events_account_id'))
    op.drop_table('account_events')
