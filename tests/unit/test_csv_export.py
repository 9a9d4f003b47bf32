"""CSV export: stable columns, RFC 4180 quoting, the --excel guard, reversible paths."""

from __future__ import annotations

import csv
import io

import pytest

from libtool.changes.csvio import DEFAULT_COLUMNS, export_csv, guard_formula, parse_columns
from libtool.columns import EXTRA_COLUMNS, LATER_FIELDS
from libtool.errors import UsageError
from libtool.pathutil import cell_to_path, path_to_cell
from libtool.tags.fields import FIELD_NAMES
from tests.factories import add_tracks

HOSTILE = [
    'He said "hi", then left',
    "line one\nline two\r\nline three",
    '=HYPERLINK("http://x","click")',
    "+1+2",
    "-2+3",
    "@SUM(A1)",
    "emoji 🎸 and RTL \u05e9\u05dc\u05d5\u05dd",
    "\x1b[2Jescape",
    "comma, semicolon; tab\t",
]


def export(library, **kwargs) -> str:  # type: ignore[no-untyped-def]
    out = io.StringIO(newline="")
    with library.session() as session:
        export_csv(session, out, **kwargs)
    return out.getvalue()


#: The default export's header as it was first shipped: scripts and saved CSVs rely on it.
SHIPPED_HEADER = (
    "id",
    "path",
    "title",
    "artist",
    "album",
    "albumartist",
    "track",
    "tracktotal",
    "disc",
    "disctotal",
    "date",
    "originaldate",
    "genre",
    "composer",
    "comment",
    "lyrics",
    "bpm",
    "compilation",
    "isrc",
    "barcode",
    "label",
    "catalognumber",
    "mb_recordingid",
    "mb_releasetrackid",
    "mb_albumid",
    "mb_releasegroupid",
    "mb_artistid",
    "mb_albumartistid",
    "replaygain_track_gain",
    "replaygain_track_peak",
    "replaygain_album_gain",
    "replaygain_album_peak",
    "length",
    "bitrate",
    "format",
)


def test_default_columns_are_stable() -> None:
    assert SHIPPED_HEADER == DEFAULT_COLUMNS


def test_every_field_is_a_default_or_an_extra_column() -> None:
    """Fields added later (the MusicBrainz ones) are offered by --fields, not dropped."""
    later = [name for name in FIELD_NAMES if name not in DEFAULT_COLUMNS]
    assert later == list(LATER_FIELDS)
    assert EXTRA_COLUMNS[: len(later)] == tuple(later)


def test_hostile_values_round_trip_through_csv_module(library) -> None:  # type: ignore[no-untyped-def]
    add_tracks(library, *({"title": [v], "artist": ["A", "B"], "track": ["3"]} for v in HOSTILE))
    text = export(library)
    rows = list(csv.DictReader(io.StringIO(text, newline="")))
    assert sorted(r["title"] for r in rows) == sorted(HOSTILE)
    assert {r["artist"] for r in rows} == {"A; B"}
    assert {r["track"] for r in rows} == {"3"}
    assert list(rows[0]) == list(DEFAULT_COLUMNS)
    assert text.endswith("\r\n")


def test_excel_mode_adds_bom_and_neutralises_formulas(library) -> None:  # type: ignore[no-untyped-def]
    add_tracks(library, *({"title": [v], "replaygain_track_gain": ["-6.5"]} for v in HOSTILE))
    text = export(library, excel=True)
    assert text.startswith("\ufeff")
    rows = list(csv.DictReader(io.StringIO(text.removeprefix("\ufeff"), newline="")))
    titles = {r["title"] for r in rows}
    for formula in ('=HYPERLINK("http://x","click")', "+1+2", "-2+3", "@SUM(A1)"):
        assert formula not in titles
        assert "'" + formula in titles
    assert {r["replaygain_track_gain"] for r in rows} == {"-6.5"}  # a plain number stays a number


@pytest.mark.parametrize(
    ("value", "guarded"),
    [
        ("=1+1", "'=1+1"),
        ("-5", "-5"),
        ("-5+1", "'-5+1"),
        ("1e5", "1e5"),
        ("plain", "plain"),
        ("\tx", "'\tx"),
        ("", ""),
    ],
)
def test_guard_formula(value: str, guarded: str) -> None:
    assert guard_formula(value) == guarded


@pytest.mark.parametrize(
    "path",
    [
        b"/music/plain.mp3",
        "/music/caf\u00e9 \U0001f3b8.flac".encode(),
        b"/music/caf\xe9.mp3",
        b"/music/new\nline.mp3",
        b"/music/%41 literal.mp3",
        b"/music/\xff\xfe/x.ogg",
    ],
)
def test_paths_are_written_reversibly(path: bytes) -> None:
    cell = path_to_cell(path)
    cell.encode("utf-8")  # always valid UTF-8 text
    assert cell_to_path(cell) == path


def test_non_utf8_path_in_export(library) -> None:  # type: ignore[no-untyped-def]
    add_tracks(library, {"title": ["x"], "path": b"/music/caf\xe9.mp3"})
    rows = list(csv.DictReader(io.StringIO(export(library), newline="")))
    assert rows[0]["path"] == "file:///music/caf%E9.mp3"
    assert cell_to_path(rows[0]["path"]) == b"/music/caf\xe9.mp3"


def test_query_and_fields(library) -> None:  # type: ignore[no-untyped-def]
    add_tracks(library, {"title": ["one"], "artist": ["X"]}, {"title": ["two"], "artist": ["Y"]})
    text = export(library, query="artist:x", columns=parse_columns("title,artist"))
    assert text == "title,artist\r\none,X\r\n"
    with pytest.raises(UsageError, match="unknown column"):
        parse_columns("title,colour")


def test_a_value_that_looks_like_our_guard_survives_the_round_trip() -> None:
    from libtool.changes.csvio import unguard

    for value in ("'=literal", "'+1", "plain", "=SUM(1)", "'quoted"):
        assert unguard(guard_formula(value)) == value
