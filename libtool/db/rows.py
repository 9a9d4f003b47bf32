"""The column values of a track row, made from a freshly read record (scan and write share it).

No SQLAlchemy here: the scan's reader processes build rows before the library is open.

A scan builds its rows in the worker processes (``scan_row``: a plain tuple, JSON already
encoded, cheap to pickle), so the single writer only executes the statements below with
them; a write or undo updates its one row through the ORM (``track_values``).
"""

from __future__ import annotations

import json
import json.encoder
from collections.abc import Callable
from datetime import UTC, datetime
from operator import attrgetter
from typing import Any

from libtool.db.albumkeys import album_key
from libtool.pathutil import display_path
from libtool.tags.record import RECORD_FIELDS, TrackRecord

_record_values = attrgetter(*RECORD_FIELDS)


def _json_encoder() -> Callable[[Any], str]:
    """``json.dumps`` with its default settings, the same text, about twice as fast.

    ``json.dumps`` builds a new C encoder on every call, which cost more than the
    encoding of a track's few tags (10 us a file, out of ~25 for its whole row); this
    builds one and keeps it. Without the circular-reference check: tag values are lists
    of strings, never cyclic. Where the C encoder is missing, ``json.dumps`` itself.
    """
    make = getattr(json.encoder, "c_make_encoder", None)
    if make is None:
        return json.dumps
    defaults = json.JSONEncoder()
    encode = make(
        None,  # markers: no circular-reference check
        defaults.default,
        json.encoder.encode_basestring_ascii,
        None,  # indent
        defaults.key_separator,
        defaults.item_separator,
        defaults.sort_keys,
        defaults.skipkeys,
        defaults.allow_nan,
    )
    return lambda value: "".join(encode(value, 0))


#: The JSON text of a tag dict, exactly as ``json.dumps`` writes it (and SQLAlchemy stores).
dumps = _json_encoder()


def track_values(path: bytes, record: TrackRecord) -> dict[str, Any]:
    """Column values for a track row from a freshly read record."""
    values = dict(zip(RECORD_FIELDS, _record_values(record), strict=True))
    values.update(
        path_text=display_path(path),
        missing=False,
        missing_since=None,
        scanned_at=datetime.now(UTC),
        album_key=album_key(path, record.album, record.mb_albumid),
    )
    return values


#: The columns of a ``scan_row`` tuple, in order (``tags`` and ``extras`` as JSON text).
ROW_COLUMNS: tuple[str, ...] = ("path", "path_text", "album_key", *RECORD_FIELDS)
PATH_AT, ALBUM_KEY_AT = 0, 2
_TAGS_AT = ROW_COLUMNS.index("tags") - 3
_EXTRAS_AT = ROW_COLUMNS.index("extras") - 3
_HAS_PICTURE_AT = ROW_COLUMNS.index("has_picture") - 3
_COMPILATION_AT = ROW_COLUMNS.index("compilation") - 3

#: A scan's row for one file: the values of ROW_COLUMNS.
ScanRow = tuple[Any, ...]


def scan_row(path: bytes, record: TrackRecord) -> ScanRow:
    """The row a scan stores for ``record``, ready for the driver (as SQLAlchemy would
    store it: JSON as ``json.dumps`` writes it, booleans as 0/1)."""
    values = list(_record_values(record))
    values[_HAS_PICTURE_AT] = int(record.has_picture)  # sqlite3 binds an int faster
    if record.compilation is not None:
        values[_COMPILATION_AT] = int(record.compilation)
    values[_TAGS_AT] = dumps(record.tags)
    values[_EXTRAS_AT] = dumps(record.extras) if record.extras else "{}"
    key = album_key(path, record.album, record.mb_albumid)
    return (path, display_path(path), key, *values)


_COLS = ", ".join(ROW_COLUMNS)
#: The columns of INSERT_TRACKS' parameters: a ScanRow after four more.
INSERT_COLUMNS: tuple[str, ...] = ("album_id", "root_id", "added_at", "scanned_at", *ROW_COLUMNS)
#: Parameters: album_id, root_id, added_at, scanned_at, then a ScanRow.
INSERT_TRACKS = (
    f"INSERT INTO tracks (album_id, root_id, added_at, scanned_at, missing, {_COLS}) "
    f"VALUES (?, ?, ?, ?, 0, {', '.join('?' * len(ROW_COLUMNS))})"
)
#: Parameters: album_id, scanned_at, then a ScanRow, then the track's id.
UPDATE_TRACKS = (
    "UPDATE tracks SET album_id = ?, scanned_at = ?, missing = 0, missing_since = NULL, "
    f"{', '.join(f'{c} = ?' for c in ROW_COLUMNS)} WHERE id = ?"
)
