"""network coordinators

Revision ID: d8f2b6c3a1e5
Revises: c4e7a2b9d1f3
Create Date: 2026-12-02 15:10:00

Admins name network coordinators, who publish, change and cancel the network's events and add
their materials (before, only admins could).
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'd8f2b6c3a1e5'
down_revision = 'c4e7a2b9d1f3'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('is_network_coordinator', sa.Boolean(),
                                      server_default=sa.false(), nullable=False))


def downgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('is_network_coordinator')
