"""Field mapping, format by format, checked against shared/docs/tag-mapping.md.

Tags are written with mutagen directly, under the exact on-disk keys the document
lists (never through libtool's own rules), into real files made by ffmpeg, and read
back through ``libtool.tags.read.read_track``. If a rule in ``libtool.tags.tagmap`` pointed at
the wrong key, these tests would see the value missing (or in ``extras``).
"""

from __future__ import annotations

import base64
import struct
from collections.abc import Callable
from pathlib import Path
from typing import Any

import mutagen
import pytest
from mutagen import id3
from mutagen.apev2 import BINARY, APEValue
from mutagen.asf import ASFBoolAttribute, ASFByteArrayAttribute, ASFDWordAttribute
from mutagen.flac import Picture
from mutagen.mp4 import MP4Cover, MP4FreeForm

from libtool.tags import fields
from libtool.tags.fields import FIELD_BY_NAME, FIELD_NAMES
from libtool.tags.read import read_track
from libtool.tags.record import TrackRecord
from tests.audio import CONTAINER, TAGGABLE, with_raw_id3v24

UTF8 = id3.Encoding.UTF8
ITUNES = "----:com.apple.iTunes:"

# Distinct ids, so a rule reading the wrong MusicBrainz key cannot pass by accident.
RECORDING = "11111111-1111-4111-8111-111111111111"
RELEASETRACK = "22222222-2222-4222-8222-222222222222"
ALBUM = "33333333-3333-4333-8333-333333333333"
RELEASEGROUP = "44444444-4444-4444-8444-444444444444"
ARTIST = "55555555-5555-4555-8555-555555555555"
ALBUMARTIST = "66666666-6666-4666-8666-666666666666"

# Raw text of every canonical field as written (the same in every container).
RAW: dict[str, list[str]] = {
    "title": ["The Title"],
    "artist": ["The Artist"],
    "album": ["The Album"],
    "albumartist": ["The Album Artist"],
    "track": ["3"],
    "tracktotal": ["12"],
    "disc": ["1"],
    "disctotal": ["2"],
    "date": ["2001-05-17"],
    "originaldate": ["1999-01-02"],
    "genre": ["Rock", "Pop"],
    "composer": ["The Composer"],
    "comment": ["A comment"],
    "lyrics": ["Some lyrics\nsecond line"],
    "bpm": ["120"],
    "compilation": ["1"],
    "isrc": ["USRC17607839"],
    "barcode": ["0123456789012"],
    "label": ["The Label"],
    "catalognumber": ["CAT-001"],
    "mb_recordingid": [RECORDING],
    "mb_releasetrackid": [RELEASETRACK],
    "mb_albumid": [ALBUM],
    "mb_releasegroupid": [RELEASEGROUP],
    "mb_artistid": [ARTIST],
    "mb_albumartistid": [ALBUMARTIST],
    "replaygain_track_gain": ["-6.50 dB"],
    "replaygain_track_peak": ["0.988000"],
    "replaygain_album_gain": ["-7.25 dB"],
    "replaygain_album_peak": ["1.000000"],
    "artistsort": ["Artist, The"],
    "albumartistsort": ["Album Artist, The"],
    "releasecountry": ["GB"],
    "releasetype": ["album", "compilation"],
    "releasestatus": ["official"],
    "media": ["CD"],
}

# The typed columns those raw values must give.
TYPED: dict[str, Any] = {
    "title": "The Title",
    "artist": "The Artist",
    "album": "The Album",
    "albumartist": "The Album Artist",
    "track": 3,
    "tracktotal": 12,
    "disc": 1,
    "disctotal": 2,
    "date": "2001-05-17",
    "year": 2001,
    "originaldate": "1999-01-02",
    "originalyear": 1999,
    "genre": "Rock; Pop",
    "composer": "The Composer",
    "comment": "A comment",
    "lyrics": "Some lyrics\nsecond line",
    "bpm": 120,
    "compilation": True,
    "isrc": "USRC17607839",
    "barcode": "0123456789012",
    "label": "The Label",
    "catalognumber": "CAT-001",
    "mb_recordingid": RECORDING,
    "mb_releasetrackid": RELEASETRACK,
    "mb_albumid": ALBUM,
    "mb_releasegroupid": RELEASEGROUP,
    "mb_artistid": ARTIST,
    "mb_albumartistid": ALBUMARTIST,
    "replaygain_track_gain": -6.5,
    "replaygain_track_peak": 0.988,
    "replaygain_album_gain": -7.25,
    "replaygain_album_peak": 1.0,
    "artistsort": "Artist, The",
    "albumartistsort": "Album Artist, The",
    "releasecountry": "GB",
    "releasetype": "album; compilation",
    "releasestatus": "official",
    "media": "CD",
}

#: Fields the document gives no key for, per container.
UNMAPPED = {"mp4": {"originaldate"}, "apev2": {"originaldate"}}

RG_KEYS = {
    "replaygain_track_gain": "REPLAYGAIN_TRACK_GAIN",
    "replaygain_track_peak": "REPLAYGAIN_TRACK_PEAK",
    "replaygain_album_gain": "REPLAYGAIN_ALBUM_GAIN",
    "replaygain_album_peak": "REPLAYGAIN_ALBUM_PEAK",
}


# --- writing with mutagen, straight to on-disk keys --------------------------------------


def _tagged(path: Path) -> Any:
    f = mutagen.File(path)
    assert f is not None, path
    if f.tags is None:
        f.add_tags()
    return f


def write_id3(path: Path, frames: list[id3.Frame], version: int = 4) -> None:
    f = _tagged(path)
    for frame in frames:
        f.tags.add(frame)
    f.save(v2_version=version)


def write_vorbis(path: Path, pairs: list[tuple[str, str]]) -> None:
    """Appends each (key, value) exactly as given: key case and repeats are kept on disk."""
    f = _tagged(path)
    for key, value in pairs:
        f.tags.append((key, value))
    f.save()


def write_mapping(path: Path, items: dict[str, Any]) -> None:
    """MP4 atoms, ASF attributes or APEv2 items: tags[key] = value."""
    f = _tagged(path)
    for key, value in items.items():
        f.tags[key] = value
    f.save()


def _ff(*values: str) -> list[MP4FreeForm]:
    return [MP4FreeForm(v.encode("utf-8")) for v in values]


def _txt(cls: type[id3.Frame], *values: str) -> id3.Frame:
    return cls(encoding=UTF8, text=list(values))


def _txxx(desc: str, *values: str) -> id3.TXXX:
    return id3.TXXX(encoding=UTF8, desc=desc, text=list(values))


def write_key(path: Path, key: str, values: list[str]) -> None:
    """One text key in whatever container the file uses (ID3 frame ids or TXXX:desc)."""
    container = CONTAINER[_ext(path)]
    if container == "id3":
        if key.startswith("TXXX:"):
            frame = _txxx(key[5:], *values)
        else:
            frame = _txt(getattr(id3, key), *values)
        write_id3(path, [frame])
    elif container == "vorbis":
        write_vorbis(path, [(key, v) for v in values])
    elif container == "mp4":
        write_mapping(path, {key: _ff(*values) if key.startswith("----:") else values})
    else:
        write_mapping(path, {key: values})


def _ext(path: Path) -> str:
    name = path.name
    return "alac.m4a" if name.endswith(".alac.m4a") else path.suffix[1:]


def full_id3() -> list[id3.Frame]:
    frames = [
        _txt(id3.TIT2, "The Title"),
        _txt(id3.TPE1, "The Artist"),
        _txt(id3.TALB, "The Album"),
        _txt(id3.TPE2, "The Album Artist"),
        _txt(id3.TRCK, "3/12"),
        _txt(id3.TPOS, "1/2"),
        _txt(id3.TDRC, "2001-05-17"),
        _txt(id3.TDOR, "1999-01-02"),
        _txt(id3.TCON, "Rock", "Pop"),
        _txt(id3.TCOM, "The Composer"),
        id3.COMM(encoding=UTF8, lang="eng", desc="", text=["A comment"]),
        id3.USLT(encoding=UTF8, lang="eng", desc="", text="Some lyrics\nsecond line"),
        _txt(id3.TBPM, "120"),
        _txt(id3.TCMP, "1"),
        _txt(id3.TSRC, "USRC17607839"),
        _txxx("BARCODE", "0123456789012"),
        _txt(id3.TPUB, "The Label"),
        _txxx("CATALOGNUMBER", "CAT-001"),
        id3.UFID(owner="http://musicbrainz.org", data=RECORDING.encode("ascii")),
        _txxx("MusicBrainz Release Track Id", RELEASETRACK),
        _txxx("MusicBrainz Album Id", ALBUM),
        _txxx("MusicBrainz Release Group Id", RELEASEGROUP),
        _txxx("MusicBrainz Artist Id", ARTIST),
        _txxx("MusicBrainz Album Artist Id", ALBUMARTIST),
        _txt(id3.TSOP, "Artist, The"),
        _txt(id3.TSO2, "Album Artist, The"),
        _txxx("MusicBrainz Album Release Country", "GB"),
        _txxx("MusicBrainz Album Type", "album", "compilation"),
        _txxx("MusicBrainz Album Status", "official"),
        _txt(id3.TMED, "CD"),
    ]
    frames += [_txxx(key, *RAW[name]) for name, key in RG_KEYS.items()]
    return frames


def full_vorbis() -> list[tuple[str, str]]:
    keys = {
        "title": "TITLE",
        "artist": "ARTIST",
        "album": "ALBUM",
        "albumartist": "ALBUMARTIST",
        "track": "TRACKNUMBER",
        "tracktotal": "TRACKTOTAL",
        "disc": "DISCNUMBER",
        "disctotal": "DISCTOTAL",
        "date": "DATE",
        "originaldate": "ORIGINALDATE",
        "genre": "GENRE",
        "composer": "COMPOSER",
        "comment": "COMMENT",
        "lyrics": "LYRICS",
        "bpm": "BPM",
        "compilation": "COMPILATION",
        "isrc": "ISRC",
        "barcode": "BARCODE",
        "label": "LABEL",
        "catalognumber": "CATALOGNUMBER",
        "mb_recordingid": "MUSICBRAINZ_TRACKID",
        "mb_releasetrackid": "MUSICBRAINZ_RELEASETRACKID",
        "mb_albumid": "MUSICBRAINZ_ALBUMID",
        "mb_releasegroupid": "MUSICBRAINZ_RELEASEGROUPID",
        "mb_artistid": "MUSICBRAINZ_ARTISTID",
        "mb_albumartistid": "MUSICBRAINZ_ALBUMARTISTID",
        **RG_KEYS,
        "artistsort": "ARTISTSORT",
        "albumartistsort": "ALBUMARTISTSORT",
        "releasecountry": "RELEASECOUNTRY",
        "releasetype": "RELEASETYPE",
        "releasestatus": "RELEASESTATUS",
        "media": "MEDIA",
    }
    assert set(keys) == set(FIELD_NAMES)
    return [(key, value) for name, key in keys.items() for value in RAW[name]]


def full_mp4() -> dict[str, Any]:
    items: dict[str, Any] = {
        "©nam": ["The Title"],
        "©ART": ["The Artist"],
        "©alb": ["The Album"],
        "aART": ["The Album Artist"],
        "trkn": [(3, 12)],
        "disk": [(1, 2)],
        "©day": ["2001-05-17"],
        "©gen": ["Rock", "Pop"],
        "©wrt": ["The Composer"],
        "©cmt": ["A comment"],
        "©lyr": ["Some lyrics\nsecond line"],
        "tmpo": [120],
        "cpil": True,
        ITUNES + "ISRC": _ff("USRC17607839"),
        ITUNES + "BARCODE": _ff("0123456789012"),
        ITUNES + "LABEL": _ff("The Label"),
        ITUNES + "CATALOGNUMBER": _ff("CAT-001"),
        ITUNES + "MusicBrainz Track Id": _ff(RECORDING),
        ITUNES + "MusicBrainz Release Track Id": _ff(RELEASETRACK),
        ITUNES + "MusicBrainz Album Id": _ff(ALBUM),
        ITUNES + "MusicBrainz Release Group Id": _ff(RELEASEGROUP),
        ITUNES + "MusicBrainz Artist Id": _ff(ARTIST),
        ITUNES + "MusicBrainz Album Artist Id": _ff(ALBUMARTIST),
        "soar": ["Artist, The"],
        "soaa": ["Album Artist, The"],
        ITUNES + "MusicBrainz Album Release Country": _ff("GB"),
        ITUNES + "MusicBrainz Album Type": _ff("album", "compilation"),
        ITUNES + "MusicBrainz Album Status": _ff("official"),
        ITUNES + "MEDIA": _ff("CD"),
    }
    items.update({ITUNES + key: _ff(*RAW[name]) for name, key in RG_KEYS.items()})
    return items


def full_asf() -> dict[str, Any]:
    items: dict[str, Any] = {
        "Title": ["The Title"],
        "Author": ["The Artist"],
        "WM/AlbumTitle": ["The Album"],
        "WM/AlbumArtist": ["The Album Artist"],
        "WM/TrackNumber": ["3/12"],
        "WM/PartOfSet": ["1/2"],
        "WM/Year": ["2001-05-17"],
        "WM/OriginalReleaseTime": ["1999-01-02"],
        "WM/Genre": ["Rock", "Pop"],
        "WM/Composer": ["The Composer"],
        "Description": ["A comment"],
        "WM/Lyrics": ["Some lyrics\nsecond line"],
        "WM/BeatsPerMinute": ["120"],
        "WM/IsCompilation": [ASFBoolAttribute(True)],
        "WM/ISRC": ["USRC17607839"],
        "WM/Barcode": ["0123456789012"],
        "WM/Publisher": ["The Label"],
        "WM/CatalogNo": ["CAT-001"],
        "MusicBrainz/Track Id": [RECORDING],
        "MusicBrainz/Release Track Id": [RELEASETRACK],
        "MusicBrainz/Album Id": [ALBUM],
        "MusicBrainz/Release Group Id": [RELEASEGROUP],
        "MusicBrainz/Artist Id": [ARTIST],
        "MusicBrainz/Album Artist Id": [ALBUMARTIST],
        "WM/ArtistSortOrder": ["Artist, The"],
        "WM/AlbumArtistSortOrder": ["Album Artist, The"],
        "MusicBrainz/Album Release Country": ["GB"],
        "MusicBrainz/Album Type": ["album", "compilation"],
        "MusicBrainz/Album Status": ["official"],
        "WM/Media": ["CD"],
    }
    items.update({key: RAW[name] for name, key in RG_KEYS.items()})
    return items


def full_apev2() -> dict[str, Any]:
    items: dict[str, Any] = {
        "Title": ["The Title"],
        "Artist": ["The Artist"],
        "Album": ["The Album"],
        "Album Artist": ["The Album Artist"],
        "Track": ["3/12"],
        "Disc": ["1/2"],
        "Year": ["2001-05-17"],
        "Genre": ["Rock", "Pop"],
        "Composer": ["The Composer"],
        "Comment": ["A comment"],
        "Lyrics": ["Some lyrics\nsecond line"],
        "BPM": ["120"],
        "Compilation": ["1"],
        "ISRC": ["USRC17607839"],
        "Barcode": ["0123456789012"],
        "Label": ["The Label"],
        "CatalogNumber": ["CAT-001"],
        "MUSICBRAINZ_TRACKID": [RECORDING],
        "MUSICBRAINZ_RELEASETRACKID": [RELEASETRACK],
        "MUSICBRAINZ_ALBUMID": [ALBUM],
        "MUSICBRAINZ_RELEASEGROUPID": [RELEASEGROUP],
        "MUSICBRAINZ_ARTISTID": [ARTIST],
        "MUSICBRAINZ_ALBUMARTISTID": [ALBUMARTIST],
        "ArtistSort": ["Artist, The"],
        "AlbumArtistSort": ["Album Artist, The"],
        "ReleaseCountry": ["GB"],
        "MUSICBRAINZ_ALBUMTYPE": ["album", "compilation"],
        "MUSICBRAINZ_ALBUMSTATUS": ["official"],
        "Media": ["CD"],
    }
    items.update({key: RAW[name] for name, key in RG_KEYS.items()})
    return items


WRITE_FULL: dict[str, Callable[[Path], None]] = {
    "id3": lambda p: write_id3(p, full_id3()),
    "vorbis": lambda p: write_vorbis(p, full_vorbis()),
    "mp4": lambda p: write_mapping(p, full_mp4()),
    "asf": lambda p: write_mapping(p, full_asf()),
    "apev2": lambda p: write_mapping(p, full_apev2()),
}

TAG_FORMAT = {"id3": "id3v2.4", "vorbis": "vorbis", "mp4": "mp4", "asf": "asf", "apev2": "apev2"}


def make(audio: Any, tmp_path: Path, ext: str, name: str = "t") -> Path:
    return audio.make(tmp_path / f"{name}.{ext}", ext)


def read(path: Path) -> TrackRecord:
    return read_track(bytes(path))


# --- every canonical field, every container ----------------------------------------------


@pytest.mark.parametrize("ext", TAGGABLE)
def test_every_canonical_field(audio: Any, tmp_path: Path, ext: str) -> None:
    container = CONTAINER[ext]
    path = make(audio, tmp_path, ext)
    WRITE_FULL[container](path)

    record = read(path)

    missing = UNMAPPED.get(container, set())
    expected_raw = {k: v for k, v in RAW.items() if k not in missing}
    if container == "asf":
        expected_raw["compilation"] = ["True"]  # a BOOL attribute, as mutagen shows it
    assert record.tags == expected_raw

    expected = dict(TYPED)
    if "originaldate" in missing:
        expected.update(originaldate=None, originalyear=None)
    assert {k: getattr(record, k) for k in expected} == expected

    assert record.extras == {}, "a canonical key was not claimed by its rule"
    assert record.tag_format == TAG_FORMAT[container]
    assert record.has_picture is False


def test_full_mapping_covers_every_field() -> None:
    """The fixtures above really exercise every canonical field."""
    assert set(RAW) == set(FIELD_NAMES)
    assert set(TYPED) == set(FIELD_NAMES) | {"year", "originalyear"}
    assert len(full_id3()) == len(FIELD_NAMES) - 2  # TRCK and TPOS hold two fields each
    assert {k.upper() for k in full_apev2()} >= {"TITLE", "ALBUM ARTIST", "MUSICBRAINZ_TRACKID"}


# --- stream info ---------------------------------------------------------------------------

#: ext -> (format name, sample rate, channels, lossless)
STREAM: dict[str, tuple[str, int, set[int | None], bool]] = {
    "mp3": ("MP3", 16000, {1}, False),
    "aiff": ("AIFF", 16000, {1}, True),
    "wav": ("WAV", 16000, {1}, True),
    # mutagen reads only the rate and length from a TTA header: no channels, no bit depth.
    "tta": ("TrueAudio", 16000, {None}, False),
    "flac": ("FLAC", 16000, {1}, True),
    "ogg": ("Ogg Vorbis", 16000, {1}, False),
    "opus": ("Opus", 48000, {1}, False),
    "spx": ("Speex", 16000, {1}, False),
    # ffmpeg writes channelcount 2 in the mp4a sample entry and the AAC config does not
    # rule out implicit parametric stereo, so mutagen may report either for mono AAC.
    "m4a": ("MP4", 16000, {1, 2}, False),
    "alac.m4a": ("MP4", 16000, {1}, True),
    "wma": ("ASF", 22050, {1}, False),
    "wv": ("WavPack", 16000, {1}, True),
}

#: mutagen's WavPack and TrueAudio info objects have no bitrate.
NO_BITRATE = {"wv", "tta"}


@pytest.mark.parametrize("ext", sorted(STREAM))
def test_stream_info(audio: Any, tmp_path: Path, ext: str) -> None:
    name, rate, channels, lossless = STREAM[ext]
    path = make(audio, tmp_path, ext)
    write_key(
        path,
        {"id3": "TIT2", "vorbis": "TITLE", "mp4": "©nam", "asf": "Title", "apev2": "Title"}[
            CONTAINER[ext]
        ],
        ["x"],
    )

    record = read(path)

    assert record.format == name
    assert 0.5 < record.length < 2.0  # the template is a one-second tone
    assert record.sample_rate == rate
    assert record.channels in channels
    if ext not in NO_BITRATE:
        assert record.bitrate > 0
    assert record.size == path.stat().st_size
    if lossless:
        assert record.bits_per_sample == 16
    assert record.title == "x"


# --- the traps -----------------------------------------------------------------------------


@pytest.mark.parametrize("ext", ["flac", "ogg", "opus", "wv"])
def test_musicbrainz_trackid_is_the_recording_id(audio: Any, tmp_path: Path, ext: str) -> None:
    path = make(audio, tmp_path, ext)
    if CONTAINER[ext] == "vorbis":
        write_vorbis(
            path, [("MUSICBRAINZ_TRACKID", RECORDING), ("MUSICBRAINZ_RELEASETRACKID", RELEASETRACK)]
        )
    else:
        write_mapping(
            path, {"MUSICBRAINZ_TRACKID": [RECORDING], "MUSICBRAINZ_RELEASETRACKID": [RELEASETRACK]}
        )

    record = read(path)

    assert record.mb_recordingid == RECORDING
    assert record.mb_releasetrackid == RELEASETRACK
    assert record.extras == {}


def test_id3_ufid_is_the_recording_id_other_owners_are_extras(audio: Any, tmp_path: Path) -> None:
    path = make(audio, tmp_path, "mp3")
    write_id3(
        path,
        [
            id3.UFID(owner="http://musicbrainz.org", data=RECORDING.encode()),
            id3.UFID(owner="http://example.org/db", data=b"other-id"),
            _txxx("MusicBrainz Release Track Id", RELEASETRACK),
        ],
    )

    record = read(path)

    assert record.mb_recordingid == RECORDING
    assert record.mb_releasetrackid == RELEASETRACK
    assert list(record.extras) == ["UFID:http://example.org/db"]


@pytest.mark.parametrize(
    "key",
    [
        "ALBUMARTIST",
        "albumartist",
        "AlbumArtist",
        "ALBUM ARTIST",
        "album artist",
        "ALBUM_ARTIST",
        "Album_Artist",
    ],
)
def test_vorbis_albumartist_key_and_aliases_any_case(audio: Any, tmp_path: Path, key: str) -> None:
    path = make(audio, tmp_path, "flac")
    write_vorbis(path, [(key, "VA")])

    record = read(path)

    assert record.albumartist == "VA"
    assert record.tags == {"albumartist": ["VA"]}
    assert record.extras == {}


def test_vorbis_canonical_albumartist_wins_over_alias(audio: Any, tmp_path: Path) -> None:
    path = make(audio, tmp_path, "flac")
    write_vorbis(path, [("ALBUM ARTIST", "alias"), ("AlbumArtist", "canonical")])

    record = read(path)

    assert record.albumartist == "canonical"
    assert record.extras == {}


def test_vorbis_keys_are_case_insensitive(audio: Any, tmp_path: Path) -> None:
    path = make(audio, tmp_path, "ogg")
    write_vorbis(
        path,
        [
            ("title", "t"),
            ("Artist", "a"),
            ("tracknumber", "4"),
            ("totaltracks", "9"),
            ("DiscNumber", "2"),
            ("totaldiscs", "3"),
            ("date", "1987"),
            ("musicbrainz_trackid", RECORDING),
            ("MusicBrainz_ReleaseTrackId", RELEASETRACK),
            ("replaygain_track_gain", "-1.00 dB"),
            ("Description", "via alias"),
            ("unsyncedlyrics", "la la"),
        ],
    )

    record = read(path)

    assert (record.title, record.artist) == ("t", "a")
    assert (record.track, record.tracktotal) == (4, 9)
    assert (record.disc, record.disctotal) == (2, 3)
    assert record.year == 1987
    assert record.mb_recordingid == RECORDING
    assert record.mb_releasetrackid == RELEASETRACK
    assert record.replaygain_track_gain == -1.0
    assert record.comment == "via alias"
    assert record.lyrics == "la la"
    assert record.extras == {}


def test_apev2_keys_are_case_insensitive(audio: Any, tmp_path: Path) -> None:
    path = make(audio, tmp_path, "wv")
    write_mapping(
        path,
        {
            "TITLE": ["t"],
            "album artist": ["VA"],
            "TRACK": ["4/9"],
            "disc": ["2/3"],
            "YEAR": ["1987"],
            "musicbrainz_trackid": [RECORDING],
            "Replaygain_Track_Gain": ["-1.00 dB"],
            "catalognumber": ["C-1"],
        },
    )

    record = read(path)

    assert record.title == "t"
    assert record.albumartist == "VA"
    assert (record.track, record.tracktotal, record.disc, record.disctotal) == (
        4,
        9,
        2,
        3,
    )
    assert record.year == 1987
    assert record.mb_recordingid == RECORDING
    assert record.replaygain_track_gain == -1.0
    assert record.catalognumber == "C-1"
    assert record.extras == {}


def test_id3_txxx_description_is_case_insensitive(audio: Any, tmp_path: Path) -> None:
    path = make(audio, tmp_path, "mp3")
    write_id3(
        path,
        [
            _txxx("musicbrainz album id", ALBUM),
            _txxx("MUSICBRAINZ ARTIST ID", ARTIST),
            _txxx("replaygain_track_gain", "-6.50 dB"),
            _txxx("Barcode", "123"),
            _txxx("catalognumber", "C-1"),
        ],
    )

    record = read(path)

    assert record.mb_albumid == ALBUM
    assert record.mb_artistid == ARTIST
    assert record.replaygain_track_gain == -6.5
    assert record.barcode == "123"
    assert record.catalognumber == "C-1"
    assert record.extras == {}


def test_mp4_freeform_atoms_are_case_insensitive(audio: Any, tmp_path: Path) -> None:
    path = make(audio, tmp_path, "m4a")
    write_mapping(
        path,
        {
            ITUNES + "replaygain_track_gain": _ff("-6.50 dB"),
            ITUNES + "MUSICBRAINZ TRACK ID": _ff(RECORDING),
            ITUNES + "musicbrainz release track id": _ff(RELEASETRACK),
            ITUNES + "isrc": _ff("USRC17607839"),
            ITUNES + "Label": _ff("L"),
        },
    )

    record = read(path)

    assert record.replaygain_track_gain == -6.5
    assert record.mb_recordingid == RECORDING
    assert record.mb_releasetrackid == RELEASETRACK
    assert record.isrc == "USRC17607839"
    assert record.label == "L"
    assert record.extras == {}


def test_id3_comment_and_lyrics_use_the_empty_description(audio: Any, tmp_path: Path) -> None:
    path = make(audio, tmp_path, "mp3")
    write_id3(
        path,
        [
            id3.COMM(encoding=UTF8, lang="deu", desc="", text=["Kommentar"]),
            id3.COMM(encoding=UTF8, lang="eng", desc="", text=["the comment"]),
            id3.COMM(encoding=UTF8, lang="eng", desc="iTunNORM", text=[" 00000001 00000002"]),
            id3.USLT(encoding=UTF8, lang="eng", desc="", text="words"),
            id3.USLT(encoding=UTF8, lang="eng", desc="karaoke", text="other words"),
        ],
    )

    record = read(path)

    assert record.comment == "the comment"  # 'eng' preferred among empty descriptions
    assert record.lyrics == "words"
    assert record.extras == {
        "COMM:iTunNORM:eng": [" 00000001 00000002"],
        "USLT:karaoke:eng": ["other words"],
    }


def test_id3_described_comment_and_lyrics_alone_are_not_the_fields(
    audio: Any, tmp_path: Path
) -> None:
    path = make(audio, tmp_path, "mp3")
    write_id3(
        path,
        [
            id3.COMM(encoding=UTF8, lang="eng", desc="iTunNORM", text=["norm"]),
            id3.USLT(encoding=UTF8, lang="eng", desc="karaoke", text="other words"),
        ],
    )

    record = read(path)

    assert (record.comment, record.lyrics) == (None, None)
    assert set(record.extras) == {"COMM:iTunNORM:eng", "USLT:karaoke:eng"}


def test_id3v23_tyer_tdat_and_tory(audio: Any, tmp_path: Path) -> None:
    path = make(audio, tmp_path, "mp3")
    write_id3(
        path,
        [
            _txt(id3.TYER, "2001"),
            _txt(id3.TDAT, "1705"),
            _txt(id3.TORY, "1999"),
            _txt(id3.TIT2, "v23"),
            _txt(id3.TPE1, "Solo"),
        ],
        version=3,
    )
    head = path.read_bytes()[:512]
    assert head[:4] == b"ID3\x03"
    assert b"TYER" in head and b"TDAT" in head and b"TDRC" not in head

    record = read(path)

    assert record.tag_format == "id3v2.3"
    assert record.date == "2001-05-17"
    assert record.year == 2001
    assert record.originaldate == "1999"
    assert record.originalyear == 1999
    assert record.title == "v23"
    assert record.extras == {}


def _id3v1_field(text: str, size: int) -> bytes:
    return text.encode("latin-1").ljust(size, b"\x00")


def test_id3v1_only_file_is_read(audio: Any, tmp_path: Path) -> None:
    """ID3v1 is read-only legacy: a 128-byte 'TAG' block at the end of the file."""
    path = make(audio, tmp_path, "mp3")
    block = (
        b"TAG"
        + _id3v1_field("V1 Title", 30)
        + _id3v1_field("V1 Artist", 30)
        + _id3v1_field("V1 Album", 30)
        + b"1994"
        + _id3v1_field("v1 comment", 28)
        + b"\x00"
        + bytes([7])
        + bytes([17])  # ID3v1.1: zero byte, track 7; genre 17 = Rock
    )
    assert len(block) == 128
    with path.open("ab") as f:
        f.write(block)

    record = read(path)

    assert record.tag_format == "id3v1"
    assert (record.title, record.artist, record.album) == (
        "V1 Title",
        "V1 Artist",
        "V1 Album",
    )
    assert (record.year, record.track, record.genre) == (1994, 7, "Rock")
    # mutagen files the v1 comment as COMM desc 'ID3v1 Comment'; wherever it lands, it is kept.
    kept = [record.comment, *(v for vs in record.extras.values() for v in vs)]
    assert "v1 comment" in kept


@pytest.mark.parametrize("ext", ["aiff", "wav"])
def test_id3v23_in_aiff_and_wav(audio: Any, tmp_path: Path, ext: str) -> None:
    path = make(audio, tmp_path, ext)
    write_id3(path, [_txt(id3.TIT2, "t"), _txt(id3.TYER, "1984")], version=3)

    record = read(path)

    assert record.tag_format == "id3v2.3"
    assert (record.title, record.year) == ("t", 1984)


# --- several values ------------------------------------------------------------------------

MULTI_ARTIST_KEY = {
    "id3": "TPE1",
    "vorbis": "ARTIST",
    "mp4": "©ART",
    "asf": "Author",
    "apev2": "Artist",
}


@pytest.mark.parametrize("ext", ["mp3", "flac", "opus", "m4a", "wma", "wv"])
def test_multiple_values_are_kept_and_joined(audio: Any, tmp_path: Path, ext: str) -> None:
    path = make(audio, tmp_path, ext)
    write_key(path, MULTI_ARTIST_KEY[CONTAINER[ext]], ["Simon", "Garfunkel"])

    record = read(path)

    assert record.tags["artist"] == ["Simon", "Garfunkel"]
    assert record.artist == "Simon; Garfunkel"
    assert record.extras == {}


def test_id3v24_values_are_null_separated_on_disk(audio: Any, tmp_path: Path) -> None:
    path = make(audio, tmp_path, "mp3")
    write_id3(path, [_txt(id3.TPE1, "Simon", "Garfunkel")])
    assert b"Simon\x00Garfunkel" in path.read_bytes()[:512]

    assert read(path).artist == "Simon; Garfunkel"


def test_apev2_values_are_null_separated_on_disk(audio: Any, tmp_path: Path) -> None:
    path = make(audio, tmp_path, "wv")
    write_mapping(path, {"Genre": ["Rock", "Pop", "Jazz"]})
    assert b"Rock\x00Pop\x00Jazz" in path.read_bytes()

    record = read(path)

    assert record.genre == "Rock; Pop; Jazz"
    assert record.tags["genre"] == ["Rock", "Pop", "Jazz"]


def test_vorbis_repeated_keys_in_mixed_case_are_one_field(audio: Any, tmp_path: Path) -> None:
    path = make(audio, tmp_path, "flac")
    write_vorbis(path, [("ARTIST", "A"), ("artist", "B"), ("Artist", "C")])

    record = read(path)

    assert record.tags["artist"] == ["A", "B", "C"]
    assert record.artist == "A; B; C"


def test_single_valued_field_keeps_every_raw_value(audio: Any, tmp_path: Path) -> None:
    path = make(audio, tmp_path, "flac")
    write_vorbis(path, [("TITLE", "first"), ("TITLE", "second")])

    record = read(path)

    assert record.tags["title"] == ["first", "second"]
    assert record.title == "first"


# --- genre ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "genres"),
    [
        ("(17)", ["Rock"]),
        ("17", ["Rock"]),
        ("(17)Rock", ["Rock"]),
        ("(4)(17)", ["Disco", "Rock"]),
        ("Shoegaze", ["Shoegaze"]),
    ],
)
def test_id3_numeric_genre(audio: Any, tmp_path: Path, text: str, genres: list[str]) -> None:
    path = make(audio, tmp_path, "mp3")
    write_id3(path, [_txt(id3.TCON, text)])

    record = read(path)

    assert record.tags["genre"] == genres
    assert record.genre == "; ".join(genres)


def test_mp4_gnre_numeric_genre(audio: Any, tmp_path: Path) -> None:
    """A legacy 'gnre' atom (ID3v1 index + 1). mutagen cannot write one, so the file is
    written with a two-letter ©gen and that atom is patched, in place and at the same
    size, into gnre = 18 ('Rock')."""
    path = make(audio, tmp_path, "m4a")
    write_mapping(path, {"©gen": ["Ro"]})
    data = path.read_bytes()
    text_atom = b"\xa9gen\x00\x00\x00\x12data\x00\x00\x00\x01\x00\x00\x00\x00Ro"
    gnre_atom = b"gnre\x00\x00\x00\x12data\x00\x00\x00\x00\x00\x00\x00\x00" + struct.pack(">H", 18)
    assert data.count(text_atom) == 1
    path.write_bytes(data.replace(text_atom, gnre_atom))

    record = read(path)

    assert record.genre == "Rock"
    assert record.tags["genre"] == ["Rock"]
    assert record.extras == {}


# --- track and disc numbers ----------------------------------------------------------------

TRACK_KEY = {"mp3": "TRCK", "flac": "TRACKNUMBER", "wv": "Track", "wma": "WM/TrackNumber"}
DISC_KEY = {"mp3": "TPOS", "flac": "DISCNUMBER", "wv": "Disc", "wma": "WM/PartOfSet"}

# (on-disk text, track, tracktotal, raw track, raw tracktotal)
TRACK_CASES = [
    ("3/12", 3, 12, ["3"], ["12"]),
    ("03", 3, None, ["03"], None),
    ("3 of 12", 3, 12, ["3"], ["12"]),
    (" 7 / 9 ", 7, 9, ["7"], ["9"]),
    ("A1", 1, None, ["A1"], None),
    ("x", None, None, ["x"], None),
    ("Side B, track two", None, None, ["Side B, track two"], None),
]


@pytest.mark.parametrize("ext", sorted(TRACK_KEY))
@pytest.mark.parametrize(("text", "number", "total", "raw_number", "raw_total"), TRACK_CASES)
def test_track_number_forms(
    audio: Any,
    tmp_path: Path,
    ext: str,
    text: str,
    number: int | None,
    total: int | None,
    raw_number: list[str],
    raw_total: list[str] | None,
) -> None:
    path = make(audio, tmp_path, ext)
    write_key(path, TRACK_KEY[ext], [text])

    record = read(path)

    assert record.track == number
    assert record.tracktotal == total
    assert record.tags["track"] == raw_number, "unparseable text must be kept raw"
    assert record.tags.get("tracktotal") == raw_total
    assert record.extras == {}


@pytest.mark.parametrize("ext", sorted(DISC_KEY))
@pytest.mark.parametrize(
    ("text", "disc", "total"), [("1/2", 1, 2), ("2", 2, None), ("x", None, None)]
)
def test_disc_number_forms(
    audio: Any, tmp_path: Path, ext: str, text: str, disc: int | None, total: int | None
) -> None:
    path = make(audio, tmp_path, ext)
    write_key(path, DISC_KEY[ext], [text])

    record = read(path)

    assert (record.disc, record.disctotal) == (disc, total)
    assert record.tags["disc"] == [text.split("/")[0]]


def test_asf_track_number_as_dword(audio: Any, tmp_path: Path) -> None:
    path = make(audio, tmp_path, "wma")
    write_mapping(path, {"WM/TrackNumber": [ASFDWordAttribute(7)]})

    record = read(path)

    assert (record.track, record.tracktotal) == (7, None)


@pytest.mark.parametrize(
    ("pairs", "track", "total", "disc", "disctotal"),
    [
        ([("TRACKNUMBER", "3"), ("TOTALTRACKS", "12")], 3, 12, None, None),
        ([("TRACKNUMBER", "3/12")], 3, 12, None, None),
        ([("TRACKNUMBER", "3/12"), ("TRACKTOTAL", "14")], 3, 14, None, None),
        ([("TRACKNUMBER", "3"), ("TRACKTOTAL", "12"), ("TOTALTRACKS", "99")], 3, 12, None, None),
        ([("DISCNUMBER", "2"), ("TOTALDISCS", "3")], None, None, 2, 3),
        ([("DISCNUMBER", "2/3")], None, None, 2, 3),
        ([("TRACKTOTAL", "12")], None, 12, None, None),
    ],
)
def test_vorbis_totals_and_aliases(
    audio: Any,
    tmp_path: Path,
    pairs: list[tuple[str, str]],
    track: int | None,
    total: int | None,
    disc: int | None,
    disctotal: int | None,
) -> None:
    path = make(audio, tmp_path, "flac")
    write_vorbis(path, pairs)

    record = read(path)

    assert (record.track, record.tracktotal) == (track, total)
    assert (record.disc, record.disctotal) == (disc, disctotal)
    assert record.extras == {}


def test_mp4_track_and_disc_pairs(audio: Any, tmp_path: Path) -> None:
    path = make(audio, tmp_path, "m4a")
    write_mapping(path, {"trkn": [(5, 0)], "disk": [(0, 4)]})

    record = read(path)

    assert (record.track, record.tracktotal) == (5, None)
    assert (record.disc, record.disctotal) == (None, 4)


# --- dates ---------------------------------------------------------------------------------

DATE_KEY = {"flac": "DATE", "m4a": "©day", "wma": "WM/Year", "wv": "Year"}
DATES = ["2001", "2001-05", "2001-05-17", "2001-05-17T00:00:00", "05/17/2001"]


@pytest.mark.parametrize("ext", sorted(DATE_KEY))
@pytest.mark.parametrize("text", DATES)
def test_dates_keep_text_and_give_a_year(audio: Any, tmp_path: Path, ext: str, text: str) -> None:
    path = make(audio, tmp_path, ext)
    write_key(path, DATE_KEY[ext], [text])

    record = read(path)

    assert record.date == text
    assert record.tags["date"] == [text]
    assert record.year == 2001


@pytest.mark.parametrize("text", DATES)
def test_id3_dates_give_a_year(audio: Any, tmp_path: Path, text: str) -> None:
    """mutagen parses TDRC into an ID3 timestamp, so its text is normalised
    ('2001-05-17T00:00:00' -> '2001-05-17 00:00:00'); the year must survive."""
    path = make(audio, tmp_path, "mp3")
    write_id3(path, [_txt(id3.TDRC, text), _txt(id3.TDOR, text)])

    record = read(path)

    assert record.year == 2001
    assert record.originalyear == 2001
    assert record.date.startswith(text[:10]) or text == "05/17/2001"


def test_id3_unparseable_date_text_is_kept(audio: Any, tmp_path: Path) -> None:
    """mutagen would parse TDRC/TDOR into timestamps and lose text like this."""
    path = with_raw_id3v24(
        make(audio, tmp_path, "mp3"), [("TDRC", "circa 1970"), ("TDOR", "05/17/2001")]
    )

    record = read(path)

    assert record.date == "circa 1970" and record.year == 1970
    assert record.originaldate == "05/17/2001" and record.originalyear == 2001


# --- ReplayGain and flags ------------------------------------------------------------------


@pytest.mark.parametrize("ext", ["mp3", "flac", "m4a", "wma", "wv"])
@pytest.mark.parametrize(
    ("text", "value"),
    [("-6.50 dB", -6.5), ("+3.20 dB", 3.2), ("-6,50 dB", -6.5), ("0.5", 0.5), ("loud", None)],
)
def test_replaygain_gain(
    audio: Any, tmp_path: Path, ext: str, text: str, value: float | None
) -> None:
    key = {"id3": "TXXX:REPLAYGAIN_ALBUM_GAIN", "mp4": ITUNES + "REPLAYGAIN_ALBUM_GAIN"}.get(
        CONTAINER[ext], "REPLAYGAIN_ALBUM_GAIN"
    )
    path = make(audio, tmp_path, ext)
    write_key(path, key, [text])

    record = read(path)

    assert record.replaygain_album_gain == value
    assert record.tags["replaygain_album_gain"] == [text]


def _flag_writer(ext: str, on: bool) -> Callable[[Path], None]:
    text = "1" if on else "0"
    return {
        "mp3": lambda p: write_id3(p, [_txt(id3.TCMP, text)]),
        "flac": lambda p: write_vorbis(p, [("COMPILATION", text)]),
        "m4a": lambda p: write_mapping(p, {"cpil": on}),
        "wma": lambda p: write_mapping(p, {"WM/IsCompilation": [ASFBoolAttribute(on)]}),
        "wma-text": lambda p: write_mapping(p, {"WM/IsCompilation": [text]}),
        "wv": lambda p: write_mapping(p, {"Compilation": [text]}),
    }[ext]


@pytest.mark.parametrize("on", [True, False])
@pytest.mark.parametrize("variant", ["mp3", "flac", "m4a", "wma", "wma-text", "wv"])
def test_compilation_flag(audio: Any, tmp_path: Path, variant: str, on: bool) -> None:
    path = make(audio, tmp_path, variant.split("-")[0])
    _flag_writer(variant, on)(path)

    record = read(path)

    assert record.compilation is on
    assert record.extras == {}


def test_mp4_bpm_atom(audio: Any, tmp_path: Path) -> None:
    path = make(audio, tmp_path, "m4a")
    write_mapping(path, {"tmpo": [128]})

    record = read(path)

    assert (record.bpm, record.tags["bpm"]) == (128, ["128"])


# --- extras and pictures -------------------------------------------------------------------


def _extras_id3(p: Path) -> None:
    write_id3(
        p,
        [
            _txt(id3.TIT2, "t"),
            _txxx("MOOD", "Happy"),
            id3.POPM(email="user@example.org", rating=196, count=3),
        ],
    )


#: ext -> (writer of a title plus unknown keys, extras keys expected, lower-cased)
EXTRAS: dict[str, tuple[Callable[[Path], None], set[str]]] = {
    "mp3": (_extras_id3, {"txxx:mood", "popm:user@example.org"}),
    "flac": (lambda p: write_vorbis(p, [("TITLE", "t"), ("MOOD", "Happy")]), {"mood"}),
    "ogg": (lambda p: write_vorbis(p, [("TITLE", "t"), ("Mood", "Happy")]), {"mood"}),
    "m4a": (
        lambda p: write_mapping(p, {"©nam": ["t"], ITUNES + "MOOD": _ff("Happy")}),
        {(ITUNES + "MOOD").lower()},
    ),
    "wma": (lambda p: write_mapping(p, {"Title": ["t"], "WM/Mood": ["Happy"]}), {"wm/mood"}),
    "wv": (lambda p: write_mapping(p, {"Title": ["t"], "Mood": ["Happy"]}), {"mood"}),
}


@pytest.mark.parametrize("ext", sorted(EXTRAS))
def test_unknown_keys_land_in_extras(audio: Any, tmp_path: Path, ext: str) -> None:
    writer, expected = EXTRAS[ext]
    path = make(audio, tmp_path, ext)
    writer(path)

    record = read(path)

    extras = {k.lower(): v for k, v in record.extras.items()}
    assert set(extras) == expected
    for key in expected - {"popm:user@example.org"}:
        assert extras[key] == ["Happy"]
    assert record.title == "t"
    assert record.tags == {"title": ["t"]}
    assert record.has_picture is False


def test_id3_popm_extra_is_described(audio: Any, tmp_path: Path) -> None:
    path = make(audio, tmp_path, "mp3")
    _extras_id3(path)

    [text] = read(path).extras["POPM:user@example.org"]

    assert "196" in text


JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 64 + b"\xff\xd9"


def _flac_picture() -> Picture:
    pic = Picture()
    pic.type = 3
    pic.mime = "image/jpeg"
    pic.desc = "front"
    pic.data = JPEG
    return pic


def _picture_flac(p: Path) -> None:
    f = _tagged(p)
    f.add_picture(_flac_picture())
    f.save()


def _picture_ogg(p: Path) -> None:
    block = base64.b64encode(_flac_picture().write()).decode("ascii")
    write_vorbis(p, [("METADATA_BLOCK_PICTURE", block)])


def _wm_picture() -> ASFByteArrayAttribute:
    mime = "image/jpeg\x00".encode("utf-16-le")
    desc = "\x00".encode("utf-16-le")
    return ASFByteArrayAttribute(struct.pack("<BI", 3, len(JPEG)) + mime + desc + JPEG)


PICTURES: dict[str, Callable[[Path], None]] = {
    "mp3": lambda p: write_id3(
        p, [id3.APIC(encoding=UTF8, mime="image/jpeg", type=3, desc="", data=JPEG)]
    ),
    "aiff": lambda p: write_id3(
        p, [id3.APIC(encoding=UTF8, mime="image/jpeg", type=3, desc="", data=JPEG)]
    ),
    "flac": _picture_flac,
    "ogg": _picture_ogg,
    "m4a": lambda p: write_mapping(p, {"covr": [MP4Cover(JPEG, MP4Cover.FORMAT_JPEG)]}),
    "wma": lambda p: write_mapping(p, {"WM/Picture": [_wm_picture()]}),
    "wv": lambda p: write_mapping(
        p, {"Cover Art (Front)": APEValue(b"cover.jpg\x00" + JPEG, BINARY)}
    ),
}


@pytest.mark.parametrize("ext", sorted(PICTURES))
def test_embedded_picture(audio: Any, tmp_path: Path, ext: str) -> None:
    path = make(audio, tmp_path, ext)
    plain = make(audio, tmp_path, ext, name="plain")
    write_key(
        plain,
        {"id3": "TIT2", "vorbis": "TITLE", "mp4": "©nam", "asf": "Title", "apev2": "Title"}[
            CONTAINER[ext]
        ],
        ["t"],
    )
    PICTURES[ext](path)

    record = read(path)

    assert record.has_picture is True
    assert read(plain).has_picture is False
    assert record.tags == {}, "a picture is not a canonical field"


# --- hostile text --------------------------------------------------------------------------

MARKUP = "[bold red]x[/]"
ESCAPE = "\x1b[2J\x1b[31mred"
EMOJI = "🎸🔥 Ünïcødé"
RTL = "\u202eمرحبا עברית"

HOSTILE_KEYS = {
    "id3": ("TIT2", "TPE1", "TALB"),
    "vorbis": ("TITLE", "ARTIST", "ALBUM"),
    "mp4": ("©nam", "©ART", "©alb"),
    "asf": ("Title", "Author", "WM/AlbumTitle"),
    "apev2": ("Title", "Artist", "Album"),
}


@pytest.mark.parametrize("ext", TAGGABLE)
def test_hostile_text_survives_exactly(audio: Any, tmp_path: Path, ext: str) -> None:
    title, artist, album = HOSTILE_KEYS[CONTAINER[ext]]
    path = make(audio, tmp_path, ext)
    container = CONTAINER[ext]
    if container == "id3":
        write_id3(
            path,
            [
                _txt(id3.TIT2, MARKUP),
                _txt(id3.TPE1, ESCAPE, EMOJI),
                _txt(id3.TALB, RTL),
                _txxx("NOTE", ESCAPE),
            ],
        )
    elif container == "vorbis":
        write_vorbis(
            path,
            [(title, MARKUP), (artist, ESCAPE), (artist, EMOJI), (album, RTL), ("NOTE", ESCAPE)],
        )
    elif container == "mp4":
        write_mapping(
            path,
            {title: [MARKUP], artist: [ESCAPE, EMOJI], album: [RTL], ITUNES + "NOTE": _ff(ESCAPE)},
        )
    else:
        write_mapping(
            path, {title: [MARKUP], artist: [ESCAPE, EMOJI], album: [RTL], "NOTE": [ESCAPE]}
        )

    record = read(path)

    assert record.tags == {"title": [MARKUP], "artist": [ESCAPE, EMOJI], "album": [RTL]}
    assert record.title == MARKUP
    assert record.artist == f"{ESCAPE}; {EMOJI}"
    assert record.album == RTL
    assert list(record.extras.values()) == [[ESCAPE]]


# --- libtool.tags.fields parsers ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("3", 3),
        ("03", 3),
        ("0", 0),
        (" 7 ", 7),
        ("A1", 1),
        ("B12", 12),
        ("CD2", 2),
        ("12.0", 12),
        ("120.4", 120),
        ("x", None),
        ("", None),
        ("3/12", None),
        ("one", None),
    ],
)
def test_parse_int(text: str, value: int | None) -> None:
    assert fields.parse_int(text) == value


@pytest.mark.parametrize(
    ("text", "pair"),
    [
        ("3/12", ("3", "12")),
        ("3 of 12", ("3", "12")),
        ("3 OF 12", ("3", "12")),
        (" 3 / 12 ", ("3", "12")),
        ("3", ("3", "")),
        ("A1", ("A1", "")),
        ("/12", ("", "12")),
        ("x", ("x", "")),
        ("", ("", "")),
    ],
)
def test_split_pair(text: str, pair: tuple[str, str]) -> None:
    assert fields.split_pair(text) == pair


@pytest.mark.parametrize(
    ("text", "year"),
    [
        ("2001", 2001),
        ("2001-05", 2001),
        ("2001-05-17", 2001),
        ("2001-05-17T00:00:00", 2001),
        ("05/17/2001", 2001),
        ("17.05.2001", 2001),
        ("circa 1970", 1970),
        ("1999-01-02", 1999),
        ("", None),
        ("unknown", None),
        ("12345", None),
        ("0999", None),
        ("05/17/01", None),
    ],
)
def test_parse_year(text: str, year: int | None) -> None:
    assert fields.parse_year(text) == year


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("-6.50 dB", -6.5),
        ("-6.50dB", -6.5),
        ("+3.20 DB", 3.2),
        ("-6,50 dB", -6.5),
        ("0.988000", 0.988),
        (".5", 0.5),
        ("-8 LUFS", -8.0),
        ("1", 1.0),
        ("loud", None),
        ("", None),
        ("1.0.0", None),
        ("-6.5 dB extra", None),
    ],
)
def test_parse_float(text: str, value: float | None) -> None:
    assert fields.parse_float(text) == value


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("1", True),
        ("True", True),
        (" yes ", True),
        ("0", False),
        ("false", False),
        ("", False),
        ("maybe", None),
    ],
)
def test_parse_bool(text: str, value: bool | None) -> None:
    assert fields.parse_bool(text) is value


def test_typed_value_joins_multi_and_takes_first_otherwise() -> None:
    by = FIELD_BY_NAME
    assert fields.typed_value(by["artist"], ["A", "", "B"]) == "A; B"
    assert fields.typed_value(by["title"], ["first", "second"]) == "first"
    assert fields.typed_value(by["track"], ["", "04"]) == 4
    assert fields.typed_value(by["replaygain_track_gain"], ["-6.50 dB"]) == -6.5
    assert fields.typed_value(by["compilation"], ["1"]) is True
    assert fields.typed_value(by["date"], ["2001-05-17"]) == "2001-05-17"
    assert fields.typed_value(by["genre"], []) is None
