"""Implausible stream facts are stored as mutagen gives them, but flagged in the extras."""

from __future__ import annotations

import struct
from pathlib import Path
from typing import Any

import pytest
from mutagen.apev2 import APEv2

from libtool.tags.read import PROBLEMS_KEY, read_track, stream_problems
from libtool.tags.record import StreamInfo
from libtool.tags.write import write_tags
from tests.audio import FORMATS


def old_monkeys_audio(path: Path, total_frames: int, size: int) -> Path:
    """A Monkey's Audio 3.95 header (the old layout) claiming ``total_frames`` frames."""
    header = bytearray(76)
    header[0:4] = b"MAC "
    header[4:6] = struct.pack("<H", 3950)
    header[10:16] = struct.pack("<HI", 2, 44100)
    header[24:32] = struct.pack("<II", total_frames, 36864)
    path.write_bytes(bytes(header) + bytes(size - len(header)))
    return path


def test_an_old_ape_file_with_an_absurd_length_is_flagged(tmp_path: Path) -> None:
    # ((6_098_204 frames - 1) * 294_912 + 36_864 blocks) / 44.1 kHz = 40,780,800 s, in 3 MB
    path = old_monkeys_audio(tmp_path / "old.ape", 6_098_204, 3 << 20)

    record = read_track(bytes(path))

    assert record.length == 40_780_800  # kept as it came
    assert record.extras[PROBLEMS_KEY] == ["implausible length 40780800 s for a 3 MB file"]


def test_the_flag_survives_a_write(tmp_path: Path) -> None:
    path = old_monkeys_audio(tmp_path / "old.ape", 6_098_189, 1 << 20)
    APEv2().save(path)
    before = read_track(bytes(path))

    after = write_tags(bytes(path), {"title": ["t"]}, size=before.size, mtime_ns=before.mtime_ns)

    assert after.title == "t"
    assert after.extras[PROBLEMS_KEY] == before.extras[PROBLEMS_KEY]


@pytest.mark.parametrize("ext", sorted(FORMATS))
def test_ordinary_files_have_no_problems(audio: Any, tmp_path: Path, ext: str) -> None:
    record = read_track(bytes(audio.make(tmp_path / f"t.{ext}", ext)))

    assert PROBLEMS_KEY not in record.extras


@pytest.mark.parametrize(
    ("record", "size", "problem"),
    [
        ({"format": "MP3", "length": 0.0, "bitrate": 128000}, 10_000, "no length"),
        ({"format": "MP3", "length": None}, 10_000, "no length"),
        ({"format": "MP3", "length": 3600.0, "bitrate": 128000}, 4 << 20, "bitrate 128 kbit/s"),
        (
            {"format": "WAV", "length": 600.0, "sample_rate": 44100, "channels": 2}
            | {"bits_per_sample": 16},
            10 << 20,
            "implausible length 600 s for a 10 MB WAV file",
        ),
        (
            {"format": "AAC", "length": 1.0, "bitrate": 900_000_000}
            | {"sample_rate": 44100, "channels": 2},
            1 << 20,
            "implausible bitrate 900000 kbit/s",
        ),
    ],
)
def test_stream_problems(record: dict[str, Any], size: int, problem: str) -> None:
    [found] = stream_problems(StreamInfo(**record), size)
    assert found.startswith(problem)


def test_plausible_facts_are_not_problems() -> None:
    mp3 = {"format": "MP3", "length": 240.0, "bitrate": 320000, "sample_rate": 44100}
    assert stream_problems(StreamInfo(**mp3, channels=2), 9_600_000) == []
    speech = StreamInfo(format="Speex", length=3600.0, bitrate=2150)
    assert stream_problems(speech, 1_000_000) == []
    midi = StreamInfo(format="MIDI", length=600.0)
    assert stream_problems(midi, 2_000) == []
