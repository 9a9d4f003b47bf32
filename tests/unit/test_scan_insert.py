"""The adapter that makes sqlite3 bind a None fast changes nothing that is stored: a scan's
rows come out with every value, every type and every NULL they have without it."""

from __future__ import annotations

import random
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text

from libtool.db.rows import INSERT_COLUMNS, INSERT_TRACKS, scan_row
from libtool.db.session import Library, open_library
from libtool.tags.record import TrackRecord

OPTIONAL = [
    "codec", "length", "bitrate", "title", "artist", "album", "albumartist", "track",
    "disc", "date", "genre", "comment", "compilation", "isrc", "mb_albumid",
    "replaygain_track_gain", "year", "ctime_ns",
]  # fmt: skip
HOSTILE = ["\x1b[31mred\x1b[0m", "[bold]x[/bold]", "a\nb\r\tc", "Ω ﬁ 𝄞", "", "'; DROP TABLE tracks"]


def record(rng: random.Random, n: int, absent: frozenset[str]) -> tuple[bytes, TrackRecord]:
    values: dict[str, Any] = dict(
        codec="flac",
        length=rng.random() * 600,
        bitrate=rng.randrange(1, 10**6),
        title=rng.choice(HOSTILE) + str(n),
        artist=rng.choice(HOSTILE),
        album=rng.choice(["A", "B", None]),
        albumartist=rng.choice(HOSTILE),
        track=rng.randrange(0, 2**31),
        disc=0,
        date="2001-02-03",
        genre="Jazz",
        comment=rng.choice(HOSTILE),
        compilation=rng.choice([True, False]),
        isrc="USRC17607839",
        mb_albumid="0d8f0e4a-0000-4000-8000-000000000000",
        replaygain_track_gain=-6.5,
        year=2001,
        ctime_ns=rng.randrange(0, 2**62),
    )
    for name in absent:
        values[name] = None
    path = b"/music/\xff odd\n/" + str(n).encode() + b".flac"
    rec = TrackRecord(
        size=rng.randrange(0, 2**40),
        mtime_ns=rng.randrange(0, 2**62),
        format="FLAC",
        sample_rate=44100,
        channels=2,
        bits_per_sample=None,
        tag_format="vorbis",
        has_picture=rng.choice([True, False]),
        tags={"title": [values["title"] or ""], "x": ["\x00", "ü"]},
        extras={} if n % 2 else {"weird key": ["v"]},
        **values,
    )
    return path, rec


def batch(root_id: int, seed: int) -> list[tuple[Any, ...]]:
    """Rows with NULLs in many different sets of columns."""
    rng = random.Random(seed)
    patterns = [frozenset(rng.sample(OPTIONAL, rng.randrange(len(OPTIONAL)))) for _ in range(6)]
    patterns.append(frozenset())  # every column has a value
    rows = []
    for n in range(300):
        absent = patterns[0] if n % 3 == 0 else rng.choice(patterns)
        if n % 37 == 0:  # a column set of its own
            absent = frozenset(rng.sample(OPTIONAL, 5))
        path, rec = record(rng, n, absent)
        at = "2026-12-02 10:00:00.000000"
        rows.append((rng.choice([None, 1]), root_id, at, at, *scan_row(path, rec)))
    return rows


def stored(library: Library) -> list[tuple[Any, ...]]:
    columns = [c for c in INSERT_COLUMNS if c != "album_id"] + ["missing", "missing_since"]
    listing = ", ".join(f"{c}, typeof({c})" for c in columns)
    with library.engine.connect() as conn:
        return [tuple(r) for r in conn.execute(text(f"SELECT {listing} FROM tracks ORDER BY path"))]


def load(db: Path, seed: int) -> Library:
    library = open_library(str(db))
    with library.engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO albums (id, key, album, folder, folder_text, track_count) "
                "VALUES (1, 'k', 'A', x'2f', '/', 0)"
            )
        )
        conn.execute(
            text("INSERT INTO roots (id, path, path_text, added_at) VALUES (1, x'2f', '/', '2026')")
        )
        conn.exec_driver_sql(INSERT_TRACKS, batch(1, seed))
    return library


NONE_ADAPTER = (type(None), sqlite3.PrepareProtocol)


def test_the_none_adapter_stores_what_the_driver_alone_stores(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert NONE_ADAPTER in sqlite3.adapters  # registered by opening a library
    for seed in range(3):
        fast = load(tmp_path / f"fast{seed}.db", seed)
        with monkeypatch.context() as m:
            m.delitem(sqlite3.adapters, NONE_ADAPTER)
            plain = load(tmp_path / f"plain{seed}.db", seed)
        try:
            want, got = stored(plain), stored(fast)
            assert len(want) == 300 and got == want
            assert any(None in row for row in got)
        finally:
            fast.close()
            plain.close()


def test_booleans_reach_the_driver_as_integers() -> None:
    path, rec = record(random.Random(1), 1, frozenset())
    row = scan_row(path, rec)
    for name in ("has_picture", "compilation"):
        value = row[INSERT_COLUMNS.index(name) - 4]
        assert type(value) is int and value == int(getattr(rec, name))


@pytest.mark.parametrize(
    "value",
    [
        {},
        {"title": ["x"], "artist": ["a", "b"]},
        {"comment": HOSTILE, "bad": ["\udcff\udc80 surrogates", "\x00\x7f\u2028"]},
        {"nested": {"list": [1, 2.5, -0.0, 10**30, None, True, False]}, "": [""]},
        {"nan": [float("nan"), float("inf"), float("-inf")]},
        ["top", "level", "list"],
        "plain text",
    ],
)
def test_the_kept_json_encoder_writes_what_json_dumps_writes(value: Any) -> None:
    import json

    from libtool.db.rows import dumps

    assert dumps(value) == json.dumps(value)


def test_the_kept_json_encoder_refuses_what_json_dumps_refuses() -> None:
    import json

    from libtool.db.rows import dumps

    for bad in ({"x": b"bytes"}, {"x": {1, 2}}, {("tuple", "key"): 1}):
        with pytest.raises(TypeError):
            json.dumps(bad)
        with pytest.raises(TypeError):
            dumps(bad)
