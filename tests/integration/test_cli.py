"""The mlib command (``python -m libtool``) as a user runs it.

Exit codes, one-line errors, output formats, settings precedence.
"""

from __future__ import annotations

import json
import os
import re
import sqlite3
import subprocess
from pathlib import Path

import pytest

from libtool.db.session import Library
from libtool.pathutil import cell_to_path
from libtool.scan.scanner import scan
from tests.audio import AudioFactory
from tests.integration.test_scan import (
    SUMMARY,
    age,
    db_tracks,
    fsb,
    make,
    run_cli,
    tag,
)

#: C0 controls (a newline only as the line end), DEL and C1 controls must never reach a terminal
CONTROL = re.compile(r"[\x00-\x09\x0b-\x1f\x7f-\x9f]")


def one_line_error(result: subprocess.CompletedProcess[str], *expected: str) -> str:
    """A failure a user can act on: non-zero, one ``mlib: error:`` line, no traceback."""
    assert result.returncode == 2, (result.returncode, result.stdout, result.stderr)
    assert "Traceback" not in result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("mlib: error: ")
    for text in expected:
        assert text in lines[0]
    return lines[0]


def track_count(db: Path) -> int | None:
    """Tracks in the library at ``db``; None when no database was created there."""
    if not db.exists():
        return None
    conn = sqlite3.connect(db)
    try:
        return conn.execute("SELECT count(*) FROM tracks").fetchone()[0]
    finally:
        conn.close()


# --------------------------------------------------------------------------- basics


def test_help_and_version() -> None:
    result = run_cli("--help", db=None)
    assert result.returncode == 0 and result.stderr == ""
    assert result.stdout.startswith("Usage: mlib ")
    for command in ("scan", "ls", "errors", "roots", "export"):
        assert re.search(rf"^\s+{command}\s", result.stdout, re.MULTILINE), command

    scan_help = run_cli("scan", "-h", db=None)
    assert scan_help.returncode == 0
    assert "--full" in scan_help.stdout and "--jobs" in scan_help.stdout

    version = run_cli("--version", db=None)
    assert version.returncode == 0 and re.fullmatch(r"mlib, version \S+\n", version.stdout)


def test_scan_summary_line(audio: AudioFactory, db_path: Path, tmp_path: Path) -> None:
    root = tmp_path / "music"
    for n in range(3):
        make(audio, root / f"{n}.mp3", title=f"t{n}")
    (root / "bad.mp3").write_bytes(b"no")

    result = run_cli("scan", "-j", "1", root, db=db_path)
    assert result.returncode == 0
    assert re.fullmatch(SUMMARY + "\n", result.stdout), result.stdout
    assert result.stdout.startswith("3 added, 0 updated, 0 missing, 0 unchanged, 1 errors in ")
    assert result.stderr == "Run 'mlib errors' to see the files that could not be read.\n"

    (root / "bad.mp3").unlink()
    result = run_cli("scan", db=db_path)
    assert re.fullmatch(SUMMARY + "\n", result.stdout), result.stdout
    assert result.stdout.startswith("0 added, 0 updated, 0 missing, 3 unchanged, 0 errors in ")
    assert result.stderr == ""


# --------------------------------------------------------------------------- user errors


def test_scan_of_a_path_that_is_not_a_folder(db_path: Path, tmp_path: Path) -> None:
    one_line_error(run_cli("scan", tmp_path / "nope", db=db_path), "no such file or folder", "nope")
    (tmp_path / "song.mp3").write_bytes(b"")
    one_line_error(
        run_cli("scan", tmp_path / "song.mp3", db=db_path), "is not inside a library root"
    )
    conn = sqlite3.connect(db_path)
    try:
        assert conn.execute("SELECT count(*) FROM roots").fetchone()[0] == 0
        assert conn.execute("SELECT count(*) FROM scan_runs").fetchone()[0] == 0
    finally:
        conn.close()


def test_scan_with_no_roots_is_a_usage_error(db_path: Path) -> None:
    result = run_cli("scan", db=db_path)
    one_line_error(result, "no library roots yet", "mlib scan ~/Music")
    assert "Traceback" not in result.stderr and result.stdout == ""


BAD_DATABASES = [
    "a-directory",
    "under-a-file",
    "not-a-database",
    "read-only-filesystem",
    "unwritable-folder",
]


@pytest.mark.parametrize("where", BAD_DATABASES)
def test_unusable_database_is_one_line(where: str, tmp_path: Path) -> None:
    music = tmp_path / "music"
    music.mkdir()
    if where == "a-directory":
        target = tmp_path
    elif where == "under-a-file":
        (tmp_path / "file").write_text("x")
        target = tmp_path / "file" / "library.db"
    elif where == "not-a-database":
        target = tmp_path / "notes.txt"
        target.write_bytes(b"this is not SQLite\n" * 300)
    elif where == "read-only-filesystem":
        if not Path("/proc/self").is_dir():
            pytest.skip("needs Linux /proc (a filesystem nobody can create files in)")
        target = Path("/proc/mlib-test-library.db")
    else:
        if os.geteuid() == 0:
            pytest.skip(
                "root writes into any folder whatever its mode (read-only-filesystem "
                "covers an unwritable location)"
            )
        locked = tmp_path / "locked"
        locked.mkdir(mode=0o500)
        target = locked / "library.db"

    one_line_error(run_cli("--db", target, "scan", music, db=None), "database")
    one_line_error(run_cli("ls", db=target), "database")  # the same through MLIB_DB
    if where == "not-a-database":
        assert target.read_bytes() == b"this is not SQLite\n" * 300  # not touched


def test_bad_queries_are_one_line(library: Library, db_path: Path) -> None:
    one_line_error(run_cli("ls", "bogus:1", db=db_path), "unknown field 'bogus'")
    one_line_error(run_cli("ls", "title::[", db=db_path), "bad regular expression")
    one_line_error(run_cli("ls", "year:abc..", db=db_path), "not a number")


# --------------------------------------------------------------------------- settings


def test_database_precedence_flag_env_config(audio: AudioFactory, tmp_path: Path) -> None:
    music = tmp_path / "music"
    make(audio, music / "a.mp3")
    from_config, from_env, from_flag = (tmp_path / f"{n}.db" for n in ("config", "env", "flag"))
    config = tmp_path / "mlib.toml"
    config.write_text(f"[library]\ndatabase = {json.dumps(str(from_config))}\n", encoding="utf-8")

    result = run_cli("--config", config, "--db", from_flag, "scan", music, db=from_env)
    assert result.returncode == 0, result.stderr
    assert (track_count(from_flag), track_count(from_env), track_count(from_config)) == (
        1,
        None,
        None,
    )

    result = run_cli("--config", config, "scan", music, db=from_env)
    assert result.returncode == 0, result.stderr
    assert (track_count(from_env), track_count(from_config)) == (1, None)

    result = run_cli("scan", music, db=None, MLIB_CONFIG=str(config))  # the env form of --config
    assert result.returncode == 0, result.stderr
    assert track_count(from_config) == 1

    one_line_error(run_cli("--config", tmp_path / "none.toml", "ls", db=from_env), "config file")


def test_config_roots_are_scanned(audio: AudioFactory, db_path: Path, tmp_path: Path) -> None:
    home = tmp_path / "home"
    song = make(audio, home / "Music" / "a.mp3")
    config = tmp_path / "mlib.toml"
    config.write_text('[library]\nroots = ["~/Music"]\n', encoding="utf-8")

    result = run_cli("--config", config, "scan", db=db_path, HOME=str(home))
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("1 added, 0 updated")
    conn = sqlite3.connect(db_path)
    try:
        assert conn.execute("SELECT path FROM roots").fetchall() == [(fsb(home / "Music"),)]
        assert conn.execute("SELECT path FROM tracks").fetchall() == [(fsb(song),)]
    finally:
        conn.close()


# --------------------------------------------------------------------------- ls, roots, errors


@pytest.fixture
def records(audio: AudioFactory, library: Library, tmp_path: Path) -> Path:
    """A small scanned library: two albums and one track that has gone missing."""
    root = tmp_path / "music"
    make(
        audio,
        root / "Abbey" / "1.mp3",
        title="Come Together",
        artist="The Beatles",
        album="Abbey Road",
        tracknumber="1",
        date="1969",
    )
    make(
        audio,
        root / "Abbey" / "2.mp3",
        title="Something",
        artist="The Beatles",
        album="Abbey Road",
        tracknumber="2",
        date="1969",
    )
    make(
        audio,
        root / "Kind" / "1.flac",
        "flac",
        title="So What",
        artist="Miles Davis",
        album="Kind of Blue",
        tracknumber="1",
        date="1959-08-17",
        genre="Jazz",
    )
    gone = make(audio, root / "gone.mp3", title="Gone", artist="Nobody")
    scan(library, [root], jobs=1)
    gone.unlink()
    scan(library, jobs=1)
    return root


def test_ls_default_query_format_and_json(records: Path, db_path: Path) -> None:
    def ls(*args: str) -> list[str]:
        result = run_cli("ls", *args, db=db_path)
        assert result.returncode == 0 and result.stderr == "", result.stderr
        return result.stdout.split("\n")[:-1]

    assert ls() == [
        "The Beatles - Abbey Road - Come Together",
        "The Beatles - Abbey Road - Something",
        "Miles Davis - Kind of Blue - So What",
    ]
    assert ls("artist:beatles", "--format", "$track $title") == ["01 Come Together", "02 Something"]
    assert ls("-f", "$title", "year:..1969", "^title:some", "what") == ["So What"]
    assert ls("-f", "$title", "missing:true") == ["Gone"]
    assert ls("--albums") == ["Miles Davis - Kind of Blue", "The Beatles - Abbey Road"]

    rows = [json.loads(line) for line in ls("--json")]
    assert [r["title"] for r in rows] == ["Come Together", "Something", "So What"]
    assert rows[2]["path"] == str(records / "Kind" / "1.flac")
    assert (rows[2]["format"], rows[2]["year"], rows[2]["genre"], rows[2]["missing"]) == (
        "FLAC",
        1959,
        "Jazz",
        False,
    )
    assert isinstance(rows[0]["length"], float) and rows[0]["track"] == 1
    albums = [json.loads(line) for line in ls("--albums", "--json")]
    assert [(a["album"], a["tracks"]) for a in albums] == [("Kind of Blue", 1), ("Abbey Road", 2)]


def test_negated_term_keeps_tracks_without_the_field(records: Path, db_path: Path) -> None:
    result = run_cli("ls", "-f", "$title", "^genre:jazz", db=db_path)
    assert result.stdout.split("\n")[:-1] == ["Come Together", "Something"]


def test_roots_lists_each_root_with_present_tracks(
    audio: AudioFactory, records: Path, library: Library, db_path: Path, tmp_path: Path
) -> None:
    other = tmp_path / "other music"
    make(audio, other / "x.mp3")
    scan(library, [other], jobs=1)
    result = run_cli("roots", db=db_path)
    assert result.returncode == 0
    lines = result.stdout.split("\n")[:-1]
    assert len(lines) == 2
    for line, (path, count) in zip(lines, [(records, 3), (other, 1)], strict=True):
        assert re.fullmatch(
            rf"{re.escape(str(path))}\t{count} tracks?\tscanned \d{{4}}-\d\d-\d\d \d\d:\d\d", line
        ), line


def test_errors_when_there_are_none(records: Path, db_path: Path) -> None:
    result = run_cli("errors", db=db_path)
    assert (result.returncode, result.stdout, result.stderr) == (0, "", "no scan errors\n")


# --------------------------------------------------------------------------- odd names


def test_odd_file_names_round_trip_and_print_safely(
    audio: AudioFactory, library: Library, db_path: Path, tmp_path: Path
) -> None:
    root = tmp_path / "music"
    root.mkdir()
    data = audio.template("mp3").read_bytes()
    names = [
        b"caf\xe9.mp3",  # Latin-1, not UTF-8
        b"new\nline.mp3",
        b"esc\x1b]0;pwned\x07 and \xc2\x85.mp3",  # retitles a terminal; a C1 control
        b"plain.mp3",
    ]
    for name in names:
        fd = os.open(fsb(root) + b"/" + name, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
        os.write(fd, data)
        os.close(fd)
        age(Path(os.fsdecode(fsb(root) + b"/" + name)))
    tag(root / "plain.mp3", title="two\nlines \x1b[2J\u202eevil", artist="A\rB")
    fd = os.open(fsb(root) + b"/bro\xffken\n.mp3", os.O_WRONLY | os.O_CREAT, 0o644)
    os.write(fd, b"not audio")
    os.close(fd)

    result = run_cli("scan", root, db=db_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("4 added, 0 updated, 0 missing, 0 unchanged, 1 errors")

    on_disk = {fsb(root) + b"/" + n for n in os.listdir(fsb(root))}
    stored = set(db_tracks(library))
    assert stored == {fsb(root) + b"/" + n for n in names}
    assert stored <= on_disk  # the exact bytes, not a decoded-and-re-encoded copy

    listing = run_cli("ls", "-f", "$path | $title | $artist", db=db_path)
    assert listing.returncode == 0
    lines = listing.stdout.split("\n")
    assert lines[-1] == "" and len(lines) == 1 + len(names)  # one line per track
    assert not any(CONTROL.search(line) for line in lines), lines
    assert all("\u202e" not in line for line in lines)
    shown = {line.split(" | ")[0] for line in lines[:-1] if "caf" in line}
    # shown as every other command shows it; --json (below) keeps it reversible
    assert shown == {os.fsdecode(fsb(root)) + "/caf\\xe9.mp3"}

    default = run_cli("ls", db=db_path).stdout.split("\n")
    assert len(default) == 1 + len(names) and not any(CONTROL.search(x) for x in default)

    json_lines = run_cli("ls", "--json", db=db_path).stdout.split("\n")
    assert len(json_lines) == 1 + len(names) and json_lines[-1] == ""
    assert not any(CONTROL.search(x) for x in json_lines)
    rows = [json.loads(line) for line in json_lines[:-1]]
    assert {cell_to_path(r["path"]) for r in rows} == stored
    plain = next(r for r in rows if r["path"].endswith("plain.mp3"))
    assert (plain["title"], plain["artist"]) == ("two\nlines \x1b[2J\u202eevil", "A\rB")

    errors = run_cli("errors", db=db_path)
    assert errors.returncode == 0
    assert errors.stdout.count("\n") == 1 and not CONTROL.search(errors.stdout[:-1])
    assert "\\xff" in errors.stdout and ": corrupt: " in errors.stdout


@pytest.mark.parametrize("name", ["my library (2024) 100%.db", "caf\u00e9 %41 lib.db"])
def test_database_path_with_odd_characters(tmp_path: Path, name: str) -> None:
    db = tmp_path / name
    music = tmp_path / "music"
    music.mkdir()
    result = run_cli("--db", db, "scan", music, db=None)
    assert result.returncode == 0, result.stderr
    assert db.exists()
    result = run_cli("--db", db, "roots", db=None)
    assert result.returncode == 0, result.stderr
    assert "music\t0 tracks" in result.stdout


def test_one_changing_command_at_a_time(tmp_path: Path, audio: AudioFactory) -> None:
    from libtool.db.session import open_library

    db = tmp_path / "lib.db"
    root = tmp_path / "music"
    make(audio, root / "a.mp3", title="A")
    assert run_cli("scan", root, db=db).returncode == 0
    library = open_library(str(db))
    try:
        with library.exclusive("test"):  # as if another mlib were scanning or writing
            busy = run_cli("scan", "--full", db=db)
            moving = run_cli("move", db=db)
        assert busy.returncode == 2 and "another mlib command" in busy.stderr
        assert moving.returncode == 2 and "Traceback" not in moving.stderr
        assert run_cli("scan", "--full", db=db).returncode == 0  # free again
    finally:
        library.close()


@pytest.mark.parametrize("url", ["postgresql://u@localhost/x", "nonsense://x"])
def test_database_urls_without_a_driver_are_one_line_errors(tmp_path: Path, url: str) -> None:
    result = run_cli("--db", url, "ls", db=None)
    assert result.returncode == 2
    assert result.stderr.startswith("mlib: error: cannot use the database")
    assert "Traceback" not in result.stderr


def test_modify_rejects_fields_that_cannot_be_changed(tmp_path: Path, audio: AudioFactory) -> None:
    db = tmp_path / "lib.db"
    root = tmp_path / "music"
    make(audio, root / "a.mp3", title="A")
    run_cli("scan", root, db=db)
    for arg in ("nosuch=1", "length=5", "year=1999", "path!"):
        result = run_cli("modify", arg, "--yes", db=db)
        assert result.returncode == 2 and "not a field you can change" in result.stderr, arg
    ok = run_cli("modify", "title=Help!", "--yes", db=db)  # a value may end in '!'
    assert ok.returncode == 0 and "Help!" in ok.stdout


def test_a_mistyped_db_folder_is_an_error_not_a_new_library(tmp_path: Path) -> None:
    result = run_cli("--db", tmp_path / "no-such-dir" / "lib.db", "ls", db=None)
    assert result.returncode == 2 and "no such folder" in result.stderr
    assert not (tmp_path / "no-such-dir").exists()


def test_roots_on_an_empty_library_says_so(tmp_path: Path) -> None:
    from libtool.db.session import open_library

    open_library(str(tmp_path / "lib.db")).close()
    result = run_cli("roots", db=tmp_path / "lib.db")
    assert result.returncode == 0 and "no library roots yet" in result.stderr


def test_a_read_only_command_never_starts_an_empty_library(tmp_path: Path) -> None:
    typo = tmp_path / "libary.db"
    for command in ("ls", "roots", "status", "errors", "history"):
        result = run_cli("--db", typo, command, db=None)
        one_line_error(result, "there is no library database at", "scan FOLDER")
    assert not typo.exists()


def test_scan_of_files_inside_a_root_reads_just_those(
    db_path: Path, tmp_path: Path, audio: AudioFactory
) -> None:
    music = tmp_path / "music"
    one = make(audio, music / "a" / "one.mp3", title="One")
    two = make(audio, music / "b" / "two.mp3", title="Two")
    assert run_cli("scan", music, db=db_path).returncode == 0
    tag(one, title="One again")
    tag(two, title="Two again")
    result = run_cli("scan", one, db=db_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("0 added, 1 updated, 0 missing, 0 unchanged, 0 errors")
    titles = run_cli("ls", "-f", "$title", db=db_path).stdout.split("\n")
    assert "One again" in titles and "Two" in titles  # the other file was not read
    roots = run_cli("roots", db=db_path).stdout.splitlines()
    assert len(roots) == 1 and roots[0].startswith(str(music))  # no new root


def test_a_non_utf8_path_reads_the_same_in_every_command(audio, tmp_path: Path, mlib) -> None:  # type: ignore[no-untyped-def]
    """ls, status, write and history show one form (bytes that are not UTF-8 as \\xNN);
    only the machine formats (--json, CSV) keep the reversible file:// form."""
    music = tmp_path / "music"
    made = audio.make(music / "x.flac", "flac")
    path = os.path.join(os.fsencode(music), b"caf\xe9.flac")
    os.rename(os.fsencode(made), path)
    shown = os.fsdecode(os.fsencode(music)) + "/caf\\xe9.flac"
    mlib("scan", music, check=True)

    listed = mlib("ls", "--format", "$path|$title", check=True).stdout.strip()
    untitled = mlib("ls", check=True).stdout.strip()
    mlib("modify", "title=Café", "--yes", check=True)
    status = mlib("status", check=True).stdout
    written = mlib("write", check=True).stdout
    history = mlib("history", "1", check=True).stdout
    as_json = json.loads(mlib("ls", "--json", check=True).stdout)

    assert listed == f"{shown}|caf\\xe9"  # an untitled track shows its file name
    assert untitled.endswith("caf\\xe9")
    assert shown in status and shown in written and shown in history
    assert "%E9" not in listed + untitled + status + written + history
    assert cell_to_path(as_json["path"]) == path  # machine output stays reversible
