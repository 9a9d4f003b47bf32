"""Album grouping: which album a track belongs to, and regrouping albums from their tracks.

Albums are keyed by MusicBrainz album id, or else by album name and folder (a
``CD1``/``Disc 2`` subfolder counts as its parent). Scans, writes and moves
regroup only the albums they touched. These helpers never commit: the caller
that opened the session owns the transaction.
"""

from __future__ import annotations

import hashlib
import os
import re
from collections import Counter
from collections.abc import Iterable
from typing import Any

from sqlalchemy import Table, bindparam, select, update
from sqlalchemy.orm import Session

from libtool.db.models import Album, Track
from libtool.db.session import fold
from libtool.pathutil import display_path

BATCH = 500  # ids per IN (...) list
_DISC_FOLDER = re.compile(rb"^(cd|disc|disk|dvd|side)[\s_-]*\d+\b", re.IGNORECASE)


def album_key(path: bytes, album: str | None, mb_albumid: str | None) -> str | None:
    """The album a track groups into: its MusicBrainz album id, else album name + folder."""
    if not album:
        return None
    if mb_albumid:
        return f"mb:{mb_albumid}"
    name = (fold(album) or "").encode("utf-8", "surrogatepass")
    return "dir:" + hashlib.sha1(album_folder(path) + b"\0" + name).hexdigest()


def album_folder(path: bytes) -> bytes:
    """The folder that holds an album: a 'CD1'/'Disc 2' subfolder counts as its parent."""
    folder = os.path.dirname(path)
    if _DISC_FOLDER.match(os.path.basename(folder)):
        folder = os.path.dirname(folder)
    return folder


def rebuild_albums(session: Session, keys: Iterable[str | None] | None = None) -> None:
    """Regroup the albums ``keys`` (every album when None) from their present tracks."""
    columns = (
        Track.id,
        Track.path,
        Track.album,
        Track.albumartist,
        Track.artist,
        Track.mb_albumid,
        Track.year,
        Track.album_id,
        Track.album_key,
    )
    present = select(*columns).where(Track.missing.is_(False), Track.album.is_not(None))
    wanted = None if keys is None else sorted({k for k in keys if k})
    if wanted is None:
        rows = session.execute(present).all()
        existing = {a.key: a for a in session.scalars(select(Album))}
    else:
        rows, existing = [], {}
        for start in range(0, len(wanted), BATCH):
            chunk = wanted[start : start + BATCH]
            rows += session.execute(present.where(Track.album_key.in_(chunk))).all()
            existing.update(
                (a.key, a) for a in session.scalars(select(Album).where(Album.key.in_(chunk)))
            )
    groups: dict[str, list[Any]] = {}
    rekeyed = []
    for row in rows:
        key = album_key(row.path, row.album, row.mb_albumid)
        if key != row.album_key:  # a library from before album keys were stored
            rekeyed.append({"tid": row.id, "key": key})
        if key is not None:
            groups.setdefault(key, []).append(row)
    albums: dict[str, Album] = {}
    for key, members in groups.items():
        album = existing.pop(key, None) or Album(key=key)
        album.album = Counter(m.album for m in members).most_common(1)[0][0]
        album.albumartist = _album_artist(members)
        album.mb_albumid = members[0].mb_albumid
        album.folder = album_folder(members[0].path)
        album.folder_text = display_path(album.folder)
        years = [m.year for m in members if m.year]
        album.year = min(years) if years else None
        album.track_count = len(members)
        albums[key] = album
    session.add_all(albums.values())
    for stale in existing.values():
        session.delete(stale)
    session.flush()
    tracks = Track.__table__
    assert isinstance(tracks, Table)
    by_id = tracks.c.id == bindparam("tid")
    if rekeyed:
        session.execute(update(tracks).where(by_id).values(album_key=bindparam("key")), rekeyed)
    assignments = [
        {"tid": m.id, "aid": albums[key].id}
        for key, members in groups.items()
        for m in members
        if m.album_id != albums[key].id
    ]
    if assignments:
        session.execute(update(tracks).where(by_id).values(album_id=bindparam("aid")), assignments)
    left = (
        update(Track)
        .where((Track.album_key.is_(None)) | (Track.missing.is_(True)))
        .where(Track.album_id.is_not(None))
        .values(album_id=None)
    )
    if wanted is None:
        session.execute(left)
    else:  # only tracks that left one of the albums regrouped here
        regrouped = [a.id for a in albums.values()]
        for start in range(0, len(regrouped), BATCH):
            session.execute(left.where(Track.album_id.in_(regrouped[start : start + BATCH])))
    session.flush()


def needs_full_regroup(session: Session) -> bool:
    """Whether some present tracks have no stored album key yet (an upgraded library)."""
    unkeyed = select(Track.id).where(
        Track.album.is_not(None), Track.album_key.is_(None), Track.missing.is_(False)
    )
    return session.scalar(unkeyed.limit(1)) is not None


def _album_artist(members: list[Any]) -> str | None:
    """The album artist tag when present, else the one shared artist, else Various Artists."""
    tagged = Counter(m.albumartist for m in members if m.albumartist)
    if tagged:
        return tagged.most_common(1)[0][0]
    artists = {m.artist for m in members if m.artist}
    if len(artists) == 1:
        return artists.pop()
    return "Various Artists" if artists else None
