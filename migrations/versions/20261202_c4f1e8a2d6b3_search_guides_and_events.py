"""search published guides and events: guide_search_entries, and their indexes

Revision ID: c4f1e8a2d6b3
Revises: f5b1d3e7a9c2
Create Date: 2026-12-02 15:00:00

"""
import json

import sqlalchemy as sa
from alembic import op


revision = 'c4f1e8a2d6b3'
down_revision = 'f5b1d3e7a9c2'
branch_labels = None
depends_on = None


def upgrade():
    from forum.search import guides
    from forum.search import schema

    entries = op.create_table(
        'guide_search_entries',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('guide_id', sa.Integer(), nullable=False),
        sa.Column('version_id', sa.Integer(), nullable=False),
        sa.Column('post_id', sa.Integer(), nullable=True),
        sa.Column('anchor', sa.String(length=200), nullable=False),
        sa.Column('text', sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(['guide_id'], ['guides.id'],
                                name=op.f('fk_guide_search_entries_guide_id_guides'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['post_id'], ['posts.id'],
                                name=op.f('fk_guide_search_entries_post_id_posts'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['version_id'], ['guide_versions.id'],
                                name=op.f('fk_guide_search_entries_version_id_guide_versions'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_guide_search_entries')),
    )
    with op.batch_alter_table('guide_search_entries', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_guide_search_entries_guide_id'), ['guide_id'],
                              unique=False)
        batch_op.create_index(batch_op.f('ix_guide_search_entries_post_id'), ['post_id'],
                              unique=False)
        batch_op.create_index(batch_op.f('ix_guide_search_entries_version_id'), ['version_id'],
                              unique=False)
    connection = op.get_bind()
    schema.create_all(connection, ("guide_search_entries", "events"))
    # Guides published before this: index each one's latest version.
    rows = []
    latest = connection.execute(sa.text(
        "SELECT v.id, v.guide_id, v.document FROM guide_versions v WHERE v.number = "
        "(SELECT max(w.number) FROM guide_versions w WHERE w.guide_id = v.guide_id)")).all()
    posts = set(connection.execute(sa.text("SELECT id FROM posts")).scalars()) if latest else set()
    for version_id, guide_id, document in latest:
        if isinstance(document, str):
            document = json.loads(document)
        rows.extend(guides.entries_for(guide_id, version_id, document, posts))
    if rows:
        op.bulk_insert(entries, rows)


def downgrade():
    from forum.search import schema

    schema.drop(op.get_bind(), ("guide_search_entries", "events"))
    with op.batch_alter_table('guide_search_entries', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_guide_search_entries_version_id'))
        batch_op.drop_index(batch_op.f('ix_guide_search_entries_post_id'))
        batch_op.drop_index(batch_op.f('ix_guide_search_entries_guide_id'))
    op.drop_table('guide_search_entries')
