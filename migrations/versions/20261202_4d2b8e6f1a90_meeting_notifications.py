"""meeting notifications: notifications name a meeting; an email preference for meetings

Revision ID: 4d2b8e6f1a90
Revises: 158a173d8ae3
Create Date: 2026-12-02 15:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '4d2b8e6f1a90'
down_revision = '158a173d8ae3'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.add_column(sa.Column('meeting_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_notifications_meeting_id_meetings'),
                                    'meetings', ['meeting_id'], ['id'], ondelete='CASCADE')
    with op.batch_alter_table('notification_preferences', schema=None) as batch_op:
        batch_op.add_column(sa.Column(
            'meetings', sa.Enum('immediately', 'daily', 'off', name='emailmode',
                                native_enum=False, length=12),
            server_default='immediately', nullable=False))


def downgrade():
    with op.batch_alter_table('notification_preferences', schema=None) as batch_op:
        batch_op.drop_column('meetings')
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_notifications_meeting_id_meetings'),
                                 type_='foreignkey')
        batch_op.drop_column('meeting_id')
