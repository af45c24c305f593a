"""organisations.name_key: organisation names unique ignoring case the Unicode way

On both databases.

Revision ID: a3f9c6e1b2d4
Revises: b8e4f2a6c1d9
Create Date: 2026-12-05 03:40:00

uq_organisations_name_lower indexed lower(name), and SQLite's lower() folds ASCII letters only:
"ÉCOLE" and "école" (or "Ærø" and "ÆRØ") were both saved there, while PostgreSQL refused the
second. name_key holds the name trimmed and case-folded by the app (Unicode's case folding,
composed characters as one: forum.models.organisation.name_key), set with the name, and a unique
index on it replaces the one on lower(name).

Records that already share a key are kept, people and all, as b8e4f2a6c1d9 does: the oldest
keeps its name, each later one becomes "<name> (no. <id>)" and the admins' change log says so,
for them to merge (with a count after the number, "(no. <id>, 2)", if an earlier record is
already called that). Downgrade drops the column and restores the index on lower(name).
"""
import itertools
import unicodedata
from datetime import UTC
from datetime import datetime

import sqlalchemy as sa
from alembic import op

revision = 'a3f9c6e1b2d4'
down_revision = 'b8e4f2a6c1d9'
branch_labels = None
depends_on = None


def _key(name: str) -> str:
    # A copy of forum.models.organisation.name_key as it is today: a migration must not change
    # when the app's code does.
    # Cut to the column's 300 characters: folding may lengthen a name (U+FDFA spells out 18).
    folded = unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", name.strip()).casefold())
    return folded[:300]


def _renamed(name: str, record_id: int, kept: dict) -> str:
    """``name`` with " (no. <id>)" at its end, and a count after the number if an earlier
    record already has that name too, so that its key is no other's."""
    for count in itertools.count(1):
        suffix = f" (no. {record_id})" if count == 1 else f" (no. {record_id}, {count})"
        start = name[:150 - len(suffix)]
        while start and len(_key(start)) + len(suffix) > 300:  # the key keeps the suffix
            start = start[:-1]
        if _key(start + suffix) not in kept:
            return start + suffix
    raise AssertionError  # itertools.count never ends


def _fill_keys(connection) -> None:  # noqa: ANN001
    organisations = sa.table('organisations', sa.column('id', sa.Integer()),
                             sa.column('name', sa.String()), sa.column('name_key', sa.String()))
    changes = sa.table('organisation_changes', sa.column('actor_id', sa.Integer()),
                       sa.column('organisation_id', sa.Integer()),
                       sa.column('action', sa.String()), sa.column('detail', sa.String()),
                       sa.column('created_at', sa.DateTime()))
    kept: dict[str, tuple[int, str]] = {}
    now = datetime.now(UTC).replace(tzinfo=None)
    for record_id, name in connection.execute(
            sa.select(organisations.c.id, organisations.c.name).order_by(organisations.c.id)):
        key = _key(name)
        if key in kept:
            other_id, other_name = kept[key]
            new_name = _renamed(name, record_id, kept)
            detail = (f"{name}: name {name} → {new_name} when organisation names became unique "
                      f"ignoring case ({other_name}, no. {other_id}, has the same name): merge "
                      f"one into the other")
            connection.execute(changes.insert().values(
                actor_id=None, organisation_id=record_id, action='renamed',
                detail=detail[:500], created_at=now))
            name, key = new_name, _key(new_name)
        kept[key] = (record_id, name)
        connection.execute(organisations.update().where(organisations.c.id == record_id)
                           .values(name=name, name_key=key))


def upgrade():
    # First: SQLite's batch mode copies the table, and cannot copy an index on an expression.
    op.drop_index('uq_organisations_name_lower', table_name='organisations')
    with op.batch_alter_table('organisations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('name_key', sa.String(length=300), nullable=True))
    _fill_keys(op.get_bind())
    with op.batch_alter_table('organisations', schema=None) as batch_op:
        batch_op.alter_column('name_key', existing_type=sa.String(length=300), nullable=False)
    op.create_index('uq_organisations_name_key', 'organisations', ['name_key'], unique=True)


def downgrade():
    op.drop_index('uq_organisations_name_key', table_name='organisations')
    with op.batch_alter_table('organisations', schema=None) as batch_op:
        batch_op.drop_column('name_key')
    op.create_index('uq_organisations_name_lower', 'organisations', [sa.text('lower(name)')],
                    unique=True)
