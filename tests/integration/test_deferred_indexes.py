"""A first scan builds the track indexes once, at its end, and never loses one.

The indexes are dropped while an empty library fills (``libtool.db.bulk``), so these
tests check what a user relies on: every index is back after the scan, after a stop,
and after a kill (by the next scan or a migration), and a library already in use keeps
its indexes while it is scanned.
"""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path
from typing import Any

import mutagen.flac
import pytest

import libtool.scan.scanner as scan_mod
from libtool.db.bulk import KEPT, defer_indexes, restore_indexes
from libtool.db.connection import open_library_file
from libtool.db.session import Library, alembic_config, open_library
from libtool.events import CancelToken
from tests.audio import AudioFactory


def rows(db_path: Path, sql: str) -> list[Any]:
    """``sql``'s rows, read on a connection of its own (as another process would)."""
    with closing(sqlite3.connect(db_path)) as conn:
        return conn.execute(sql).fetchall()


def indexes(db_path: Path) -> dict[str, str]:
    sql = "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL"
    return dict(rows(db_path, sql))


def tagged_flac(audio: AudioFactory, path: Path, **tags: str) -> Path:
    """A real FLAC file at ``path`` with these Vorbis comments."""
    flac = mutagen.flac.FLAC(audio.make(path, "flac"))
    for key, value in tags.items():
        flac[key] = value
    flac.save()
    return path


def deferred(db_path: Path) -> list[str]:
    return [name for (name,) in rows(db_path, "SELECT name FROM deferred_indexes")]


@pytest.fixture
def fresh_indexes(tmp_path: Path) -> dict[str, str]:
    """Every index of a new library, as its schema makes them."""
    path = tmp_path / "reference.db"
    open_library_file(str(path))
    return indexes(path)


@pytest.fixture
def tree(audio: AudioFactory, tmp_path: Path) -> Path:
    root = tmp_path / "music"
    for i in range(12):
        audio.make(root / f"album{i % 3}" / f"{i:02}.flac", "flac")
    return root


@pytest.fixture
def seen_at_flush(monkeypatch: pytest.MonkeyPatch) -> list[set[str]]:
    """The track indexes present each time the writer commits a batch."""
    seen: list[set[str]] = []
    flush = scan_mod._Writer.flush

    def spy(self: Any) -> None:
        if self.inserts or self.updates:
            seen.append(
                {
                    name
                    for (name,) in self.db.execute(
                        "SELECT name FROM sqlite_master WHERE type = 'index' "
                        "AND tbl_name = 'tracks' AND sql IS NOT NULL"
                    )
                }
            )
        flush(self)

    monkeypatch.setattr(scan_mod, "BATCH", 4)
    monkeypatch.setattr(scan_mod, "FLUSH_SECONDS", 0)
    monkeypatch.setattr(scan_mod._Writer, "flush", spy)
    return seen


def test_a_first_scan_fills_without_the_indexes_and_ends_with_every_one(
    tree: Path,
    library: Library,
    db_path: Path,
    fresh_indexes: dict[str, str],
    seen_at_flush: list[set[str]],
) -> None:
    summary = scan_mod.scan(library, [tree])
    assert summary.added == 12
    assert len(seen_at_flush) >= 3  # batches of 4
    assert all(names == set(KEPT) for names in seen_at_flush)
    assert indexes(db_path) == fresh_indexes
    assert deferred(db_path) == []


def test_a_first_scan_builds_its_indexes_while_its_last_files_are_read(
    audio: AudioFactory,
    tmp_path: Path,
    library: Library,
    db_path: Path,
    fresh_indexes: dict[str, str],
    seen_at_flush: list[set[str]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Not after the last file, where the builds would run alone: the rest go in indexed."""
    root = tmp_path / "many"
    for i in range(40):
        audio.make(root / f"album{i // 10}" / f"{i:02}.flac", "flac")
    monkeypatch.setattr(scan_mod, "BUILD_AHEAD", 0.5)  # when 20 of the 40 are left

    summary = scan_mod.scan(library, [root], jobs=1)

    assert summary.added == 40
    on_tracks = {n for n, sql in fresh_indexes.items() if " ON tracks " in sql}
    bare = [names == set(KEPT) for names in seen_at_flush]
    assert seen_at_flush[0] == set(KEPT) and seen_at_flush[-1] == on_tracks
    assert bare == sorted(bare, reverse=True)  # built once, between two batches
    assert 4 <= bare.count(True) <= 6  # batches of 4: the first 20 files or so
    assert indexes(db_path) == fresh_indexes and deferred(db_path) == []
    assert rows(db_path, "PRAGMA integrity_check") == [("ok",)]
    assert rows(db_path, "SELECT count(*) FROM tracks") == [(40,)]


def test_with_two_new_roots_the_indexes_wait_for_the_last_one(
    audio: AudioFactory,
    tmp_path: Path,
    library: Library,
    db_path: Path,
    fresh_indexes: dict[str, str],
    seen_at_flush: list[set[str]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    first, second = tmp_path / "first", tmp_path / "second"
    for i in range(12):
        audio.make(first / f"{i:02}.flac", "flac")
        audio.make(second / f"{i:02}.flac", "flac")
    monkeypatch.setattr(scan_mod, "BUILD_AHEAD", 0.5)

    assert scan_mod.scan(library, [first, second], jobs=1).added == 24

    bare = [names == set(KEPT) for names in seen_at_flush]
    assert bare[:3] == [True] * 3  # all of the first root's batches
    assert not bare[-1] and bare == sorted(bare, reverse=True)
    assert indexes(db_path) == fresh_indexes and deferred(db_path) == []


def test_a_library_in_use_keeps_its_indexes_while_it_is_scanned(
    tree: Path,
    audio: AudioFactory,
    library: Library,
    db_path: Path,
    fresh_indexes: dict[str, str],
    seen_at_flush: list[set[str]],
) -> None:
    scan_mod.scan(library, [tree])
    seen_at_flush.clear()
    for i in range(8):
        audio.make(tree / "more" / f"{i}.flac", "flac")
    assert scan_mod.scan(library, [tree]).added == 8
    want = {n for n, sql in fresh_indexes.items() if " ON tracks " in sql}
    assert seen_at_flush and all(names == want for names in seen_at_flush)
    assert indexes(db_path) == fresh_indexes


def test_a_stopped_first_scan_builds_its_indexes_before_returning(
    tree: Path,
    library: Library,
    db_path: Path,
    fresh_indexes: dict[str, str],
    seen_at_flush: list[set[str]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    cancel = CancelToken()
    flush = scan_mod._Writer.flush

    def stop_after_first_batch(self: Any) -> None:
        flush(self)
        cancel.cancel()

    monkeypatch.setattr(scan_mod._Writer, "flush", stop_after_first_batch)
    summary = scan_mod.scan(library, [tree], cancel=cancel)
    assert summary.interrupted and 0 < summary.added < 12
    assert indexes(db_path) == fresh_indexes
    assert deferred(db_path) == []


def test_indexes_a_killed_scan_left_deferred_are_built_by_the_next_scan(
    tree: Path, library: Library, db_path: Path, fresh_indexes: dict[str, str]
) -> None:
    # a kill between the drop and the rebuild leaves this state (the slow kill test in
    # test_scan.py makes it with a real SIGKILL)
    conn = library.connect()
    dropped = defer_indexes(conn)
    conn.close()
    assert dropped and set(dropped) == set(deferred(db_path))
    assert not set(dropped) & set(indexes(db_path))

    conn = library.connect()
    conn.execute(
        "INSERT INTO roots (path, path_text, added_at) VALUES (?, ?, '2026-01-01')",
        (bytes(tree), str(tree)),
    )
    conn.execute(  # and a track committed before the kill: the library is not empty
        "INSERT INTO tracks (root_id, path, path_text, size, mtime_ns, format, has_picture, "
        "tags, extras, missing, added_at, scanned_at) SELECT id, ?, 'gone.flac', 0, 0, "
        "'flac', 0, '{}', '{}', 0, '2026-01-01', '2026-01-01' FROM roots",
        (bytes(tree / "gone.flac"),),
    )
    conn.commit()
    conn.close()
    assert scan_mod.scan(library).added == 12
    assert indexes(db_path) == fresh_indexes
    assert deferred(db_path) == []


def test_a_downgrade_builds_deferred_indexes_first(
    db_path: Path, fresh_indexes: dict[str, str]
) -> None:
    from alembic import command

    lib = open_library(str(db_path))
    conn = lib.connect()
    defer_indexes(conn)
    conn.close()
    command.downgrade(alembic_config(lib.engine), "0011")
    lib.close()
    assert indexes(db_path) == fresh_indexes  # 0012 adds a table, no index
    tables = {name for (name,) in rows(db_path, "SELECT name FROM sqlite_master")}
    assert "deferred_indexes" not in tables


def test_defer_does_nothing_in_a_library_with_tracks(
    tree: Path, library: Library, db_path: Path, fresh_indexes: dict[str, str]
) -> None:
    scan_mod.scan(library, [tree])
    conn = library.connect()
    try:
        assert defer_indexes(conn) == []
    finally:
        conn.close()
    assert indexes(db_path) == fresh_indexes


def test_indexes_built_one_at_a_time_leave_the_rest_recorded_until_built(
    library: Library, db_path: Path, fresh_indexes: dict[str, str]
) -> None:
    """A kill between two of a first scan's builds leaves the unbuilt ones recorded."""
    conn = library.connect()
    try:
        dropped = defer_indexes(conn)
        assert restore_indexes(conn, most=1) == 1
        conn.commit()
        first = sorted(dropped)[0]
        assert first in indexes(db_path)
        assert sorted(deferred(db_path)) == sorted(dropped)[1:]

        assert restore_indexes(conn) == len(dropped) - 1
        conn.commit()
        assert restore_indexes(conn, most=1) == 0  # nothing left
    finally:
        conn.close()
    assert indexes(db_path) == fresh_indexes and deferred(db_path) == []


def albums(db_path: Path) -> list[Any]:
    return rows(
        db_path,
        "SELECT a.key, a.album, a.albumartist, a.year, a.track_count, a.folder_text, "
        "(SELECT count(*) FROM tracks t WHERE t.album_id = a.id) FROM albums a ORDER BY a.key",
    )


def test_albums_regrouped_in_the_end_game_come_out_as_if_regrouped_at_the_end(
    audio: AudioFactory, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An album the end-game regroups while it has only its early tracks is regrouped
    again at the end: here its late tracks outvote the early ones."""
    early, late = tmp_path / "music" / "early", tmp_path / "music" / "late"
    for folder, n in [(early, n) for n in range(30)] + [(late, n) for n in range(10)]:
        split = folder == late or n < 2  # 2 early tracks and 10 late ones
        tagged_flac(
            audio,
            folder / f"{n:02}.flac",
            album="Split" if split else f"Album {n // 10}",
            albumartist="Late" if folder == late else "Early",
            date="2001" if folder == late else "1999",
            # one album across two folders: by its MusicBrainz id
            **({"musicbrainz_albumid": "b1a9c0e2-1111-4222-8333-944455556666"} if split else {}),
        )
    split_tracks: list[int] = []  # the album's tracks in the library at each regroup
    regroup = scan_mod.regroup_albums

    def spy(db: sqlite3.Connection, keys: Any = None) -> None:
        sql = "SELECT count(*) FROM tracks WHERE album_key LIKE 'mb:%'"
        split_tracks.append(db.execute(sql).fetchone()[0])
        regroup(db, keys)

    monkeypatch.setattr(scan_mod, "regroup_albums", spy)
    found = {}
    for share in (0.0, 0.9):  # at the last file (no regroup ahead), and with 36 left
        monkeypatch.setattr(scan_mod, "BUILD_AHEAD", share)
        split_tracks.clear()
        db_path = tmp_path / f"library-{share}.db"
        library = open_library(str(db_path))
        try:
            assert scan_mod.scan(library, [tmp_path / "music"], jobs=1).added == 40
        finally:
            library.close()
        found[share] = albums(db_path)
        assert deferred(db_path) == []
        sql = "SELECT path_text LIKE '%/late/%', min(id), max(id) FROM tracks GROUP BY 1"
        ids = {late: (low, high) for late, low, high in rows(db_path, sql)}
        if share:
            if not ids[0][1] < ids[1][0]:
                pytest.skip("the walk read the late folder first: the case cannot arise")
            assert split_tracks[0] == 2, "the end-game regrouped the album before its late tracks"
    assert split_tracks[-1] == 12

    assert found[0.9] == found[0.0]
    split = next(a for a in found[0.9] if a[1] == "Split")
    assert split[2:5] == ("Late", 1999, 12) and split[6] == 12


def test_a_first_scan_read_by_reader_processes_ends_complete(
    audio: AudioFactory,
    tmp_path: Path,
    library: Library,
    db_path: Path,
    fresh_indexes: dict[str, str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The walk's thread, two readers and the end-game together (60 files: not read in
    this process), with the end-game started early."""
    root = tmp_path / "many"
    for i in range(60):
        tagged_flac(audio, root / f"album{i // 10}" / f"{i:02}.flac", album=f"Album {i // 10}")
    monkeypatch.setattr(scan_mod, "BUILD_AHEAD", 0.8)

    summary = scan_mod.scan(library, [root], jobs=2)

    assert summary.added == 60 and summary.errors == 0
    assert indexes(db_path) == fresh_indexes and deferred(db_path) == []
    assert rows(db_path, "PRAGMA integrity_check") == [("ok",)]
    assert rows(db_path, "SELECT count(*), count(DISTINCT album_id) FROM tracks") == [(60, 6)]
    assert rows(db_path, "SELECT sum(track_count), count(*) FROM albums") == [(60, 6)]
