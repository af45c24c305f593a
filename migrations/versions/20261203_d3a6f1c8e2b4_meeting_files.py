"""Files on a set's meetings (agenda, slides, notes): uploaded_files.meeting_id

Revision ID: d3a6f1c8e2b4
Revises: b8e4f0a3d5c2
Create Date: 2026-12-03 07:45:00

The "exactly one owner" check now counts three owners. SQLite cannot alter a constraint, so the
table is rebuilt in batch mode; the old check is named explicitly so the rebuild drops it.
"""
import sqlalchemy as sa
from alembic import op

revision = 'd3a6f1c8e2b4'
down_revision = 'b8e4f0a3d5c2'
branch_labels = None
depends_on = None

TWO_OWNERS = '(post_id IS NULL) <> (event_material_id IS NULL)'
THREE_OWNERS = ('(CASE WHEN post_id IS NULL THEN 0 ELSE 1 END'
                ' + CASE WHEN event_material_id IS NULL THEN 0 ELSE 1 END'
                ' + CASE WHEN meeting_id IS NULL THEN 0 ELSE 1 END) = 1')


def upgrade():
    with op.batch_alter_table('uploaded_files', schema=None) as batch_op:
        batch_op.add_column(sa.Column('meeting_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_uploaded_files_meeting_id_meetings'),
                                    'meetings', ['meeting_id'], ['id'], ondelete='CASCADE')
        batch_op.create_index(batch_op.f('ix_uploaded_files_meeting_id'), ['meeting_id'])
        batch_op.drop_constraint(batch_op.f('ck_uploaded_files_one_owner'), type_='check')
        batch_op.create_check_constraint(batch_op.f('ck_uploaded_files_one_owner'),
                                         sa.text(THREE_OWNERS))


def downgrade():
    op.execute('DELETE FROM uploaded_files WHERE meeting_id IS NOT NULL')
    with op.batch_alter_table('uploaded_files', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_uploaded_files_one_owner'), type_='check')
        batch_op.drop_index(batch_op.f('ix_uploaded_files_meeting_id'))
        batch_op.drop_constraint(batch_op.f('fk_uploaded_files_meeting_id_meetings'),
                                 type_='foreignkey')
        batch_op.drop_column('meeting_id')
        batch_op.create_check_constraint(batch_op.f('ck_uploaded_files_one_owner'),
                                         sa.text(TWO_OWNERS))
