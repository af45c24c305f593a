"""A challenge's closing summary is a post of its thread (kind 'summary')

Revision ID: c4d8e1a6b9f2
Revises: e2c8b5a1f7d3
Create Date: 2026-12-04 21:10:00

The summary was a column of challenges, shown at once: a holder whose posts wait for a
moderator either skipped moderation or (the stop-gap) could not close their own challenge.
As a post, it waits, is approved, returned, withdrawn, edited, searched and erased as every
post is. Each summary written so far was shown at once, so it becomes an approved post by the
person who closed the challenge, replying to the challenge's opening post, dated its closing.

Downgrade: the column comes back holding the newest approved summary of each challenge, and
the summary posts stay in their threads as learnings (a kind the older code knows), so no text
is lost. Upgrading again turns the post holding the column's text back into the summary
instead of adding a second copy of it.
"""
import sqlalchemy as sa
from alembic import op

revision = 'c4d8e1a6b9f2'
down_revision = 'e2c8b5a1f7d3'
branch_labels = None
depends_on = None

challenges = sa.table('challenges', sa.column('id', sa.Integer), sa.column('thread_id', sa.Integer),
                      sa.column('closing_summary', sa.Text),
                      sa.column('closed_by_id', sa.Integer),
                      sa.column('closed_at', sa.DateTime))
posts = sa.table('posts', sa.column('id', sa.Integer), sa.column('thread_id', sa.Integer),
                 sa.column('author_id', sa.Integer), sa.column('parent_id', sa.Integer),
                 sa.column('depth', sa.Integer), sa.column('body_source', sa.Text),
                 sa.column('body_html', sa.Text), sa.column('status', sa.String),
                 sa.column('created_at', sa.DateTime), sa.column('version', sa.Integer),
                 sa.column('kind', sa.String))


def _refresh(bind, thread_ids):
    from forum.models.thread import Thread
    from forum.models.thread import thread_copies

    ids = sorted(thread_ids)
    for start in range(0, len(ids), 500):
        bind.execute(sa.update(Thread.__table__)
                     .where(Thread.__table__.c.id.in_(ids[start:start + 500]))
                     .values(**thread_copies()))


def upgrade():
    from forum.models.base import utcnow
    from forum.text import render_markdown

    bind = op.get_bind()
    rows = bind.execute(sa.select(challenges.c.thread_id, challenges.c.closing_summary,
                                  challenges.c.closed_by_id, challenges.c.closed_at)
                        .where(challenges.c.closing_summary != '')).all()
    touched = set()
    for thread_id, text, closed_by_id, closed_at in rows:
        opening = bind.execute(sa.select(posts.c.id, posts.c.depth)
                               .where(posts.c.thread_id == thread_id,
                                      posts.c.parent_id.is_(None))
                               .order_by(posts.c.id).limit(1)).first()
        if opening is None:
            continue
        # Upgraded again after a downgrade: the summary's post is still there as a learning
        # (the downgrade's), so it becomes the summary again rather than a second copy.
        earlier = bind.execute(sa.select(posts.c.id).where(
            posts.c.thread_id == thread_id, posts.c.parent_id == opening.id,
            posts.c.kind == 'learning', posts.c.status == 'approved',
            posts.c.body_source == text).order_by(posts.c.id.desc()).limit(1)).scalar()
        if earlier is not None:
            bind.execute(sa.update(posts).where(posts.c.id == earlier).values(kind='summary'))
            continue
        bind.execute(posts.insert().values(
            thread_id=thread_id, author_id=closed_by_id, parent_id=opening.id,
            depth=opening.depth + 1, body_source=text, body_html=render_markdown(text),
            status='approved', created_at=closed_at or utcnow(), version=1, kind='summary'))
        touched.add(thread_id)
    _refresh(bind, touched)
    if bind.dialect.name == 'sqlite':
        # SQLite 3.35+ drops a column in place (batch mode would rebuild the table).
        op.execute('ALTER TABLE challenges DROP COLUMN closing_summary')
    else:
        op.drop_column('challenges', 'closing_summary')


def downgrade():
    op.add_column('challenges', sa.Column('closing_summary', sa.Text(), server_default='',
                                          nullable=False))
    bind = op.get_bind()
    newest = (sa.select(posts.c.body_source)
              .where(posts.c.thread_id == challenges.c.thread_id,
                     posts.c.kind == 'summary', posts.c.status == 'approved')
              .order_by(posts.c.id.desc()).limit(1).scalar_subquery())
    bind.execute(sa.update(challenges).values(closing_summary=sa.func.coalesce(newest, '')))
    bind.execute(sa.update(posts).where(posts.c.kind == 'summary').values(kind='learning'))
