"""events can be cancelled; notifications and emails about events

Revision ID: c4e7a2b9d1f3
Revises: c4f1a9e2d7b3
Create Date: 2026-12-02 15:00:00

People who signed up to an event are told when its time or place changes, when it is
cancelled, and when a place comes free for them: notifications and queued emails name the event
(so they are shown and sent only while the person may still see it), and everyone gets an email
preference for these (immediately, as the model's default).
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c4e7a2b9d1f3'
down_revision = 'c4f1a9e2d7b3'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.add_column(sa.Column('cancelled_at', sa.DateTime(), nullable=True))
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.add_column(sa.Column('event_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_notifications_event_id'), ['event_id'],
                              unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_notifications_event_id_events'), 'events',
                                    ['event_id'], ['id'], ondelete='CASCADE')
    with op.batch_alter_table('email_outbox', schema=None) as batch_op:
        batch_op.add_column(sa.Column('event_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_email_outbox_event_id_events'), 'events',
                                    ['event_id'], ['id'], ondelete='CASCADE')
    with op.batch_alter_table('notification_preferences', schema=None) as batch_op:
        batch_op.add_column(sa.Column(
            'events', sa.Enum('immediately', 'daily', 'off', name='emailmode',
                              native_enum=False, length=12),
            server_default='immediately', nullable=False))


def downgrade():
    with op.batch_alter_table('notification_preferences', schema=None) as batch_op:
        batch_op.drop_column('events')
    with op.batch_alter_table('email_outbox', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_email_outbox_event_id_events'),
                                 type_='foreignkey')
        batch_op.drop_column('event_id')
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_notifications_event_id_events'),
                                 type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_notifications_event_id'))
        batch_op.drop_column('event_id')
    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.drop_column('cancelled_at')
