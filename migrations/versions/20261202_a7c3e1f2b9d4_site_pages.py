"""site pages: the privacy notice and accessibility statement admins edit

Revision ID: a7c3e1f2b9d4
Revises: e9451ae6f9a9
Create Date: 2026-12-02 06:30:00

"""
from alembic import op
import sqlalchemy as sa


revision = 'a7c3e1f2b9d4'
down_revision = 'e9451ae6f9a9'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('site_pages',
    sa.Column('slug', sa.String(length=40), nullable=False),
    sa.Column('body_source', sa.Text(), nullable=False),
    sa.Column('body_html', sa.Text(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['updated_by_id'], ['users.id'], name=op.f('fk_site_pages_updated_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('slug', name=op.f('pk_site_pages'))
    )


def downgrade():
    op.drop_table('site_pages')
