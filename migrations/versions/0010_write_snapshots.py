"""write runs remember the raw tag entries they changed, so undo is exact

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-02

Undo used to write back each field's canonical values, which is not what the file
held: 'tracknumber=4/11' came back as TRACKNUMBER=4 + TRACKTOTAL=11, DESCRIPTION as
COMMENT, an untagged file kept a new empty tag. Each write now records the raw entries
(frames, comments, atoms, attributes, items) it changed in each file, and whether the
tag block existed at all; undo puts exactly those back. Runs from before have no
snapshot and are undone field by field, as before.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "write_snapshots",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("track_id", sa.Integer(), nullable=True),
        sa.Column("path", sa.LargeBinary(), nullable=False),
        sa.Column("changed", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(["run_id"], ["write_runs.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["track_id"], ["tracks.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("write_snapshots", schema=None) as batch_op:
        batch_op.create_index("ix_write_snapshots_run_id", ["run_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("write_snapshots", schema=None) as batch_op:
        batch_op.drop_index("ix_write_snapshots_run_id")
    op.drop_table("write_snapshots")
