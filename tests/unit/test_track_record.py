"""The TrackRecord is the one shape a read file takes, from the tag reader to the writer."""

from __future__ import annotations

import pickle
from pathlib import Path
from typing import Any

import mutagen
from sqlalchemy import inspect

from libtool.db.models import Track
from libtool.db.rows import track_values
from libtool.tags.read import read_track
from libtool.tags.record import RECORD_FIELDS, TrackRecord


def tagged(audio: Any, path: Path, ext: str, **values: str) -> bytes:
    audio.make(path, ext)
    easy = mutagen.File(path, easy=True)
    easy.add_tags()
    for key, value in values.items():
        easy[key] = value
    easy.save()
    return bytes(path)


def test_every_record_field_is_a_track_column() -> None:
    columns = {c.key for c in inspect(Track).columns}
    assert set(RECORD_FIELDS) <= columns


def test_a_record_survives_the_trip_from_a_worker(audio: Any, tmp_path: Path) -> None:
    record = read_track(tagged(audio, tmp_path / "t.flac", "flac", title="T", artist="A"))

    back = pickle.loads(pickle.dumps(record))

    assert isinstance(back, TrackRecord) and back == record
    assert (back.title, back.artist, back.tags["title"]) == ("T", "A", ["T"])


def test_row_values_come_from_the_record(audio: Any, tmp_path: Path) -> None:
    path = tagged(audio, tmp_path / "t.mp3", "mp3", title="T", album="Al")
    record = read_track(path)

    values = track_values(path, record)

    assert {k: values[k] for k in RECORD_FIELDS} == {k: getattr(record, k) for k in RECORD_FIELDS}
    assert values["path_text"] == path.decode() and values["album_key"].startswith("dir:")
