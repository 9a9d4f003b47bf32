"""The scanner end to end: real audio files, a real SQLite library, the real CLI.

Assertions are on database state (tracks, albums, scan_runs, scan_errors) and on
what ``mlib`` prints and exits with. Nothing here asserts on wall-clock time;
waiting is always a bounded polling loop.
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import mutagen
import pytest
from sqlalchemy import delete, select, update

import libtool.scan.pipeline as pipeline
import libtool.scan.scanner as scan_mod
from libtool.db import SCHEMA_HEAD
from libtool.db.models import Album, Root, ScanError, ScanRun, Track
from libtool.db.session import Library, open_library
from libtool.events import CancelToken
from libtool.scan.scanner import scan
from tests.audio import AudioFactory

#: Library files are usually old; tests that change a file then get a new mtime for free.
OLD_NS = 1_500_000_000 * 10**9
SUMMARY = r"\d+ added, \d+ updated, \d+ missing, \d+ unchanged, \d+ errors in \d+\.\d\ds"


# --------------------------------------------------------------------------- helpers


def fsb(path: str | os.PathLike[str] | bytes) -> bytes:
    return os.fsencode(path)


def tag(path: Path, **values: str | list[str]) -> Path:
    """Write tags with mutagen directly (easy keys: title, artist, tracknumber...)."""
    audio = mutagen.File(path, easy=True)
    assert audio is not None, f"mutagen cannot open {path}"
    if audio.tags is None:
        audio.add_tags()
    for key, value in values.items():
        audio[key] = value
    audio.save()
    return path


def age(path: Path, ns: int = OLD_NS) -> None:
    os.utime(path, ns=(ns, ns))


def make(audio: AudioFactory, path: Path, ext: str = "mp3", **values: str | list[str]) -> Path:
    """A real audio file at ``path``, tagged with ``values``, with an old mtime."""
    audio.make(path, ext)
    if values:
        tag(path, **values)
    age(path)
    return path


def db_tracks(library: Library) -> dict[bytes, Track]:
    with library.session() as session:
        return {t.path: t for t in session.scalars(select(Track))}


def db_errors(library: Library) -> dict[bytes, ScanError]:
    with library.session() as session:
        return {e.path: e for e in session.scalars(select(ScanError))}


def db_runs(library: Library) -> list[ScanRun]:
    with library.session() as session:
        return list(session.scalars(select(ScanRun).order_by(ScanRun.id)))


def db_albums(library: Library) -> dict[str, list[Album]]:
    """Albums by name (a name may be shared by several albums)."""
    found: dict[str, list[Album]] = {}
    with library.session() as session:
        for album in session.scalars(select(Album).order_by(Album.id)):
            found.setdefault(album.album, []).append(album)
    return found


def counts(summary: scan_mod.ScanSummary) -> tuple[int, int, int, int, int]:
    """(added, updated, missing, unchanged, errors)"""
    return summary.added, summary.updated, summary.missing, summary.unchanged, summary.errors


def cli_env(db: Path | None, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("MLIB_DB", "MLIB_CONFIG")}
    env["XDG_CONFIG_HOME"] = "/nonexistent"  # never pick up a real user's config
    env["PYTHONIOENCODING"] = "utf-8"  # what the output is decoded as, whatever the locale
    if db is not None:
        env["MLIB_DB"] = str(db)
    env.update(extra)
    return env


def run_cli(
    *args: str | os.PathLike[str], db: Path | None, timeout: float = 60, **env: str
) -> subprocess.CompletedProcess[str]:
    """``python -m libtool ARGS``; the timeout is only a guard against hangs."""
    return subprocess.run(
        [sys.executable, "-m", "libtool", *map(str, args)],
        capture_output=True,
        encoding="utf-8",
        env=cli_env(db, **env),
        timeout=timeout,
    )


@pytest.fixture
def reads(monkeypatch: pytest.MonkeyPatch) -> list[bytes]:
    """Every path the scanner opens (in-process reads: use jobs=1)."""
    seen: list[bytes] = []
    real = pipeline.read_one

    def spy(path: bytes) -> Any:
        seen.append(path)
        return real(path)

    monkeypatch.setattr(pipeline, "read_one", spy)
    return seen


@pytest.fixture
def three(audio: AudioFactory, tmp_path: Path) -> tuple[Path, list[Path]]:
    """A root with three tagged tracks (two MP3, one FLAC)."""
    root = tmp_path / "music"
    files = [
        make(
            audio,
            root / "Alpha" / "01.mp3",
            title="One",
            artist="X",
            album="Alpha",
            tracknumber="1/9",
            date="1999-05-01",
        ),
        make(
            audio,
            root / "Alpha" / "02.mp3",
            title="Two",
            artist="X",
            album="Alpha",
            tracknumber="2/9",
        ),
        make(audio, root / "Beta" / "x.flac", "flac", title="Three", artist="Y", album="Beta"),
    ]
    return root, files


# --------------------------------------------------------------------------- incremental


def test_first_scan_adds_every_file(library: Library, three: tuple[Path, list[Path]]) -> None:
    root, files = three
    summary = scan(library, [root], jobs=1)
    assert counts(summary) == (3, 0, 0, 0, 0)
    assert not summary.interrupted and summary.notes == []

    rows = db_tracks(library)
    assert set(rows) == {fsb(f) for f in files}
    for f in files:
        row, st = rows[fsb(f)], os.stat(f)
        assert (row.size, row.mtime_ns) == (st.st_size, st.st_mtime_ns)
        assert row.missing is False and row.missing_since is None
        assert row.path_text == str(f)
    one = rows[fsb(files[0])]
    assert (one.title, one.artist, one.album) == ("One", "X", "Alpha")
    assert (one.track, one.tracktotal) == (1, 9)
    assert (one.format, one.year, one.tags["title"]) == ("MP3", 1999, ["One"])
    assert rows[fsb(files[2])].format == "FLAC"

    with library.session() as session:
        roots = session.scalars(select(Root)).all()
        assert [r.path for r in roots] == [fsb(root)]
        assert roots[0].last_scan_at is not None
        assert {t.root_id for t in rows.values()} == {roots[0].id}
    (run,) = db_runs(library)
    assert (run.status, run.added, run.errors, run.full) == ("complete", 3, 0, False)
    assert run.finished_at is not None


def test_unchanged_rescan_opens_no_file(
    library: Library, three: tuple[Path, list[Path]], reads: list[bytes]
) -> None:
    root, files = three
    scan(library, [root], jobs=1)
    assert sorted(reads) == sorted(fsb(f) for f in files)
    before = db_tracks(library)

    reads.clear()
    summary = scan(library, [root], jobs=1)
    assert counts(summary) == (0, 0, 0, 3, 0)
    assert reads == []
    after = db_tracks(library)
    assert {p: (t.id, t.scanned_at, t.title) for p, t in after.items()} == {
        p: (t.id, t.scanned_at, t.title) for p, t in before.items()
    }
    assert db_errors(library) == {}

    # again through the CLI-less "rescan every root" form
    reads.clear()
    assert counts(scan(library, jobs=1)) == (0, 0, 0, 3, 0)
    assert reads == []

    full = scan(library, [root], jobs=1, full=True)
    assert full.updated == 3 and sorted(reads) == sorted(fsb(f) for f in files)
    assert db_runs(library)[-1].full is True


def test_an_edit_that_keeps_size_and_mtime_is_still_noticed(
    library: Library, three: tuple[Path, list[Path]], reads: list[bytes]
) -> None:
    """Taggers can keep a file's mtime, and its size when the tag fits its padding; the
    stamp's ctime still changes, so the scan reads the file again."""
    root, files = three
    scan(library, [root], jobs=1)
    victim = files[1]
    stat = victim.stat()
    size = stat.st_size
    victim.write_bytes(b"\0garbage" * (size // 8) + b"\0" * (size % 8))
    os.utime(victim, ns=(stat.st_atime_ns, stat.st_mtime_ns))  # mtime put back
    assert (victim.stat().st_size, victim.stat().st_mtime_ns) == (size, stat.st_mtime_ns)

    reads.clear()
    summary = scan(library, jobs=1)
    assert reads == [fsb(victim)]
    assert summary.errors == 1 and fsb(victim) in db_errors(library)


def test_touched_file_is_reread(
    library: Library, three: tuple[Path, list[Path]], reads: list[bytes]
) -> None:
    root, files = three
    scan(library, [root], jobs=1)
    old = db_tracks(library)[fsb(files[0])]
    age(files[0], OLD_NS + 1)  # mtime moved by one nanosecond, size the same

    reads.clear()
    summary = scan(library, [root], jobs=1)
    assert counts(summary) == (0, 1, 0, 2, 0)
    assert reads == [fsb(files[0])]
    new = db_tracks(library)[fsb(files[0])]
    assert new.id == old.id and new.mtime_ns == OLD_NS + 1
    assert new.scanned_at > old.scanned_at
    assert db_runs(library)[-1].updated == 1


def test_changed_tags_are_stored(library: Library, three: tuple[Path, list[Path]]) -> None:
    root, files = three
    scan(library, [root], jobs=1)
    old = db_tracks(library)[fsb(files[0])]

    tag(files[0], title="Uno", artist="Z", album="Gamma", tracknumber="7")  # a real edit: new mtime
    tag(files[2], genre="Jazz")
    summary = scan(library, [root], jobs=1)
    assert counts(summary) == (0, 2, 0, 1, 0)

    rows = db_tracks(library)
    new = rows[fsb(files[0])]
    assert new.id == old.id
    assert (new.title, new.artist, new.album) == ("Uno", "Z", "Gamma")
    assert (new.track, new.tracktotal) == (7, None)
    assert new.tags["title"] == ["Uno"]
    assert new.year == 1999  # untouched tags are still read
    assert rows[fsb(files[2])].genre == "Jazz"
    albums = db_albums(library)
    assert sorted(albums) == ["Alpha", "Beta", "Gamma"]
    assert albums["Alpha"][0].track_count == 1


def test_deleted_file_is_marked_missing_and_comes_back(
    library: Library, three: tuple[Path, list[Path]], tmp_path: Path
) -> None:
    root, files = three
    scan(library, [root], jobs=1)
    gone = files[1]
    kept = tmp_path / "elsewhere.mp3"
    shutil.move(gone, kept)
    track_id = db_tracks(library)[fsb(gone)].id

    summary = scan(library, [root], jobs=1)
    assert counts(summary) == (0, 0, 1, 2, 0)
    row = db_tracks(library)[fsb(gone)]  # the row is kept...
    assert row.id == track_id and row.missing is True and row.missing_since is not None
    assert row.title == "Two"  # ...with everything known about it
    assert db_runs(library)[-1].missing == 1
    assert db_albums(library)["Alpha"][0].track_count == 1

    # still gone: not reported again, missing_since unchanged
    again = scan(library, [root], jobs=1)
    assert counts(again) == (0, 0, 0, 2, 0)
    assert db_tracks(library)[fsb(gone)].missing_since == row.missing_since

    shutil.move(kept, gone)  # back, with the same size and mtime as before
    back = scan(library, [root], jobs=1)
    assert counts(back) == (0, 1, 0, 2, 0)
    row = db_tracks(library)[fsb(gone)]
    assert row.id == track_id and row.missing is False and row.missing_since is None
    assert db_albums(library)["Alpha"][0].track_count == 2


def test_renamed_file_is_missing_at_old_path_and_added_at_new(
    library: Library, three: tuple[Path, list[Path]]
) -> None:
    root, files = three
    scan(library, [root], jobs=1)
    old_path, new_path = files[0], files[0].with_name("01 renamed.mp3")
    old_id = db_tracks(library)[fsb(old_path)].id
    os.rename(old_path, new_path)

    summary = scan(library, [root], jobs=1)
    assert counts(summary) == (1, 0, 1, 2, 0)
    rows = db_tracks(library)
    assert len(rows) == 4
    assert rows[fsb(old_path)].missing is True and rows[fsb(old_path)].id == old_id
    assert rows[fsb(new_path)].missing is False and rows[fsb(new_path)].id != old_id
    assert rows[fsb(new_path)].title == "One"


def test_full_rescan_rereads_everything(
    library: Library, three: tuple[Path, list[Path]], reads: list[bytes]
) -> None:
    root, files = three
    scan(library, [root], jobs=1)
    reads.clear()
    summary = scan(library, [root], jobs=1, full=True)
    assert counts(summary) == (0, 3, 0, 0, 0)
    assert sorted(reads) == sorted(fsb(f) for f in files)
    run = db_runs(library)[-1]
    assert (run.full, run.updated, run.status) == (True, 3, "complete")


def test_subfolder_scan_and_enclosing_root(
    audio: AudioFactory, library: Library, tmp_path: Path
) -> None:
    """Scanning inside a root scans that subtree only; a parent root absorbs an inner one."""
    top = tmp_path / "music"
    a = make(audio, top / "A" / "a.mp3", title="a")
    b = make(audio, top / "B" / "b.mp3", title="b")
    scan(library, [top / "A"], jobs=1)
    first_id = db_tracks(library)[fsb(a)].id

    assert counts(scan(library, [top], jobs=1)) == (1, 0, 0, 1, 0)
    with library.session() as session:
        assert [r.path for r in session.scalars(select(Root))] == [fsb(top)]
    rows = db_tracks(library)
    assert set(rows) == {fsb(a), fsb(b)} and rows[fsb(a)].id == first_id
    assert len({t.root_id for t in rows.values()}) == 1

    b.unlink()  # outside the subtree scanned next: must not be touched
    assert counts(scan(library, [top / "A"], jobs=1)) == (0, 0, 0, 1, 0)
    assert db_tracks(library)[fsb(b)].missing is False
    assert counts(scan(library, jobs=1)) == (0, 0, 1, 1, 0)


# --------------------------------------------------------------------------- interruption

TOTAL = 1200

#: The real CLI with each file read slowed by a couple of milliseconds (a slow
#: disk), so that a kill reliably lands while the scan is still in progress.
SLOW_CLI = """
import sys, time
import libtool.scan.pipeline

_read_one = libtool.scan.pipeline.read_one

def slow_read_one(path):
    time.sleep(0.002)
    return _read_one(path)

libtool.scan.pipeline.read_one = slow_read_one
from libtool.cli import main
main()
"""


@pytest.fixture
def big_root(audio: AudioFactory, tmp_path: Path) -> tuple[Path, set[bytes]]:
    """TOTAL small tagged MP3s, copied from one template."""
    template = make(audio, tmp_path / "template.mp3", title="Tone", artist="Sine", album="Big")
    root = tmp_path / "big"
    paths = set()
    for folder in range(4):
        (root / f"{folder}").mkdir(parents=True)
        for n in range(TOTAL // 4):
            dest = root / f"{folder}" / f"{n:04d}.mp3"
            shutil.copyfile(template, dest)
            paths.add(fsb(dest))
    return root, paths


def sqlite_scalar(db: Path, sql: str) -> Any:
    """Read the library as another process would; None when there is nothing yet."""
    if not db.exists():
        return None
    try:
        conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=10)
        try:
            return conn.execute(sql).fetchone()[0]
        finally:
            conn.close()
    except sqlite3.Error:
        return None  # not created or not migrated yet


def fresh_library(folder: Path) -> Path:
    """A new, empty library beside the test's, to compare schemas with."""
    from libtool.db.connection import open_library_file

    path = folder / "reference.db"
    open_library_file(str(path))
    return path


def start_slow_scan(db: Path, *args: str | os.PathLike[str]) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-c", SLOW_CLI, "scan", *map(str, args)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=cli_env(db),
        start_new_session=True,  # its own process group, like a job in a shell
    )


def wait_for_committed_tracks(db: Path, proc: subprocess.Popen[str]) -> int:
    for _ in range(4000):  # bounded: about 20 s of polling at most
        if proc.poll() is not None:
            break
        count = sqlite_scalar(db, "SELECT count(*) FROM tracks") or 0
        if count:
            return count
        time.sleep(0.005)
    out, err = proc.communicate(timeout=60) if proc.poll() is not None else ("", "")
    pytest.fail(f"no tracks committed while the scan ran (rc={proc.poll()}):\n{out}\n{err}")


@contextlib.contextmanager
def reaped(proc: subprocess.Popen[str]):  # type: ignore[no-untyped-def]
    """Make sure the scan and any pool workers it left are gone after the test."""
    try:
        yield proc
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)  # the group we created for it
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.communicate(timeout=60)


@pytest.mark.slow
def test_killed_scan_resumes_without_duplicates(
    big_root: tuple[Path, set[bytes]], db_path: Path
) -> None:
    root, paths = big_root
    with reaped(start_slow_scan(db_path, "-j", "2", root)) as proc:
        wait_for_committed_tracks(db_path, proc)
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=60)
        assert proc.returncode == -signal.SIGKILL
    committed = sqlite_scalar(db_path, "SELECT count(*) FROM tracks")
    assert 0 < committed < TOTAL
    assert sqlite_scalar(db_path, "SELECT status FROM scan_runs WHERE id = 1") == "running"
    # a first scan builds its indexes at its end (libtool.db.bulk): the kill left them
    assert sqlite_scalar(db_path, "SELECT count(*) FROM deferred_indexes")

    result = run_cli("scan", "-j", "2", db=db_path)  # no roots: rescan the known one
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(
        f"{TOTAL - committed} added, 0 updated, 0 missing, {committed} unchanged, 0 errors"
    )

    conn = sqlite3.connect(db_path)
    try:
        rows = conn.execute("SELECT path, missing FROM tracks").fetchall()
        runs = conn.execute("SELECT status FROM scan_runs ORDER BY id").fetchall()
        albums = conn.execute("SELECT album, track_count FROM albums").fetchall()
    finally:
        conn.close()
    assert len(rows) == TOTAL and {p for p, _ in rows} == paths
    assert not any(missing for _, missing in rows)
    assert runs == [("interrupted",), ("complete",)]
    assert albums == [("Big", TOTAL // 4)] * 4
    assert sqlite_scalar(db_path, "SELECT count(*) FROM deferred_indexes") == 0
    assert sqlite_scalar(db_path, "SELECT count(*) FROM sqlite_master WHERE type = 'index'") == (
        sqlite_scalar(
            fresh_library(db_path.parent), "SELECT count(*) FROM sqlite_master WHERE type = 'index'"
        )
    )


@pytest.mark.slow
def test_ctrl_c_exits_130_and_keeps_progress(
    big_root: tuple[Path, set[bytes]], db_path: Path
) -> None:
    root, _ = big_root
    with reaped(start_slow_scan(db_path, "-j", "2", root)) as proc:
        wait_for_committed_tracks(db_path, proc)
        os.killpg(proc.pid, signal.SIGINT)  # Ctrl-C reaches the whole foreground job
        out, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err
    assert "interrupted: progress so far is saved" in out
    assert "Traceback" not in err, err
    kept = sqlite_scalar(db_path, "SELECT count(*) FROM tracks")
    assert 0 < kept <= TOTAL
    assert sqlite_scalar(db_path, "SELECT status FROM scan_runs") == "interrupted"
    assert sqlite_scalar(db_path, "SELECT finished_at IS NOT NULL FROM scan_runs") == 1

    result = run_cli("scan", "-j", "2", root, db=db_path)
    assert result.returncode == 0, result.stderr
    assert f"{TOTAL - kept} added, 0 updated" in result.stdout
    assert sqlite_scalar(db_path, "SELECT count(DISTINCT path) FROM tracks") == TOTAL


def test_a_failure_after_ctrl_c_leaves_no_connection_holding_the_library(
    audio: AudioFactory,
    library: Library,
    db_path: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Ctrl-C, then an error while saving what was buffered: the scan's fresh connection
    is closed with the rest, so its open write does not lock the library afterwards."""
    monkeypatch.setattr(scan_mod, "BATCH", 3)
    monkeypatch.setattr(scan_mod, "FLUSH_SECONDS", 0)  # every BATCH records
    root = tmp_path / "music"
    for n in range(7):
        make(audio, root / f"{n}.mp3", title=f"t{n}")
    real_flush = scan_mod._Writer.flush
    flushes = [0]

    def flush(self: Any) -> None:
        flushes[0] += 1
        if flushes[0] == 2:
            raise KeyboardInterrupt
        real_flush(self)

    def failing_save(self: Any) -> None:
        self.db.execute("UPDATE roots SET path_text = path_text")  # a write left open
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(scan_mod._Writer, "flush", flush)
    monkeypatch.setattr(scan_mod._Writer, "flush_after_interrupt", failing_save)
    with pytest.raises(RuntimeError, match="disk on fire") as failure:
        scan(library, [root], jobs=1)
    assert failure.value is not None  # the traceback (and its frames) still alive here
    other = sqlite3.connect(db_path, timeout=0)
    try:
        other.execute("BEGIN IMMEDIATE")  # the write lock is free
        other.rollback()
    finally:
        other.close()


@pytest.mark.parametrize("committed", [False, True], ids=["before-commit", "after-commit"])
def test_ctrl_c_during_a_batch_write(
    committed: bool,
    audio: AudioFactory,
    library: Library,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Ctrl-C landing just before or just after a batch commit: a clean stop, nothing doubled.

    (A signal is raised at the next bytecode, so "after" is what happens when
    Ctrl-C arrives while SQLite is committing.)
    """
    monkeypatch.setattr(scan_mod, "BATCH", 5)
    monkeypatch.setattr(scan_mod, "FLUSH_SECONDS", 0)  # every BATCH records
    root = tmp_path / "music"
    files = {fsb(make(audio, root / f"{n:02d}.mp3", title=f"t{n}")) for n in range(12)}
    real_flush = scan_mod._Writer.flush
    armed = [True]

    real_commit = scan_mod._Writer.commit

    def flush(self: Any) -> None:
        if armed[0] and self.inserts:
            armed[0] = False

            def interrupted_commit(writer: Any) -> None:
                monkeypatch.setattr(scan_mod._Writer, "commit", real_commit)
                if committed:
                    real_commit(writer)
                raise KeyboardInterrupt

            monkeypatch.setattr(scan_mod._Writer, "commit", interrupted_commit)
        real_flush(self)

    monkeypatch.setattr(scan_mod._Writer, "flush", flush)
    summary = scan(library, [root], jobs=1)
    assert summary.interrupted
    assert db_runs(library)[-1].status == "interrupted"
    kept = len(db_tracks(library))
    assert kept >= 5

    assert counts(scan(library, [root], jobs=1)) == (12 - kept, 0, 0, kept, 0)
    assert set(db_tracks(library)) == files


def test_ctrl_c_while_grouping_albums(
    library: Library, three: tuple[Path, list[Path]], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Tracks committed by an interrupted scan still get their albums on the next scan."""
    root, _ = three
    real: Callable[..., None] = scan_mod.regroup_albums
    calls = []

    def rebuild(db: Any, keys: Any = None) -> None:
        calls.append(1)
        if len(calls) == 1:
            raise KeyboardInterrupt
        real(db, keys)

    monkeypatch.setattr(scan_mod, "regroup_albums", rebuild)
    assert scan(library, [root], jobs=1).interrupted
    assert len(db_tracks(library)) == 3

    summary = scan(library, [root], jobs=1)  # nothing changed on disk
    assert counts(summary) == (0, 0, 0, 3, 0) and not summary.interrupted
    assert sorted(db_albums(library)) == ["Alpha", "Beta"]
    assert all(t.album_id is not None for t in db_tracks(library).values())


def albums_and_links(library: Library) -> tuple[list[tuple[Any, ...]], dict[bytes, Any]]:
    """Every album (all but its id), and each track's album key (None: in no album)."""
    with library.session() as session:
        albums = session.execute(
            select(
                Album.key,
                Album.album,
                Album.albumartist,
                Album.mb_albumid,
                Album.folder,
                Album.folder_text,
                Album.year,
                Album.track_count,
            )
        ).all()
        links = session.execute(
            select(Track.path, Album.key).outerjoin(Album, Album.id == Track.album_id)
        ).all()
    return sorted(tuple(a) for a in albums), {path: key for path, key in links}


def assert_in_their_albums(library: Library) -> None:
    """Every present track with an album tag is in the album of its key (what a reader
    of the library sees during a scan and after a kill)."""
    with library.session() as session:
        for key, album_of_track in session.execute(
            select(Track.album_key, Album.key)
            .outerjoin(Album, Album.id == Track.album_id)
            .where(Track.missing.is_(False))
        ):
            assert album_of_track == key


@pytest.mark.parametrize("how", ["killed", "ctrl-c", "ctrl-c-in-commit", "cancelled"])
def test_the_scan_after_an_interrupted_one_gives_the_albums_of_a_clean_scan(
    how: str, audio: AudioFactory, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A scan stopped after some batches leaves provisional albums (fields from their
    first tracks); the next scan, with nothing changed on disk, regroups them all."""
    monkeypatch.setattr(scan_mod, "BATCH", 4)
    monkeypatch.setattr(scan_mod, "FLUSH_SECONDS", 0)  # every BATCH records
    root = tmp_path / "music"
    for n, artist in enumerate(["P", "Q", "P", "R", "Q"]):  # no album artist: Various
        make(audio, root / "Mix" / f"{n}.mp3", album="Mix", artist=artist)
    for disc in (1, 2):  # one album over two disc folders, its name in two spellings
        for n in range(3):
            make(
                audio,
                root / "Big" / f"CD{disc}" / f"{n}.mp3",
                album="big" if (disc, n) == (1, 0) else "Big",
                artist=f"Guest {n}",
                albumartist="Band" if n else "",
                date="" if (disc, n) == (1, 0) else str(2003 - n),
            )
    for folder in ("A", "B"):  # one MusicBrainz release in two folders
        make(audio, root / folder / "1.flac", "flac", album=f"Live {folder}", artist="X")
        tag(root / folder / "1.flac", musicbrainz_albumid="mb-1")
        age(root / folder / "1.flac")
    make(audio, root / "Loose" / "single.mp3", title="No album", artist="X")

    clean = open_library(str(tmp_path / "clean.db"))
    try:
        scan(clean, [root], jobs=1)
        expected = albums_and_links(clean)
    finally:
        clean.close()

    library = open_library(str(tmp_path / "stopped.db"))
    cancel = CancelToken()
    real_flush = scan_mod._Writer.flush
    real_commit = scan_mod._Writer.commit
    flushes = [0]

    def flush(self: Any) -> None:
        flushes[0] += 1
        if flushes[0] == 3 and how == "killed":
            raise RuntimeError("killed")  # escapes: the run stays 'running', as after a kill
        if flushes[0] == 3 and how == "ctrl-c-in-commit":

            def interrupted_commit(writer: Any) -> None:
                monkeypatch.setattr(scan_mod._Writer, "commit", real_commit)
                real_commit(writer)
                raise KeyboardInterrupt

            monkeypatch.setattr(scan_mod._Writer, "commit", interrupted_commit)
        real_flush(self)
        if flushes[0] == 3 and how == "ctrl-c":
            raise KeyboardInterrupt
        if flushes[0] == 3 and how == "cancelled":
            cancel.cancel()

    monkeypatch.setattr(scan_mod._Writer, "flush", flush)
    try:
        if how == "killed":
            with pytest.raises(RuntimeError):
                scan(library, [root], jobs=1)
        else:
            assert scan(library, [root], jobs=1, cancel=cancel).interrupted
        kept = len(db_tracks(library))
        assert 0 < kept < len(expected[1])
        assert_in_their_albums(library)
        assert albums_and_links(library) != expected  # provisional albums, some tracks unread

        monkeypatch.setattr(scan_mod._Writer, "flush", real_flush)
        summary = scan(library, [root], jobs=1)
        assert not summary.interrupted and summary.added == len(expected[1]) - kept
        assert albums_and_links(library) == expected
    finally:
        library.close()


# --------------------------------------------------------------------------- bad files


def test_broken_files_are_recorded_not_fatal(
    audio: AudioFactory, library: Library, db_path: Path, tmp_path: Path
) -> None:
    root = tmp_path / "music"
    good = make(audio, root / "good.mp3", title="Good")
    big_tag = tag(audio.make(tmp_path / "big-tag.mp3", "mp3"), title="x" * 4000).read_bytes()
    m4a = audio.template("m4a").read_bytes()
    broken = {
        "truncated.mp3": big_tag[:2000],  # cut inside its ID3 tag
        "truncated.m4a": m4a[: len(m4a) // 2],
        "header-only.flac": audio.template("flac").read_bytes()[:40],
        "text.mp3": b"this is a shopping list, not a song\n" * 40,
        "text.m4a": b"not an mp4 either\n" * 40,
        "noise.ogg": bytes(range(256)) * 16,
        "empty.mp3": b"",
    }
    for name, data in broken.items():
        (root / "bad" / name).parent.mkdir(parents=True, exist_ok=True)
        (root / "bad" / name).write_bytes(data)

    result = run_cli("scan", root, db=db_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(
        f"1 added, 0 updated, 0 missing, 0 unchanged, {len(broken)} errors"
    )
    assert "Run 'mlib errors'" in result.stderr and "Traceback" not in result.stderr

    errors = db_errors(library)
    assert set(errors) == {fsb(root / "bad" / name) for name in broken}
    assert errors[fsb(root / "bad" / "empty.mp3")].kind == "empty"
    for name in set(broken) - {"empty.mp3"}:
        err = errors[fsb(root / "bad" / name)]
        assert err.kind in ("corrupt", "unsupported"), (name, err.kind, err.message)
        assert err.message and "\n" not in err.message
        assert err.run_id == db_runs(library)[-1].id
    assert set(db_tracks(library)) == {fsb(good)}

    listed = run_cli("errors", db=db_path)
    assert listed.returncode == 0
    lines = listed.stdout.splitlines()
    assert len(lines) == len(broken)
    for name in broken:
        err = errors[fsb(root / "bad" / name)]
        assert f"{root / 'bad' / name}: {err.kind}: " in listed.stdout

    # fix one, remove another, break the good one
    audio.make(root / "bad" / "text.mp3", "mp3")
    (root / "bad" / "empty.mp3").unlink()
    backup = shutil.copy2(good, tmp_path / "backup.mp3")
    good.write_bytes(b"overwritten by a bad copy\n" * 100)
    assert counts(scan(library, [root], jobs=1)) == (1, 0, 0, 0, len(broken) - 1)
    errors = db_errors(library)
    assert fsb(root / "bad" / "text.mp3") not in errors  # it reads fine now
    assert fsb(root / "bad" / "empty.mp3") not in errors  # it is gone
    assert errors[fsb(good)].kind == "corrupt"
    rows = db_tracks(library)
    assert rows[fsb(root / "bad" / "text.mp3")].format == "MP3"
    assert rows[fsb(good)].missing is False and rows[fsb(good)].title == "Good"  # last good read

    # restored from a backup that kept its mtime: its ctime is new, so it is read again
    shutil.copy2(backup, good)
    assert counts(scan(library, jobs=1)) == (0, 1, 0, 1, len(broken) - 2)
    assert fsb(good) not in db_errors(library)
    listed = run_cli("errors", db=db_path)
    assert sorted(listed.stdout.splitlines()) == sorted(
        f"{root / 'bad' / name}: {errors[fsb(root / 'bad' / name)].kind}: "
        f"{errors[fsb(root / 'bad' / name)].message}"
        for name in broken
        if name not in ("text.mp3", "empty.mp3")
    )

    tag(good, title="Good again")
    assert counts(scan(library, jobs=1)) == (0, 1, 0, 1, len(broken) - 2)
    assert db_tracks(library)[fsb(good)].title == "Good again"


def test_fifo_symlink_loops_and_broken_links(
    audio: AudioFactory, library: Library, db_path: Path, tmp_path: Path
) -> None:
    root = tmp_path / "music"
    good = make(audio, root / "good.mp3")
    deep = make(audio, root / "sub" / "deep.mp3")
    os.mkfifo(root / "x.mp3")
    os.symlink("..", root / "sub" / "up")  # a loop back to the root
    os.symlink(".", root / "sub" / "here")  # a loop onto itself
    os.symlink(root / "sub", root / "again")  # the same folder twice
    os.symlink("nowhere.mp3", root / "dead.mp3")
    os.symlink("self.mp3", root / "self.mp3")

    result = run_cli("scan", root, db=db_path, timeout=60)  # the timeout is a hang guard
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("2 added, 0 updated, 0 missing, 0 unchanged, 3 errors")

    rows = db_tracks(library)
    assert len(rows) == 2 and fsb(good) in rows
    # the folder is listed once, under one of its two names
    assert set(rows) & {fsb(deep), fsb(root / "again" / "deep.mp3")}
    errors = {p: e.kind for p, e in db_errors(library).items()}
    assert errors[fsb(root / "x.mp3")] == "not-regular"
    assert errors[fsb(root / "dead.mp3")] == "broken-link"
    assert errors[fsb(root / "self.mp3")] in ("broken-link", "symlink-loop")

    # the reader itself never blocks on a FIFO either (say it replaced a file mid-scan)
    probe = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys\nfrom libtool.tags.read import ReadError, read_track\n"
            "try:\n    read_track(sys.argv[1].encode())\nexcept ReadError as e:\n    print(e.kind)",
            str(root / "x.mp3"),
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert probe.stdout.strip() == "not-regular", probe.stderr


def test_hidden_and_ignored_files_are_skipped(
    audio: AudioFactory, library: Library, db_path: Path, tmp_path: Path
) -> None:
    root = tmp_path / "music"
    keep = make(audio, root / "keep.mp3")
    keep2 = make(audio, root / "sub" / "keep.flac", "flac")
    for skipped in (
        ".hidden.mp3",
        ".Trash/t.mp3",
        "a.skip.mp3",
        "sub/b.skip.mp3",
        "Podcasts/p.mp3",
    ):
        make(audio, root / skipped)
    config = tmp_path / "mlib.toml"
    config.write_text('[library]\nignore = ["*.skip.mp3", "Podcasts"]\n', encoding="utf-8")

    result = run_cli("--config", config, "scan", root, db=db_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("2 added, 0 updated, 0 missing, 0 unchanged, 0 errors")
    assert set(db_tracks(library)) == {fsb(keep), fsb(keep2)}
    assert db_errors(library) == {}

    # without the patterns the ignored files are found; hidden ones never are
    assert counts(scan(library, [root], jobs=1)) == (3, 0, 0, 2, 0)
    assert not any(b"/." in p for p in db_tracks(library))


def test_unreadable_folder_keeps_its_tracks(
    audio: AudioFactory, library: Library, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = tmp_path / "music"
    free = make(audio, root / "free" / "a.mp3")
    locked_files = [make(audio, root / "locked" / f"{n}.mp3") for n in range(2)]
    assert counts(scan(library, [root], jobs=1)) == (3, 0, 0, 0, 0)
    locked = fsb(root / "locked")

    if os.geteuid() == 0:
        # root reads any folder whatever its mode, so make the scanner see the
        # PermissionError a normal user would get from chmod 000
        real_scandir = os.scandir

        def scandir(path: Any = ".") -> Any:
            if fsb(path) == locked:
                raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), path)
            return real_scandir(path)

        def unlock() -> None:
            monkeypatch.setattr(os, "scandir", real_scandir)

        monkeypatch.setattr(os, "scandir", scandir)
    else:

        def unlock() -> None:
            os.chmod(locked, 0o755)

        os.chmod(locked, 0)

    try:
        summary = scan(library, [root], jobs=1)
    finally:
        unlock()
    assert counts(summary) == (0, 0, 0, 1, 1)
    assert any("could not be read" in note for note in summary.notes)
    rows = db_tracks(library)
    assert all(rows[fsb(f)].missing is False for f in [free, *locked_files])
    err = db_errors(library)[locked]
    assert err.kind == "unreadable-folder" and "ermission denied" in err.message

    # readable again: the stale folder error goes, and changes inside are seen
    locked_files[0].unlink()
    summary = scan(library, [root], jobs=1)
    assert counts(summary) == (0, 0, 1, 2, 0)
    assert db_errors(library) == {}
    assert db_tracks(library)[fsb(locked_files[0])].missing is True


# --------------------------------------------------------------------------- missing roots


@pytest.mark.parametrize("how", ["renamed", "deleted", "emptied"])
def test_vanished_or_empty_root_is_left_alone(
    how: str, three: tuple[Path, list[Path]], library: Library, db_path: Path, tmp_path: Path
) -> None:
    root, _files = three
    scan(library, [root], jobs=1)
    before = db_tracks(library)

    if how == "renamed":
        root.rename(tmp_path / "renamed")
    elif how == "deleted":
        shutil.rmtree(root)
    else:  # all files moved away, folders left behind (like an unmounted drive's mount point)
        (tmp_path / "away").mkdir()
        for f in list(root.rglob("*.*")):
            shutil.move(f, tmp_path / "away" / f.name)

    result = run_cli("scan", db=db_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("0 added, 0 updated, 0 missing, 0 unchanged, 0 errors")
    expected = "is missing or unmounted" if how != "emptied" else "looks empty"
    (note,) = [line for line in result.stderr.splitlines() if line.startswith("note: ")]
    assert f"root {root} " in note and expected in note and "left its 3 tracks alone" in note
    assert "Traceback" not in result.stderr

    after = db_tracks(library)
    assert {p: (t.id, t.missing, t.mtime_ns) for p, t in after.items()} == {
        p: (t.id, False, t.mtime_ns) for p, t in before.items()
    }
    assert db_runs(library)[-1].notes == note.removeprefix("note: ")


# --------------------------------------------------------------------------- albums


def test_tracks_are_grouped_into_albums(
    audio: AudioFactory, library: Library, tmp_path: Path
) -> None:
    root = tmp_path / "music"
    for n in range(3):  # one album in one folder
        make(audio, root / "Alpha" / f"{n}.mp3", album="Alpha", artist="X", date=str(2001 + n))
    for disc in (1, 2):  # one album over two disc folders
        for n in range(2):
            make(
                audio,
                root / "Beta" / f"Disc {disc}" / f"{n}.mp3",
                album="Beta",
                artist=f"Guest {n}",
                albumartist="Band",
                discnumber=str(disc),
            )
    for folder in ("Greatest Hits (A)", "Greatest Hits (B)"):  # same name, two albums
        make(audio, root / folder / "1.mp3", album="Greatest Hits", artist=folder[-2])
    for n, artist in enumerate(["P", "Q", "P"]):  # a compilation without an album artist
        make(audio, root / "Mix" / f"{n}.mp3", album="Mix", artist=artist)
    make(audio, root / "Loose" / "single.mp3", title="No album", artist="X")

    scan(library, [root], jobs=1)
    albums = db_albums(library)
    assert sorted(albums) == ["Alpha", "Beta", "Greatest Hits", "Mix"]

    (alpha,) = albums["Alpha"]
    assert (alpha.albumartist, alpha.track_count, alpha.year) == ("X", 3, 2001)
    assert alpha.folder == fsb(root / "Alpha")
    (beta,) = albums["Beta"]
    assert (beta.albumartist, beta.track_count) == ("Band", 4)
    assert beta.folder == fsb(root / "Beta")
    hits = albums["Greatest Hits"]
    assert len(hits) == 2 and {a.folder for a in hits} == {
        fsb(root / "Greatest Hits (A)"),
        fsb(root / "Greatest Hits (B)"),
    }
    assert {a.albumartist for a in hits} == {"A", "B"}
    (mix,) = albums["Mix"]
    assert (mix.albumartist, mix.track_count) == ("Various Artists", 3)

    rows = db_tracks(library)
    by_id = {a.id: name for name, group in albums.items() for a in group}
    for path, row in rows.items():
        if row.album is None:
            assert row.album_id is None
        else:
            assert by_id[row.album_id] == row.album, path

    # the album follows the files: all of Mix removed, one Alpha track retagged
    shutil.rmtree(root / "Mix")
    tag(root / "Alpha" / "0.mp3", album="Alpha (Deluxe)")
    scan(library, [root], jobs=1)
    albums = db_albums(library)
    assert sorted(albums) == ["Alpha", "Alpha (Deluxe)", "Beta", "Greatest Hits"]
    assert albums["Alpha"][0].track_count == 2 and albums["Alpha"][0].year == 2002
    assert albums["Alpha"][0].id == alpha.id
    assert all(t.album_id is None for t in db_tracks(library).values() if t.missing)


def test_a_file_that_kills_its_reader_is_an_error_and_the_scan_goes_on(
    library: Library, audio: AudioFactory, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import multiprocessing

    root = tmp_path / "music"
    for n in range(8):
        make(audio, root / f"{n}.mp3", title=str(n))
    bad = make(audio, root / "bad.mp3", title="bad")
    real = pipeline.read_one

    def read(path: bytes) -> Any:  # a parser that takes the process down (say, out of memory)
        if path.endswith(b"bad.mp3"):
            os.kill(os.getpid(), signal.SIGKILL)
        return real(path)

    monkeypatch.setattr(pipeline, "read_one", read)
    monkeypatch.setattr(pipeline, "IN_PROCESS_BELOW", 1)  # read in worker processes
    monkeypatch.setattr(pipeline, "pool_context", lambda: multiprocessing.get_context("fork"))

    summary = scan(library, [root], jobs=2)

    assert (summary.added, summary.errors, summary.interrupted) == (8, 1, False)
    assert "killed by SIGKILL" in db_errors(library)[fsb(bad)].message
    assert len(db_tracks(library)) == 8


def test_an_unchanged_broken_file_is_not_read_again(
    library: Library, audio: AudioFactory, tmp_path: Path, reads: list[bytes]
) -> None:
    root = tmp_path / "music"
    good = make(audio, root / "good.mp3", title="Fine")
    broken = root / "broken.flac"
    broken.write_bytes(b"fLaC" + b"\x00" * 64)
    age(broken)
    first = scan(library, [str(root)], jobs=1)
    assert first.errors == 1 and set(reads) == {fsb(good), fsb(broken)}

    reads.clear()
    again = scan(library, jobs=1)
    assert reads == []  # neither the good file nor the broken one is opened
    assert (again.unchanged, again.errors) == (1, 1)
    assert fsb(broken) in db_errors(library)  # still listed by mlib errors

    broken.write_bytes(b"fLaC" + b"\x00" * 65)  # changed: read again
    third = scan(library, jobs=1)
    assert reads == [fsb(broken)] and third.errors == 1

    reads.clear()
    full = scan(library, full=True, jobs=1)
    assert set(reads) == {fsb(good), fsb(broken)} and full.errors == 1


def test_albums_are_regrouped_incrementally_and_after_an_upgrade(
    library: Library, audio: AudioFactory, tmp_path: Path
) -> None:
    root = tmp_path / "music"
    a1 = make(audio, root / "A" / "1.mp3", title="1", artist="X", album="Alpha")
    make(audio, root / "A" / "2.mp3", title="2", artist="X", album="Alpha")
    make(audio, root / "B" / "1.mp3", title="3", artist="Y", album="Beta")
    scan(library, [str(root)], jobs=1)
    with library.session() as session:
        beta_id = session.scalar(select(Album.id).where(Album.album == "Beta"))

    tag(a1, album="Gamma")  # one track leaves Alpha for a new album
    age(a1, OLD_NS + 10)
    scan(library, jobs=1)
    albums = db_albums(library)
    assert {name: [a.track_count for a in rows] for name, rows in albums.items()} == {
        "Alpha": [1],
        "Beta": [1],
        "Gamma": [1],
    }
    with library.session() as session:
        assert session.scalar(select(Album.id).where(Album.album == "Beta")) == beta_id  # untouched
        keyed = {t.title: t.album_key for t in session.scalars(select(Track))}
    assert all(keyed.values()) and len(set(keyed.values())) == 3

    with library.session() as session:  # a library from before album keys were stored
        session.execute(update(Track).values(album_key=None))
        session.execute(delete(Album))
        session.commit()
    scan(library, jobs=1)  # nothing changed on disk, yet the albums are rebuilt
    assert sorted(db_albums(library)) == ["Alpha", "Beta", "Gamma"]
    with library.session() as session:
        assert session.scalar(select(Track.id).where(Track.album_id.is_(None))) is None


@pytest.mark.slow
def test_ctrl_c_at_random_moments_always_stops_promptly(
    big_root: tuple[Path, set[bytes]], tmp_path: Path
) -> None:
    """Ctrl-C at any moment (start-up, walking, reading, saving) ends the scan within
    seconds with status 130 (or 0 when it had already finished), never hangs, and leaves
    a library the next scan completes without duplicates. Seeded, so a failure repeats."""
    import random

    root, _ = big_root
    rng = random.Random(20261202)
    outcomes = []
    for attempt in range(10):
        db = tmp_path / f"lib{attempt}.db"
        proc = subprocess.Popen(
            [sys.executable, "-m", "libtool", "scan", "-j", "2", str(root)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=cli_env(db),
            start_new_session=True,
        )
        with reaped(proc):
            time.sleep(rng.uniform(0.05, 1.6))
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGINT)
            try:
                out, err = proc.communicate(timeout=20)  # a bound against hangs, not a target
            except subprocess.TimeoutExpired:
                pytest.fail(f"attempt {attempt}: the scan hung after Ctrl-C")
        starting = "init_import_site" in err or "Could not import runpy module" in err
        if proc.returncode == 1 and starting and not db.exists():
            # the interpreter itself was still starting (site, .pth files, runpy): Python's
            # own start-up, before any of our code ran; nothing was created
            outcomes.append("interpreter start-up")
            continue
        if proc.returncode == -signal.SIGINT and not err:
            # before any of our code ran (the interpreter starting) or after all of it
            # (the scan done and reported, the interpreter shutting down): nothing to stop
            assert not db.exists() or re.search(f"^{TOTAL} added", out, re.M), out
        else:
            # 130, or death by SIGINT after saying so (a shell shows both as $? = 130)
            assert proc.returncode in (0, 130, -signal.SIGINT), (attempt, proc.returncode, err)
        assert "Traceback" not in err and "Exception ignored" not in err, err
        outcomes.append(proc.returncode)
        if db.exists():
            result = run_cli("scan", "-j", "2", str(root), db=db)
            assert result.returncode == 0, result.stderr
            assert sqlite_scalar(db, "SELECT count(DISTINCT path) FROM tracks") == TOTAL
            assert sqlite_scalar(db, "SELECT count(*) FROM tracks") == TOTAL
    assert 130 in outcomes  # at least some landed mid-scan


# --------------------------------------------------------------------------- read-ahead

#: The real CLI, each reader noting (once) whether SQLAlchemy was loaded when it was forked.
READERS_NOTE_CLI = """
import os, sys
import libtool.scan.pipeline

_read_one = libtool.scan.pipeline.read_one
NOTES = sys.argv.pop(1)

def noting_read_one(path):
    note = os.path.join(NOTES, str(os.getpid()))
    if not os.path.exists(note):
        with open(note, "w") as fh:
            fh.write("scanner" if "libtool.scan.scanner" in sys.modules else "none")
    return _read_one(path)

libtool.scan.pipeline.read_one = noting_read_one
from libtool.cli import main
main()
"""


def test_a_first_scan_reads_before_the_library_is_open_and_a_rescan_after(
    audio: AudioFactory, tmp_path: Path
) -> None:
    """A first scan's readers start before the scanner and database modules load; they then
    read every file once. A later scan forks them only once it knows what changed."""
    template = make(audio, tmp_path / "t.mp3", title="Tone", album="Ahead")
    root = tmp_path / "music"
    for folder in range(3):
        (root / f"{folder}").mkdir(parents=True)
        for n in range(40):
            shutil.copyfile(template, root / f"{folder}" / f"{n:02d}.mp3")
    db = tmp_path / "new" / "library.db"
    db.parent.mkdir()

    def scan_noting(notes: Path) -> subprocess.CompletedProcess[str]:
        notes.mkdir()
        return subprocess.run(
            [sys.executable, "-c", READERS_NOTE_CLI, str(notes), "scan", "-j", "2", str(root)],
            capture_output=True,
            encoding="utf-8",
            env=cli_env(db),
            timeout=120,
        )

    first = scan_noting(tmp_path / "first")
    assert first.returncode == 0, first.stderr
    assert first.stdout.startswith("120 added, 0 updated, 0 missing, 0 unchanged, 0 errors")
    notes = [p.read_text() for p in (tmp_path / "first").iterdir()]
    assert notes and set(notes) == {"none"}, notes
    assert sqlite_scalar(db, "SELECT count(DISTINCT path) FROM tracks") == 120

    for path in sorted(root.rglob("*.mp3"))[:60]:
        audio_file = mutagen.File(path, easy=True)
        audio_file["title"] = "Changed"
        audio_file.save()
    again = scan_noting(tmp_path / "again")
    assert again.returncode == 0, again.stderr
    assert again.stdout.startswith("0 added, 60 updated, 0 missing, 60 unchanged, 0 errors")
    notes = [p.read_text() for p in (tmp_path / "again").iterdir()]
    assert notes and set(notes) == {"scanner"}, notes


def test_a_scan_never_loads_sqlalchemy(audio: AudioFactory, tmp_path: Path) -> None:
    """``mlib scan`` writes on the plain sqlite3 driver: a new library, a scan that finds
    changes and a full rescan all run without importing SQLAlchemy (0.3-0.6 CPU-s)."""
    root = tmp_path / "music"
    for n in range(4):
        make(audio, root / "a" / f"{n}.mp3", title=f"t{n}", album="A")
    db = tmp_path / "library.db"
    code = (
        "import sys, atexit\n"
        "atexit.register(lambda: print('LOADED', 'sqlalchemy' in sys.modules))\n"
        "from libtool.cli import main; main(sys.argv[1:])"
    )

    def scan_cli(*args: str) -> str:
        done = subprocess.run(
            [sys.executable, "-c", code, "scan", *args],
            capture_output=True,
            encoding="utf-8",
            env=cli_env(db),
            timeout=120,
        )
        assert done.returncode == 0, done.stderr
        return done.stdout

    first = scan_cli("-j", "1", str(root))
    assert first.startswith("4 added, 0 updated"), first
    (root / "a" / "0.mp3").unlink()
    make(audio, root / "b" / "new.mp3", title="new", album="B")
    again = scan_cli("-j", "1")
    assert again.startswith("1 added, 0 updated, 1 missing, 3 unchanged"), again
    full = scan_cli("--full", "-j", "1")
    assert full.startswith("0 added, 4 updated, 0 missing"), full
    for out in (first, again, full):
        assert "LOADED False" in out, out
    listed = run_cli("ls", "-f", "$album $title", db=db)  # what it stored, read back
    assert sorted(listed.stdout.splitlines()) == ["A t1", "A t2", "A t3", "B new"]


def test_a_read_ahead_is_not_used_for_a_folder_that_has_tracks(
    library: Library, three: tuple[Path, list[Path]]
) -> None:
    from libtool.scan.pipeline import TargetReading
    from libtool.scan.walk import normalise_root

    root, files = three
    scan(library, [root], jobs=1)
    top = normalise_root(str(root))
    ahead = TargetReading(top, jobs=1)  # as if every file were new

    summary = scan(library, [root], jobs=1, prefetched={top: ahead})

    assert counts(summary) == (0, 0, 0, len(files), 0)
    assert ahead._stop.is_set()  # closed, not left reading


def test_a_scan_collects_garbage_rarely_while_it_writes_then_as_before(
    library: Library, three: tuple[Path, list[Path]]
) -> None:
    import gc

    from libtool.events import Event
    from libtool.scan.collector import SCAN_THRESHOLD

    root, files = three
    before = gc.get_threshold()
    seen: list[int] = []

    def sink(event: Event) -> None:
        seen.append(gc.get_threshold()[0])

    summary = scan(library, [root], jobs=1, events=sink)

    assert counts(summary) == (len(files), 0, 0, 0, 0)
    assert seen and set(seen) == {max(SCAN_THRESHOLD, before[0])}
    assert gc.get_threshold() == before


def test_the_reported_time_of_a_first_scan_counts_its_read_ahead(
    library: Library, three: tuple[Path, list[Path]]
) -> None:
    """A new library's reading starts before the scanner is called (``_read_ahead``): the
    summary's seconds, and the run's stored seconds, must cover that time too."""
    from libtool.scan.pipeline import TargetReading
    from libtool.scan.walk import normalise_root

    root, files = three
    top = normalise_root(str(root))
    ahead = TargetReading(top, jobs=1)
    time.sleep(0.3)  # creating the library, in a real first scan

    summary = scan(library, [root], jobs=1, prefetched={top: ahead})

    assert counts(summary) == (len(files), 0, 0, 0, 0)
    assert summary.seconds >= 0.3
    with library.session() as session:
        run = session.scalars(select(ScanRun).order_by(ScanRun.id.desc())).first()
        assert run is not None and run.seconds is not None and run.seconds >= 0.3


def test_a_scan_upgrades_an_older_library_first(audio: AudioFactory, tmp_path: Path) -> None:
    """A library file at an older schema is migrated by ``mlib scan`` (through Alembic),
    then scanned on the driver: its tracks are kept and new files are added."""
    from alembic import command

    from libtool.db.session import alembic_config

    root = tmp_path / "music"
    make(audio, root / "old.mp3", title="Old", album="A")
    db = tmp_path / "old.db"
    assert run_cli("scan", "-j", "1", str(root), db=db).returncode == 0
    library = open_library(str(db))
    command.downgrade(alembic_config(library.engine), "0009")
    library.close()
    assert sqlite_scalar(db, "SELECT version_num FROM alembic_version") == "0009"

    make(audio, root / "new.mp3", title="New", album="A")
    result = run_cli("scan", "-j", "1", db=db)
    assert result.returncode == 0, result.stderr
    assert sqlite_scalar(db, "SELECT version_num FROM alembic_version") == SCHEMA_HEAD
    assert sqlite_scalar(db, "SELECT count(*) FROM tracks WHERE missing = 0") == 2
    listed = run_cli("ls", "-f", "$title", db=db).stdout.split()
    assert sorted(listed) == ["New", "Old"]
