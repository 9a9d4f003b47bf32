"""The column values of a track row, made from a freshly read record (scan and write share it).

No SQLAlchemy here: the scan's reader processes build rows before the library is open.

A scan builds its rows in the worker processes (``scan_row``: a plain tuple, JSON already
encoded, cheap to pickle), so the single writer only executes the statements below with
them; a write or undo updates its one row through the ORM (``track_values``).
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from itertools import compress
from operator import attrgetter, is_not
from typing import Any

from libtool.db.albumkeys import album_key
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
    values[_HAS_PICTURE_AT] = int(record.has_picture)  # an int binds faster than a bool
    if record.compilation is not None:
        values[_COMPILATION_AT] = int(record.compilation)
    values[_TAGS_AT] = json.dumps(record.tags)
    values[_EXTRAS_AT] = json.dumps(record.extras) if record.extras else "{}"
    key = album_key(path, record.album, record.mb_albumid)
    return (path, display_path(path), key, *values)


def sqlite_time(moment: datetime) -> str:
    """A time as SQLAlchemy's SQLite DateTime stores it (UTC, no zone suffix)."""
    return moment.strftime("%Y-%m-%d %H:%M:%S.%f")


#: The columns of the scan's INSERT parameters: album_id, root_id, added_at, scanned_at,
#: then a ScanRow.
INSERT_COLUMNS: tuple[str, ...] = ("album_id", "root_id", "added_at", "scanned_at", *ROW_COLUMNS)


def _insert_sql(columns: Sequence[str]) -> str:
    return (
        f"INSERT INTO tracks (missing, {', '.join(columns)}) "
        f"VALUES (0, {', '.join('?' * len(columns))})"
    )


#: Parameters: the values of INSERT_COLUMNS.
INSERT_TRACKS = _insert_sql(INSERT_COLUMNS)
_INSERT_SQL: dict[tuple[bool, ...], str] = {}
_NONES = (None,) * len(INSERT_COLUMNS)
#: A column set is worth its own statement for at least this many rows of a batch.
MIN_GROUP = 8


def insert_statements(params: Sequence[tuple[Any, ...]]) -> Iterator[tuple[str, list[Any]]]:
    """The scan's INSERT for a batch of ``params`` (INSERT_COLUMNS), as (SQL, rows) pairs.

    Rows are grouped by which of their values are NULL, and each group's statement names
    only the columns it has values for (the others are NULL by default: ``tracks`` has no
    column defaults). A typical row has about 30 NULLs in 63 columns, and the sqlite3
    module binds a None far more slowly than a str or an int (it looks for an adapter
    first), so this halves the cost of an insert. Column sets with fewer than
    ``MIN_GROUP`` rows share the full statement, so a batch never prepares many
    statements.
    """
    groups: dict[tuple[bool, ...], list[tuple[Any, ...]]] = {}
    for row in params:
        groups.setdefault(tuple(map(is_not, row, _NONES)), []).append(row)
    rest: list[tuple[Any, ...]] = []
    for present, rows in groups.items():
        if len(rows) < MIN_GROUP or all(present):
            rest += rows
            continue
        sql = _INSERT_SQL.get(present)
        if sql is None:
            sql = _INSERT_SQL[present] = _insert_sql(list(compress(INSERT_COLUMNS, present)))
        yield sql, [tuple(compress(row, present)) for row in rows]
    if rest:
        yield INSERT_TRACKS, rest
#: Parameters: album_id, scanned_at, then a ScanRow, then the track's id.
UPDATE_TRACKS = (
    "UPDATE tracks SET album_id = ?, scanned_at = ?, missing = 0, missing_since = NULL, "
    f"{', '.join(f'{c} = ?' for c in ROW_COLUMNS)} WHERE id = ?"
)
