"""Guides: a licence per guide, and records of stored PDF/DOCX/ODT files

Revision ID: a3c1e0d4b7f2
Revises: b7c1e2d4a9f0
Create Date: 2026-12-02 06:00:00

"""
import sqlalchemy as sa
from alembic import op

revision = "a3c1e0d4b7f2"
down_revision = "b7c1e2d4a9f0"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("guides", schema=None) as batch_op:
        batch_op.add_column(sa.Column("licence", sa.String(length=32), nullable=False,
                                      server_default="cc-by-4.0"))
    op.create_table(
        "guide_files",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("guide_id", sa.Integer(), nullable=False),
        sa.Column("version_id", sa.Integer(), nullable=True),
        sa.Column("format", sa.String(length=16), nullable=False),
        sa.Column("audience", sa.String(length=16), nullable=False),
        sa.Column("renderer", sa.String(length=32), nullable=False),
        sa.Column("links_base", sa.String(length=255), nullable=False),
        sa.Column("post_ids", sa.JSON(), nullable=False),
        sa.Column("withheld_ids", sa.JSON(), nullable=False),
        sa.Column("source_hash", sa.String(length=64), nullable=False),
        sa.Column("storage_key", sa.String(length=255), nullable=False),
        sa.Column("etag", sa.String(length=64), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["guide_id"], ["guides.id"],
                                name=op.f("fk_guide_files_guide_id_guides"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["version_id"], ["guide_versions.id"],
                                name=op.f("fk_guide_files_version_id_guide_versions"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_guide_files")),
    )
    with op.batch_alter_table("guide_files", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_guide_files_guide_id"), ["guide_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_guide_files_version_id"), ["version_id"],
                              unique=False)


def downgrade():
    with op.batch_alter_table("guide_files", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_guide_files_version_id"))
        batch_op.drop_index(batch_op.f("ix_guide_files_guide_id"))
    op.drop_table("guide_files")
    with op.batch_alter_table("guides", schema=None) as batch_op:
        batch_op.drop_column("licence")
