"""Keys other taggers write are read as aliases; writes go to the one canonical key.

beets (mediafile) writes TRACKTOTAL/DISCTOTAL, DISCNUMBER, TotalTracks/TotalDiscs (ASF);
foobar2000 and Mp3tag write TRACKTOTAL, DISCNUMBER, DISCTOTAL, TOTALTRACKS in APEv2;
Picard writes Track/Disc 'n/N'. Every such key must give the field on read. A write
goes to the canonical key only, and an alias that repeated the value replaced goes, so
no stale copy contradicts the new value.
"""

from __future__ import annotations

import struct
from pathlib import Path
from typing import Any

import mutagen
import pytest
from mutagen.apev2 import APEv2
from mutagen.asf import ASFDWordAttribute

from libtool.tags.read import read_track
from libtool.tags.record import TrackRecord
from libtool.tags.tagmap import RULES
from libtool.tags.write import write_tags


def monkeys_audio(path: Path, seconds: float = 1.0) -> Path:
    """A Monkey's Audio file header (version 3.99, as mutagen parses it) and some data."""
    rate, channels, bits, blocks_per_frame = 44100, 2, 16, 73728 * 4
    blocks = int(seconds * rate)
    descriptor = b"MAC " + struct.pack("<H", 3990) + bytes(50)
    header = struct.pack("<IIIHHI", blocks_per_frame, blocks, 1, bits, channels, rate)
    path.write_bytes(descriptor + header + bytes(blocks * channels * bits // 8 // 2))
    return path


def musepack_sv7(path: Path, frames: int = 40) -> Path:
    """A Musepack SV7 header (44.1 kHz) followed by filler data."""
    path.write_bytes(b"MP+\x07" + struct.pack("<II", frames, 0) + bytes(20) + bytes(frames * 400))
    return path


def tag_ape(path: Path, items: dict[str, str]) -> Path:
    tags = APEv2()
    for key, value in items.items():
        tags[key] = value
    tags.save(path)
    return path


def tag_mapping(path: Path, items: dict[str, Any]) -> Path:
    f = mutagen.File(path)
    if f.tags is None:
        f.add_tags()
    for key, value in items.items():
        f.tags[key] = value
    f.save()
    return path


def make(audio: Any, tmp_path: Path, ext: str) -> Path:
    if ext == "ape":
        return monkeys_audio(tmp_path / "t.ape")
    if ext == "mpc":
        return musepack_sv7(tmp_path / "t.mpc")
    return audio.make(tmp_path / f"t.{ext}", ext)


def tagged(audio: Any, tmp_path: Path, ext: str, items: dict[str, Any]) -> Path:
    path = make(audio, tmp_path, ext)
    if ext in ("ape", "mpc", "wv"):
        return tag_ape(path, items)
    return tag_mapping(path, items)


APE_FORMS = [
    ({"Track": "3", "TRACKTOTAL": "12", "DISCNUMBER": "1", "DISCTOTAL": "2"}, (3, 12, 1, 2)),
    ({"TRACKNUMBER": "3/12", "DISCNUMBER": "1/2"}, (3, 12, 1, 2)),
    ({"TRACK": "3", "TOTALTRACKS": "12", "DISC": "1", "TOTALDISCS": "2"}, (3, 12, 1, 2)),
    ({"Track": "3", "TRACKC": "12", "Disc": "1", "DISCC": "2"}, (3, 12, 1, 2)),
    ({"Track": "3/12", "TRACKTOTAL": "10", "Disc": "1/2"}, (3, 12, 1, 2)),  # canonical wins
    ({"disctotal": "2", "tracktotal": "9"}, (None, 9, None, 2)),
]


@pytest.mark.parametrize("ext", ["wv", "ape", "mpc"])
@pytest.mark.parametrize(("items", "want"), APE_FORMS)
def test_apev2_number_and_total_aliases(
    audio: Any, tmp_path: Path, ext: str, items: dict[str, str], want: tuple[Any, ...]
) -> None:
    record = read_track(bytes(tagged(audio, tmp_path, ext, {"Title": "t", **items})))

    assert (record.track, record.tracktotal, record.disc, record.disctotal) == want
    assert record.extras == {}  # every alias is claimed, none is an unknown key


ASF_FORMS = [
    ({"WM/TrackNumber": "3", "TotalTracks": "12", "WM/PartOfSet": "1", "TotalDiscs": "2"}),
    ({"WM/TrackNumber": [ASFDWordAttribute(3)], "TRACKTOTAL": "12", "WM/PartOfSet": "1"}),
]


def test_asf_total_aliases(audio: Any, tmp_path: Path) -> None:
    path = tagged(audio, tmp_path, "wma", {"Title": "t", **ASF_FORMS[0]})
    record = read_track(bytes(path))
    assert (record.track, record.tracktotal, record.disc, record.disctotal) == (
        3,
        12,
        1,
        2,
    )
    assert record.extras == {}


def test_asf_tracktotal_disctotal_keys(audio: Any, tmp_path: Path) -> None:
    items = {"Title": "t", **ASF_FORMS[1], "DISCTOTAL": "2"}
    record = read_track(bytes(tagged(audio, tmp_path, "wma", items)))

    assert (record.track, record.tracktotal, record.disctotal) == (3, 12, 2)


@pytest.mark.parametrize(
    ("items", "field", "value"),
    [
        ({"TRACKC": "12"}, "tracktotal", 12),
        ({"DISCC": "3"}, "disctotal", 3),
        ({"YEAR": "1999"}, "year", 1999),
        ({"ORGANIZATION": "Label"}, "label", "Label"),
        ({"UNSYNCED LYRICS": "la la"}, "lyrics", "la la"),
    ],
)
def test_vorbis_aliases(
    audio: Any, tmp_path: Path, items: dict[str, str], field: str, value: Any
) -> None:
    record = read_track(bytes(tagged(audio, tmp_path, "flac", {"TITLE": "t", **items})))

    assert getattr(record, field) == value


def _write(path: Path, changes: dict[str, list[str]]) -> TrackRecord:
    record = read_track(bytes(path))
    return write_tags(bytes(path), changes, size=record.size, mtime_ns=record.mtime_ns)


def _ape_items(path: Path) -> dict[str, str]:
    return {k.upper(): str(v) for k, v in APEv2(path).items()}


@pytest.mark.parametrize("ext", ["wv", "ape"])
def test_writing_a_total_held_by_an_alias_leaves_no_stale_copy(
    audio: Any, tmp_path: Path, ext: str
) -> None:
    path = tagged(audio, tmp_path, ext, {"Title": "t", "Track": "3", "TRACKTOTAL": "12"})

    record = _write(path, {"tracktotal": ["14"]})

    assert (record.track, record.tracktotal) == (3, 14)
    assert _ape_items(path) == {"TITLE": "t", "TRACK": "3/14"}  # canonical key only
    assert read_track(bytes(path)).tracktotal == 14


def test_writing_a_number_held_by_an_alias_keeps_its_total(audio: Any, tmp_path: Path) -> None:
    path = tagged(audio, tmp_path, "wv", {"Title": "t", "TRACKNUMBER": "3/12", "DISCNUMBER": "1"})

    record = _write(path, {"track": ["5"]})

    assert (record.track, record.tracktotal, record.disc) == (5, 12, 1)
    assert _ape_items(path) == {"TITLE": "t", "TRACK": "5/12", "DISCNUMBER": "1"}


def test_writing_a_total_keeps_the_number_held_by_an_alias(audio: Any, tmp_path: Path) -> None:
    path = tagged(audio, tmp_path, "wv", {"Title": "t", "DISCNUMBER": "1/2"})

    record = _write(path, {"disctotal": ["3"]})

    assert (record.disc, record.disctotal) == (1, 3)
    assert _ape_items(path) == {"TITLE": "t", "DISC": "1/3", "DISCNUMBER": "1"}


def test_writing_another_field_keeps_alias_keys(audio: Any, tmp_path: Path) -> None:
    items = {"Title": "t", "Track": "3", "TRACKTOTAL": "12", "DISCNUMBER": "1", "DISCTOTAL": "2"}
    path = tagged(audio, tmp_path, "wv", items)

    _write(path, {"title": ["new"]})

    assert _ape_items(path) == {
        "TITLE": "new",
        "TRACK": "3",
        "TRACKTOTAL": "12",
        "DISCNUMBER": "1",
        "DISCTOTAL": "2",
    }


def test_an_alias_holding_other_data_stays(audio: Any, tmp_path: Path) -> None:
    path = tagged(audio, tmp_path, "wv", {"Comment": "short", "DESCRIPTION": "a long text"})

    _write(path, {"comment": ["new"]})

    assert _ape_items(path) == {"COMMENT": "new", "DESCRIPTION": "a long text"}


def test_asf_total_written_to_the_canonical_attribute(audio: Any, tmp_path: Path) -> None:
    path = tagged(audio, tmp_path, "wma", {"Title": "t", **ASF_FORMS[0]})

    record = _write(path, {"tracktotal": ["14"], "disctotal": ["3"]})

    assert (record.track, record.tracktotal, record.disc, record.disctotal) == (
        3,
        14,
        1,
        3,
    )
    tags = mutagen.File(path).tags
    assert [str(v) for v in tags["WM/TrackNumber"]] == ["3/14"]
    assert [str(v) for v in tags["WM/PartOfSet"]] == ["1/3"]
    assert "TotalTracks" not in tags and "TotalDiscs" not in tags


@pytest.mark.parametrize("container", ["apev2", "asf", "vorbis"])
def test_every_rule_writes_one_canonical_key(container: str) -> None:
    """However many aliases a rule reads, a write into an empty tag creates one key."""
    from mutagen._vorbis import VCommentDict
    from mutagen.asf import ASFTags

    made = {"apev2": APEv2, "asf": ASFTags, "vorbis": VCommentDict}[container]
    keys_of = {
        "apev2": lambda t: {k.lower() for k in t},
        "asf": lambda t: {k.lower() for k, _ in t},
        "vorbis": lambda t: {k.lower() for k, _ in t},
    }[container]
    for name, rule in RULES[container].items():
        tags = made()
        rule.write(tags, ["7"])
        assert len(keys_of(tags)) == 1, (name, keys_of(tags))
        assert rule.read(tags) == ["7"], name
