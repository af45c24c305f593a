"""Uploaded files: an event's slides and papers, a post's attachments

Revision ID: e7b3c9a1f4d2
Revises: 7a1d3c5e9b20
Create Date: 2026-12-02 19:20:00
"""
import sqlalchemy as sa
from alembic import op

revision = 'e7b3c9a1f4d2'
down_revision = '7a1d3c5e9b20'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'uploaded_files',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('storage_key', sa.String(length=80), nullable=False),
        sa.Column('original_name', sa.String(length=200), nullable=False),
        sa.Column('file_type', sa.String(length=10), nullable=False),
        sa.Column('size', sa.Integer(), nullable=False),
        sa.Column('post_id', sa.Integer(), nullable=True),
        sa.Column('event_material_id', sa.Integer(), nullable=True),
        sa.Column('awaiting_approval', sa.Boolean(), nullable=False),
        sa.Column('uploaded_by_id', sa.Integer(), nullable=True),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.CheckConstraint('(post_id IS NULL) <> (event_material_id IS NULL)',
                           name=op.f('ck_uploaded_files_one_owner')),
        sa.ForeignKeyConstraint(['event_material_id'], ['event_materials.id'],
                                name=op.f('fk_uploaded_files_event_material_id_event_materials'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['post_id'], ['posts.id'],
                                name=op.f('fk_uploaded_files_post_id_posts'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['uploaded_by_id'], ['users.id'],
                                name=op.f('fk_uploaded_files_uploaded_by_id_users'),
                                ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_uploaded_files')),
        sa.UniqueConstraint('storage_key', name=op.f('uq_uploaded_files_storage_key')),
    )
    with op.batch_alter_table('uploaded_files', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_uploaded_files_post_id'), ['post_id'])
        batch_op.create_index(batch_op.f('ix_uploaded_files_event_material_id'),
                              ['event_material_id'])
        batch_op.create_index(batch_op.f('ix_uploaded_files_uploaded_by_id'), ['uploaded_by_id'])


def downgrade():
    op.drop_table('uploaded_files')
