"""Undo gives the tags back exactly as they were: key for key, value for value, and the
tag block itself (none at all, its ID3 version, an ID3v1 trailer).

Each test tags a real file the way some tagger does, scans it, writes a change through
the library (``write_pending``), undoes it, and compares the file's tag with mutagen
directly, never through libtool's rules: raw frames (``translate=False``), the Vorbis
comment list in order, ASF attributes with their types, APEv2 items with their kinds.
"""

from __future__ import annotations

import hashlib
import struct
from collections.abc import Callable
from pathlib import Path
from typing import Any

import mutagen
import pytest
from mutagen import id3
from mutagen.apev2 import APENoHeaderError, APEv2
from mutagen.asf import ASFUnicodeAttribute
from sqlalchemy import select

from libtool.changes.apply import undo, write_pending
from libtool.changes.pending import diff_changes, stage
from libtool.db.models import Track, WriteSnapshot
from libtool.db.query import compile_query
from libtool.db.session import Library
from libtool.scan.scanner import scan
from tests.audio import CONTAINER, TAGGABLE
from tests.unit.test_tag_aliases import monkeys_audio, musepack_sv7

# ------------------------------------------------------------------- the tag, raw


def raw_tag(path: Path) -> Any:
    """The file's tag as mutagen holds it, in a form that compares exactly (None: no tag)."""
    data = path.read_bytes()
    trailer = data[-128:] if data[-128:-125] == b"TAG" else None
    f: Any = mutagen.File(path)
    tags = f.tags
    if isinstance(tags, id3.ID3):
        if isinstance(f, mutagen.mp3.MP3) and not data.startswith(b"ID3"):
            return ("id3v1 only", trailer)
        raw = id3.ID3(path, translate=False) if isinstance(f, mutagen.mp3.MP3) else tags
        return (raw.version, sorted((k, repr(v)) for k, v in raw.items()), trailer)
    if tags is None:
        return (None, trailer)
    if isinstance(tags, mutagen.asf.ASFTags):
        return [(k, repr(v), v.language, v.stream) for k, v in tags]
    if isinstance(tags, list):  # Vorbis comments: (key, value) pairs, in order
        return list(tags)
    if isinstance(f, mutagen.apev2.APEv2File):
        return sorted((k, v.kind, v.value) for k, v in tags.items())
    return sorted((k, repr(v)) for k, v in tags.items())


def ape_tag(path: Path) -> Any:
    try:
        return sorted((k, v.kind, v.value) for k, v in APEv2(path).items())
    except APENoHeaderError:
        return None


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


# ------------------------------------------------------------ write, then undo


def write_then_undo(
    library: Library, path: Path, changes: dict[str, list[str]], **kwargs: Any
) -> None:
    scan(library, [str(path.parent)], jobs=1)
    with library.session() as session:
        tracks = session.scalars(select(Track)).all()
        stage(session, diff_changes(session, tracks, changes), "test")
        session.commit()
    written = write_pending(library, compile_query(""), **kwargs)
    assert (written.ok, written.failed) == (1, 0), written.errors
    undone = undo(library)
    assert (undone.ok, undone.failed) == (1, 0), undone.errors


def tagged(make: Callable[[Path], Path], tag: Callable[[Any], None], dest: Path) -> Path:
    path = make(dest)
    f: Any = mutagen.File(path)
    if f.tags is None:
        f.add_tags()
    tag(f)
    f.save()
    return path


def test_flac_track_n_of_total_comes_back_as_it_was(audio: Any, tmp_path: Path, library) -> None:  # type: ignore[no-untyped-def]
    def tag(f: Any) -> None:
        f.tags.append(("tracknumber", "4/11"))
        f.tags.append(("TITLE", "t"))

    path = tagged(lambda p: audio.make(p, "flac"), tag, tmp_path / "m" / "a.flac")
    before = raw_tag(path)

    write_then_undo(library, path, {"track": ["5"]})

    assert raw_tag(path) == before == [("tracknumber", "4/11"), ("TITLE", "t")]


@pytest.mark.parametrize("ext", ["flac", "opus"])
def test_description_does_not_become_comment(audio: Any, tmp_path: Path, library, ext: str) -> None:  # type: ignore[no-untyped-def]
    def tag(f: Any) -> None:
        f.tags.append(("DESCRIPTION", "ripped in 2004"))
        f.tags.append(("ARTIST", "A"))

    path = tagged(lambda p: audio.make(p, ext), tag, tmp_path / "m" / f"a.{ext}")
    before = raw_tag(path)

    write_then_undo(library, path, {"comment": ["new comment"]})

    assert raw_tag(path) == before


def test_wma_alias_comment_and_empty_attributes_come_back(
    audio: Any, tmp_path: Path, library
) -> None:  # type: ignore[no-untyped-def]
    def tag(f: Any) -> None:
        f.tags["Title"] = [ASFUnicodeAttribute("t")]
        f.tags["Author"] = [ASFUnicodeAttribute(""), ASFUnicodeAttribute("")]  # WMP leaves these
        f.tags["WM/Comments"] = [ASFUnicodeAttribute("old comment")]

    path = tagged(lambda p: audio.make(p, "wma"), tag, tmp_path / "m" / "a.wma")
    before = raw_tag(path)

    write_then_undo(library, path, {"artist": ["Someone"], "comment": ["new"]})

    assert raw_tag(path) == before


# ------------------------------------------------------- files that had no tag block


def dsf(path: Path, seconds: float = 1.0) -> Path:
    """A DSF file (1-bit DSD, mono) with no metadata chunk."""
    rate, block = 2822400, 4096
    samples = int(rate * seconds)
    data = bytes(-(-samples // 8 // block) * block)
    fmt = b"fmt " + struct.pack("<QIIIIIIQI", 52, 1, 0, 1, 1, rate, 1, samples, block) + bytes(4)
    body = fmt + b"data" + struct.pack("<Q", 12 + len(data)) + data
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"DSD " + struct.pack("<QQQ", 28, 28 + len(body), 0) + body)
    return path


def dff(path: Path, seconds: float = 1.0) -> Path:
    """A DSDIFF file (mono) with no ID3 chunk."""
    rate = 2822400

    def chunk(cid: bytes, body: bytes) -> bytes:
        return cid + struct.pack(">Q", len(body)) + body + (b"\x00" if len(body) % 2 else b"")

    prop = b"SND " + chunk(b"FS  ", struct.pack(">I", rate))
    prop += chunk(b"CHNL", struct.pack(">H", 1) + b"SLFT")
    prop += chunk(b"CMPR", b"DSD \x0enot compressed\x00")
    body = b"DSD " + chunk(b"FVER", struct.pack(">I", 0x01050000)) + chunk(b"PROP", prop)
    body += chunk(b"DSD ", bytes(int(rate * seconds) // 8))
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"FRM8" + struct.pack(">Q", len(body)) + body)
    return path


UNTAGGED: dict[str, Callable[[Any, Path], Path]] = {
    "mp3": lambda audio, p: audio.make(p, "mp3"),
    "aiff": lambda audio, p: audio.make(p, "aiff"),
    "wav": lambda audio, p: audio.make(p, "wav"),
    "tta": lambda audio, p: audio.make(p, "tta"),
    "flac": lambda audio, p: audio.make(p, "flac"),
    "wv": lambda audio, p: audio.make(p, "wv"),
    "dsf": lambda audio, p: dsf(p),
    "dff": lambda audio, p: dff(p),
    "ape": lambda audio, p: monkeys_audio(p),
    "mpc": lambda audio, p: musepack_sv7(p),
}


@pytest.mark.parametrize("ext", sorted(UNTAGGED))
def test_a_file_without_tags_gets_none_back(audio: Any, tmp_path: Path, library, ext: str) -> None:  # type: ignore[no-untyped-def]
    """No empty ID3 or APEv2 block is left behind: the file is as it was, byte for byte."""
    (tmp_path / "m").mkdir()
    path = UNTAGGED[ext](audio, tmp_path / "m" / f"a.{ext}")
    assert mutagen.File(path).tags is None
    before = sha(path)

    write_then_undo(library, path, {"title": ["Now tagged"], "artist": ["A", "B"]})

    assert mutagen.File(path).tags is None
    if ext in ("wv", "ape", "mpc"):
        assert ape_tag(path) is None
    assert sha(path) == before


def test_an_id3v1_only_mp3_gains_no_id3v2_tag(audio: Any, tmp_path: Path, library) -> None:  # type: ignore[no-untyped-def]
    path = audio.make(tmp_path / "m" / "a.mp3", "mp3")
    v1 = b"TAG" + b"Old Title".ljust(30, b"\0") + b"Old Artist".ljust(30, b"\0")
    v1 += b"Old Album".ljust(30, b"\0") + b"1999" + b"comment".ljust(28, b"\0") + b"\0\x07\x11"
    path.write_bytes(path.read_bytes() + v1)
    before = sha(path)

    write_then_undo(library, path, {"title": ["New Title"], "composer": ["C"]})

    assert not path.read_bytes().startswith(b"ID3")
    assert path.read_bytes()[-128:] == v1
    assert sha(path) == before


def test_id3v1_trailer_beside_id3v2_comes_back(audio: Any, tmp_path: Path, library) -> None:  # type: ignore[no-untyped-def]
    path = audio.make(tmp_path / "m" / "a.mp3", "mp3")
    tags = id3.ID3()
    tags.add(id3.TIT2(encoding=1, text=["Title in UTF-16"]))
    tags.save(path, v1=2)  # v1=2: also write an ID3v1 trailer
    assert path.read_bytes()[-128:-125] == b"TAG"
    before = raw_tag(path)

    write_then_undo(library, path, {"title": ["Changed"]})

    assert raw_tag(path) == before  # the encoding too (UTF-16, not our UTF-8)


# ------------------------------------------------------------------------- ID3v2.3


def v23_file(audio: Any, path: Path) -> Path:
    path = audio.make(path, "mp3")
    tags = id3.ID3()
    tags.add(id3.TPE1(encoding=1, text=["piman", "jzig"]))  # two values, NUL-separated
    tags.add(id3.TIT2(encoding=1, text=["t"]))
    tags.add(id3.COMM(encoding=1, lang="eng", desc="iTunPGAP", text=["0", ""]))
    tags.update_to_v23()
    tags.save(path, v2_version=3, v23_sep=None)
    return path


def test_id3v23_multi_value_artist_comes_back_and_undo_can_be_undone(
    audio: Any,
    tmp_path: Path,
    library,  # type: ignore[no-untyped-def]
) -> None:
    path = v23_file(audio, tmp_path / "m" / "a.mp3")
    before = raw_tag(path)
    assert id3.ID3(path, translate=False)["TPE1"].text == ["piman", "jzig"]

    write_then_undo(library, path, {"artist": ["Someone Else"]})

    assert raw_tag(path) == before
    redone = undo(library)  # the undo is a run too: undoing it writes the change again
    assert (redone.ok, redone.failed) == (1, 0), redone.errors
    assert id3.ID3(path, translate=False)["TPE1"].text == ["Someone Else"]
    again = undo(library)
    assert (again.ok, again.failed) == (1, 0), again.errors
    assert raw_tag(path) == before


def test_writing_a_v23_file_keeps_frames_nobody_asked_about(
    audio: Any, tmp_path: Path, library
) -> None:  # type: ignore[no-untyped-def]
    path = v23_file(audio, tmp_path / "m" / "a.mp3")
    scan(library, [str(path.parent)], jobs=1)
    with library.session() as session:
        stage(
            session,
            diff_changes(session, session.scalars(select(Track)).all(), {"title": ["x"]}),
            "t",
        )
        session.commit()

    assert write_pending(library, compile_query("")).ok == 1

    raw = id3.ID3(path, translate=False)
    assert raw.version == (2, 3, 0)
    assert raw["TPE1"].text == ["piman", "jzig"]  # not joined into 'piman/jzig'
    assert raw["COMM:iTunPGAP:eng"].text == ["0", ""]


def test_the_history_keeps_only_the_entries_a_write_changed(
    audio: Any, tmp_path: Path, library
) -> None:  # type: ignore[no-untyped-def]
    """A picture or a long tag beside the field written is not copied into the library."""

    def tag(f: Any) -> None:
        f.tags.add(id3.APIC(encoding=3, mime="image/jpeg", type=3, desc="", data=b"\xff" * 50_000))
        f.tags.add(id3.TIT2(encoding=3, text=["t"]))

    path = tagged(lambda p: audio.make(p, "mp3"), tag, tmp_path / "m" / "a.mp3")
    scan(library, [str(path.parent)], jobs=1)
    with library.session() as session:
        stage(
            session,
            diff_changes(session, session.scalars(select(Track)).all(), {"title": ["x"]}),
            "t",
        )
        session.commit()
    write_pending(library, compile_query(""))

    with library.session() as session:
        [snap] = session.scalars(select(WriteSnapshot)).all()
        assert snap.changed["before"]["keys"] == ["TIT2"]
        assert len(str(snap.changed)) < 2000


# ------------------------------------------------- removing the last field, any container

TITLE_KEY = {"id3": "TIT2", "vorbis": "TITLE", "mp4": "©nam", "asf": "Title", "apev2": "Title"}
LAST_FIELD = [*TAGGABLE, "ape", "mpc"]


@pytest.mark.parametrize("ext", LAST_FIELD)
def test_removing_the_last_field_works_and_undoes(
    audio: Any, tmp_path: Path, library, ext: str
) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "m").mkdir()
    path = UNTAGGED.get(ext, lambda a, p: a.make(p, ext))(audio, tmp_path / "m" / f"a.{ext}")
    f: Any = mutagen.File(path)
    if f.tags is None:
        f.add_tags()
    key = TITLE_KEY[CONTAINER.get(ext, "apev2")]
    if isinstance(f.tags, id3.ID3):
        f.tags.add(id3.TIT2(encoding=3, text=["only field"]))
    else:
        f.tags[key] = ["only field"]
    f.save()
    before = raw_tag(path)
    scan(library, [str(path.parent)], jobs=1)
    with library.session() as session:
        stage(
            session, diff_changes(session, session.scalars(select(Track)).all(), {"title": []}), "t"
        )
        session.commit()

    written = write_pending(library, compile_query(""))

    assert (written.ok, written.failed) == (1, 0), written.errors
    with library.session() as session:
        assert session.scalars(select(Track.title)).one() is None
    undone = undo(library)
    assert (undone.ok, undone.failed) == (1, 0), undone.errors
    assert raw_tag(path) == before


# ------------------------------------------------------ write.id3v23 = true, item 8


def test_converting_to_id3v23_changes_no_other_frame(audio: Any, tmp_path: Path, library) -> None:  # type: ignore[no-untyped-def]
    path = audio.make(tmp_path / "m" / "a.mp3", "mp3")
    tags = id3.ID3()
    tags.add(id3.TIT2(encoding=3, text=["t"]))
    tags.add(id3.TPE1(encoding=3, text=["a", "b"]))
    tags.add(id3.COMM(encoding=3, lang="eng", desc="iTunPGAP", text=["0", ""]))  # iTunes
    tags.add(id3.TXXX(encoding=3, desc="ARTISTS", text=["a", "b"]))
    tags.save(path, v2_version=4)
    scan(library, [str(path.parent)], jobs=1)
    with library.session() as session:
        stage(
            session,
            diff_changes(session, session.scalars(select(Track)).all(), {"title": ["x"]}),
            "t",
        )
        session.commit()

    written = write_pending(library, compile_query(""), id3v23=True)

    assert written.ok == 1, written.errors
    raw = id3.ID3(path, translate=False)
    assert raw.version == (2, 3, 0)
    assert raw["TIT2"].text == ["x"]
    assert raw["COMM:iTunPGAP:eng"].text == ["0", ""]  # not '0/'
    assert raw["TXXX:ARTISTS"].text == ["a", "b"]
    assert raw["TPE1"].text == ["a", "b"]
