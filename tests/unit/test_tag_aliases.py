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


# ------------------------------------------------------------------ ID3 and MP4 totals

ITUNES = "----:com.apple.iTunes:"


def _id3_file(audio: Any, tmp_path: Path, frames: list[Any]) -> Path:
    from mutagen import id3

    path = make(audio, tmp_path, "mp3")
    tags = id3.ID3()
    for frame in frames:
        tags.add(frame)
    tags.save(path)
    return path


@pytest.mark.parametrize(
    ("track_key", "disc_key"),
    [("TRACKTOTAL", "DISCTOTAL"), ("TOTALTRACKS", "TOTALDISCS"), ("tracktotal", "totaldiscs")],
)
def test_id3_totals_in_user_frames(
    audio: Any, tmp_path: Path, track_key: str, disc_key: str
) -> None:
    """Mp3tag and foobar2000 keep totals in TXXX frames beside a bare TRCK/TPOS."""
    from mutagen import id3

    path = _id3_file(
        audio,
        tmp_path,
        [
            id3.TRCK(encoding=3, text=["3"]),
            id3.TPOS(encoding=3, text=["1"]),
            id3.TXXX(encoding=3, desc=track_key, text=["12"]),
            id3.TXXX(encoding=3, desc=disc_key, text=["2"]),
        ],
    )

    record = read_track(bytes(path))

    assert (record.track, record.tracktotal, record.disc, record.disctotal) == (
        3,
        12,
        1,
        2,
    )
    assert record.extras == {}


def test_id3_total_is_written_to_trck_and_the_stale_user_frame_goes(
    audio: Any, tmp_path: Path
) -> None:
    from mutagen import id3

    path = _id3_file(
        audio,
        tmp_path,
        [id3.TRCK(encoding=3, text=["3"]), id3.TXXX(encoding=3, desc="TRACKTOTAL", text=["12"])],
    )

    record = _write(path, {"tracktotal": ["14"]})

    assert (record.track, record.tracktotal) == (3, 14)
    tags = id3.ID3(path)
    assert tags["TRCK"].text == ["3/14"]
    assert tags.getall("TXXX:TRACKTOTAL") == []


def test_id3_total_in_trck_wins_over_a_user_frame(audio: Any, tmp_path: Path) -> None:
    from mutagen import id3

    path = _id3_file(
        audio,
        tmp_path,
        [id3.TRCK(encoding=3, text=["3/12"]), id3.TXXX(encoding=3, desc="TOTALTRACKS", text=["9"])],
    )

    assert read_track(bytes(path)).tracktotal == 12


@pytest.mark.parametrize("names", [("TRACKTOTAL", "DISCTOTAL"), ("TOTALTRACKS", "TOTALDISCS")])
def test_mp4_totals_in_freeform_atoms(audio: Any, tmp_path: Path, names: tuple[str, str]) -> None:
    from mutagen.mp4 import MP4FreeForm

    path = tagged(
        audio,
        tmp_path,
        "m4a",
        {
            "©nam": ["t"],
            "trkn": [(3, 0)],
            ITUNES + names[0]: [MP4FreeForm(b"12")],
            ITUNES + names[1].lower(): [MP4FreeForm(b"2")],  # freeform names fold case
        },
    )

    record = read_track(bytes(path))

    assert (record.track, record.tracktotal, record.disctotal) == (3, 12, 2)
    assert record.extras == {}

    record = _write(path, {"track": ["4"]})  # the total moves into trkn with the number

    assert (record.track, record.tracktotal) == (4, 12)
    tags = mutagen.File(path).tags
    assert tags["trkn"] == [(4, 12)]
    assert ITUNES + names[0] not in tags


@pytest.mark.parametrize("container", ["id3", "mp4"])
def test_id3_and_mp4_total_rules_write_one_key(container: str) -> None:
    from mutagen.id3 import ID3
    from mutagen.mp4 import MP4Tags

    for name in ("track", "tracktotal", "disc", "disctotal"):
        tags = ID3() if container == "id3" else MP4Tags()
        rule = RULES[container][name]
        rule.write(tags, ["7"])
        assert len(list(tags.keys())) == 1, (name, list(tags.keys()))
        assert rule.read(tags) == ["7"], name
