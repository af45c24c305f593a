"""posts.submission_key: a posting form sent twice creates one post

Revision ID: b7c1d2e3f4a5
Revises: afc37c8ad293
Create Date: 2026-12-02 06:45:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'b7c1d2e3f4a5'
down_revision = 'afc37c8ad293'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('posts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('submission_key', sa.String(length=64), nullable=True))
        batch_op.create_unique_constraint('uq_posts_author_id_submission_key',
                                          ['author_id', 'submission_key'])


def downgrade():
    with op.batch_alter_table('posts', schema=None) as batch_op:
        batch_op.drop_constraint('uq_posts_author_id_submission_key', type_='unique')
        batch_op.drop_column('submission_key')
