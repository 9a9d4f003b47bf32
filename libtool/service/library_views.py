"""Library views a front end asks for, built only on public ``Service`` methods:
ids in a sort order, an export of exactly some ids, albums whose track numbers have
gaps or repeats. Here, not in a front end, so every front end shares the same rules.
"""

from __future__ import annotations

import io
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from libtool.errors import LibtoolError
from libtool.service.core import Service


def sort_ids(
    service: Service, ids: Sequence[int], sort: Sequence[str], descending: bool = False
) -> list[int]:
    """``ids`` in ``sort`` order (ties by id), as ``track_ids`` orders a query.
    Wanted in core as ``track_ids(..., ids=...)``."""
    rows = service.rows_for(list(ids), columns=tuple(sort))

    def key(row: Any) -> tuple[Any, ...]:
        values = []
        for name in sort:
            value = row.values[name]
            values.append((0, "") if value is None else (1, value))
        return (*values, row.id)

    rows.sort(key=key, reverse=descending)
    return [row.id for row in rows]


def _runs(ids: Sequence[int]) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    for i in sorted(set(ids)):
        if out and out[-1][1] == i - 1:
            out[-1] = (out[-1][0], i)
        else:
            out.append((i, i))
    return out


def export_ids(service: Service, target: str, ids: Sequence[int]) -> int:
    """Export exactly ``ids`` as CSV (one ``id:lo..hi`` query per run of consecutive ids).
    Wanted in core as ``export_csv_file(..., ids=...)``."""
    header = io.StringIO()
    service.export_csv(header, ["id:-1"])
    head = header.getvalue()
    count = 0
    try:
        with open(target, "w", encoding="utf-8", newline="") as out:
            out.write(head)
            for lo, hi in _runs(ids):
                chunk = io.StringIO()
                count += service.export_csv(chunk, [f"id:{lo}..{hi}"])
                out.write(chunk.getvalue()[len(head) :])
    except OSError as exc:
        raise LibtoolError(f"cannot write {target}: {exc.strerror}") from exc
    return count


@dataclass(frozen=True, slots=True)
class AlbumProblem:
    albumartist: str | None
    album: str | None
    problem: str  # "gaps: 3, 5" / "duplicate track numbers: 2"
    query: list[str]


def album_problems(service: Service, limit: int = 1000) -> list[AlbumProblem]:
    """Albums (by their tracks' album and album artist) whose track numbers per disc have
    gaps or repeats. Wanted in core as ``album_problems()`` (one GROUP BY)."""
    numbers: dict[tuple[Any, Any], dict[int, list[int]]] = defaultdict(lambda: defaultdict(list))
    columns = ("albumartist", "album", "disc", "track")
    for row in service.iter_tracks(sort=("albumartist", "album"), columns=columns, page=5000):
        v = row.values
        if v["track"] is None or not v["album"]:
            continue
        numbers[(v["albumartist"], v["album"])][v["disc"] or 1].append(v["track"])
    found: list[AlbumProblem] = []
    for (albumartist, album), discs in numbers.items():
        notes = []
        for disc, tracks in sorted(discs.items()):
            prefix = f"disc {disc} " if len(discs) > 1 else ""
            dupes = sorted({t for t in tracks if tracks.count(t) > 1})
            missing = sorted(set(range(1, max(tracks) + 1)) - set(tracks))
            if dupes:
                notes.append(f"{prefix}duplicate track numbers {', '.join(map(str, dupes))}")
            if missing:
                shown = ", ".join(map(str, missing[:10])) + ("…" if len(missing) > 10 else "")
                notes.append(f"{prefix}missing track numbers {shown}")
        if notes:
            query = [f"album:={album}"]
            query.append(f"albumartist:={albumartist}" if albumartist else "albumartist::^$")
            found.append(AlbumProblem(albumartist, album, "; ".join(notes), query))
            if len(found) >= limit:
                break
    return found
