"""The FTS5 trigram index over tracks' searchable text (SQLite only).

Updates and deletes keep the index in step through triggers. New rows are
indexed by ``index_new_tracks``, once per batch, because a per-row insert trigger
cost the scanner about 45 us a track (a third of its write time).
"""

from __future__ import annotations

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from libtool.db.models import FTS_COLUMNS, Track

_COLUMNS = ", ".join(FTS_COLUMNS)


def last_track_id(session: Session) -> int:
    return int(session.scalar(select(func.max(Track.id))) or 0)


def index_new_tracks(session: Session, after_id: int) -> None:
    """Add every track with an id above ``after_id`` to the index (call before commit)."""
    if session.get_bind().dialect.name != "sqlite":
        return
    session.execute(
        text(
            f"INSERT INTO tracks_fts(rowid, {_COLUMNS}) "
            f"SELECT id, {_COLUMNS} FROM tracks WHERE id > :after"
        ),
        {"after": after_id},
    )
