"""Admins' copies of a person's data (subject access requests): who asked, and for admins

Revision ID: b8e4f0a3d5c2
Revises: a7d3e9b2c4f1
Create Date: 2026-12-02 19:45:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'b8e4f0a3d5c2'
down_revision = 'a7d3e9b2c4f1'
branch_labels = None
depends_on = None

ACTIVE = "state IN ('waiting', 'making')"


def upgrade():
    op.drop_index('uq_data_exports_one_active', table_name='data_exports')
    with op.batch_alter_table('data_exports') as batch_op:
        batch_op.add_column(sa.Column('for_admin', sa.Boolean(), nullable=False,
                                      server_default=sa.false()))
        batch_op.add_column(sa.Column('requested_by_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(op.f('fk_data_exports_requested_by_id_users'), 'users',
                                    ['requested_by_id'], ['id'], ondelete='SET NULL')
        batch_op.create_index(op.f('ix_data_exports_requested_by_id'), ['requested_by_id'])
    op.create_index('uq_data_exports_one_active', 'data_exports', ['user_id', 'for_admin'],
                    unique=True, sqlite_where=sa.text(ACTIVE), postgresql_where=sa.text(ACTIVE))


def downgrade():
    op.execute("DELETE FROM data_exports WHERE for_admin")
    op.drop_index('uq_data_exports_one_active', table_name='data_exports')
    with op.batch_alter_table('data_exports') as batch_op:
        batch_op.drop_index(op.f('ix_data_exports_requested_by_id'))
        batch_op.drop_constraint(op.f('fk_data_exports_requested_by_id_users'),
                                 type_='foreignkey')
        batch_op.drop_column('requested_by_id')
        batch_op.drop_column('for_admin')
    op.create_index('uq_data_exports_one_active', 'data_exports', ['user_id'], unique=True,
                    sqlite_where=sa.text(ACTIVE), postgresql_where=sa.text(ACTIVE))
