"""member organisations as records

Revision ID: f5b1d3e7a9c2
Revises: e3a9c5d7f2b1
Create Date: 2026-12-02 15:30:00

Organisations become records (name, kind, nation, website) that people are linked to. The
free-text organisation each person typed stays (it is what guides credit); this migration makes
one record ("other organisation" until an admin says more) for each distinct name, merging names
only when they match exactly once trimmed and ignoring case, and links everyone to theirs.
"""
from datetime import UTC
from datetime import datetime

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'f5b1d3e7a9c2'
down_revision = 'e3a9c5d7f2b1'
branch_labels = None
depends_on = None


def upgrade():
    organisations = op.create_table('organisations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=150), nullable=False),
    sa.Column('kind', sa.Enum('county', 'district', 'unitary', 'metropolitan', 'london_borough', 'combined_authority', 'other', name='organisationkind', native_enum=False, length=24), nullable=False),
    sa.Column('nation', sa.Enum('england', 'scotland', 'wales', 'northern_ireland', name='nation', native_enum=False, length=24), nullable=True),
    sa.Column('website', sa.String(length=500), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_organisations')),
    sa.UniqueConstraint('name', name=op.f('uq_organisations_name'))
    )
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('organisation_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_users_organisation_id'), ['organisation_id'],
                              unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_users_organisation_id_organisations'),
                                    'organisations', ['organisation_id'], ['id'],
                                    ondelete='SET NULL')

    connection = op.get_bind()
    users = sa.table('users', sa.column('id', sa.Integer()), sa.column('organisation', sa.String()),
                     sa.column('organisation_id', sa.Integer()))
    first_spelling: dict[str, str] = {}
    people: dict[str, list[int]] = {}
    for user_id, typed in connection.execute(
            sa.select(users.c.id, users.c.organisation).order_by(users.c.id)):
        name = (typed or "").strip()
        if not name:
            continue
        key = name.lower()
        first_spelling.setdefault(key, name[:150])
        people.setdefault(key, []).append(user_id)
    now = datetime.now(UTC).replace(tzinfo=None)
    for key, name in first_spelling.items():
        connection.execute(organisations.insert().values(
            name=name, kind='other', nation=None, website='', created_at=now))
        record_id = connection.execute(
            sa.select(organisations.c.id).where(organisations.c.name == name)).scalar_one()
        connection.execute(users.update().where(users.c.id.in_(people[key]))
                           .values(organisation_id=record_id))


def downgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_users_organisation_id_organisations'),
                                 type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_users_organisation_id'))
        batch_op.drop_column('organisation_id')
    op.drop_table('organisations')
