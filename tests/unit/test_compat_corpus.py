"""A compatibility corpus: files tagged the way real taggers tag them, with every value type.

Nothing is downloaded. Each file is made with ffmpeg (``tests.audio``) and then tagged
with mutagen directly, the way iTunes, beets, Picard, foobar2000, Mp3tag and Windows
Media Player write tags: bools, integers, (n, N) pairs, bytes, freeform atoms of every
data type, covers, ASF typed attributes, ID3 frames of every class, APEv2 binary and
external items. Every file must read without an error, every canonical value must be
found, and every other key must be kept (binary data summarised, never as a bytes repr).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import mutagen
import pytest
from mutagen import id3
from mutagen.apev2 import BINARY, EXTERNAL, APEValue
from mutagen.asf import (
    ASFBoolAttribute,
    ASFByteArrayAttribute,
    ASFDWordAttribute,
    ASFGUIDAttribute,
    ASFQWordAttribute,
    ASFUnicodeAttribute,
    ASFWordAttribute,
)
from mutagen.flac import Picture
from mutagen.mp4 import AtomDataType, MP4Cover, MP4FreeForm

from libtool.tags.read import read_track
from libtool.tags.write import WriteError, write_tags

UTF8 = id3.Encoding.UTF8
ITUNES = "----:com.apple.iTunes:"
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(range(256)) * 16 + b"\xff\xd9"
BLOB = bytes(range(256)) * 8  # 2 KB of binary that is not UTF-8
GUID = bytes(range(16))
MBID = "8eb2b179-643d-3507-b64c-29fcc6745156"


def _file(path: Path) -> Any:
    f = mutagen.File(path)
    assert f is not None, path
    if f.tags is None:
        f.add_tags()
    return f


def _mapping(items: dict[str, Any]) -> Callable[[Path], None]:
    def tag(path: Path) -> None:
        f = _file(path)
        for key, value in items.items():
            f.tags[key] = value
        f.save()

    return tag


# ------------------------------------------------------------------------------- MP4


def _ff(text: str, kind: int = AtomDataType.UTF8) -> list[MP4FreeForm]:
    return [MP4FreeForm(text.encode("utf-8"), dataformat=kind)]


ITUNES_MP4 = {
    "©nam": ["Title"],
    "©ART": ["Artist"],
    "©alb": ["Album"],
    "aART": ["Album Artist"],
    "trkn": [(3, 12)],
    "disk": [(1, 2)],
    "©day": ["2001-05-17T07:00:00Z"],
    "©gen": ["Rock"],
    "©wrt": ["Composer"],
    "©too": ["iTunes 12.9.0.164"],
    "cpil": True,
    "pgap": True,  # gapless playback: mutagen gives a bare bool
    "pcst": False,
    "tmpo": [120],
    "stik": [1],
    "rtng": [0],
    "hdvd": [0],
    "shwm": [1],
    "akID": [0],
    "plID": [1234567890123],  # 8-byte integer
    "cnID": [987654321],
    "atID": [12345],
    "geID": [21],
    "sfID": [143441],
    "cmID": [7],
    "tvsn": [3],
    "tves": [4],
    "soal": ["Album, The"],
    "soar": ["Artist, The"],
    "sonm": ["Title, The"],
    "purl": ["http://example.org/feed"],
    "egid": ["episode-guid"],
    "covr": [
        MP4Cover(JPEG, imageformat=MP4Cover.FORMAT_JPEG),
        MP4Cover(b"\x89PNG\r\n\x1a\n" + BLOB, imageformat=MP4Cover.FORMAT_PNG),
    ],
    ITUNES + "iTunSMPB": _ff(" 00000000 00000840 000001C0 0000000000008E00"),
    ITUNES + "iTunNORM": _ff(" 00000166 00000163 00001A2C 000018B4"),
    ITUNES + "iTunes_CDDB_IDs": _ff("12++ABCDEF"),
    ITUNES + "Encoding Params": [MP4FreeForm(BLOB, dataformat=AtomDataType.IMPLICIT)],
    ITUNES + "UTF16 NOTE": [MP4FreeForm("Ñote".encode("utf-16-be"), dataformat=2)],
    ITUNES + "PLAYCOUNT": [MP4FreeForm((42).to_bytes(4, "big"), AtomDataType.INTEGER)],
    ITUNES + "SOME UUID": [MP4FreeForm(GUID, dataformat=AtomDataType.UUID)],
    ITUNES + "JPEG BLOB": [MP4FreeForm(JPEG, dataformat=AtomDataType.JPEG)],
}
PICARD_MP4 = {
    "©nam": ["Title"],
    "©ART": ["Artist"],
    "trkn": [(3, 0)],
    "disk": [(0, 2)],
    ITUNES + "MusicBrainz Album Id": _ff(MBID),
    ITUNES + "MusicBrainz Track Id": _ff(MBID),
    ITUNES + "ARTISTS": _ff("Artist") + _ff("Guest"),
    ITUNES + "MEDIA": _ff("CD"),
    ITUNES + "SCRIPT": _ff("Latn"),
    ITUNES + "ASIN": _ff("B000002UB2"),
    "----:org.beets:acoustid": _ff("abc"),  # another freeform namespace (beets plugins)
}
MP4_EXTRAS = {
    "pgap",
    "pcst",
    "stik",
    "rtng",
    "hdvd",
    "plid",
    "cnid",
    "soal",
    "©too",
    "covr",
    "purl",
    (ITUNES + "iTunSMPB").lower(),
    (ITUNES + "Encoding Params").lower(),
    (ITUNES + "UTF16 NOTE").lower(),
    (ITUNES + "PLAYCOUNT").lower(),
    (ITUNES + "SOME UUID").lower(),
    (ITUNES + "JPEG BLOB").lower(),
}

# ------------------------------------------------------------------------------- ID3


def _id3_frames() -> list[id3.Frame]:
    """One frame of (nearly) every class mutagen knows, as taggers and players write them."""
    return [
        id3.TIT2(encoding=UTF8, text=["Title"]),
        id3.TPE1(encoding=UTF8, text=["Artist", "Guest"]),
        id3.TRCK(encoding=UTF8, text=["3/12"]),
        id3.TPOS(encoding=UTF8, text=["1/2"]),
        id3.TCON(encoding=UTF8, text=["(17)Rock"]),
        id3.TBPM(encoding=UTF8, text=["120"]),
        id3.TLEN(encoding=UTF8, text=["1000"]),
        id3.TSOP(encoding=UTF8, text=["Artist, The"]),
        id3.TSO2(encoding=UTF8, text=["Album Artist, The"]),
        id3.TIPL(encoding=UTF8, people=[["producer", "P"], ["engineer", "E"]]),
        id3.TMCL(encoding=UTF8, people=[["guitar", "G"]]),
        id3.TXXX(encoding=UTF8, desc="MusicBrainz Album Id", text=[MBID]),
        id3.TXXX(encoding=UTF8, desc="ARTISTS", text=["Artist", "Guest"]),  # Picard
        id3.TXXX(encoding=UTF8, desc="replaygain_track_gain", text=["-6.5 dB"]),  # foobar2000
        id3.COMM(encoding=UTF8, lang="eng", desc="", text=["A comment"]),
        id3.COMM(encoding=UTF8, lang="eng", desc="iTunNORM", text=[" 0000 0001"]),  # iTunes
        id3.COMM(encoding=UTF8, lang="deu", desc="ID3v1 Comment", text=["Kommentar"]),
        id3.USLT(encoding=UTF8, lang="eng", desc="", text="Lyrics\nline 2"),
        id3.USLT(encoding=UTF8, lang="jpn", desc="kana", text="かし"),
        id3.SYLT(encoding=UTF8, lang="eng", format=2, type=1, desc="", text=[("La", 0)]),
        id3.APIC(encoding=UTF8, mime="image/jpeg", type=3, desc="", data=JPEG),
        id3.APIC(encoding=UTF8, mime="image/png", type=4, desc="back", data=BLOB),
        id3.GEOB(encoding=UTF8, mime="application/x-blob", filename="f.bin", desc="d", data=BLOB),
        id3.PRIV(owner="WM/MediaClassPrimaryID", data=GUID),  # Windows Media Player
        id3.PRIV(owner="WM/Provider", data="AMG\x00".encode("utf-16-le")),
        id3.PRIV(owner="PeakValue", data=(32767).to_bytes(4, "little")),
        id3.UFID(owner="http://musicbrainz.org", data=MBID.encode()),
        id3.UFID(owner="http://www.cddb.com/id3/taginfo1.html", data=b"3CD3N48Q24"),
        id3.POPM(email="Windows Media Player 9 Series", rating=255, count=0),
        id3.POPM(email="MusicBee", rating=196),
        id3.PCNT(count=17),
        id3.WXXX(encoding=UTF8, desc="Discogs", url="https://www.discogs.com/release/1"),
        id3.WOAR(url="https://artist.example.org/"),
        id3.WCOM(url="https://shop.example.org/"),
        id3.WCOP(url="https://example.org/licence"),
        id3.RVA2(desc="track", channel=1, gain=-6.5, peak=0.98),
        id3.RVA2(desc="album", channel=1, gain=-7.0, peak=1.0),
        id3.MCDI(data=BLOB[:804]),
        id3.ETCO(format=2, events=[(3, 1000)]),
        id3.SYTC(format=2, data=b"\x78\x00\x00\x00\x00"),
        id3.USER(encoding=UTF8, lang="eng", text="Terms of use"),
        id3.OWNE(encoding=UTF8, price="USD0.99", date="20010517", seller="Shop"),
        id3.COMR(
            encoding=UTF8,
            price="USD0.99",
            valid_until="20301231",
            contact="x",
            format=1,
            seller="Shop",
            desc="d",
        ),
        id3.ENCR(owner="mailto:x@example.org", method=0x81, data=b"k"),
        id3.GRID(owner="mailto:x@example.org", group=0x82, data=b"g"),
        id3.LINK(frameid="TALB", url="http://example.org/x", data=b""),
        id3.POSS(format=2, position=1000),
        id3.SIGN(group=0x82, sig=b"sig"),
        id3.SEEK(offset=0),
        id3.AENC(owner="mailto:x@example.org", preview_start=0, preview_length=0, data=b"a"),
        id3.RBUF(size=4096),
        id3.EQU2(method=0, desc="eq", adjustments=[(100.0, 1.5)]),
        id3.CHAP(
            element_id="ch1",
            start_time=0,
            end_time=500,
            sub_frames=[id3.TIT2(encoding=UTF8, text=["Chapter 1"])],
        ),
        id3.CTOC(element_id="toc", flags=3, child_element_ids=["ch1"], sub_frames=[]),
    ]


ID3_EXTRAS = {
    "tlen",
    "tipl",
    "tmcl",
    "txxx:artists",
    "comm:itunnorm:eng",
    "uslt:kana:jpn",
    "sylt::eng",
    "apic:",
    "apic:back",
    "geob:d",
    "priv:wm/mediaclassprimaryid:#",
    "ufid:http://www.cddb.com/id3/taginfo1.html",
    "popm:windows media player 9 series",
    "pcnt",
    "wxxx:discogs",
    "woar:https://artist.example.org/",
    "rva2:track",
    "mcdi",
    "etco",
    "sytc",
    "owne",
    "comr:#",
    "chap:ch1",
    "ctoc:toc",
}


def _id3(version: int) -> Callable[[Path], None]:
    def tag(path: Path) -> None:
        f = _file(path)
        for frame in _id3_frames():
            f.tags.add(frame)
        f.save(v2_version=version)

    return tag


# ---------------------------------------------------------------------------- Vorbis


def _picture() -> Picture:
    pic = Picture()
    pic.type, pic.mime, pic.desc, pic.data = 3, "image/jpeg", "front", JPEG
    return pic


def _vorbis(with_block_picture: bool) -> Callable[[Path], None]:
    def tag(path: Path) -> None:
        import base64

        f = _file(path)
        for key, value in [
            ("TITLE", "Title"),
            ("ARTIST", "Artist"),
            ("ARTIST", "Guest"),
            ("TRACKNUMBER", "3/12"),
            ("DISCNUMBER", "1"),
            ("TOTALDISCS", "2"),
            ("ALBUM ARTIST", "Album Artist"),  # foobar2000
            ("RELEASETYPE", "album"),  # Picard
            ("ASIN", "B000002UB2"),
            ("ENCODER", "Lavf"),
            ("ITUNNORM", " 0000 0001"),
            ("RATING", "5"),  # foobar2000 / Mp3tag
            ("FMPS_RATING", "0.8"),  # Amarok/Clementine
            ("COVERART", base64.b64encode(JPEG).decode()),  # legacy, pre-FLAC-picture
            ("COVERARTMIME", "image/jpeg"),
            ("EMPTY", ""),
        ]:
            f.tags.append((key, value))
        if with_block_picture:
            data = base64.b64encode(_picture().write()).decode()
            f.tags.append(("METADATA_BLOCK_PICTURE", data))
        elif hasattr(f, "add_picture"):
            f.add_picture(_picture())
        f.save()

    return tag


VORBIS_EXTRAS = {"asin", "encoder", "itunnorm", "rating", "fmps_rating", "coverart"}

# ------------------------------------------------------------------------------- ASF

WMP_ASF = {
    "Title": [ASFUnicodeAttribute("Title")],
    "Author": [ASFUnicodeAttribute("Artist")],
    "WM/TrackNumber": [ASFDWordAttribute(3)],
    "WM/Track": [ASFDWordAttribute(2)],  # the old zero-based track number
    "WM/PartOfSet": [ASFUnicodeAttribute("1/2")],
    "WM/IsCompilation": [ASFBoolAttribute(True)],
    "IsVBR": [ASFBoolAttribute(False)],
    "WM/EncodingTime": [ASFQWordAttribute(132000000000000000)],
    "WM/SharedUserRating": [ASFDWordAttribute(99)],
    "WM/BeatsPerMinute": [ASFDWordAttribute(120)],
    "WM/Codec": [ASFWordAttribute(353)],
    "WM/MediaClassPrimaryID": [ASFGUIDAttribute(GUID)],
    "WM/WMContentID": [ASFGUIDAttribute(bytes(reversed(GUID)))],
    "WM/Provider": [ASFUnicodeAttribute("AMG")],
    "WM/UniqueFileIdentifier": [ASFUnicodeAttribute("AMGa_id=R 1;AMGp_id=P 2")],
    "WM/MCDI": [ASFByteArrayAttribute(BLOB[:100])],
    "WM/Lyrics_Synchronised": [ASFByteArrayAttribute(BLOB)],
    "WM/Picture": [ASFByteArrayAttribute(b"\x03" + len(JPEG).to_bytes(4, "little") + JPEG)],
    "MusicBrainz/Album Id": [ASFUnicodeAttribute(MBID)],
}
ASF_EXTRAS = {
    "wm/track",
    "isvbr",
    "wm/encodingtime",
    "wm/shareduserrating",
    "wm/codec",
    "wm/mediaclassprimaryid",
    "wm/wmcontentid",
    "wm/provider",
    "wm/mcdi",
    "wm/lyrics_synchronised",
    "wm/picture",
}

# ------------------------------------------------------------------------------ APEv2

FOOBAR_APE = {
    "Title": "Title",
    "Artist": "Artist\x00Guest",
    "Track": "3",
    "TRACKTOTAL": "12",  # foobar2000 writes the total apart
    "DISCNUMBER": "1",
    "DISCTOTAL": "2",
    "REPLAYGAIN_TRACK_GAIN": "-6.50 dB",
    "MP3GAIN_MINMAX": "120,200",
    "Tool Name": "foobar2000",
    "Cover Art (Front)": APEValue(b"cover.jpg\x00" + JPEG, BINARY),
    "Cover Art (Back)": APEValue(b"back.png\x00" + BLOB, BINARY),
    "Related": APEValue("http://example.org/about", EXTERNAL),
    "Lyrics": APEValue(BLOB, BINARY),  # a canonical key holding binary: kept as an extra
}
APE_EXTRAS = {"mp3gain_minmax", "tool name", "cover art (front)", "cover art (back)", "related"}

# ---------------------------------------------------------------------------- the corpus

#: name -> (ffmpeg format, tagger, extras keys that must be kept (lower case), canonical values)
CORPUS: dict[str, tuple[str, Callable[[Path], None], set[str], dict[str, Any]]] = {
    "itunes-m4a": (
        "m4a",
        _mapping(ITUNES_MP4),
        MP4_EXTRAS,
        {"track": 3, "tracktotal": 12, "artistsort": "Artist, The"},
    ),
    "itunes-alac": ("alac.m4a", _mapping(ITUNES_MP4), MP4_EXTRAS, {"disc": 1, "disctotal": 2}),
    "picard-m4a": (
        "m4a",
        _mapping(PICARD_MP4),
        {(ITUNES + "ARTISTS").lower(), "----:org.beets:acoustid"},
        {"mb_albumid": MBID, "track": 3, "tracktotal": None, "disctotal": 2, "media": "CD"},
    ),
    "mp3tag-id3v2.3": ("mp3", _id3(3), ID3_EXTRAS, {"track": 3, "tracktotal": 12}),
    "picard-id3v2.4": (
        "mp3",
        _id3(4),
        ID3_EXTRAS,
        {
            "mb_albumid": MBID,
            "genre": "Rock",
            "artistsort": "Artist, The",
            "albumartistsort": "Album Artist, The",
        },
    ),
    "wmp-id3-aiff": ("aiff", _id3(3), ID3_EXTRAS, {"disc": 1, "disctotal": 2}),
    "beets-id3-wav": ("wav", _id3(4), ID3_EXTRAS, {"bpm": 120}),
    "id3-tta": ("tta", _id3(4), ID3_EXTRAS, {"comment": "A comment"}),
    "foobar-flac": ("flac", _vorbis(False), VORBIS_EXTRAS, {"tracktotal": 12, "disctotal": 2}),
    "picard-ogg": (
        "ogg",
        _vorbis(True),
        VORBIS_EXTRAS,
        {"albumartist": "Album Artist", "releasetype": "album"},
    ),
    "beets-opus": ("opus", _vorbis(True), VORBIS_EXTRAS, {"track": 3, "disc": 1}),
    "wmp-wma": ("wma", _mapping(WMP_ASF), ASF_EXTRAS, {"track": 3, "compilation": True}),
    "beets-wma": (
        "wma",
        _mapping({"Title": ["Title"], "WM/TrackNumber": ["3"], "TotalTracks": ["12"]}),
        set(),
        {"track": 3, "tracktotal": 12},
    ),
    "foobar-wavpack": (
        "wv",
        _mapping(FOOBAR_APE),
        APE_EXTRAS,
        {"artist": "Artist; Guest", "tracktotal": 12, "disc": 1, "disctotal": 2},
    ),
}


def _build(audio: Any, tmp_path: Path, name: str) -> Path:
    ext, tagger, _, _ = CORPUS[name]
    path = audio.make(tmp_path / f"{name}.{ext}", ext)
    tagger(path)
    return path


@pytest.mark.parametrize("name", sorted(CORPUS))
def test_corpus_file_reads_and_keeps_unknown_keys(audio: Any, tmp_path: Path, name: str) -> None:
    _, _, extras_wanted, canonical = CORPUS[name]
    path = _build(audio, tmp_path, name)

    record = read_track(bytes(path))

    assert record.title == "Title"
    for field, value in canonical.items():
        assert getattr(record, field) == value, field
    extras = {k.lower(): v for k, v in record.extras.items()}
    lost = {w for w in extras_wanted if not any(k.startswith(w) for k in extras)}
    assert not lost, sorted(lost)
    json.dumps(record.extras)  # stored in a JSON column as it is
    for key, values in record.extras.items():
        assert values and all(isinstance(v, str) for v in values), key
        for value in values:
            assert "b'" not in value and 'b"' not in value, (key, value)  # no bytes repr
            assert len(value) < 300, (key, value[:80])  # binary data is summarised


@pytest.mark.parametrize("name", ["itunes-m4a", "itunes-alac"])
def test_itunes_typed_atoms_read_as_text(audio: Any, tmp_path: Path, name: str) -> None:
    record = read_track(bytes(_build(audio, tmp_path, name)))
    extras = record.extras

    assert extras["pgap"] == ["1"]
    assert extras["pcst"] == ["0"]
    assert extras["plID"] == ["1234567890123"]
    assert extras[ITUNES + "UTF16 NOTE"] == ["Ñote"]
    assert extras[ITUNES + "PLAYCOUNT"] == ["42"]
    assert extras[ITUNES + "SOME UUID"] == ["00010203-0405-0607-0809-0a0b0c0d0e0f"]
    assert extras[ITUNES + "Encoding Params"] == [f"<binary, {len(BLOB)} bytes>"]
    assert record.compilation is True
    assert record.bpm == 120
    assert record.has_picture is True


def test_wmp_typed_attributes_read_as_text(audio: Any, tmp_path: Path) -> None:
    extras = read_track(bytes(_build(audio, tmp_path, "wmp-wma"))).extras

    assert extras["IsVBR"] == ["False"]
    assert extras["WM/EncodingTime"] == ["132000000000000000"]
    assert extras["WM/Codec"] == ["353"]
    assert extras["WM/MediaClassPrimaryID"] == ["03020100-0504-0706-0809-0a0b0c0d0e0f"]
    assert extras["WM/MCDI"] == ["<binary, 100 bytes>"]


def test_id3_frame_classes_are_summarised(audio: Any, tmp_path: Path) -> None:
    extras = read_track(bytes(_build(audio, tmp_path, "picard-id3v2.4"))).extras
    lower = {k.lower(): v for k, v in extras.items()}

    assert lower["tipl"] == ["producer: P", "engineer: E"]
    assert lower["sylt::eng"] == ["La"]
    assert lower["pcnt"] == ["count=17"]
    assert lower["rva2:track"][0].startswith("desc=track channel=1 gain=-6.5 peak=0.98")
    assert lower["ufid:http://www.cddb.com/id3/taginfo1.html"] == ["3CD3N48Q24"]
    [priv] = [k for k in extras if k.startswith("PRIV:WM/MediaClassPrimaryID:#")]
    assert extras[priv] == ["<binary, 16 bytes>"]  # no binary in the key either
    assert lower["wxxx:discogs"] == ["https://www.discogs.com/release/1"]
    assert lower["mcdi"] == ["<binary, 804 bytes>"]
    assert lower["geob:d"][0].endswith(f"{len(BLOB)} bytes>")
    assert lower["apic:back"] == [f"<picture image/png, {len(BLOB)} bytes>"]


def test_ape_binary_and_external_items(audio: Any, tmp_path: Path) -> None:
    record = read_track(bytes(_build(audio, tmp_path, "foobar-wavpack")))
    extras = {k.lower(): v for k, v in record.extras.items()}

    assert extras["related"] == ["<external http://example.org/about>"]
    assert extras["lyrics"] == [f"<binary, {len(BLOB)} bytes>"]  # not text: not the field
    assert record.lyrics is None
    assert record.has_picture is True


@pytest.mark.parametrize("name", sorted(CORPUS))
def test_corpus_file_can_be_written(audio: Any, tmp_path: Path, name: str) -> None:
    """Writing one field either works, keeping every extra, or is refused cleanly."""
    path = bytes(_build(audio, tmp_path, name))
    before = read_track(path)

    try:
        after = write_tags(
            path, {"album": ["New Album"]}, size=before.size, mtime_ns=before.mtime_ns
        )
    except WriteError as exc:  # refused with a reason, the file untouched
        assert read_track(path).tags == before.tags, exc
        return
    assert after.album == "New Album"
    assert set(before.extras) <= set(after.extras)
