"""CSV round trip: export, edit with Python's csv module, import, write, rescan, export."""

from __future__ import annotations

import csv
from pathlib import Path

import mutagen
import pytest

HOSTILE = {
    "title": 'She said "stop", then\nleft; again',
    "comment": '=HYPERLINK("http://evil","x")',
    "album": "+SUM(1,2) 🎸",
    "composer": "-2+3",
    "lyrics": "שלום עולם — RTL\r\nline two",
    "label": "@cmd",
}


def make_library(audio, tmp_path: Path, mlib, count: int = 3) -> Path:  # type: ignore[no-untyped-def]
    music = tmp_path / "music"
    for n in range(count):
        path = audio.make(music / f"{n}.flac", "flac")
        f = mutagen.File(path)
        f.add_tags()
        f.tags["TITLE"] = [f"Song {n}"]
        f.tags["ARTIST"] = ["A", "B"]
        f.tags["TRACKNUMBER"] = [str(n + 1)]
        f.save()
    mlib("scan", music, check=True)
    return music


def export_rows(mlib, *args: str) -> tuple[list[str], list[dict[str, str]]]:  # type: ignore[no-untyped-def]
    """Export to a file: a pipe read in text mode would fold the \\r\\n inside cells."""
    target = Path(mlib("roots", check=True).stdout.split("\t")[0]).parent / "export.csv"
    mlib("export", "--csv", target, *args, check=True)
    with open(target, encoding="utf-8-sig", newline="") as stream:
        reader = csv.DictReader(stream)
        return list(reader.fieldnames or []), list(reader)


def save(path: Path, header: list[str], rows: list[dict[str, str]], bom: bool = False) -> Path:
    with open(path, "w", encoding="utf-8-sig" if bom else "utf-8", newline="") as out:
        writer = csv.DictWriter(out, fieldnames=header)
        writer.writeheader()
        writer.writerows(rows)
    return path


@pytest.mark.parametrize("excel", [False, True])
def test_round_trip_with_hostile_cells(audio, tmp_path: Path, mlib, excel: bool) -> None:  # type: ignore[no-untyped-def]
    music = make_library(audio, tmp_path, mlib)
    header, rows = export_rows(mlib, *(["--excel"] if excel else []))
    first = next(r for r in rows if r["title"] == "Song 0")
    first.update(HOSTILE)
    first["artist"] = "Ünïcode; 夜明け"
    edited = save(tmp_path / "edited.csv", header, rows, bom=excel)
    if excel:  # the spreadsheet keeps our guard on formula-like cells it did not touch
        assert edited.read_bytes().startswith(b"\xef\xbb\xbf")

    dry = mlib("import-csv", edited, "--dry-run")
    assert dry.returncode == 0, dry.stderr
    assert "no pending changes" in mlib("status").stdout

    result = mlib("import-csv", edited)
    assert result.returncode == 0, result.stderr
    assert f"{len(HOSTILE) + 1} changes pending from 3 rows" in result.stdout  # only real edits
    assert mlib("write").returncode == 0
    mlib("scan", "--full", check=True)

    tags = mutagen.File(music / "0.flac").tags
    assert tags["TITLE"] == [HOSTILE["title"]]
    assert tags["COMMENT"] == [HOSTILE["comment"]]
    assert tags["ARTIST"] == ["Ünïcode", "夜明け"]
    _, again = export_rows(mlib)
    row = next(r for r in again if r["path"].endswith("0.flac"))
    for name, value in HOSTILE.items():
        assert row[name] == value
    assert mutagen.File(music / "1.flac").tags["TITLE"] == ["Song 1"]  # untouched rows stay


def test_unchanged_export_imports_as_no_changes(audio, tmp_path: Path, mlib) -> None:  # type: ignore[no-untyped-def]
    make_library(audio, tmp_path, mlib)
    for args in ((), ("--excel",)):
        header, rows = export_rows(mlib, *args)
        result = mlib("import-csv", save(tmp_path / "same.csv", header, rows))
        assert result.returncode == 0 and "0 changes pending" in result.stdout


def test_bad_rows_are_reported_by_line_and_nothing_is_applied(audio, tmp_path: Path, mlib) -> None:  # type: ignore[no-untyped-def]
    make_library(audio, tmp_path, mlib)
    header, rows = export_rows(mlib, "--fields", "id,path,title,track")
    rows[0]["title"] = "multi\nline title"  # a good edit spanning two physical lines
    rows[1]["track"] = "seven"
    rows.append(dict(rows[2]))  # a duplicate of line 4
    rows.append({"id": "999", "path": "/nowhere.mp3", "title": "x", "track": "1"})
    path = save(tmp_path / "bad.csv", header, rows)
    result = mlib("import-csv", path)
    assert result.returncode == 1
    assert "line 4: column track: track must be a whole number, not 'seven'" in result.stderr
    assert "line 6: duplicate row for this track (first on line 5)" in result.stderr
    assert "line 7: unknown track id 999" in result.stderr
    assert "nothing staged" in result.stderr
    assert "no pending changes" in mlib("status").stdout

    skipped = mlib("import-csv", path, "--skip-bad-rows")
    assert skipped.returncode == 0
    assert "1 change pending" in skipped.stdout and "3 bad rows skipped" in skipped.stdout


@pytest.mark.parametrize(
    ("header", "message"),
    [
        ("id,title,colour", "unknown column(s) 'colour'"),
        ("title,artist", "needs an id or a path"),
        ("id,title,title", "duplicate column"),
    ],
)
def test_bad_headers(audio, tmp_path: Path, mlib, header: str, message: str) -> None:  # type: ignore[no-untyped-def]
    make_library(audio, tmp_path, mlib, count=1)
    path = tmp_path / "h.csv"
    path.write_text(header + "\n1,x,y\n", encoding="utf-8")
    result = mlib("import-csv", path)
    assert result.returncode == 2 and message in result.stderr


def test_match_by_path_only_and_unknown_path(audio, tmp_path: Path, mlib) -> None:  # type: ignore[no-untyped-def]
    make_library(audio, tmp_path, mlib, count=2)
    header, rows = export_rows(mlib, "--fields", "path,title")
    rows[0]["title"] = "Renamed"
    rows[1]["path"] = rows[1]["path"] + ".gone"
    result = mlib("import-csv", save(tmp_path / "p.csv", header, rows), "--skip-bad-rows")
    assert "unknown path" in result.stderr
    assert "1 change pending" in result.stdout


def test_unedited_round_trip_of_awkward_values_changes_nothing(audio, tmp_path: Path, mlib) -> None:  # type: ignore[no-untyped-def]
    """Two titles, a genre holding '; ', a leading space, a BPM that is not a number,
    a long peak value, a vinyl track number: none may be changed by export + import."""
    music = tmp_path / "music"
    path = audio.make(music / "odd.flac", "flac")
    f = mutagen.File(path)
    f.add_tags()
    f.tags["TITLE"] = ["Pollux", "Pollux (live)"]
    f.tags["GENRE"] = ["Rock; Pop"]
    f.tags["ARTIST"] = [" JT Bruce"]
    f.tags["BPM"] = ["fast"]
    f.tags["REPLAYGAIN_TRACK_PEAK"] = ["0.99996948"]
    f.tags["REPLAYGAIN_TRACK_GAIN"] = ["-6.50 dB"]
    f.tags["TRACKNUMBER"] = ["A1"]
    f.save()
    mlib("scan", music, check=True)
    for args in ((), ("--excel",)):
        header, rows = export_rows(mlib, *args)
        result = mlib("import-csv", save(tmp_path / "same.csv", header, rows, bom=bool(args)))
        assert result.returncode == 0, result.stderr
        assert "0 changes pending" in result.stdout
    header, rows = export_rows(mlib)
    assert rows[0]["replaygain_track_gain"] == "-6.50 dB" and rows[0]["track"] == "A1"

    rows[0]["bpm"] = "120"  # a real edit next to the awkward values
    result = mlib("import-csv", save(tmp_path / "edit.csv", header, rows))
    assert "1 change pending" in result.stdout
    mlib("write", check=True)
    tags = mutagen.File(path).tags
    assert tags["BPM"] == ["120"] and tags["TITLE"] == ["Pollux", "Pollux (live)"]
    assert tags["GENRE"] == ["Rock; Pop"] and tags["ARTIST"] == [" JT Bruce"]


def test_a_leading_quote_is_data_unless_the_file_came_from_excel(
    audio,
    tmp_path: Path,
    mlib,  # type: ignore[no-untyped-def]
) -> None:
    make_library(audio, tmp_path, mlib, count=1)
    header, rows = export_rows(mlib, "--fields", "id,title")
    rows[0]["title"] = "'=quoted on purpose"
    mlib("import-csv", save(tmp_path / "plain.csv", header, rows), check=True)
    assert "'=quoted on purpose" in mlib("status").stdout
