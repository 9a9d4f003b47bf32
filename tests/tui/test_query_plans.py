"""Every query the TUI issues, captured while Pilot drives it over 20,000 tracks, is
planned by SQLite to use an index: no full scan of ``tracks`` followed by a sort in a
temporary B-tree, except the two documented below.

The statements are the ones the service really ran (SQLAlchemy's ``before_cursor_execute``),
with their parameters, and ``EXPLAIN QUERY PLAN`` runs on the same database. The rows go
straight into SQLite (no audio): a library of this size makes SQLite's planner choose as
it would at 100,000 tracks, where a scan and a sort cost tens of milliseconds.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event
from textual.widgets import Input, Tree

from libtool.config import Settings
from libtool.service.core import Service
from tests.tui.conftest import new_app, run_app, settle

TRACKS = 20_000
PER_ALBUM = 12
NOW = "2026-01-01 00:00:00.000000"

#: Plans that sort every matching track on purpose, and why.
ALLOWED_SORTS = {
    # A click on a column header (or s/S) orders the list by that column. An index per
    # column would make the scanner's inserts 35-55% slower (measured with seven such
    # indexes); this sort runs once per click, ~100 ms at 100,000 tracks.
    "column sort": re.compile(r"ORDER BY coalesce\(tracks\.(?!albumartist, '')\w+, (''|-1)\)"),
    # The navigation tree lists every album artist: reading all albums is the point,
    # and the sort is of distinct names (a few thousand at most).
    "album artists": re.compile(r"GROUP BY albums\.albumartist"),
}


def build(service: Service) -> None:
    """TRACKS tracks in albums of PER_ALBUM, ten albums an artist, through plain SQL."""
    albums = TRACKS // PER_ALBUM + 1
    with service.library.engine.begin() as conn:
        raw: Any = conn.connection.driver_connection
        raw.execute(
            "INSERT INTO roots (id, path, path_text, added_at) VALUES (1, ?, '/music', ?)",
            (b"/music", NOW),
        )
        raw.executemany(
            "INSERT INTO albums (id, key, album, albumartist, folder, folder_text, year,"
            " track_count) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [
                (
                    a + 1,
                    f"key{a}",
                    f"Album {a:05d}",
                    f"Artist {a // 10:04d}",
                    f"/music/{a:05d}".encode(),
                    f"/music/{a:05d}",
                    1960 + a % 60,
                    PER_ALBUM,
                )
                for a in range(albums)
            ],
        )
        rows = []
        for n in range(TRACKS):
            a = n // PER_ALBUM
            path = f"/music/{a:05d}/{n:06d}.mp3"
            rows.append(
                (
                    n + 1,
                    1,
                    a + 1,
                    f"key{a}",
                    path.encode(),
                    path,
                    1000 + n,
                    1,
                    "MP3",
                    180.0 + n % 100,
                    f"Song {n:06d}",
                    f"Artist {a // 10:04d}",
                    f"Album {a:05d}",
                    f"Artist {a // 10:04d}",
                    n % PER_ALBUM + 1,
                    1 + (n % 24) // 12 if n % 7 == 0 else None,
                    1960 + a % 60,
                    NOW,
                    NOW,
                )
            )
        raw.executemany(
            "INSERT INTO tracks (id, root_id, album_id, album_key, path, path_text, size,"
            " mtime_ns, format, length, title, artist, album, albumartist, track, disc, year,"
            " tags, extras, has_picture, missing, added_at, scanned_at) VALUES (?, ?, ?, ?,"
            " ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, '{}', '{}', 0, 0, ?, ?)",
            rows,
        )
        raw.execute("INSERT INTO tracks_fts (tracks_fts) VALUES ('rebuild')")


@pytest.fixture
def big_service(tmp_path: Path) -> Iterator[Service]:
    svc = Service(Settings(database=str(tmp_path / "big.db")))
    build(svc)
    yield svc
    svc.close()


def capture(service: Service) -> dict[str, Any]:
    """SELECT statements the service runs from now on, each with its first parameters."""
    seen: dict[str, Any] = {}

    def before(conn: Any, cursor: Any, statement: str, parameters: Any, *args: Any) -> None:
        if statement.lstrip().upper().startswith("SELECT"):
            seen.setdefault(statement, parameters)

    event.listen(service.library.engine, "before_cursor_execute", before)
    return seen


def plan(service: Service, statement: str, parameters: Any) -> list[str]:
    with service.library.engine.connect() as conn:
        rows = conn.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, parameters).all()
    return [row[3] for row in rows]


def reads_all_tracks(step: str) -> bool:
    """A step that visits every row of ``tracks``: a scan, or an index searched on
    ``missing`` alone (nearly every track is not missing)."""
    return bool(
        re.match(r"SCAN tracks\b(?! VIRTUAL)", step)
        or re.match(r"SEARCH tracks USING (COVERING )?INDEX \w+ \(missing=\?\)$", step)
    )


def drive(app: Any) -> Any:
    async def body(pilot: Any) -> None:
        search = app.query_one("#search", Input)
        queries = [
            "Song 0123",  # FTS, two words in one MATCH
            "Song 04",  # FTS and a short word
            "so",  # a short word alone
            "artist:0042",  # a field substring
            "year:1990..1999",  # a range
            '"album:=Album 00042"',  # an exact value
            "^artist:0001 song",  # a negated field and an FTS word
            "missing:true",
        ]
        await pilot.press("slash")
        for query in queries:
            search.value = query
            await settle(app, pilot)
        search.value = ""
        await settle(app, pilot)
        app.tracks.focus()
        for key in ("pagedown", "pagedown", "end", "pageup", "home", "down"):
            await pilot.press(key)
            await settle(app, pilot, rounds=1)
        for _ in range(8):  # every column ascending and descending, back to the default
            await pilot.press("s")
            await settle(app, pilot, rounds=1)
            await pilot.press("S")
            await settle(app, pilot, rounds=1)
        tree = app.query_one("#nav", Tree)
        artist = tree.root.children[3]
        artist.expand()
        await settle(app, pilot)
        tree.select_node(artist)
        await settle(app, pilot)
        tree.select_node(artist.children[0])
        await settle(app, pilot)

    return body


def test_every_tui_query_uses_an_index(big_service: Service) -> None:
    seen = capture(big_service)
    app = new_app(big_service, search_delay=0, detail_delay=0)
    run_app(app, drive(app))

    # the capture saw every kind of query the list, the search, the tree and the detail run
    sql = "\n".join(seen)
    for wanted in (
        "tracks_fts MATCH",
        "LIMIT",
        "ORDER BY coalesce(tracks.albumartist, '') DESC",
        "ORDER BY coalesce(tracks.title, '')",
        "ORDER BY coalesce(tracks.length, -1) DESC",
        "WHERE tracks.id IN (",  # a page of rows
        "WHERE tracks.album_id = ",  # an album's tracks
        "albums.albumartist = ",  # an artist's albums
        "FROM pending_changes JOIN tracks",  # the detail pane's pending changes
        "FROM scan_errors",
        "count(*)",
    ):
        assert wanted in sql, wanted

    problems = []
    for statement, parameters in seen.items():
        steps = plan(big_service, statement, parameters)
        text = " | ".join(steps)
        flat = " ".join(statement.split())
        if any(re.fullmatch(r"SCAN tracks", s) for s in steps):
            problems.append(f"full table scan: {text}\n  {flat}")
        sorts = any("TEMP B-TREE" in s for s in steps)
        allowed = any(p.search(flat) for p in ALLOWED_SORTS.values())
        if sorts and any(reads_all_tracks(s) for s in steps) and not allowed:
            problems.append(f"sorts every track: {text}\n  {flat}")
        if flat.startswith("SELECT albums.") and any(reads_all_tracks(s) for s in steps):
            problems.append(f"reads every track for a few albums: {text}\n  {flat}")
        if "tracks_fts MATCH" in flat and not any("VIRTUAL TABLE INDEX 0:M" in s for s in steps):
            problems.append(f"FTS not used: {text}\n  {flat}")
    assert not problems, "\n".join(problems)


def test_default_order_and_searches_walk_the_sort_index(big_service: Service) -> None:
    """The list's default order comes from ``ix_tracks_default_sort`` in both directions,
    so a first screenful of a search stops early instead of sorting every match."""
    seen = capture(big_service)
    big_service.track_ids("")
    big_service.track_ids("", descending=True)
    big_service.track_ids("so", limit=150)
    for statement, parameters in seen.items():
        steps = plan(big_service, statement, parameters)
        assert any("ix_tracks_default_sort" in s for s in steps), steps
        assert not any("TEMP B-TREE" in s for s in steps), steps
