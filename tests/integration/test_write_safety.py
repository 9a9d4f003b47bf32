"""Writing is crash-safe, refuses stale files, isolates per-file errors, and can be undone."""

from __future__ import annotations

import errno
import hashlib
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import mutagen
import mutagen.id3
import pytest

from libtool.scan.scanner import scan
from libtool.tags.write import WriteError, write_tags

REPO = Path(__file__).resolve().parents[2]


def tagged_flac(audio, path: Path, title: str = "Old Title") -> Path:  # type: ignore[no-untyped-def]
    audio.make(path, "flac")
    f = mutagen.File(path)
    if f.tags is None:
        f.add_tags()
    f.tags["TITLE"] = [title]
    f.tags["ARTIST"] = ["Somebody"]
    f.tags["MOOD"] = ["calm"]
    f.save()
    return path


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def title_of(path: Path) -> str:
    return mutagen.File(path).tags["TITLE"][0]


KILL_SCRIPT = textwrap.dedent(
    """
    import os, shutil, signal, sys
    import libtool.tags.write as w

    step = sys.argv[2]

    def die():
        os.kill(os.getpid(), signal.SIGKILL)

    def after(fn):
        def wrapped(*a, **k):
            result = fn(*a, **k)
            die()
            return result
        return wrapped

    if step == "copied":
        w.shutil.copyfile = after(shutil.copyfile)
    elif step == "saved":
        w.apply_changes = after(w.apply_changes)
    elif step == "fsynced":
        w.os.fsync = after(os.fsync)
    elif step == "replaced":
        w.os.replace = after(os.replace)
    path = os.fsencode(sys.argv[1])
    st = os.stat(path)
    w.write_tags(path, {"title": ["New Title"]}, size=st.st_size, mtime_ns=st.st_mtime_ns)
    print("finished without being killed")
    """
)


@pytest.mark.parametrize("step", ["copied", "saved", "fsynced", "replaced"])
def test_kill_at_each_step_leaves_an_intact_file(audio, tmp_path: Path, step: str) -> None:  # type: ignore[no-untyped-def]
    path = tagged_flac(audio, tmp_path / "song.flac")
    before = sha(path)
    script = tmp_path / "kill.py"
    script.write_text(KILL_SCRIPT)
    result = subprocess.run(
        [sys.executable, str(script), str(path), step],
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=120,
    )
    assert result.returncode == -9, result.stderr  # really killed mid-write
    if step == "replaced":
        assert title_of(path) == "New Title"  # the whole new file
        assert mutagen.File(path).tags["MOOD"] == ["calm"]
    else:
        assert sha(path) == before  # the old file, untouched
    # whatever was left behind is a hidden temporary file the scanner skips
    leftovers = [p for p in tmp_path.iterdir() if p.name not in ("song.flac", "kill.py")]
    assert all(p.name.startswith(".") for p in leftovers)


def test_changed_on_disk_is_not_written(audio, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = tagged_flac(audio, tmp_path / "song.flac")
    st = os.stat(path)
    f = mutagen.File(path)
    f.tags["TITLE"] = ["Edited elsewhere"]
    f.save()
    with pytest.raises(WriteError, match="changed on disk") as info:
        write_tags(bytes(path), {"title": ["Ours"]}, size=st.st_size, mtime_ns=st.st_mtime_ns)
    assert info.value.kind == "changed-on-disk"
    assert title_of(path) == "Edited elsewhere"


def test_vanished_and_full_disk_are_per_file_errors(
    audio,
    tmp_path: Path,
    library,
    monkeypatch,  # type: ignore[no-untyped-def]
) -> None:
    from sqlalchemy import select

    from libtool.changes.apply import write_pending
    from libtool.changes.pending import diff_changes, stage
    from libtool.db.models import Track
    from libtool.db.query import compile_query

    music = tmp_path / "music"
    paths = [tagged_flac(audio, music / f"{n}.flac", f"T{n}") for n in range(3)]
    scan(library, [str(music)], jobs=1)
    with library.session() as session:
        tracks = session.scalars(select(Track)).all()
        stage(session, diff_changes(session, tracks, {"comment": ["new"]}), "test")
        session.commit()
    paths[0].unlink()
    full = bytes(paths[1])
    real_copy = shutil.copyfile

    def copy_or_enospc(src, dst, *a, **k):  # type: ignore[no-untyped-def]
        if os.fsencode(src) == full:
            raise OSError(errno.ENOSPC, "No space left on device")
        return real_copy(src, dst, *a, **k)

    monkeypatch.setattr("libtool.tags.write.shutil.copyfile", copy_or_enospc)
    before_full = sha(paths[1])
    summary = write_pending(library, compile_query(""))
    assert (summary.ok, summary.failed) == (1, 2)
    assert any("no longer exists" in e for e in summary.errors)
    assert any("No space left" in e for e in summary.errors)
    assert mutagen.File(paths[2]).tags["COMMENT"] == ["new"]
    assert sha(paths[1]) == before_full
    assert not [p for p in music.iterdir() if p.name.startswith(".")]  # temp cleaned up
    with library.session() as session:  # failed files keep their pending changes
        from libtool.changes.pending import pending_changes

        assert len(pending_changes(session, compile_query(""))) == 2


@pytest.mark.skipif(os.geteuid() == 0, reason="root ignores file permissions")
def test_read_only_file_is_a_clear_error(audio, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = tagged_flac(audio, tmp_path / "song.flac")
    path.chmod(0o444)
    st = os.stat(path)
    with pytest.raises(WriteError, match="read-only"):
        write_tags(bytes(path), {"title": ["x"]}, size=st.st_size, mtime_ns=st.st_mtime_ns)


def test_permissions_are_kept(audio, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = tagged_flac(audio, tmp_path / "song.flac")
    path.chmod(0o640)
    st = os.stat(path)
    write_tags(bytes(path), {"title": ["x"]}, size=st.st_size, mtime_ns=st.st_mtime_ns)
    assert (os.stat(path).st_mode & 0o777) == 0o640
    assert title_of(path) == "x"


def test_cli_modify_write_undo_redo(audio, tmp_path: Path, mlib) -> None:  # type: ignore[no-untyped-def]
    music = tmp_path / "music"
    path = tagged_flac(audio, music / "song.flac")
    assert mlib("scan", music).returncode == 0

    refused = mlib("modify", "title:old", "title=New")  # no terminal, no --yes
    assert refused.returncode == 1 and "nothing changed" in refused.stderr
    assert "no pending changes" in mlib("status").stdout

    out = mlib("modify", "title:old", "title=New", "artist!", "--yes")
    assert out.returncode == 0, out.stderr
    assert "title: Old Title -> New" in out.stdout
    assert "artist: Somebody -> (empty)" in out.stdout
    assert title_of(path) == "Old Title"  # pending only
    assert "2 pending changes" in mlib("status").stdout

    dry = mlib("write", "--dry-run")
    assert "would write 1 file" in dry.stdout and title_of(path) == "Old Title"
    assert mlib("write").returncode == 0
    tags = mutagen.File(path).tags
    assert tags["TITLE"] == ["New"] and "ARTIST" not in tags and tags["MOOD"] == ["calm"]
    assert "no pending changes" in mlib("status").stdout
    assert "New" in mlib("ls").stdout  # the library follows the file

    undo = mlib("undo")
    assert undo.returncode == 0, undo.stderr
    tags = mutagen.File(path).tags
    assert tags["TITLE"] == ["Old Title"] and tags["ARTIST"] == ["Somebody"]
    assert mlib("undo").returncode == 0  # undo of the undo: redo
    assert title_of(path) == "New"
    history = mlib("history").stdout
    assert "undoes run 1" in history and "undoes run 2" in history
    assert "New" in mlib("history", "1").stdout


def test_undo_refuses_a_field_changed_since(audio, tmp_path: Path, mlib) -> None:  # type: ignore[no-untyped-def]
    music = tmp_path / "music"
    path = tagged_flac(audio, music / "song.flac")
    mlib("scan", music, check=True)
    mlib("modify", "title=Second", "--yes", check=True)
    mlib("write", check=True)
    mlib("modify", "title=Third", "--yes", check=True)
    mlib("write", check=True)
    result = mlib("undo", "1")
    assert result.returncode == 1
    assert "changed since run 1" in result.stderr
    assert title_of(path) == "Third"


def test_write_refuses_a_file_edited_since_the_scan(audio, tmp_path: Path, mlib) -> None:  # type: ignore[no-untyped-def]
    music = tmp_path / "music"
    path = tagged_flac(audio, music / "song.flac")
    mlib("scan", music, check=True)
    mlib("modify", "comment=ours", "--yes", check=True)
    f = mutagen.File(path)
    f.tags["TITLE"] = ["Edited in another tagger"]
    f.save()
    result = mlib("write")
    assert result.returncode == 1
    assert "run mlib scan first" in result.stderr
    assert title_of(path) == "Edited in another tagger"
    mlib("scan", check=True)
    assert mlib("write").returncode == 0
    tags = mutagen.File(path).tags
    assert tags["COMMENT"] == ["ours"] and tags["TITLE"] == ["Edited in another tagger"]


def test_replace_refused_by_the_file_system(audio, tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """E.g. an immutable file or a read-only mount, which even root cannot replace."""
    path = tagged_flac(audio, tmp_path / "song.flac")
    before = sha(path)
    st = os.stat(path)

    def refuse(src, dst):  # type: ignore[no-untyped-def]
        raise PermissionError(errno.EPERM, "Operation not permitted")

    monkeypatch.setattr("libtool.tags.write.os.replace", refuse)
    with pytest.raises(WriteError, match="cannot replace"):
        write_tags(bytes(path), {"title": ["x"]}, size=st.st_size, mtime_ns=st.st_mtime_ns)
    assert sha(path) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["song.flac"]


def test_undo_of_a_multi_value_write_to_id3v23(tmp_path: Path, mlib) -> None:  # type: ignore[no-untyped-def]
    """v2.3 stores 'Rock/Pop' for two genres; history must record that, so undo still works."""
    music = tmp_path / "music"
    music.mkdir()
    src = REPO / "sample_music" / "Loose" / "Mirela Dunn - Paper Boats.mp3"
    path = music / "v23.mp3"
    shutil.copyfile(src, path)
    before = mutagen.id3.ID3(path)
    assert before.version == (2, 3, 0)
    old_genre = before["TCON"].genres
    mlib("scan", music, check=True)
    mlib("modify", "genre=Rock; Pop", "--yes", check=True)
    assert mlib("write").returncode == 0
    assert mutagen.id3.ID3(path).version == (2, 3, 0)
    result = mlib("undo")
    assert result.returncode == 0, result.stderr
    assert mutagen.id3.ID3(path)["TCON"].genres == old_genre


def test_writing_one_field_keeps_date_text_mutagen_cannot_parse(audio, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """A title-only write must not turn 'circa 1970' into nothing or '05/17/2001' into junk."""
    from tests.audio import with_raw_id3v24

    path = with_raw_id3v24(
        audio.make(tmp_path / "odd.mp3", "mp3"),
        [("TIT2", "Old"), ("TDRC", "circa 1970"), ("TDOR", "05/17/2001")],
    )
    st = os.stat(path)
    record = write_tags(bytes(path), {"title": ["New"]}, size=st.st_size, mtime_ns=st.st_mtime_ns)
    assert record.tags["date"] == ["circa 1970"]
    assert record.tags["originaldate"] == ["05/17/2001"]
    raw = path.read_bytes()
    assert b"circa 1970" in raw and b"05/17/2001" in raw


def test_a_write_that_would_change_another_field_is_refused(
    audio,
    tmp_path: Path,
    monkeypatch,  # type: ignore[no-untyped-def]
) -> None:
    """The safety net: if saving would alter anything not asked for, the file is left alone."""
    path = tagged_flac(audio, tmp_path / "song.flac")
    before = sha(path)
    st = os.stat(path)
    from libtool.tags import write as write_module

    real_apply = write_module.apply_changes

    def apply_and_damage(audio_file, changes, **kwargs):  # type: ignore[no-untyped-def]
        del audio_file.tags["ARTIST"]  # stands in for a library that mangles a frame
        del audio_file.tags["MOOD"]
        return real_apply(audio_file, changes, **kwargs)

    monkeypatch.setattr(write_module, "apply_changes", apply_and_damage)
    with pytest.raises(WriteError, match="would also change artist"):
        write_tags(bytes(path), {"title": ["x"]}, size=st.st_size, mtime_ns=st.st_mtime_ns)
    assert sha(path) == before

    def drop_extra(audio_file, changes, **kwargs):  # type: ignore[no-untyped-def]
        del audio_file.tags["MOOD"]
        return real_apply(audio_file, changes, **kwargs)

    monkeypatch.setattr(write_module, "apply_changes", drop_extra)
    with pytest.raises(WriteError, match="would drop mood"):
        write_tags(bytes(path), {"title": ["x"]}, size=st.st_size, mtime_ns=st.st_mtime_ns)
    assert sha(path) == before


def test_writing_a_field_keeps_different_values_its_rule_also_reads(
    audio,
    tmp_path: Path,  # type: ignore[no-untyped-def]
) -> None:
    """DESCRIPTION beside COMMENT, a German comment beside the English one: not ours to drop."""
    from mutagen.id3 import COMM, ID3

    flac = tagged_flac(audio, tmp_path / "a.flac")
    f = mutagen.File(flac)
    f.tags["COMMENT"] = ["short"]
    f.tags["DESCRIPTION"] = ["long liner notes"]
    f.tags["ALBUM ARTIST"] = ["Old AA"]  # only an alias: it is the value being replaced
    f.save()
    st = os.stat(flac)
    write_tags(
        bytes(flac),
        {"comment": ["new"], "albumartist": ["New AA"]},
        size=st.st_size,
        mtime_ns=st.st_mtime_ns,
    )
    tags = mutagen.File(flac).tags
    assert tags["COMMENT"] == ["new"] and tags["DESCRIPTION"] == ["long liner notes"]
    assert tags["ALBUMARTIST"] == ["New AA"] and "ALBUM ARTIST" not in tags

    mp3 = audio.make(tmp_path / "b.mp3", "mp3")
    id3 = ID3()
    id3.add(COMM(encoding=3, lang="eng", desc="", text=["english"]))
    id3.add(COMM(encoding=3, lang="deu", desc="", text=["deutsch"]))
    id3.save(mp3)
    st = os.stat(mp3)
    write_tags(bytes(mp3), {"comment": ["new"]}, size=st.st_size, mtime_ns=st.st_mtime_ns)
    frames = {f.lang: f.text for f in ID3(mp3).getall("COMM")}
    assert frames == {"eng": ["new"], "deu": ["deutsch"]}


def test_symlinks_are_written_through_and_hard_links_refused(
    audio,
    tmp_path: Path,
    mlib,  # type: ignore[no-untyped-def]
) -> None:
    music, outside = tmp_path / "music", tmp_path / "outside"
    real = tagged_flac(audio, outside / "real.flac", "Linked")
    music.mkdir()
    (music / "link.flac").symlink_to(real)
    hard = tagged_flac(audio, music / "hard.flac", "Hard")
    os.link(hard, outside / "other-name.flac")
    mlib("scan", music, check=True)
    mlib("modify", "comment=new", "--yes", check=True)
    result = mlib("write")
    assert result.returncode == 1 and "2 hard links" in result.stderr
    assert (music / "link.flac").is_symlink()  # still a link...
    assert mutagen.File(real).tags["COMMENT"] == ["new"]  # ...and its target has the change
    assert "COMMENT" not in mutagen.File(outside / "other-name.flac").tags
    assert os.stat(hard).st_ino == os.stat(outside / "other-name.flac").st_ino

    assert mlib("undo").returncode == 0  # undo goes through the link as well
    assert "COMMENT" not in mutagen.File(real).tags and (music / "link.flac").is_symlink()


def test_a_value_mutagen_rejects_fails_that_file_only(
    audio,
    tmp_path: Path,
    mlib,  # type: ignore[no-untyped-def]
) -> None:
    music = tmp_path / "music"
    ok = tagged_flac(audio, music / "ok.flac", "A")
    m4a = audio.make(music / "x.m4a", "m4a")
    mlib("scan", music, check=True)
    mlib("modify", "title=B", "--yes", check=True)
    mlib("modify", "path::x\\.m4a$", "track=99999", "--yes", check=True)  # > 16 bits
    result = mlib("write")
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert "x.m4a" in result.stderr
    assert title_of(ok) == "B"
    assert mutagen.File(m4a).tags.get("trkn") in (None, [])
    history = mlib("history").stdout
    assert "1 ok, 1 failed" in history  # the run was finished and recorded
    assert mlib("undo").returncode == 0 and title_of(ok) == "A"


def test_partial_undo_is_finished_not_redone(audio, tmp_path: Path, mlib) -> None:  # type: ignore[no-untyped-def]
    music = tmp_path / "music"
    a = tagged_flac(audio, music / "a.flac", "A")
    b = tagged_flac(audio, music / "b.flac", "B")
    mlib("scan", music, check=True)
    mlib("modify", "title=New", "--yes", check=True)
    mlib("write", check=True)
    f = mutagen.File(b)  # b is edited elsewhere: the undo cannot touch it yet
    f.tags["COMMENT"] = ["outside"]
    f.save()
    first = mlib("undo")
    assert first.returncode == 1 and title_of(a) == "A" and title_of(b) == "New"
    mlib("scan", check=True)
    second = mlib("undo")  # finishes undoing run 1; must not re-apply 'New' to a
    assert second.returncode == 0, second.stderr
    assert title_of(a) == "A" and title_of(b) == "B"


def test_undo_of_a_move_refuses_a_file_moved_again(audio, tmp_path: Path, mlib) -> None:  # type: ignore[no-untyped-def]
    music = tmp_path / "music"
    path = tagged_flac(audio, music / "orig.flac", "Song")
    mlib("scan", music, check=True)
    mlib("move", "-t", "one/$title", check=True)
    mlib("move", "-t", "two/$title", check=True)
    result = mlib("undo", "1")
    assert result.returncode == 1 and "moved again since run 1" in result.stderr
    assert (music / "two" / "Song.flac").exists() and not path.exists()


def test_move_refuses_symlinks_and_cleans_up_a_failed_unlink(
    audio,
    tmp_path: Path,
    mlib,
    monkeypatch,
    library,  # type: ignore[no-untyped-def]
) -> None:
    music = tmp_path / "music"
    real = tagged_flac(audio, tmp_path / "real.flac", "Linked")
    music.mkdir()
    (music / "link.flac").symlink_to(real)
    mlib("scan", music, check=True)
    result = mlib("move", "-t", "moved/$title")
    assert result.returncode == 1 and "symbolic link" in result.stderr
    assert (music / "link.flac").is_symlink()

    from libtool.changes.organise import move_tracks
    from libtool.db.query import compile_query

    plain = tagged_flac(audio, music / "plain.flac", "Plain")
    scan(library, jobs=1)

    real_unlink = os.unlink

    def refuse(path):  # type: ignore[no-untyped-def]
        if os.fsencode(path) == bytes(plain):  # e.g. a read-only source folder
            raise PermissionError(errno.EACCES, "Permission denied")
        real_unlink(path)

    monkeypatch.setattr("libtool.changes.organise.os.unlink", refuse)
    summary = move_tracks(library, compile_query("title:plain"), "moved/$title")
    assert summary.failed == 1 and plain.exists()
    assert not (music / "moved" / "Plain.flac").exists()  # no second name left behind


def test_id3v22_tags_are_read_and_kept_by_a_write(audio, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from libtool.tags.read import read_track
    from tests.audio import with_raw_id3v22

    path = with_raw_id3v22(
        audio.make(tmp_path / "old.mp3", "mp3"),
        [("TT2", "Old"), ("TP1", "Artist"), ("TAL", "Album"), ("TRK", "3/9")],
    )
    record = read_track(bytes(path))
    assert record.tag_format == "id3v2.2"
    assert (record.title, record.artist, record.album, record.track) == (
        "Old",
        "Artist",
        "Album",
        3,
    )
    st = os.stat(path)
    after = write_tags(bytes(path), {"title": ["New"]}, size=st.st_size, mtime_ns=st.st_mtime_ns)
    assert (after.title, after.artist, after.album, after.tracktotal) == (
        "New",
        "Artist",
        "Album",
        9,
    )  # mutagen writes v2.4 (it cannot write v2.2); nothing is lost


def test_a_flac_named_mp3_is_written_as_flac(tmp_path: Path) -> None:
    src = next((REPO / "sample_music" / "JT Bruce" / "Ruined Subjects").glob("*.flac"))
    path = tmp_path / "really-flac.mp3"
    shutil.copyfile(src, path)
    st = os.stat(path)
    record = write_tags(
        bytes(path), {"composer": ["Bach"]}, size=st.st_size, mtime_ns=st.st_mtime_ns
    )
    assert record.format == "FLAC" and record.composer == "Bach"


def test_id3v23_option_turns_a_dated_time_into_v23_frames(tmp_path: Path) -> None:
    from mutagen.id3 import ID3

    path = tmp_path / "t.mp3"
    shutil.copyfile(
        REPO
        / "sample_music"
        / "The Dead Weather"
        / "Sea of Cowards (2010)"
        / "01 - Blue Blood Blues.mp3",
        path,
    )
    st = os.stat(path)
    write_tags(
        bytes(path),
        {"date": ["2001-02-03T04:05"]},
        size=st.st_size,
        mtime_ns=st.st_mtime_ns,
        id3v23=True,
    )
    tags = ID3(path, translate=False)
    assert tags.version == (2, 3, 0)
    assert "TDRC" not in tags and str(tags["TYER"]) == "2001" and str(tags["TDAT"]) == "0302"


def test_write_refuses_an_edit_that_kept_size_and_mtime(audio, tmp_path: Path, mlib) -> None:  # type: ignore[no-untyped-def]
    """A tagger that preserves mtime, editing inside the padding: still 'changed on disk'."""
    music = tmp_path / "music"
    path = tagged_flac(audio, music / "song.flac", "Old Title")
    mlib("scan", music, check=True)
    mlib("modify", "comment=ours", "--yes", check=True)
    before = os.stat(path)
    f = mutagen.File(path)
    f.tags["TITLE"] = ["New Title"]  # same length: fits the padding
    f.save()
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert (os.stat(path).st_size, os.stat(path).st_mtime_ns) == (
        before.st_size,
        before.st_mtime_ns,
    )
    result = mlib("write")
    assert result.returncode == 1 and "changed on disk" in result.stderr
    assert title_of(path) == "New Title" and "COMMENT" not in mutagen.File(path).tags


@pytest.mark.parametrize("ext", ["flac", "mp3", "m4a", "ogg", "wma", "wv"])
def test_the_record_a_write_returns_is_what_a_scan_would_read(
    audio,
    tmp_path: Path,
    ext: str,  # type: ignore[no-untyped-def]
) -> None:
    from libtool.tags.read import read_track

    path = audio.make(tmp_path / f"x.{ext}", ext)
    st = os.stat(path)
    record = write_tags(
        bytes(path),
        {"title": ["T"], "artist": ["A", "B"]},
        size=st.st_size,
        mtime_ns=st.st_mtime_ns,
    )
    assert record == read_track(bytes(path))


def test_a_file_replaced_by_a_folder_is_named_as_such(audio, tmp_path: Path, mlib) -> None:  # type: ignore[no-untyped-def]
    """Not 'changed on disk': rescanning would not help a folder become the file again."""
    music = tmp_path / "music"
    path = tagged_flac(audio, music / "song.flac")
    mlib("scan", music, check=True)
    mlib("modify", "title=New", "--yes", check=True)
    path.unlink()
    path.mkdir()
    (path / "inside.txt").write_text("x")

    result = mlib("write")

    assert result.returncode == 1
    assert "is no longer a file (a folder is there now)" in result.stderr
    assert "changed on disk" not in result.stderr
    moved = mlib("move", "-t", "moved/$title")
    assert moved.returncode == 1 and "is no longer a file" in moved.stderr
    assert (path / "inside.txt").exists() and not (music / "moved").exists()
