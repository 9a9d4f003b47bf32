"""Album grouping: which album a track belongs to, and regrouping albums from their tracks.

Albums are keyed by MusicBrainz album id, or else by album name and folder (a
``CD1``/``Disc 2`` subfolder counts as its parent). Scans, writes and moves
regroup only the albums they touched, in SQL, without loading the tracks. These
helpers take the driver's connection and never commit: the caller owns the transaction
(a session's, through ``rebuild_albums``, or the scanner's own connection).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from libtool.db import UNKEYED_TRACK_SQL
from libtool.db.albumkeys import album_folder, album_key
from libtool.db.connection import marks
from libtool.pathutil import display_path

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

BATCH = 500  # ids per IN (...) list
__all__ = ["album_folder", "album_key", "needs_full_regroup", "rebuild_albums", "regroup_albums"]


def rebuild_albums(session: Session, keys: Iterable[str | None] | None = None) -> None:
    """``regroup_albums`` in a session's transaction, after its pending ORM changes (a
    moved track's new key)."""
    session.flush()
    db = session.connection().connection.driver_connection
    assert isinstance(db, sqlite3.Connection), "album grouping is SQLite's SQL"
    regroup_albums(db, keys)


def regroup_albums(db: sqlite3.Connection, keys: Iterable[str | None] | None = None) -> None:
    """Regroup the albums ``keys`` (every album when None) from their present tracks.

    Set-based SQL (SQLite's, like the FTS index): a few GROUP BY queries per 500 keys,
    and one UPDATE per 500 keys assigns the tracks, so no track row is loaded into
    Python (a full regroup first re-keys the tracks whose stored key is stale, streaming
    them). Ties (the most common album name or album artist) go to the value of the
    track added first, as they did when the tracks were grouped one by one. It runs on
    the driver's connection, in the caller's transaction: the scanner has no SQLAlchemy.
    """
    chunks: list[list[str] | None]
    if keys is None:
        _rekey(db)
        chunks = [None]
    else:
        wanted = sorted({k for k in keys if k})
        chunks = [wanted[i : i + BATCH] for i in range(0, len(wanted), BATCH)]
    regrouped: list[int] = []
    for chunk in chunks:
        regrouped += _regroup(db, chunk)
    left = (
        "UPDATE tracks SET album_id = NULL WHERE album_id IS NOT NULL "
        "AND (album_key IS NULL OR missing = 1)"
    )
    if keys is None:
        db.execute(left)
    else:  # only tracks that left one of the albums regrouped here
        for start in range(0, len(regrouped), BATCH):
            ids = regrouped[start : start + BATCH]
            db.execute(f"{left} AND album_id IN ({marks(ids)})", tuple(ids))


#: What the writer of a scan knows of a new album from its first track: (path, album,
#: album artist, MusicBrainz album id, year).
FirstTrack = tuple[bytes, str, str | None, str | None, int | None]


def link_albums(db: sqlite3.Connection, firsts: dict[str, FirstTrack]) -> dict[str, int]:
    """The album ids of the keys ``firsts``: an existing album's, else a new provisional
    album's, made from the first track seen (so that tracks can be inserted with their
    album id, and readers of the library see albums while a scan runs).

    Its fields are what the track alone says, and its ``track_count`` 0 until
    ``count_tracks``; the regroup at the end of the scan sets them by the rules.
    """
    keys = list(firsts)
    found = _album_ids(db, keys)
    new = [key for key in keys if key not in found]
    if new:
        rows = []
        for key in new:
            path, album, albumartist, mbid, year = firsts[key]
            folder = album_folder(path)
            rows.append((key, album, albumartist, mbid, folder, display_path(folder), year, 0))
        places = marks([None] * (1 + len(_COLUMNS)))
        db.executemany(f"INSERT INTO albums (key, {', '.join(_COLUMNS)}) VALUES ({places})", rows)
        found.update(_album_ids(db, new))
    return found


def _album_ids(db: sqlite3.Connection, keys: list[str]) -> dict[str, int]:
    """The ids of the albums with these keys (those that exist), BATCH keys a query."""
    found: dict[str, int] = {}
    for start in range(0, len(keys), BATCH):
        chunk = keys[start : start + BATCH]
        found.update(
            db.execute(f"SELECT key, id FROM albums WHERE key IN ({marks(chunk)})", tuple(chunk))
        )
    return found


def count_tracks(db: sqlite3.Connection, ids: Iterable[int]) -> None:
    """Set the ``track_count`` of the albums ``ids`` to their present tracks."""
    wanted = sorted(set(ids))
    for start in range(0, len(wanted), BATCH):
        chunk = wanted[start : start + BATCH]
        db.execute(
            "UPDATE albums SET track_count = (SELECT count(*) FROM tracks "
            "WHERE tracks.album_id = albums.id AND tracks.missing = 0) "
            f"WHERE id IN ({marks(chunk)})",
            tuple(chunk),
        )


def _present(chunk: list[str] | None, t: str = "") -> str:
    """SQL for the present, grouped tracks of the albums ``chunk`` (``t``: a table prefix).

    ``+missing`` keeps SQLite from choosing the index on ``missing`` (which matches
    nearly every track) over the one on ``album_key``: that turned each chunk into a
    scan of the whole table, and the regrouping of 100,000 tracks into seconds.
    """
    where = f"+{t}missing = 0 AND {t}album IS NOT NULL AND {t}album_key IS NOT NULL"
    return where if chunk is None else f"{where} AND {t}album_key IN ({marks(chunk)})"


_COLUMNS = ("album", "albumartist", "mb_albumid", "folder", "folder_text", "year", "track_count")


class _Tally:
    """What one album's present tracks say, summed over the GROUP BY rows of its key."""

    __slots__ = ("artists", "count", "first", "linked", "names", "tagged", "year")

    def __init__(self) -> None:
        self.count = 0
        self.first = 0  # the lowest track id: the track added first
        self.year: int | None = None
        self.names: dict[str, list[int]] = {}  # album name -> [tracks, first track id]
        self.tagged: dict[str, list[int]] = {}  # album artist -> the same
        self.artists: set[str] = set()
        self.linked: set[int | None] = set()  # the album ids its tracks have now


def _most_common(values: dict[str, list[int]]) -> str | None:
    """The value of the most tracks; a tie goes to the value whose first track was added
    first (the lowest id), as when the tracks were grouped one by one."""
    best = None
    for value, (count, first) in values.items():
        if best is None or (count, -first) > (values[best][0], -values[best][1]):
            best = value
    return best


def _tally(db: sqlite3.Connection, where: str, params: tuple[Any, ...]) -> dict[str, _Tally]:
    """One pass over the albums' present tracks: a GROUP BY on every column the rules read,
    so an album whose tracks agree is one row (four GROUP BYs, one per rule, cost 4x),
    and on the album id they have, so tracks already in their album are not rewritten."""
    tallies: dict[str, _Tally] = {}
    for key, album, albumartist, artist, album_id, count, first, year in db.execute(
        "SELECT album_key, album, albumartist, artist, album_id, count(*), min(id), "
        f"min(NULLIF(year, 0)) FROM tracks WHERE {where} "
        "GROUP BY album_key, album, albumartist, artist, album_id",
        params,
    ):
        tally = tallies.get(key)
        if tally is None:
            tally = tallies[key] = _Tally()
            tally.first = first
        tally.count += count
        tally.first = min(tally.first, first)
        if year is not None and (tally.year is None or year < tally.year):
            tally.year = year
        for values, value in ((tally.names, album), (tally.tagged, albumartist or None)):
            if value is not None:
                held = values.get(value)
                if held is None:
                    values[value] = [count, first]
                else:
                    held[0] += count
                    held[1] = min(held[1], first)
        if artist:
            tally.artists.add(artist)
        tally.linked.add(album_id)
    return tallies


def _regroup(db: sqlite3.Connection, chunk: list[str] | None) -> list[int]:
    """Regroup the albums of ``chunk`` (every album when None); returns their album ids."""
    run = db.execute
    where = _present(chunk)
    params = () if chunk is None else tuple(chunk)
    tallies = _tally(db, where, params)
    firsts: dict[int, tuple[bytes, str | None]] = {}  # the first track's path and MB id
    ids = [t.first for t in tallies.values()]
    for start in range(0, len(ids), BATCH):
        some = ids[start : start + BATCH]
        for tid, path, mbid in run(
            f"SELECT id, path, mb_albumid FROM tracks WHERE id IN ({marks(some)})", tuple(some)
        ):
            firsts[tid] = (path, mbid)
    mine = "" if chunk is None else f" WHERE key IN ({marks(chunk)})"
    existing: dict[str, tuple[Any, ...]] = {  # key -> (id, *_COLUMNS)
        row[0]: tuple(row[1:])
        for row in run(f"SELECT key, id, {', '.join(_COLUMNS)} FROM albums{mine}", params)
    }
    updates, inserts = [], []
    for key, tally in tallies.items():
        albumartist = _most_common(tally.tagged)
        if albumartist is None:  # the one artist all tracks share, else Various Artists
            artists = tally.artists
            albumartist = next(iter(artists)) if len(artists) == 1 else None
            albumartist = albumartist or ("Various Artists" if artists else None)
        path, mbid = firsts[tally.first]
        folder = album_folder(path)
        name = _most_common(tally.names)
        values = (name, albumartist, mbid, folder, display_path(folder), tally.year, tally.count)
        if key in existing:
            aid, *held = existing.pop(key)
            if tuple(held) != values:  # a provisional album of the scan often is right
                updates.append((*values, aid))
        else:
            inserts.append((key, *values))
    if updates:
        sets = ", ".join(f"{c} = ?" for c in _COLUMNS)
        db.executemany(f"UPDATE albums SET {sets} WHERE id = ?", updates)
    if inserts:
        places = marks([None] * (1 + len(_COLUMNS)))
        db.executemany(
            f"INSERT INTO albums (key, {', '.join(_COLUMNS)}) VALUES ({places})", inserts
        )
    stale = [aid for aid, *_ in existing.values()]
    for start in range(0, len(stale), BATCH):  # their tracks' album_id is set NULL by the FK
        ids = stale[start : start + BATCH]
        run(f"DELETE FROM albums WHERE id IN ({marks(ids)})", tuple(ids))
    ids_of: dict[str, int] = dict(run(f"SELECT key, id FROM albums{mine}", params).fetchall())
    relink = [key for key, tally in tallies.items() if tally.linked != {ids_of[key]}]
    for start in range(0, len(relink), BATCH):  # every present track points at its album
        keys = relink[start : start + BATCH]
        run(
            "UPDATE tracks SET album_id = a.id FROM albums AS a "
            f"WHERE a.key = tracks.album_key AND {_present(keys, 'tracks.')} "
            "AND tracks.album_id IS NOT a.id",
            tuple(keys),
        )
    return list(ids_of.values())


def _rekey(db: sqlite3.Connection) -> None:
    """Store the album key of every present track whose stored key is stale or missing (a
    library from before album keys were stored); the tracks are streamed, not all loaded."""
    rows = db.execute(
        "SELECT id, path, album, mb_albumid, album_key FROM tracks "
        "WHERE missing = 0 AND album IS NOT NULL"
    )
    rekeyed = []
    for tid, path, album, mbid, stored in rows:
        key = album_key(path, album, mbid)
        if key != stored:
            rekeyed.append((key, tid))
    for start in range(0, len(rekeyed), BATCH):
        db.executemany(
            "UPDATE tracks SET album_key = ? WHERE id = ?", rekeyed[start : start + BATCH]
        )


def needs_full_regroup(db: sqlite3.Connection) -> bool:
    """Whether some present tracks have no stored album key yet (an upgraded library)."""
    return db.execute(UNKEYED_TRACK_SQL).fetchone() is not None
