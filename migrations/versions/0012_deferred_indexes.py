"""a table for the track indexes a first scan builds once, at its end

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-03

A scan into an empty library drops the secondary indexes on ``tracks`` and builds them
again from the finished table (``libtool.db.bulk``): one sorted build instead of
100,000 inserts into each of eleven B-trees. The statements of the dropped indexes are
kept in this table, in the transaction that drops them, so a killed scan's indexes
are built again by the next scan or migration.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "deferred_indexes",
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("sql", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("name"),
    )


def downgrade() -> None:
    for (sql,) in op.get_bind().execute(sa.text("SELECT sql FROM deferred_indexes")).all():
        op.execute(sql)  # a killed first scan's indexes, which 0011 and before expect
    op.drop_table("deferred_indexes")
