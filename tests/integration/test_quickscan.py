"""The no-change rescan: taken only when nothing changed, and it never loads SQLAlchemy."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

import mutagen
import pytest

from libtool.scan import quick
from libtool.scan.quick import unchanged_rescan
from libtool.scan.scanner import scan
from libtool.scan.walk import walk_top
from tests.audio import AudioFactory

OLD = 1_500_000_000_000_000_000  # an mtime far in the past: no same-tick ambiguity


def tagged(audio: AudioFactory, path: Path, title: str) -> Path:
    audio.make(path, "flac")
    f = mutagen.File(path)
    f.add_tags()
    f.tags["TITLE"] = [title]
    f.tags["ALBUM"] = ["Album"]
    f.save()
    os.utime(path, ns=(OLD, OLD))
    return path


@pytest.fixture
def music(audio: AudioFactory, tmp_path: Path, library) -> Path:  # type: ignore[no-untyped-def]
    root = tmp_path / "music"
    for n in range(3):
        tagged(audio, root / f"{n}.flac", f"T{n}")
    broken = root / "broken.flac"
    broken.write_bytes(b"fLaC" + b"\0" * 40)
    os.utime(broken, ns=(OLD, OLD))
    scan(library, [str(root)], jobs=1)
    return root


def test_unchanged_library_takes_the_fast_path(music: Path, db_path: Path) -> None:
    summary = unchanged_rescan(db_path)
    assert summary is not None
    assert (summary.added, summary.updated, summary.unchanged, summary.errors) == (0, 0, 3, 1)
    with sqlite3.connect(db_path) as conn:
        status, unchanged, run_id = conn.execute(
            "SELECT status, unchanged, id FROM scan_runs ORDER BY id DESC LIMIT 1"
        ).fetchone()
        (error_run,) = conn.execute("SELECT run_id FROM scan_errors").fetchone()
    assert (status, unchanged) == ("complete", 3)
    assert error_run == run_id  # the broken file is still a current error


@pytest.mark.parametrize(
    "change",
    ["touch", "new file", "delete", "broken file changed", "retag", "ignore nothing new"],
)
def test_any_change_falls_back_to_the_real_scan(
    music: Path, db_path: Path, audio: AudioFactory, change: str
) -> None:
    if change == "touch":
        os.utime(music / "0.flac")
    elif change == "new file":
        tagged(audio, music / "sub" / "new.flac", "New")
    elif change == "delete":
        (music / "1.flac").unlink()
    elif change == "broken file changed":
        (music / "broken.flac").write_bytes(b"fLaC" + b"\0" * 41)
    elif change == "retag":
        f = mutagen.File(music / "2.flac")
        f.tags["TITLE"] = ["Changed"]
        f.save()
    else:  # an unchanged library, but a config root not registered yet
        assert unchanged_rescan(db_path, config_roots=(str(music.parent),)) is None
        return
    assert unchanged_rescan(db_path) is None


def test_missing_root_interrupted_run_and_returning_files_fall_back(
    music: Path,
    db_path: Path,
    library,  # type: ignore[no-untyped-def]
) -> None:
    with sqlite3.connect(db_path) as conn:
        conn.execute("UPDATE scan_runs SET status = 'running'")
    assert unchanged_rescan(db_path) is None  # a killed run: albums may need rebuilding
    scan(library, jobs=1)
    assert unchanged_rescan(db_path) is not None

    moved = music.with_name("elsewhere")
    music.rename(moved)
    assert unchanged_rescan(db_path) is None  # the real scan reports the missing root
    moved.rename(music)

    with sqlite3.connect(db_path) as conn:  # an upgraded library: albums not keyed yet
        conn.execute("UPDATE tracks SET album_key = NULL")
    assert unchanged_rescan(db_path) is None
    scan(library, jobs=1)
    assert unchanged_rescan(db_path) is not None

    (music / "broken.flac").unlink()  # the real scan must clear its error
    assert unchanged_rescan(db_path) is None
    scan(library, jobs=1)
    assert unchanged_rescan(db_path) is not None

    kept = (music / "1.flac").read_bytes()
    (music / "1.flac").unlink()
    scan(library, jobs=1)  # marks it missing
    assert unchanged_rescan(db_path) is not None
    (music / "1.flac").write_bytes(kept)
    os.utime(music / "1.flac", ns=(OLD, OLD))
    assert unchanged_rescan(db_path) is None  # it came back


def test_cli_rescan_does_not_load_sqlalchemy_or_mutagen(music: Path, db_path: Path) -> None:
    code = (
        "import sys; from libtool.cli import main; main(['scan'])\n"
        "heavy = ('sqlalchemy', 'mutagen', 'alembic')\n"
        "print('LOADED', sorted(m for m in heavy if m in sys.modules))"
    )
    env = {**os.environ, "MLIB_DB": str(db_path), "XDG_CONFIG_HOME": str(db_path.parent)}
    env.pop("MLIB_CONFIG", None)
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=120
    )
    assert result.returncode == 0, result.stderr
    assert "0 added, 0 updated, 0 missing, 3 unchanged, 1 errors" in result.stdout
    assert "LOADED []" in result.stdout
    # and the real scanner agrees with what the fast path recorded
    listed = subprocess.run(
        [sys.executable, "-m", "libtool", "errors"],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert "broken.flac" in listed.stdout


def test_not_a_library_file(tmp_path: Path) -> None:
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"not sqlite at all")
    assert unchanged_rescan(junk) is None
    assert junk.read_bytes() == b"not sqlite at all"
    assert unchanged_rescan(tmp_path / "absent.db") is None
    assert not (tmp_path / "absent.db").exists()


# A root with folders at its top is walked and compared in two processes at once (this
# one and a forked helper, each taking every other top folder): the answer must be the
# one a single walk gives, whichever half a change falls in.

FOLDERS = ("A", "B", "C", "D")


@pytest.fixture
def albums(audio: AudioFactory, tmp_path: Path, library) -> Path:  # type: ignore[no-untyped-def]
    root = tmp_path / "albums"
    for folder in FOLDERS:
        for n in range(2):
            tagged(audio, root / folder / "disc 1" / f"{n}.flac", f"{folder}{n}")
    tagged(audio, root / "loose.flac", "Loose")  # a file at the top, beside the folders
    broken = root / "B" / "broken.flac"
    broken.write_bytes(b"fLaC" + b"\0" * 40)
    os.utime(broken, ns=(OLD, OLD))
    (root / "C" / "cover.jpg").write_bytes(b"x")
    scan(library, [str(root)], jobs=1)
    return root


@pytest.fixture
def split(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Counts the splits made (and checks each one is made in this process)."""
    calls: list[int] = []
    real = quick._compare_split

    def counted(*args: Any, **kwargs: Any) -> Any:
        calls.append(os.getpid())
        return real(*args, **kwargs)

    monkeypatch.setattr(quick, "_compare_split", counted)
    return calls


def serially(monkeypatch: pytest.MonkeyPatch, db_path: Path) -> Any:
    with monkeypatch.context() as m:
        m.setattr(quick, "SPLIT_TOP_FILES_MAX", -1)  # never split
        return unchanged_rescan(db_path)


def test_a_split_rescan_answers_as_one_walk(
    albums: Path, db_path: Path, split: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    summary = unchanged_rescan(db_path)
    assert split == [os.getpid()]
    assert summary is not None
    assert (summary.unchanged, summary.errors, summary.skipped) == (9, 1, 1)
    one = serially(monkeypatch, db_path)
    assert one is not None
    assert (one.unchanged, one.errors, one.skipped) == (9, 1, 1)


@pytest.mark.parametrize("folder", ["A", "B", "C", "D", ""])  # both halves, and the top
@pytest.mark.parametrize("change", ["touch", "new file", "delete", "new folder"])
def test_a_change_in_either_half_falls_back(
    albums: Path, db_path: Path, audio: AudioFactory, split: list[int], folder: str, change: str
) -> None:
    where = albums / folder if folder else albums
    existing = where / "disc 1" / "0.flac" if folder else albums / "loose.flac"
    if change == "touch":
        os.utime(existing)
    elif change == "new file":
        tagged(audio, where / "new.flac", "New")
    elif change == "delete":
        existing.unlink()
    else:
        tagged(audio, where / "E" / "new.flac", "New")
    assert unchanged_rescan(db_path) is None
    assert split  # the split made the call


def test_a_vanished_folder_or_failure_falls_back(
    albums: Path,
    db_path: Path,
    split: list[int],
    library,  # type: ignore[no-untyped-def]
) -> None:
    assert unchanged_rescan(db_path, ignore=("B",)) is None  # a failure where no side walks
    (albums / "B" / "broken.flac").unlink()  # a recorded failure gone
    assert unchanged_rescan(db_path) is None
    scan(library, jobs=1)
    assert unchanged_rescan(db_path) is not None

    shutil.rmtree(albums / "D")  # a whole folder of tracks gone: no side looks there
    assert unchanged_rescan(db_path) is None
    assert unchanged_rescan(db_path, ignore=("A",)) is None  # tracks where no side walks


def test_a_folder_reached_from_both_halves_is_left_to_the_real_scan(
    albums: Path,
    db_path: Path,
    split: list[int],
    library,  # type: ignore[no-untyped-def]
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """One walk visits a linked folder once; two halves would each walk it."""
    _, folders, _ = walk_top(os.fsencode(albums))  # as the split shares them out
    names = [os.path.basename(f).decode() for f in folders]
    other = next(n for i, n in enumerate(names) if i % 2 != names.index("A") % 2)
    os.symlink(albums / "A" / "disc 1", albums / other / "more")
    scan(library, jobs=1)
    before = serially(monkeypatch, db_path)
    assert before is not None  # one walk: nothing changed
    assert unchanged_rescan(db_path) is None  # two halves: cannot tell, so no claim
    summary = scan(library, jobs=1)
    assert (summary.added, summary.updated, summary.missing) == (0, 0, 0)

    # tracks on record under both routes (from some earlier layout): one walk finds one
    # route only, so the other's tracks have vanished, and the halves must not claim
    # otherwise though each finds its own route's files unchanged
    routes = [b"/A/disc 1/", f"/{other}/more/".encode()]
    with sqlite3.connect(db_path) as conn:
        columns = [r[1] for r in conn.execute("PRAGMA table_info(tracks)") if r[1] != "id"]
        rows = conn.execute(f"SELECT {', '.join(columns)} FROM tracks WHERE missing = 0")
        at = columns.index("path")
        for row in rows.fetchall():
            walked = next((r for r in routes if r in row[at]), None)
            for route in routes if walked else ():
                copy = list(row)
                copy[at] = row[at].replace(walked, route)
                conn.execute("DELETE FROM tracks WHERE path = ? AND missing = 1", (copy[at],))
                conn.execute(
                    f"INSERT OR IGNORE INTO tracks ({', '.join(columns)}) "
                    f"VALUES ({', '.join('?' * len(columns))})",
                    copy,
                )
    assert serially(monkeypatch, db_path) is None  # one walk: some have vanished
    assert unchanged_rescan(db_path) is None


def test_a_helper_that_fails_means_a_real_scan(
    albums: Path, db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    parent = os.getpid()
    real = quick._compare_share

    def failing_in_helper(*args: Any, **kwargs: Any) -> Any:
        if os.getpid() != parent:
            raise OSError("helper failed")
        return real(*args, **kwargs)

    monkeypatch.setattr(quick, "_compare_share", failing_in_helper)
    assert unchanged_rescan(db_path) is None
    with pytest.raises(ChildProcessError):
        os.waitpid(-1, os.WNOHANG)  # the helper was reaped
