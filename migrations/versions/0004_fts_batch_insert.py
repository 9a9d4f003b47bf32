"""index new tracks per batch

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-24

The per-row FTS insert trigger is dropped: the scanner indexes each batch of new
tracks with one statement (libtool.db.fts), which is several times cheaper.
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


COLUMNS = "title, artist, album, albumartist, composer, genre"


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TRIGGER IF EXISTS tracks_fts_ai")


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        new = ", ".join(f"new.{c.strip()}" for c in COLUMNS.split(","))
        op.execute(
            f"CREATE TRIGGER tracks_fts_ai AFTER INSERT ON tracks BEGIN "
            f"INSERT INTO tracks_fts(rowid, {COLUMNS}) VALUES (new.id, {new}); END"
        )
