"""The FTS5 trigram index over tracks' searchable text (SQLite only).

Updates and deletes keep the index in step through triggers. New rows are
indexed by ``index_new_tracks``, once per batch, because a per-row insert trigger
cost the scanner about 45 us a track (a third of its write time). Both helpers take
the driver's connection, so the scanner needs no SQLAlchemy for them.
"""

from __future__ import annotations

import sqlite3

#: Columns of ``tracks`` searched by bare words and kept in the FTS5 index.
FTS_COLUMNS = ("title", "artist", "album", "albumartist", "composer", "genre")

_COLUMNS = ", ".join(FTS_COLUMNS)


def last_track_id(db: sqlite3.Connection) -> int:
    return int(db.execute("SELECT max(id) FROM tracks").fetchone()[0] or 0)


def index_new_tracks(db: sqlite3.Connection, after_id: int) -> None:
    """Add every track with an id above ``after_id`` to the index (call before commit)."""
    db.execute(
        f"INSERT INTO tracks_fts(rowid, {_COLUMNS}) SELECT id, {_COLUMNS} FROM tracks WHERE id > ?",
        (after_id,),
    )
