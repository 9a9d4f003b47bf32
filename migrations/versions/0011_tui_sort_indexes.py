"""indexes for the track list's default order and for per-root counts

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-02

The track list (TUI) and ``mlib ls`` order by album artist, album, disc, track and path,
each with NULL folded to a blank so keyset comparisons work. SQLite can only walk an
index in that order if the index holds the same expressions; without it every list and
every search sorted all matching rows in a temporary B-tree (about 60 ms at 100,000
tracks), and a first screenful could not stop early. ``missing`` leads, because every
query filters on it.

``(root_id, missing)`` replaces ``(root_id)``: counting a root's present tracks (the
library's roots, checked by the TUI every few seconds) reads only the index (31 ms
against 8 ms at 100,000 tracks), and lookups by root alone use its first column.
``(album_id, missing)`` replaces ``(album_id)`` for the same reason, and one more: with
no statistics, SQLite took ``ix_tracks_missing`` (``missing = 0``, true of nearly every
track) to be as selective as ``album_id = ?``, so listing an artist's albums read every
track. An index that serves both terms wins that choice.
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

DEFAULT_SORT = (
    "missing, coalesce(albumartist, ''), coalesce(album, ''), coalesce(disc, -1), "
    "coalesce(track, -1), coalesce(path_text, '')"
)


def upgrade() -> None:
    op.execute(f"CREATE INDEX ix_tracks_default_sort ON tracks ({DEFAULT_SORT})")
    op.create_index("ix_tracks_root_missing", "tracks", ["root_id", "missing"])
    op.drop_index("ix_tracks_root_id", table_name="tracks")
    op.create_index("ix_tracks_album_missing", "tracks", ["album_id", "missing"])
    op.drop_index("ix_tracks_album_id", table_name="tracks")


def downgrade() -> None:
    op.create_index("ix_tracks_album_id", "tracks", ["album_id"])
    op.drop_index("ix_tracks_album_missing", table_name="tracks")
    op.create_index("ix_tracks_root_id", "tracks", ["root_id"])
    op.drop_index("ix_tracks_root_missing", table_name="tracks")
    op.drop_index("ix_tracks_default_sort", table_name="tracks")
