"""The column values of a track row, made from a freshly read record (scan and write share it)."""

from __future__ import annotations

from typing import Any

from libtool.db.albums import album_key
from libtool.db.models import utcnow
from libtool.pathutil import display_path


def track_values(path: bytes, record: dict[str, Any]) -> dict[str, Any]:
    """Column values for a track row from a freshly read record."""
    return dict(
        record,
        path_text=display_path(path),
        missing=False,
        missing_since=None,
        scanned_at=utcnow(),
        album_key=album_key(path, record["album"], record["mb_albumid"]),
    )
