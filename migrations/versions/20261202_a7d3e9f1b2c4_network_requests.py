"""requests to join the network

Revision ID: a7d3e9f1b2c4
Revises: e7b3c9a1f4d2
Create Date: 2026-12-02 19:15:00

A visitor without an account asks to join the network from /network/; admins and network
coordinators accept (an invitation is emailed) or decline with a message. The row logs the
decision; decided rows are deleted by the retention command.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'a7d3e9f1b2c4'
down_revision = 'e7b3c9a1f4d2'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('network_requests',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('organisation', sa.String(length=200), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=True),
    sa.Column('job_title', sa.String(length=200), nullable=False),
    sa.Column('hopes', sa.Text(), nullable=False),
    sa.Column('status', sa.Enum('pending', 'accepted', 'declined', name='requeststatus', native_enum=False, length=16), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('decided_at', sa.DateTime(), nullable=True),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('invited_to', sa.Text(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['decided_by_id'], ['users.id'], name=op.f('fk_network_requests_decided_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_network_requests_organisation_id_organisations'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_network_requests'))
    )
    with op.batch_alter_table('network_requests', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_network_requests_email'), ['email'], unique=False)
        batch_op.create_index(batch_op.f('ix_network_requests_status'), ['status'], unique=False)


def downgrade():
    with op.batch_alter_table('network_requests', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_network_requests_status'))
        batch_op.drop_index(batch_op.f('ix_network_requests_email'))
    op.drop_table('network_requests')
