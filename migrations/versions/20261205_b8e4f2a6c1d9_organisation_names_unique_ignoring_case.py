"""uq_organisations_name_lower: organisation names unique ignoring case, in the database

Revision ID: b8e4f2a6c1d9
Revises: d7e2a4c9f1b8
Create Date: 2026-12-05 01:40:00

The service refuses a name already listed ignoring case, but the database only refused exact
duplicates, so "Kent" and "kent" added at the same moment could both be saved. A unique index
on lower(name) replaces the unique constraint on name (it implies it).

Records that already differ only in case are kept, people and all: the oldest keeps its name
and each later one is renamed "<name> (no. <id>)" and logged in the organisation change log
(seen by admins), who can then merge it into the other. Nothing is deleted or merged here.
Downgrade drops the index and restores the exact unique constraint (the new names stay).
"""
from datetime import UTC
from datetime import datetime

import sqlalchemy as sa
from alembic import op

revision = 'b8e4f2a6c1d9'
down_revision = 'd7e2a4c9f1b8'
branch_labels = None
depends_on = None


def _rename_duplicates_ignoring_case(connection) -> None:  # noqa: ANN001
    organisations = sa.table('organisations', sa.column('id', sa.Integer()),
                             sa.column('name', sa.String()))
    changes = sa.table('organisation_changes', sa.column('actor_id', sa.Integer()),
                       sa.column('organisation_id', sa.Integer()),
                       sa.column('action', sa.String()), sa.column('detail', sa.String()),
                       sa.column('created_at', sa.DateTime()))
    kept: dict[str, tuple[int, str]] = {}
    now = datetime.now(UTC).replace(tzinfo=None)
    # Keyed by the database's own lower(), as the index is (SQLite's folds ASCII letters only).
    for record_id, name, key in connection.execute(
            sa.select(organisations.c.id, organisations.c.name,
                      sa.func.lower(organisations.c.name)).order_by(organisations.c.id)):
        if key not in kept:
            kept[key] = (record_id, name)
            continue
        suffix = f" (no. {record_id})"
        new_name = name[:150 - len(suffix)] + suffix
        connection.execute(organisations.update().where(organisations.c.id == record_id)
                           .values(name=new_name))
        other_id, other_name = kept[key]
        detail = (f"{name}: name {name} → {new_name} when organisation names became unique "
                  f"ignoring case ({other_name}, no. {other_id}, has the same name): merge "
                  f"one into the other")
        connection.execute(changes.insert().values(
            actor_id=None, organisation_id=record_id, action='renamed', detail=detail[:500],
            created_at=now))


def upgrade():
    _rename_duplicates_ignoring_case(op.get_bind())
    with op.batch_alter_table('organisations', schema=None) as batch_op:
        batch_op.drop_constraint('uq_organisations_name', type_='unique')
    op.create_index('uq_organisations_name_lower', 'organisations', [sa.text('lower(name)')],
                    unique=True)


def downgrade():
    op.drop_index('uq_organisations_name_lower', table_name='organisations')
    with op.batch_alter_table('organisations', schema=None) as batch_op:
        batch_op.create_unique_constraint('uq_organisations_name', ['name'])
