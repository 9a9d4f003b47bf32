"""The no-change rescan: taken only when nothing changed, and it never loads SQLAlchemy."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import mutagen
import pytest

from libtool.scan.quick import unchanged_rescan
from libtool.scan.scanner import scan
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
