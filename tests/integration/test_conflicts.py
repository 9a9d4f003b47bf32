"""An edit made in another program is never overwritten by a change staged before it,
and edits that no file could hold are refused when they are staged."""

from __future__ import annotations

from pathlib import Path

import mutagen

from tests.audio import AudioFactory
from tests.integration.test_scan import make, tag


def title_of(path: Path) -> list[str]:
    return list(mutagen.File(path).tags["TITLE"])


def test_outside_edit_after_staging_is_a_conflict_until_forced(
    audio: AudioFactory, tmp_path: Path, mlib
) -> None:  # type: ignore[no-untyped-def]
    music = tmp_path / "music"
    song = make(audio, music / "song.flac", "flac", title="Original", album="A")
    other = make(audio, music / "other.flac", "flac", title="Other", album="A")
    mlib("scan", music, check=True)
    mlib("modify", "--yes", "album:A", "comment=note", check=True)
    mlib("modify", "--yes", "title:Original", "title=X2", check=True)

    tag(song, title="External")  # another tagger, after the change was staged
    mlib("scan", check=True)
    status = mlib("status", check=True).stdout
    assert "title: External -> X2" in status
    assert "conflict: staged against Original" in status
    assert "1 conflict: files changed" in status

    refused = mlib("write")
    assert refused.returncode == 1
    assert "title was changed in the file since the change was staged" in refused.stderr
    assert title_of(song) == ["External"]  # not overwritten
    assert mutagen.File(other).tags["COMMENT"] == ["note"]  # the other file was written
    assert "title: External -> X2" in mlib("status", check=True).stdout  # still pending

    forced = mlib("write", "--force", check=True)
    assert "1 file written, 0 failed" in forced.stdout
    assert title_of(song) == ["X2"]
    assert mlib("status", check=True).stdout.startswith("no pending changes")


def test_staging_again_resolves_the_conflict(audio: AudioFactory, tmp_path: Path, mlib) -> None:  # type: ignore[no-untyped-def]
    music = tmp_path / "music"
    song = make(audio, music / "song.flac", "flac", title="Original")
    mlib("scan", music, check=True)
    mlib("modify", "--yes", "title:Original", "title=X2", check=True)
    tag(song, title="External")
    mlib("scan", check=True)
    mlib("modify", "--yes", "title:External", "title=X3", check=True)  # seen, decided again
    assert "conflict" not in mlib("status", check=True).stdout
    mlib("write", check=True)
    assert title_of(song) == ["X3"]


def test_files_that_cannot_hold_tags_refuse_edits_when_staged(
    audio: AudioFactory, tmp_path: Path, mlib
) -> None:  # type: ignore[no-untyped-def]
    music = tmp_path / "music"
    audio.make(music / "stream.ac3", "ac3")
    make(audio, music / "song.mp3", title="Song")
    mlib("scan", music, check=True)
    result = mlib("modify", "--yes", "title=New", check=True)
    assert "stream.ac3: AC3 files cannot hold tags; not staged" in result.stderr
    status = mlib("status", check=True).stdout
    assert "song.mp3" in status and "stream.ac3" not in status
    written = mlib("write", check=True)
    assert "1 file written, 0 failed" in written.stdout
