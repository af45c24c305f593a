"""Edits that wait for approval, which revisions were published, and the post an email names

Posts get a version (bumped on every change of their text, so an approval can carry the version
the moderator read) and the columns of an edit waiting for a moderator. Revisions record whether
their text had been published; existing revisions are marked published only when that can be
shown from the log: the post is approved (or hidden) and the revision was made after its first
approval, or the post never needed one. Queued emails record the post they are about, so one is
not sent to someone who can no longer read it.

Revision ID: e9451ae6f9a9
Revises: a3c1e0d4b7f2
Create Date: 2026-12-02 05:46:54.969191

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'e9451ae6f9a9'
down_revision = 'a3c1e0d4b7f2'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('email_outbox', schema=None) as batch_op:
        batch_op.add_column(sa.Column('post_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_email_outbox_post_id_posts'), 'posts',
                                    ['post_id'], ['id'], ondelete='CASCADE')

    with op.batch_alter_table('post_revisions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('was_published', sa.Boolean(), server_default=sa.false(),
                                      nullable=False))

    with op.batch_alter_table('posts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('version', sa.Integer(), server_default='1',
                                      nullable=False))
        batch_op.add_column(sa.Column('pending_source', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('pending_html', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('pending_title', sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column('pending_at', sa.DateTime(), nullable=True))

    revisions = sa.table('post_revisions', sa.column('post_id', sa.Integer),
                         sa.column('created_at', sa.DateTime),
                         sa.column('was_published', sa.Boolean))
    posts = sa.table('posts', sa.column('id', sa.Integer), sa.column('status', sa.String))
    actions = sa.table('moderation_actions', sa.column('post_id', sa.Integer),
                       sa.column('action', sa.String), sa.column('created_at', sa.DateTime))
    first_approval = (sa.select(sa.func.min(actions.c.created_at))
                      .where(actions.c.post_id == revisions.c.post_id,
                             actions.c.action.in_(['approve', 'edit_and_approve']))
                      .scalar_subquery())
    op.execute(
        revisions.update()
        .where(revisions.c.post_id.in_(sa.select(posts.c.id)
                                       .where(posts.c.status.in_(['approved', 'hidden']))),
               sa.or_(first_approval.is_(None), revisions.c.created_at > first_approval))
        .values(was_published=sa.true()))


def downgrade():
    with op.batch_alter_table('posts', schema=None) as batch_op:
        batch_op.drop_column('pending_at')
        batch_op.drop_column('pending_title')
        batch_op.drop_column('pending_html')
        batch_op.drop_column('pending_source')
        batch_op.drop_column('version')

    with op.batch_alter_table('post_revisions', schema=None) as batch_op:
        batch_op.drop_column('was_published')

    with op.batch_alter_table('email_outbox', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_email_outbox_post_id_posts'), type_='foreignkey')
        batch_op.drop_column('post_id')
