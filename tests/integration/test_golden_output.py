"""The CLI's output for the sample library, compared with recorded golden files.

Recorded before the commands moved onto the service layer, so the move is proven to
change nothing a user (or a script parsing the output) sees. Set MLIB_UPDATE_GOLDEN=1
to re-record after an intended change, and review the diff.
"""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import pytest

from tests.conftest import SAMPLE_MUSIC, run_mlib

GOLDEN = Path(__file__).parent / "golden"


def normalise(text: str, music: Path) -> str:
    """Make a transcript independent of the temporary folder, the clock and timings."""
    text = text.replace(str(music), "<music>")
    text = re.sub(r"\d{4}-\d\d-\d\d \d\d:\d\d(:\d\d)?", "<when>", text)
    text = re.sub(r"in \d+\.\d\ds", "in <secs>", text)
    text = re.sub(r'"id": \d+', '"id": <id>', text)  # parallel reads number tracks in any order
    return text


def transcript(tmp_path: Path) -> str:
    music = tmp_path / "music"
    shutil.copytree(SAMPLE_MUSIC, music)
    db = tmp_path / "library.db"
    commands: list[tuple[str, ...]] = [
        ("scan", str(music)),
        ("ls",),
        ("ls", "--json", "artist:weather"),
        ("ls", "-a"),
        ("ls", "-f", "$disc/$track $title ($length) [$format]", "year:2000.."),
        ("errors",),
        ("roots",),
        ("status",),
        ("modify", "--yes", "album:sea of cowards", "genre=Garage Rock; Blues", "comment!"),
        ("status",),
        ("history",),
        ("write", "album:sea of cowards"),
        ("history",),
        ("history", "1"),
        ("undo",),
        ("history",),
        ("status",),
    ]
    out = []
    for args in commands:
        result = run_mlib(*args, db=db)
        out.append(f"$ mlib {' '.join(a if a != str(music) else '<music>' for a in args)}")
        out.append(f"[exit {result.returncode}]")
        out.append("--- stdout")
        out.append(normalise(result.stdout, music).rstrip("\n"))
        out.append("--- stderr")
        out.append(normalise(result.stderr, music).rstrip("\n"))
    return "\n".join(out) + "\n"


@pytest.mark.slow
def test_cli_output_matches_golden(tmp_path: Path, audio: object) -> None:
    got = transcript(tmp_path)
    golden = GOLDEN / "sample_session.txt"
    if os.environ.get("MLIB_UPDATE_GOLDEN"):
        golden.write_text(got, encoding="utf-8")
    expected = golden.read_text(encoding="utf-8")
    assert got == expected
