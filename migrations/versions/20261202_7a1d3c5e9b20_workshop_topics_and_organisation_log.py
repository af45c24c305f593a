"""Topics proposed for workshops (with supports), and the log of changes to organisations

Revision ID: 7a1d3c5e9b20
Revises: c4f8a2d1e6b3
Create Date: 2026-12-02 19:10:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '7a1d3c5e9b20'
down_revision = 'c4f8a2d1e6b3'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'event_topics',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('event_id', sa.Integer(), nullable=False),
        sa.Column('proposer_id', sa.Integer(), nullable=True),
        sa.Column('title', sa.String(length=150), nullable=False),
        sa.Column('description_source', sa.Text(), nullable=False),
        sa.Column('description_html', sa.Text(), nullable=False),
        sa.Column('status', sa.Enum('waiting', 'approved', 'hidden', name='topicstatus',
                                    native_enum=False, length=16), nullable=False),
        sa.Column('on_agenda', sa.Boolean(), nullable=False),
        sa.Column('decided_by_id', sa.Integer(), nullable=True),
        sa.Column('decided_at', sa.DateTime(), nullable=True),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['event_id'], ['events.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['proposer_id'], ['users.id'], ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['decided_by_id'], ['users.id'], ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_event_topics_event_status', 'event_topics', ['event_id', 'status'])
    op.create_index('ix_event_topics_proposer_id', 'event_topics', ['proposer_id'])
    op.create_table(
        'event_topic_supports',
        sa.Column('topic_id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['topic_id'], ['event_topics.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('topic_id', 'user_id'),
    )
    op.create_index('ix_event_topic_supports_user_id', 'event_topic_supports', ['user_id'])
    op.create_table(
        'organisation_changes',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('actor_id', sa.Integer(), nullable=True),
        sa.Column('organisation_id', sa.Integer(), nullable=False),
        sa.Column('action', sa.String(length=32), nullable=False),
        sa.Column('detail', sa.String(length=500), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['actor_id'], ['users.id'], ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_organisation_changes_actor_id', 'organisation_changes', ['actor_id'])
    op.create_index('ix_organisation_changes_organisation_id', 'organisation_changes',
                    ['organisation_id'])


def downgrade():
    op.drop_table('organisation_changes')
    op.drop_table('event_topic_supports')
    op.drop_table('event_topics')
