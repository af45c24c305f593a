"""Data downloads made in the background: one row per "Prepare my data" request

Revision ID: a7d3e9b2c4f1
Revises: a7d3e9f1b2c4
Create Date: 2026-12-02 19:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'a7d3e9b2c4f1'
down_revision = 'a7d3e9f1b2c4'
branch_labels = None
depends_on = None

ACTIVE = "state IN ('waiting', 'making')"


def upgrade():
    op.create_table(
        'data_exports',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('state', sa.Enum('waiting', 'making', 'ready', 'failed', name='exportstate',
                                   native_enum=False, length=12), nullable=False),
        sa.Column('requested_at', sa.DateTime(), nullable=False),
        sa.Column('started_at', sa.DateTime(), nullable=True),
        sa.Column('ready_at', sa.DateTime(), nullable=True),
        sa.Column('expires_at', sa.DateTime(), nullable=True),
        sa.Column('attempts', sa.Integer(), nullable=False),
        sa.Column('file_key', sa.String(length=200), nullable=True),
        sa.Column('size_bytes', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'],
                                name=op.f('fk_data_exports_user_id_users'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_data_exports')),
    )
    op.create_index(op.f('ix_data_exports_user_id'), 'data_exports', ['user_id'])
    op.create_index('ix_data_exports_state', 'data_exports', ['state', 'expires_at'])
    op.create_index('uq_data_exports_one_active', 'data_exports', ['user_id'], unique=True,
                    sqlite_where=sa.text(ACTIVE), postgresql_where=sa.text(ACTIVE))


def downgrade():
    op.drop_index('uq_data_exports_one_active', table_name='data_exports')
    op.drop_index('ix_data_exports_state', table_name='data_exports')
    op.drop_index(op.f('ix_data_exports_user_id'), table_name='data_exports')
    op.drop_table('data_exports')
