"""Rows straight into a real library database, for tests that need no audio."""

from __future__ import annotations

from typing import Any

from libtool.db.fts import index_new_tracks, last_track_id
from libtool.db.models import Root, Track
from libtool.db.session import Library
from libtool.tags.read import typed_columns


def add_tracks(library: Library, *tracks: dict[str, Any], root: bytes = b"/music") -> list[int]:
    """Insert tracks given as canonical raw values, e.g. {"title": ["x"], "path": b"/music/a"}."""
    ids = []
    with library.session() as session:
        root_row = session.query(Root).filter_by(path=root).one_or_none()
        if root_row is None:
            root_row = Root(path=root, path_text=root.decode("utf-8", "replace"))
            session.add(root_row)
            session.flush()
        after = last_track_id(session.connection().connection.driver_connection)
        for n, spec in enumerate(tracks):
            spec = dict(spec)
            path = spec.pop("path", root + f"/t{n}-{id(spec)}.mp3".encode())
            extra = {k: spec.pop(k) for k in list(spec) if not isinstance(spec[k], list)}
            track = Track(
                root_id=root_row.id,
                path=path,
                path_text=path.decode("utf-8", "backslashreplace"),
                size=1,
                mtime_ns=1,
                format="MP3",
                tags=spec,
                extras={},
                **typed_columns(spec),
                **extra,
            )
            session.add(track)
            session.flush()
            ids.append(track.id)
        index_new_tracks(session.connection().connection.driver_connection, after)
        session.commit()
    return ids
