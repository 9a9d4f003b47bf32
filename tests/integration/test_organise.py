"""Path templates: sanitised parts, never outside the root, never overwriting."""

from __future__ import annotations

import os
from pathlib import Path

import mutagen
import pytest

from libtool.changes.organise import MAX_COMPONENT_BYTES, sanitise


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("AC/DC", "AC_DC"),
        ("..", "_"),
        ("../../etc", "_.._etc"),
        ('a\\b:c*d?e"f<g>h|i', "a_b_c_d_e_f_g_h_i"),
        ("tab\there\x1b[2J", "tab_here_[2J"),
        ("CON", "_CON"),
        ("com1.txt", "_com1.txt"),
        ("trailing dots...", "trailing dots"),
        ("  spaced  ", "spaced"),
        (".hidden", "hidden"),
        ("", "_"),
        ("夜明けの歌 🌞", "夜明けの歌 🌞"),
        ("evil\u202egnp.exe", "evilgnp.exe"),  # no bidi overrides in file names
    ],
)
def test_sanitise(text: str, expected: str) -> None:
    assert sanitise(text) == expected


def test_long_names_are_cut_on_character_boundaries() -> None:
    name = sanitise("夜" * 300)
    assert len(name.encode()) <= MAX_COMPONENT_BYTES
    name.encode("utf-8")  # still valid


def tag(path: Path, **values: str) -> None:
    f = mutagen.File(path)
    if f.tags is None:
        f.add_tags()
    for key, value in values.items():
        f.tags[key.upper()] = [value]
    f.save()


def files_under(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file())


def test_hostile_tags_stay_inside_the_root(audio, tmp_path: Path, mlib) -> None:  # type: ignore[no-untyped-def]
    music = tmp_path / "music"
    path = audio.make(music / "in.flac", "flac")
    tag(path, albumartist="../../etc", album="/abs/../..", title="x/../../passwd", tracknumber="1")
    mlib("scan", music, check=True)
    result = mlib("move", "--template", "$albumartist/$album/../../$title")
    assert result.returncode == 0, result.stderr
    audio_files = [p for p in tmp_path.rglob("*.flac")]
    assert len(audio_files) == 1 and music in audio_files[0].parents
    moved = files_under(music)
    assert len(moved) == 1 and moved[0].endswith(".flac")
    assert ".." not in Path(moved[0]).parts


def test_move_collisions_undo_and_empty_folders(audio, tmp_path: Path, mlib) -> None:  # type: ignore[no-untyped-def]
    music = tmp_path / "music"
    for n in range(2):  # two files the template sends to the same name
        path = audio.make(music / "old" / f"{n}.flac", "flac")
        tag(path, albumartist="Artist", album="Album", title="Same", tracknumber="1")
    blocker = music / "Artist" / "Album" / "01-01 Same.flac"
    blocker.parent.mkdir(parents=True)
    blocker.write_bytes(b"not ours")  # an existing file must never be overwritten
    mlib("scan", music, check=True)
    plan = mlib("move", "--dry-run")
    assert "01-01 Same.flac" in plan.stdout and (music / "old" / "0.flac").exists()

    assert mlib("move").returncode == 0
    assert blocker.read_bytes() == b"not ours"
    assert files_under(music) == [
        "Artist/Album/01-01 Same (1).flac",
        "Artist/Album/01-01 Same (2).flac",
        "Artist/Album/01-01 Same.flac",
    ]
    assert not (music / "old").exists()  # emptied folder removed
    listed = mlib("ls", "-f", "$path").stdout
    assert "Same (1).flac" in listed and "old/" not in listed  # the database followed

    assert mlib("undo").returncode == 0
    assert files_under(music) == ["Artist/Album/01-01 Same.flac", "old/0.flac", "old/1.flac"]
    assert os.path.exists(music / "old" / "1.flac")


def test_a_file_reached_through_a_symlinked_folder_is_not_moved(
    audio,
    tmp_path: Path,
    mlib,  # type: ignore[no-untyped-def]
) -> None:
    elsewhere = tmp_path / "other-root" / "Album"
    path = audio.make(elsewhere / "song.flac", "flac")
    tag(path, album="Album", title="Song")
    music = tmp_path / "music"
    music.mkdir()
    (music / "linked").symlink_to(elsewhere)
    mlib("scan", music, check=True)
    result = mlib("move", "-t", "moved/$title")
    assert result.returncode == 1 and "outside the library root on disk" in result.stderr
    assert path.exists() and not (music / "moved").exists()


@pytest.mark.parametrize("how", ["file symlink", "symlinked folder"])
def test_a_dry_run_never_lists_a_move_the_move_refuses(
    audio,
    tmp_path: Path,
    mlib,  # type: ignore[no-untyped-def]
    how: str,
) -> None:
    """The dry run and the move share one rule: a symlink is named as refused in both."""
    music = tmp_path / "music"
    elsewhere = tmp_path / "elsewhere" / "Album"
    real = audio.make(elsewhere / "song.flac", "flac")
    tag(real, album="Album", title="Song")
    music.mkdir()
    if how == "file symlink":
        (music / "song.flac").symlink_to(real)
        reason = "is a symbolic link; not moved"
    else:
        (music / "linked").symlink_to(elsewhere)
        reason = "outside the library root on disk"
    mlib("scan", music, check=True)

    dry = mlib("move", "-t", "moved/$title", "--dry-run")

    assert "-> " not in dry.stdout, dry.stdout  # nothing listed as a move
    assert reason in dry.stderr
    real_run = mlib("move", "-t", "moved/$title")
    assert real_run.returncode == 1 and reason in real_run.stderr
    assert not (music / "moved").exists()
