"""session version on users; sign-in throttles

Revision ID: 5e55a1f0c0de
Revises: 79e5969f20df
Create Date: 2026-12-02 06:00:00

Every session and remember-me cookie carries the user's session version, so raising it signs
that person out everywhere. Failed sign-in attempts are counted per (hashed) email address in the
database, so every worker process sees the same count.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '5e55a1f0c0de'
down_revision = '79e5969f20df'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('session_version', sa.Integer(), server_default='0',
                                      nullable=False))
    op.create_table('sign_in_throttles',
    sa.Column('key', sa.String(length=64), nullable=False),
    sa.Column('failures', sa.Integer(), nullable=False),
    sa.Column('last_attempt_at', sa.DateTime(), nullable=False),
    sa.Column('blocked_until', sa.DateTime(), nullable=True),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_sign_in_throttles'))
    )


def downgrade():
    op.drop_table('sign_in_throttles')
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('session_version')
