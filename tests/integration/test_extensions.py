"""Every extension mutagen reads is scanned; other files are counted as skipped."""

from __future__ import annotations

import importlib
import os
import pkgutil
import shutil
import subprocess
from pathlib import Path
from typing import Any

import mutagen
import pytest

from libtool.scan.walk import AUDIO_EXTENSIONS, NO_STAMP, ScanSummary, Walk, iter_walk, walk_tree
from libtool.tags.read import BY_EXTENSION, read_track

#: Containers mutagen opens that hold video, not music: deliberately not scanned.
VIDEO = {".mpg", ".mpeg", ".m4v", ".wmv", ".ogv"}
#: Extensions mutagen's file types claim by content alone (their score ignores the name).
BY_CONTENT = {
    "MP4": {".m4a", ".m4b", ".m4p", ".m4r", ".mp4", ".3gp", ".3g2"},
    "ASF": {".wma", ".asf"},
    "OggVorbis": {".ogg", ".oga"},
    "OggFLAC": {".oga"},
    "OggOpus": {".opus"},
    "OggSpeex": {".spx"},
    "WavPack": {".wv"},
    "Musepack": {".mpc", ".mp+", ".mpp"},
}
CANDIDATES = {
    *VIDEO,
    *(e for exts in BY_CONTENT.values() for e in exts),
    *(e.decode() for e in AUDIO_EXTENSIONS),
    ".wave",
    ".adts",
    ".adif",
    ".eac3",
    ".mid",
    ".midi",
    ".mka",
    ".ra",
    ".au",
    ".caf",
}


def mutagen_file_types() -> list[type[mutagen.FileType]]:
    for info in pkgutil.iter_modules(mutagen.__path__):
        if not info.name.startswith("_") and info.name != "m4a":  # m4a: deprecated alias
            importlib.import_module(f"mutagen.{info.name}")
    found, todo = [], [mutagen.FileType]
    while todo:
        for sub in todo.pop().__subclasses__():
            todo.append(sub)
            if sub.__module__.startswith("mutagen.") and "score" in vars(sub):
                found.append(sub)
    return found


def test_every_extension_mutagen_recognises_is_scanned() -> None:
    types = mutagen_file_types()
    assert len(types) >= 20
    for cls in types:
        by_name = set()
        for ext in CANDIDATES:
            try:
                if cls.score(f"x{ext}", None, b"\x00" * 128) > 0:
                    by_name.add(ext)
            except Exception:  # some score functions want a real header; content-only then
                continue
        wanted = (by_name | BY_CONTENT.get(cls.__name__, set())) - VIDEO
        missing = {e for e in wanted if e.encode() not in AUDIO_EXTENSIONS}
        if cls.__name__ in ("APEv2File", "ID3FileType", "OggTheora"):
            continue  # generic tag holders and video: no extension of their own
        assert not missing, (cls.__name__, sorted(missing))
    assert {e.encode() for e in BY_EXTENSION} == AUDIO_EXTENSIONS


FFMPEG = ("ffmpeg", "-nostdin", "-loglevel", "error", "-y", "-f", "lavfi")


def _ffmpeg(dest: Path, *args: str) -> Path:
    subprocess.run(
        [*FFMPEG, "-i", "sine=duration=1:sample_rate=48000", "-ac", "1", *args, str(dest)],
        check=True,
    )
    return dest


#: extension -> (ffmpeg arguments, format read_track reports)
MADE = {
    "3g2": (["-c:a", "aac", "-f", "3g2"], "MP4"),
    "3gp": (["-c:a", "aac", "-f", "3gp"], "MP4"),
    "m4r": (["-c:a", "aac", "-f", "ipod"], "MP4"),
    "m4b": (["-c:a", "aac", "-f", "ipod"], "MP4"),
    "eac3": (["-c:a", "eac3", "-f", "eac3"], "AC3"),
    "ec3": (["-c:a", "eac3", "-f", "eac3"], "AC3"),
    "oga": (["-c:a", "flac", "-f", "ogg"], "Ogg FLAC"),
    "aifc": (["-c:a", "pcm_s16be", "-f", "aiff"], "AIFF"),
    "adts": (["-c:a", "aac", "-f", "adts"], "AAC"),
    "wave": (["-c:a", "pcm_s16le", "-f", "wav"], "WAV"),
}


@pytest.mark.skipif(shutil.which("ffmpeg") is None, reason="needs ffmpeg")
def test_other_extensions_are_walked_and_read(tmp_path: Path) -> None:
    for ext, (args, _) in MADE.items():
        _ffmpeg(tmp_path / f"t.{ext}", *args)

    walk = walk_tree(os.fsencode(tmp_path))

    assert sorted(os.path.basename(p).decode() for p in walk.files) == sorted(
        f"t.{e}" for e in MADE
    )
    assert walk.skipped == 0
    for ext, (_, fmt) in MADE.items():
        record = read_track(os.fsencode(tmp_path / f"t.{ext}"))
        assert record.format == fmt, ext
        assert 0.9 < record.length < 1.2, ext


def test_files_that_are_not_audio_are_counted(tmp_path: Path, audio: Any) -> None:
    audio.make(tmp_path / "a" / "01.flac", "flac")
    for name in ("cover.jpg", "a/album.cue", "a/notes.txt", "a/folder.png", "a/NOEXT"):
        (tmp_path / name).write_bytes(b"x")
    (tmp_path / ".hidden.jpg").write_bytes(b"x")  # hidden: not seen at all
    (tmp_path / "sub").mkdir()  # folders are not files

    walk = walk_tree(os.fsencode(tmp_path), ignore=("*.png",))  # ignored: not seen either

    assert len(walk.files) == 1
    assert walk.skipped == 4


def test_summary_line_mentions_skipped_files_only_when_there_are_some() -> None:
    summary = ScanSummary(added=2, errors=1, seconds=0.5)
    assert summary.line() == "2 added, 0 updated, 0 missing, 0 unchanged, 1 errors in 0.50s"

    summary.skipped = 3
    assert summary.line() == (
        "2 added, 0 updated, 0 missing, 0 unchanged, 1 errors, 3 skipped (not audio) in 0.50s"
    )


def test_the_walk_tells_folders_files_and_links_apart_by_what_they_are(
    tmp_path: Path, audio: Any
) -> None:
    """Names do not decide: a folder named like audio is walked, a link to a folder is
    followed, a link to a file counts as that file, and a dead link is no file at all."""
    audio.make(tmp_path / "disc.mp3" / "01.flac", "flac")  # a folder with an audio name
    audio.make(tmp_path / "real" / "02.flac", "flac")
    (tmp_path / "real" / "cover.jpg").write_bytes(b"x")
    os.symlink(tmp_path / "real", tmp_path / "linked")  # the same folder again: once only
    os.symlink(tmp_path / "real" / "cover.jpg", tmp_path / "front.jpg")  # a file: skipped
    os.symlink(tmp_path / "nowhere.jpg", tmp_path / "dead.jpg")  # nothing: not counted
    os.symlink(tmp_path / "nowhere.flac", tmp_path / "dead.flac")  # audio: a problem
    os.mkfifo(tmp_path / "pipe.txt")  # not a regular file, not audio: skipped, never opened

    walk = walk_tree(os.fsencode(tmp_path))

    names = sorted(os.path.relpath(p, os.fsencode(tmp_path)) for p in walk.files)
    assert names in (
        [b"disc.mp3/01.flac", b"real/02.flac"],
        [b"disc.mp3/01.flac", b"linked/02.flac"],
    )
    assert walk.skipped == 3  # cover.jpg, front.jpg, pipe.txt
    assert [(os.path.basename(p), kind) for p, kind, _ in walk.problems] == [
        (b"dead.flac", "broken-link")
    ]


def test_a_walk_without_stamps_finds_and_reports_the_same(tmp_path: Path, audio: Any) -> None:
    """A first scan's walk (no stamps to compare) skips the stat of plain audio files only:
    links, folders named like audio, FIFOs and dead links come out as with stamps."""
    audio.make(tmp_path / "disc.mp3" / "01.flac", "flac")
    plain = audio.make(tmp_path / "real" / "02.flac", "flac")
    os.symlink(plain, tmp_path / "link.flac")  # a link to audio: its target's stamp
    os.symlink(tmp_path / "nowhere.flac", tmp_path / "dead.flac")
    os.mkfifo(tmp_path / "pipe.mp3")
    (tmp_path / "cover.jpg").write_bytes(b"x")
    top = os.fsencode(tmp_path)

    with_stamps, without = Walk(), Walk()
    stamped = dict(iter_walk(top, with_stamps))
    unstamped = dict(iter_walk(top, without, stamps=False))

    assert sorted(unstamped) == sorted(stamped) and len(stamped) == 3
    assert without.problems == with_stamps.problems
    assert sorted(kind for _, kind, _ in without.problems) == ["broken-link", "not-regular"]
    assert without.skipped == with_stamps.skipped == 1
    link = os.path.join(top, b"link.flac")
    assert unstamped[link] == stamped[link] != NO_STAMP  # a link is stat'ed either way
    plain_files = [p for p in stamped if p != link]
    assert all(unstamped[p] == NO_STAMP and stamped[p] != NO_STAMP for p in plain_files)
