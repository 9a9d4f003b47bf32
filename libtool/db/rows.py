"""The column values of a track row, made from a freshly read record (scan and write share it)."""

from __future__ import annotations

from operator import attrgetter
from typing import Any

from libtool.db.albums import album_key
from libtool.db.models import utcnow
from libtool.pathutil import display_path
from libtool.tags.record import RECORD_FIELDS, TrackRecord

_record_values = attrgetter(*RECORD_FIELDS)


def track_values(path: bytes, record: TrackRecord) -> dict[str, Any]:
    """Column values for a track row from a freshly read record."""
    values = dict(zip(RECORD_FIELDS, _record_values(record), strict=True))
    values.update(
        path_text=display_path(path),
        missing=False,
        missing_since=None,
        scanned_at=utcnow(),
        album_key=album_key(path, record.album, record.mb_albumid),
    )
    return values
