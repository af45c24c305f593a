"""guide excerpts keep their own copy of the quoted source

Revision ID: b7c1e2d4a9f0
Revises: 5e55a1f0c0de
Create Date: 2026-12-02 06:00:00

An excerpt used to follow its post's live text (a whole-post excerpt) or keep no record of
the text a trim was taken from. Each excerpt now stores the approved Markdown it quotes.
Existing rows: a whole-post excerpt's own body is the text it was taken from (so a post edited
since is flagged "needs attention"); for a trim, the post's current text is the best record.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'b7c1e2d4a9f0'
down_revision = '5e55a1f0c0de'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('guide_excerpts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('quoted_source', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('quoted_version_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('reviewed_source', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('show_in_reply_to', sa.Boolean(), nullable=False,
                                      server_default=sa.false()))

    excerpts = sa.table('guide_excerpts', sa.column('post_id', sa.Integer()),
                        sa.column('body_source', sa.Text()),
                        sa.column('is_trimmed', sa.Boolean()),
                        sa.column('quoted_source', sa.Text()),
                        sa.column('quoted_version_at', sa.DateTime()))
    posts = sa.table('posts', sa.column('id', sa.Integer()), sa.column('body_source', sa.Text()),
                     sa.column('created_at', sa.DateTime()),
                     sa.column('edited_at', sa.DateTime()))
    op.execute(excerpts.update().values(quoted_source=excerpts.c.body_source))
    current = (sa.select(posts.c.body_source).where(posts.c.id == excerpts.c.post_id)
               .scalar_subquery())
    op.execute(excerpts.update()
               .where(excerpts.c.is_trimmed == sa.true(), excerpts.c.post_id.is_not(None))
               .values(quoted_source=current))
    version_at = (sa.select(sa.func.coalesce(posts.c.edited_at, posts.c.created_at))
                  .where(posts.c.id == excerpts.c.post_id).scalar_subquery())
    op.execute(excerpts.update().where(excerpts.c.post_id.is_not(None))
               .values(quoted_version_at=version_at))

    with op.batch_alter_table('guide_excerpts', schema=None) as batch_op:
        batch_op.alter_column('quoted_source', existing_type=sa.Text(), nullable=False)


def downgrade():
    with op.batch_alter_table('guide_excerpts', schema=None) as batch_op:
        batch_op.drop_column('show_in_reply_to')
        batch_op.drop_column('reviewed_source')
        batch_op.drop_column('quoted_version_at')
        batch_op.drop_column('quoted_source')
