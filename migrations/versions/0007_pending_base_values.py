"""pending changes remember the value they were staged against

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02

A pending change stores the field's values as the file held them when it was
staged. If a rescan finds the file changed by another program since, the change is
a conflict: shown by status and not written until confirmed (write --force) or
staged again. Rows from before have no base and are written as before.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("pending_changes", schema=None) as batch_op:
        batch_op.add_column(sa.Column("base_values", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("pending_changes", schema=None) as batch_op:
        batch_op.drop_column("base_values")
